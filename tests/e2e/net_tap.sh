#!/bin/bash
# net_tap.sh: `mote run --net tap:NAME` (under QEMU, and on motevm where /dev/kvm is) on a TAP
# device in a network namespace this test makes (root only): the guest, given its address with --kernel-arg=--ip, answers ping (ARP,
# ICMP) and its C echo server (tests/e2e/net/echo_server.c) echoes a client in the namespace.
# Traffic: inside the namespace only (192.168.77.0/24 on the TAP), bounded in count and time;
# the namespace goes with the test.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/net_lib.sh
MOTE=$PWD/build/mote
SERVER=$PWD/build/tests/e2e/echo_server
[ "$(id -u)" -eq 0 ] || skip "needs root (a network namespace and a TAP device)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
[ -x "$SERVER" ] || skip "$SERVER not built"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
export MOTE_CACHE_DIR=$TEST_TMP/cache

ns=mote-tap-$$
ip netns add "$ns" 2>"$TEST_TMP/ns.err" || skip "ip netns add: $(cat "$TEST_TMP/ns.err")"
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns ip tuntap add dev mtap0 mode tap
in_ns ip addr add 192.168.77.1/24 dev mtap0
in_ns ip link set mtap0 up

# serve PLATFORM_OPTION: the echo server over the TAP, pinged and echoed from the namespace.
serve() {
	local how=$1 vm
	in_ns timeout 120 "$MOTE" run "$how" --net tap:mtap0 \
		--kernel-arg=--ip=eth0,192.168.77.2,255.255.255.0 --kernel-arg=--defaultgw=192.168.77.1 \
		"$SERVER" 7777 2 >"$TEST_TMP/server.out" 2>&1 &
	vm=$!
	check "$how: echo server: listening" wait_for "$TEST_TMP/server.out" "listening on port 7777"
	check "$how: ping 192.168.77.2 from the namespace (ARP, ICMP echo)" \
		in_ns ping -c 1 -W 10 192.168.77.2
	out=$(in_ns timeout 60 python3 tests/e2e/net/echo_client.py 192.168.77.2 7777 5 100000)
	expect_eq "$how: 5 bytes and 100000 bytes echoed over the TAP" "5: echoed 100000: echoed" \
		"${out//$'\n'/ }"
	wait "$vm"
	expect_eq "$how: mote exits 0" 0 "$?"
	cat "$TEST_TMP/server.out"
}

serve --qemu
# motevm's virtio-net (vmm/devices/virtio/net.c) on the same TAP, where KVM is there
if [ -w /dev/kvm ]; then serve --no-fallback; else echo "motevm: not tried (no /dev/kvm)"; fi
out=$($MOTE run --qemu --net tap:mtap0 -p 8080:80 /bin/true 2>&1)
expect_eq "-p with --net tap: refused (125)" 125 "$?"
expect_match "... saying why" "not with --net tap:mtap0" "$out"
finish
