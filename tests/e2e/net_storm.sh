#!/bin/bash
# net_storm.sh: a connection storm against a server in Mote: the C echo server
# (tests/e2e/net/echo_server.c) under `mote run --qemu -p` serves 10,000 short connections from
# a host client (each: 8 bytes sent, echoed, closed), then one of 1 MiB, byte for byte; it
# must serve them all, exit 0, and leave no more than 2 MiB of the guest's free memory behind
# (MemFree from /proc/meminfo before and after; an nsock or a pbuf lost per connection would
# cost several MiB). Traffic: the host's loopback only, 10,001 connections within 300 s.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/net_lib.sh
MOTE=build/mote
SERVER=$PWD/build/tests/e2e/echo_server
N=10000
[ -x "$SERVER" ] || skip "$SERVER not built"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
export MOTE_CACHE_DIR=$TEST_TMP/cache

hp=$(free_port)
timeout 300 $MOTE run --qemu -p "127.0.0.1:$hp:7777" "$SERVER" 7777 $((N + 1)) \
	>"$TEST_TMP/server.out" 2>&1 &
vm=$!
wait_for "$TEST_TMP/server.out" "listening on port"
start=$SECONDS
# shellcheck disable=SC2046 # one argument per connection
timeout 280 python3 tests/e2e/net/echo_client.py 127.0.0.1 "$hp" $(yes 8 | head -n "$N") \
	1048576 >"$TEST_TMP/client.out" 2>&1
out="$(grep -c '^8: echoed$' "$TEST_TMP/client.out") echoed, big $(tail -n 1 "$TEST_TMP/client.out")"
echo "# $out, $((SECONDS - start)) s"
expect_eq "$N short connections echoed, then 1 MiB" "$N echoed, big 1048576: echoed" "$out"
wait "$vm"
expect_eq "the server exits 0" 0 "$?"
expect_match "... having served them all" "served $((N + 1)) connections" "$(cat "$TEST_TMP/server.out")"
before=$(sed -n 's/^before MemFree: *\([0-9]*\) kB.*/\1/p' "$TEST_TMP/server.out")
after=$(sed -n 's/^after MemFree: *\([0-9]*\) kB.*/\1/p' "$TEST_TMP/server.out")
echo "# guest MemFree: $before kB before, $after kB after"
if [ -n "$before" ] && [ -n "$after" ] && [ $((before - after)) -le 2048 ]; then
	ok "the storm left at most 2 MiB of memory behind ($((before - after)) kB)"
else
	not_ok "the storm left at most 2 MiB of memory behind (before '$before' kB, after '$after' kB)"
fi
finish
