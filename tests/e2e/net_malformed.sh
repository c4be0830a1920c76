#!/bin/bash
# net_malformed.sh: bad input from the network side. The guest (the C echo server, listening
# on 7777, addressed statically) sits under QEMU with `-netdev stream` to a Unix socket whose
# other end is tests/e2e/net/bad_peer.py: the whole network, and a hostile one. It sends
# malformed frames of every layer (runts, unknown ethertypes, truncated and inconsistent IPv4,
# TCP, UDP, ICMP, IPv6 and ARP headers, 200 overlapping fragments, 1000 random frames, oversize
# frames) and after each batch the guest must still answer ARP, ping and a SYN to its port;
# the kernel must print no panic. Traffic: between QEMU and the test's socket only.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
SERVER=$PWD/build/tests/e2e/echo_server
[ -x "$SERVER" ] || skip "$SERVER not built"
INITRD=$TEST_TMP/echo.img
build/mote build "$SERVER" -o "$INITRD" >/dev/null || skip "mote build $SERVER failed"
SOCK=$TEST_TMP/net.sock

timeout 200 python3 tests/e2e/net/bad_peer.py "$SOCK" >"$TEST_TMP/peer.out" 2>&1 &
peer=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
timeout 200 qemu-system-x86_64 -M microvm,ioapic2=off -accel tcg -m 128 -smp 2 -nographic \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 -global virtio-mmio.force-legacy=false \
	-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$SOCK" \
	-device virtio-net-device,netdev=n0,mac=52:54:00:6d:6f:74 -kernel "$KERNEL" -initrd "$INITRD" \
	-append "--ip=eth0,10.0.2.15,255.255.255.0 --defaultgw=10.0.2.2 $SERVER 7777 1$(microvm_virtio 8)" \
	</dev/null >"$TEST_TMP/guest.out" 2>&1 &
qemu=$!
wait "$peer"
rc=$?
kill "$qemu" 2>/dev/null
wait "$qemu" 2>/dev/null
cat "$TEST_TMP/peer.out"
echo "--- guest"
cat "$TEST_TMP/guest.out"
expect_eq "the guest answered after every batch" 0 "$rc"
expect_eq "... ten batches and the check before them" 11 "$(grep -c ': alive$' "$TEST_TMP/peer.out")"
check "... and the kernel printed no panic" sh -c "! grep -qi 'panic' '$TEST_TMP/guest.out'"
finish
