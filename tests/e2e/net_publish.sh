#!/bin/bash
# net_publish.sh: `mote run -p`: a TCP port of the host's loopback forwarded to a program in
# Mote (a user network, the kernel configured statically by --ip and --defaultgw, the
# virtio-net driver, lwIP, the socket calls): the C echo server answers a host client, and
# Python's http.server (dual stack, on [::]) serves host curl a file (200) and a miss (404);
# -p .../udp reaches a Python datagram server. Each through QEMU's user network (hostfwd),
# through passt under QEMU (--net passt: tools/mote/usernet.c's passt, on a socketpair), and,
# where KVM is, motevm's virtio-net on passt (its default). Bad -p values are refused, and so is
# passt's network where passt is missing, naming the package.
# Traffic: host loopback only, bounded in count and time.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/net_lib.sh
MOTE=build/mote
SERVER=$PWD/build/tests/e2e/echo_server
[ -x "$SERVER" ] || skip "$SERVER not built"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
export MOTE_CACHE_DIR=$TEST_TMP/cache

for bad in 80 0:80 80:70000 1.2.3:80:80 80:80/sctp; do
	out=$($MOTE run --qemu -p "$bad" /bin/true 2>&1)
	expect_eq "-p $bad: refused (125)" 125 "$?"
	expect_match "... naming the value" "-p $bad: not \[HOSTIP:\]HOSTPORT:GUESTPORT" "$out"
done
# without passt, motevm's user network is refused with words that say how to get it
out=$(MOTE_PASST=/nonexistent $MOTE run --no-fallback -p 127.0.0.1:18080:80 /bin/true 2>&1)
rc=$?
if kvm_usable; then
	expect_eq "motevm without passt: -p refused (125)" 125 "$rc"
	expect_match "... naming the package" "needs passt .*Debian package passt" "$out"
fi
out=$(MOTE_PASST=/nonexistent $MOTE run --qemu --net passt /bin/true 2>&1)
expect_eq "--net passt without passt: refused (125)" 125 "$?"
expect_match "... naming the package" "needs passt .*Debian package passt" "$out"

# A datagram server answering each of 3 datagrams in capitals with the sender's address, and
# its client.
UDP_SERVER='import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 9999))
print("ready", flush=True)
for _ in range(3):
    d, a = s.recvfrom(100)
    s.sendto(d.upper() + a[0].encode(), a)'
UDP_CLIENT='import socket, sys
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(5)
for word in (b"one", b"two", b"three"):
    c.sendto(word, ("127.0.0.1", int(sys.argv[1])))
    print(c.recvfrom(100)[0].decode())'

# suite WHAT OPTION...: the three servers through `mote run OPTION... -p`
suite() {
	local W=$1 hp vm out
	HOW=("${@:2}")
	# the echo server
	hp=$(free_port)
	timeout 120 $MOTE run "${HOW[@]}" -p "127.0.0.1:$hp:7777" "$SERVER" 7777 2 >"$TEST_TMP/echo.out" 2>&1 &
	vm=$!
	check "$W: echo server: listening" wait_for "$TEST_TMP/echo.out" "listening on port 7777"
	out=$(timeout 60 python3 tests/e2e/net/echo_client.py 127.0.0.1 "$hp" 5 100000)
	expect_eq "$W: echo server: 5 bytes and 100000 bytes echoed" "5: echoed 100000: echoed" "${out//$'\n'/ }"
	wait "$vm"
	expect_eq "$W: echo server: mote exits 0" 0 "$?"
	expect_match "$W: ... having served both" "served 2 connections, 100005 bytes" "$(cat "$TEST_TMP/echo.out")"

	# Python's http.server as it starts by default: an AF_INET6 socket on [::], dual stack, so the
	# forwarded IPv4 connections reach it (named ::ffff:10.0.2.2 in its log); -u: its stdout is
	# a file, not a terminal, so Python would hold its lines back
	mkdir -p "$TEST_TMP/www"
	echo "hello from mote" >"$TEST_TMP/www/index.txt"
	hp=$(free_port)
	timeout 120 $MOTE run "${HOW[@]}" -p "127.0.0.1:$hp:8000" --add /usr/lib/python3.11 \
		--add "$TEST_TMP/www" --cwd "$TEST_TMP/www" /usr/bin/python3 -u -m http.server \
		8000 >"$TEST_TMP/http.out" 2>&1 &
	vm=$!
	check "$W: http.server: serving" wait_for "$TEST_TMP/http.out" "Serving HTTP on :: port 8000"
	expect_eq "$W: curl gets the file" "hello from mote" "$(timeout 30 curl -s "http://127.0.0.1:$hp/index.txt")"
	expect_eq "$W: curl gets 404 for a missing one" 404 \
		"$(timeout 30 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hp/missing")"
	kill "$vm" 2>/dev/null
	wait "$vm" 2>/dev/null
	check "$W: http.server: the requests are in its log, from an IPv4-mapped peer" \
		grep -q '^::ffff:10.0.2.2 .*"GET /index.txt HTTP/1.1" 200' \
		"$TEST_TMP/http.out"

	# UDP: -p HOSTPORT:GUESTPORT/udp to a Python datagram server on a dual-stack [::] socket
	hp=$(free_port)
	timeout 120 $MOTE run "${HOW[@]}" -p "127.0.0.1:$hp:9999/udp" --add /usr/lib/python3.11 \
		/usr/bin/python3 -c "$UDP_SERVER" >"$TEST_TMP/udp.out" 2>&1 &
	vm=$!
	check "$W: UDP server: ready" wait_for "$TEST_TMP/udp.out" "ready"
	out=$(timeout 60 python3 -c "$UDP_CLIENT" "$hp")
	expect_eq "$W: three datagrams answered through -p .../udp, from an IPv4-mapped source" \
		"ONE::ffff:10.0.2.2 TWO::ffff:10.0.2.2 THREE::ffff:10.0.2.2" "${out//$'\n'/ }"
	wait "$vm"
	expect_eq "$W: UDP server: mote exits 0" 0 "$?"
}

suite "QEMU's user network" --qemu
suite "passt under QEMU" --qemu --net passt
# motevm's virtio-net on passt (its default user network), where KVM is
if kvm_usable; then suite "motevm + passt" --no-fallback; else echo "motevm: not tried (no KVM)"; fi
finish
