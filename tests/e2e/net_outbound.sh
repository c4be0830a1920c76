#!/bin/bash
# net_outbound.sh: connections out of Mote by default (`mote run --qemu`, QEMU's user network,
# no -p): Debian's curl inside Mote fetches a file from an HTTP server this test starts on the
# host's loopback (10.0.2.2 from the guest), byte for byte; with --net none it cannot connect
# (curl's status 7), and -p with --net none is refused. Traffic: the host's loopback only.
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

timeout 120 $MOTE run --qemu --net none /usr/bin/curl -sS --max-time 20 \
	"http://10.0.2.2:$port/data.bin" >/dev/null 2>"$TEST_TMP/none.err"
expect_eq "--net none: curl cannot connect (status 7)" 7 "$?"

out=$($MOTE run --qemu --net none -p 8080:80 /bin/true 2>&1)
expect_eq "-p with --net none: refused (125)" 125 "$?"
expect_match "... saying why" "not with --net none" "$out"
out=$($MOTE run --qemu --net tap0 /bin/true 2>&1)
expect_eq "--net tap0: refused (125)" 125 "$?"
expect_match "... naming the value" "--net tap0: not user or none" "$out"

kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
finish
