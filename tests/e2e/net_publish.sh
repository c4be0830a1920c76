#!/bin/bash
# net_publish.sh: `mote run -p`: a TCP port of the host's loopback forwarded to a program in
# Mote (QEMU's user network with hostfwd, the kernel configured statically by --ip and
# --defaultgw, the virtio-net driver, lwIP, the socket calls): the C echo server answers a
# host client, and Python's http.server (dual stack, on [::]) serves host curl a file (200) and
# a miss (404); -p .../udp reaches a Python datagram server. Bad
# -p values are refused; motevm, which has no user-mode network yet, refuses -p with a message.
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
if kvm_usable; then
	out=$($MOTE run -p 127.0.0.1:18080:80 /bin/true 2>&1)
	expect_eq "motevm: -p refused (125)" 125 "$?"
	expect_match "... saying why" "needs user-mode networking, which motevm does not have yet" "$out"
fi

# the echo server
hp=$(free_port)
timeout 120 $MOTE run --qemu -p "127.0.0.1:$hp:7777" "$SERVER" 7777 2 >"$TEST_TMP/echo.out" 2>&1 &
vm=$!
check "echo server: listening" wait_for "$TEST_TMP/echo.out" "listening on port 7777"
out=$(timeout 60 python3 tests/e2e/net/echo_client.py 127.0.0.1 "$hp" 5 100000)
expect_eq "echo server: 5 bytes and 100000 bytes echoed" "5: echoed 100000: echoed" "${out//$'\n'/ }"
wait "$vm"
expect_eq "echo server: mote exits 0" 0 "$?"
expect_match "... having served both" "served 2 connections, 100005 bytes" "$(cat "$TEST_TMP/echo.out")"

# Python's http.server as it starts by default: an AF_INET6 socket on [::], dual stack, so the
# forwarded IPv4 connections reach it (named ::ffff:10.0.2.2 in its log)
mkdir -p "$TEST_TMP/www"
echo "hello from mote" >"$TEST_TMP/www/index.txt"
hp=$(free_port)
timeout 120 $MOTE run --qemu -p "127.0.0.1:$hp:8000" --add /usr/lib/python3.11 \
	--add "$TEST_TMP/www" --cwd "$TEST_TMP/www" /usr/bin/python3 -m http.server \
	8000 >"$TEST_TMP/http.out" 2>&1 &
vm=$!
check "http.server: serving" wait_for "$TEST_TMP/http.out" "Serving HTTP on :: port 8000"
expect_eq "curl gets the file" "hello from mote" "$(timeout 30 curl -s "http://127.0.0.1:$hp/index.txt")"
expect_eq "curl gets 404 for a missing one" 404 \
	"$(timeout 30 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hp/missing")"
kill "$vm" 2>/dev/null
wait "$vm" 2>/dev/null
check "http.server: the requests are in its log, from an IPv4-mapped peer" \
	grep -q '^::ffff:10.0.2.2 .*"GET /index.txt HTTP/1.1" 200' \
	"$TEST_TMP/http.out"

# UDP: -p HOSTPORT:GUESTPORT/udp to a Python datagram server on a dual-stack [::] socket
hp=$(free_port)
timeout 120 $MOTE run --qemu -p "127.0.0.1:$hp:9999/udp" --add /usr/lib/python3.11 \
	/usr/bin/python3 -c 'import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 9999))
print("ready", flush=True)
for _ in range(3):
    d, a = s.recvfrom(100)
    s.sendto(d.upper() + a[0].encode(), a)' >"$TEST_TMP/udp.out" 2>&1 &
vm=$!
check "UDP server: ready" wait_for "$TEST_TMP/udp.out" "ready"
out=$(timeout 60 python3 - "$hp" <<'PY'
import socket, sys
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(5)
for word in (b"one", b"two", b"three"):
    c.sendto(word, ("127.0.0.1", int(sys.argv[1])))
    print(c.recvfrom(100)[0].decode())
PY
)
expect_eq "three datagrams answered through -p .../udp, from an IPv4-mapped source" \
	"ONE::ffff:10.0.2.2 TWO::ffff:10.0.2.2 THREE::ffff:10.0.2.2" "${out//$'\n'/ }"
wait "$vm"
expect_eq "UDP server: mote exits 0" 0 "$?"
finish
