#!/bin/bash
# net_servers.sh: Debian's own servers in Mote, driven by Debian's own clients on the host
# through `mote run --qemu -p`: redis-server with redis-cli (values read back) and
# redis-benchmark; nginx (nginx-light) serving a page and a 1 MiB file (by sendfile) to curl (compared byte
# for byte) and to wrk; iperf3 -s against iperf3 -c both ways. Traffic: the host's loopback
# only, every load bounded in requests or seconds.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/net_lib.sh
MOTE=build/mote
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
for p in redis-server redis-cli redis-benchmark nginx wrk iperf3 curl; do
	command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || skip "$p not installed (tools/deps.sh installs it)"
done
export MOTE_CACHE_DIR=$TEST_TMP/cache

stop_vm() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# redis
hp=$(free_port)
timeout 300 $MOTE run --qemu -p "127.0.0.1:$hp:6379" /usr/bin/redis-server --port 6379 \
	--save "" --appendonly no --protected-mode no >"$TEST_TMP/redis.out" 2>&1 &
vm=$!
if check "redis: ready" wait_for "$TEST_TMP/redis.out" "Ready to accept connections"; then
	cli() { timeout 30 redis-cli -p "$hp" "$@"; }
	expect_eq "redis-cli PING" PONG "$(cli ping)"
	expect_eq "SET then GET" "OK hello" "$(cli set k hello) $(cli get k)"
	expect_eq "INCR twice" "1 2" "$(cli incr n) $(cli incr n)"
	expect_eq "RPUSH, LRANGE" "3 a b c" "$(cli rpush l a b c) $(cli lrange l 0 -1 | tr '\n' ' ' | sed 's/ $//')"
	out=$(timeout 120 redis-benchmark -p "$hp" -q -n 2000 -c 10 -t set,get 2>&1 | tr '\r' '\n')
	expect_match "redis-benchmark: SET requests per second" "SET: [0-9.]+ requests per second" "$out"
	expect_match "redis-benchmark: GET requests per second" "GET: [0-9.]+ requests per second" "$out"
	expect_eq "redis counted 2001 SETs (ours and the benchmark's 2000)" 2001 \
		"$(cli info commandstats | tr -d '\r' | sed -n 's/^cmdstat_set:calls=\([0-9]*\),.*/\1/p')"
fi
stop_vm "$vm"

# nginx
mkdir -p "$TEST_TMP/ngx/html"
echo "hello from nginx in mote" >"$TEST_TMP/ngx/html/index.html"
head -c 1048576 /dev/urandom >"$TEST_TMP/ngx/html/big.bin"
cat >"$TEST_TMP/ngx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
error_log stderr notice;
pid $TEST_TMP/ngx/nginx.pid;
events { worker_connections 256; }
http {
	access_log off;
	sendfile on; # the 1 MiB file goes through sendfile(2) to the socket
	client_body_temp_path $TEST_TMP/ngx;
	proxy_temp_path $TEST_TMP/ngx;
	fastcgi_temp_path $TEST_TMP/ngx;
	uwsgi_temp_path $TEST_TMP/ngx;
	scgi_temp_path $TEST_TMP/ngx;
	server {
		listen 8080;
		root $TEST_TMP/ngx/html;
	}
}
EOF
hp=$(free_port)
timeout 300 $MOTE run --qemu -p "127.0.0.1:$hp:8080" --add "$TEST_TMP/ngx" /usr/sbin/nginx \
	-c "$TEST_TMP/ngx/nginx.conf" -e /dev/stderr >"$TEST_TMP/nginx.out" 2>&1 &
vm=$!
if check "nginx: started" wait_for "$TEST_TMP/nginx.out" "start worker processes\|using the \"epoll\" event method"; then
	sleep 1
	expect_eq "curl: the page" "hello from nginx in mote" "$(timeout 30 curl -s "http://127.0.0.1:$hp/")"
	timeout 60 curl -s -o "$TEST_TMP/big.got" "http://127.0.0.1:$hp/big.bin"
	check "curl: 1 MiB, byte for byte" cmp -s "$TEST_TMP/big.got" "$TEST_TMP/ngx/html/big.bin"
	expect_eq "curl: 404 for a missing file" 404 \
		"$(timeout 30 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hp/missing")"
	out=$(timeout 60 wrk -t1 -c8 -d2s --timeout 10s "http://127.0.0.1:$hp/" 2>&1)
	expect_match "wrk: requests served" "[1-9][0-9]* requests in" "$out"
	if grep -q "Socket errors\|Non-2xx" <<<"$out"; then
		not_ok "wrk: no socket errors, no non-2xx answers ($(grep -E 'Socket errors|Non-2xx' <<<"$out"))"
	else
		ok "wrk: no socket errors, no non-2xx answers"
	fi
fi
stop_vm "$vm"

# iperf3
hp=$(free_port)
timeout 300 $MOTE run --qemu -p "127.0.0.1:$hp:5201" /usr/bin/iperf3 -s --forceflush >"$TEST_TMP/iperf.out" 2>&1 &
vm=$!
if check "iperf3: listening" wait_for "$TEST_TMP/iperf.out" "Server listening on 5201"; then
	for dir in "" -R; do
		out=$(timeout 60 iperf3 -c 127.0.0.1 -p "$hp" -t 2 $dir 2>&1)
		expect_match "iperf3 -c ${dir:-(host to Mote)}: done" "iperf Done" "$out"
		expect_match "... the receiver counted bits" "[0-9.]+ [KMG]bits/sec +receiver" "$out"
	done
fi
stop_vm "$vm"
finish
