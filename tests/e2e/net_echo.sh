#!/bin/bash
# net_echo.sh: TCP sockets in Mote (linux/sys_socket.c on lwIP over the virtio-net driver)
# against host clients: a C echo server (tests/e2e/net/echo_server.c: socket, setsockopt,
# bind, listen, getsockname, poll, accept4, TCP_NODELAY, read, write, close) runs in Mote
# under QEMU with user networking (restrict=on) and one port forwarded from the host's
# loopback; a Python client on the host sends it 3 connections of random data (1 byte, 64 KiB,
# 1 MiB) and must get every byte back; the server then exits 0 saying what it served.
# Traffic: host loopback only, bounded in count and time.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
SERVER=$PWD/build/tests/e2e/echo_server
[ -x "$SERVER" ] || skip "$SERVER not built"

INITRD=$TEST_TMP/echo.img
build/mote build "$SERVER" -o "$INITRD" >/dev/null || skip "mote build $SERVER failed"
GUEST_PORT=7777
HOST_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OUT=$TEST_TMP/guest.out

timeout 120 qemu-system-x86_64 -M microvm,ioapic2=off -accel tcg -m 128 -smp 2 -nographic \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
	-global virtio-mmio.force-legacy=false \
	-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$HOST_PORT-:$GUEST_PORT" \
	-device virtio-net-device,netdev=n0 -kernel "$KERNEL" -initrd "$INITRD" \
	-append "--verbose $SERVER $GUEST_PORT 3$(microvm_virtio 8)" </dev/null >"$OUT" 2>&1 &
qemu=$!
for _ in $(seq 300); do # up to 30 s for DHCP and the server's listen
	grep -q "listening on port" "$OUT" && break
	sleep 0.1
done
expect_match "the server listens" "listening on port $GUEST_PORT" "$(cat "$OUT")"

client_out=$(timeout 60 python3 - "$HOST_PORT" <<'PY'
import os, socket, sys
port = int(sys.argv[1])
for size in (1, 65536, 1 << 20):
    data = os.urandom(size)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            got += chunk
    print(f"{size} bytes: {'echoed' if got == data else f'WRONG ({len(got)} back)'}")
PY
)
echo "$client_out"
expect_eq "1 byte echoed" "1 bytes: echoed" "$(sed -n 1p <<<"$client_out")"
expect_eq "64 KiB echoed" "65536 bytes: echoed" "$(sed -n 2p <<<"$client_out")"
expect_eq "1 MiB echoed" "1048576 bytes: echoed" "$(sed -n 3p <<<"$client_out")"
wait "$qemu"
rc=$?
cat "$OUT"
expect_eq "the server exits 0 (QEMU: 1)" 1 "$rc"
expect_match "it served every byte" "served 3 connections, $((1 + 65536 + 1048576)) bytes" "$(cat "$OUT")"
finish
