#!/bin/bash
# net_outbound.sh: connections out of Mote by default (`mote run --qemu`, QEMU's user network,
# no -p): Debian's curl inside Mote fetches a file from an HTTP server this test starts on the
# host's loopback (10.0.2.2 from the guest), byte for byte; with --net none it cannot connect
# (curl's status 7), and -p with --net none is refused; over IPv6 (an address from QEMU's
# router adverts), Python in Mote fetches it from the host's ::1. Traffic: the host's loopback
# only.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/net_lib.sh
MOTE=build/mote
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
command -v curl >/dev/null || skip "curl not installed"
export MOTE_CACHE_DIR=$TEST_TMP/cache

mkdir -p "$TEST_TMP/www"
head -c 300000 /dev/urandom >"$TEST_TMP/www/data.bin"
port=$(free_port)
timeout 300 python3 -m http.server --bind 127.0.0.1 --directory "$TEST_TMP/www" "$port" \
	>"$TEST_TMP/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done

timeout 120 $MOTE run --qemu /usr/bin/curl -sS --max-time 60 -o /dev/stdout \
	"http://10.0.2.2:$port/data.bin" >"$TEST_TMP/got.bin" 2>"$TEST_TMP/curl.err"
expect_eq "curl in Mote: exit status 0" 0 "$?"
check "... the 300000 bytes, byte for byte" cmp -s "$TEST_TMP/got.bin" "$TEST_TMP/www/data.bin"
check "... the host's server logged the request" grep -q '"GET /data.bin HTTP/1.1" 200' \
	"$TEST_TMP/server.log"
# the same through passt (mote's user network on motevm, here under QEMU): 10.0.2.2 is the
# host's loopback there too
timeout 120 $MOTE run --qemu --net passt /usr/bin/curl -sS --max-time 60 -o /dev/stdout \
	"http://10.0.2.2:$port/data.bin" >"$TEST_TMP/got2.bin" 2>"$TEST_TMP/curl2.err"
expect_eq "curl in Mote through passt: exit status 0" 0 "$?"
check "... the 300000 bytes, byte for byte" cmp -s "$TEST_TMP/got2.bin" "$TEST_TMP/www/data.bin"

# IPv6 over the virtio-net interface: an address from QEMU's router adverts (SLAAC, a second or
# two after boot), then a connection to fec0::2, QEMU's name for the host's ::1
# ipv6_fetch PORT: Python in Mote fetches data.bin from a server on the host's [::1]:PORT
ipv6_fetch() {
	timeout 300 python3 -m http.server --bind ::1 --directory "$TEST_TMP/www" "$1" \
		>"$TEST_TMP/server6.log" 2>&1 &
	local server6=$! out
	out=$(timeout 120 $MOTE run --qemu --add /usr/lib/python3.11 /usr/bin/python3 -c '
import socket, sys, time
for _ in range(40):
    try:
        c = socket.create_connection(("fec0::2", int(sys.argv[1])), timeout=10)
        break
    except OSError:
        time.sleep(0.25)
c.sendall(b"GET /data.bin HTTP/1.0\r\n\r\n")
got = b""
while chunk := c.recv(65536):
    got += chunk
print(len(got.split(b"\r\n\r\n", 1)[1]))' "$1" 2>&1)
	expect_eq "IPv6: Python in Mote fetches the 300000 bytes from [fec0::2] (the host's ::1)" \
		300000 "$out"
	kill "$server6" 2>/dev/null
	wait "$server6" 2>/dev/null
}
port6=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])' 2>/dev/null)
if [ -n "$port6" ]; then
	ipv6_fetch "$port6"
else
	echo "# the IPv6 part is skipped: this host has no ::1"
fi

timeout 120 $MOTE run --qemu --net none /usr/bin/curl -sS --max-time 20 \
	"http://10.0.2.2:$port/data.bin" >/dev/null 2>"$TEST_TMP/none.err"
expect_eq "--net none: curl cannot connect (status 7)" 7 "$?"

out=$($MOTE run --qemu --net none -p 8080:80 /bin/true 2>&1)
expect_eq "-p with --net none: refused (125)" 125 "$?"
expect_match "... saying why" "not with --net none" "$out"
out=$($MOTE run --qemu --net tap0 /bin/true 2>&1)
expect_eq "--net tap0: refused (125)" 125 "$?"
expect_match "... naming the value" "--net tap0: not user, passt, none or tap:NAME" "$out"

kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
finish
