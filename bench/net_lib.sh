# net_lib.sh: network servers in Mote and as host processes, driven from the host's loopback by
# Debian's clients (sourced by bench/net.sh and bench/usernet.sh, after B, RUNS, REQS, SECS and
# tmp are set). In Mote they run under `mote run --qemu -p`, with `--net $MOTE_NET` when set.
# Traffic: the host's loopback only, every load bounded in requests or seconds.
# shellcheck shell=bash disable=SC2154
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ready CMD...: wait (120 s at most) until CMD succeeds; under QEMU the forwarded port accepts
# before the guest listens, so readiness is an answer from the server itself
ready() {
	for _ in $(seq 1200); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

. bench/stats_lib.sh

# start WHERE PORT GUESTPORT READY CMD...: the server as a host process (WHERE=host) or in
# Mote, then wait until the function READY PORT says it answers
start() {
	local where=$1 hp=$2 gp=$3 check=$4
	shift 4
	if [ "$where" = host ]; then
		"$@" >"$tmp/server.log" 2>&1 &
	else
		$B/mote run --qemu ${MOTE_NET:+--net "$MOTE_NET"} -p "127.0.0.1:$hp:$gp" "${MOTE_ARGS[@]}" \
			"$@" >"$tmp/server.log" 2>&1 &
	fi
	server=$!
	ready "$check" "$hp" || echo "server did not start: $(tail -3 "$tmp/server.log")" >&2
}

redis_up() { [ "$(timeout 5 redis-cli -p "$1" ping)" = PONG ]; }
http_up() { timeout 5 curl -sf -o /dev/null "http://127.0.0.1:$1/"; }
iperf_up() { grep -q "Server listening" "$tmp/server.log"; }

stop() {
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
}

# redis WHERE: "set_rps set_p99 get_rps get_p99" medians
redis() {
	local hp
	hp=$(free_port)
	MOTE_ARGS=()
	start "$1" "$hp" 6379 redis_up /usr/bin/redis-server --port "$([ "$1" = host ] && echo "$hp" || echo 6379)" \
		--save "" --appendonly no --protected-mode no
	for _ in $(seq "$RUNS"); do
		timeout 300 redis-benchmark -p "$hp" -n $REQS -c 10 --csv -t set,get 2>/dev/null |
			tr -d '"' | awk -F, '$1 == "SET" || $1 == "GET" { printf "%s %s ", $2, $7 } END { print "" }'
	done >"$tmp/redis"
	stop
	for col in 1 2 3 4; do awk -v c=$col '{ print $c }' "$tmp/redis" | median; done | xargs
}

# redis_traps: the kernel's trap counts per request of a redis-benchmark GET run in Mote
redis_traps() {
	local hp out n
	hp=$(free_port)
	$B/mote run --qemu --stats -p "127.0.0.1:$hp:6379" /usr/bin/redis-server --port 6379 \
		--save "" --appendonly no --protected-mode no >"$tmp/stats.log" 2>&1 &
	server=$!
	ready redis_up "$hp" || return
	timeout 300 redis-benchmark -p "$hp" -n $REQS -c 10 -t get -q >/dev/null 2>&1
	timeout 30 redis-cli -p "$hp" shutdown nosave >/dev/null 2>&1
	timeout 60 tail --pid=$server -f /dev/null
	n=$((REQS + 2)) # the benchmark's, and its CONFIG GET at start
	out=$(sed -n 's/.*mote stats: syscalls \([0-9]*\) (\([0-9]*\) through.*page faults \([0-9]*\),.*timer interrupts \([0-9]*\), device interrupts \([0-9]*\),.*received \([0-9]*\), context switches \([0-9]*\), idle halts \([0-9]*\).*/\1 \2 \3 \4 \5 \6 \7 \8/p' "$tmp/stats.log")
	[ -n "$out" ] || return
	# virtio notifications and frames: kernels from issue 12 on count them
	virt=$(sed -n 's/.*virtio notifications \([0-9]*\), net frames out \([0-9]*\) in \([0-9]*\).*/\1 \2 \3/p' "$tmp/stats.log")
	awk -v n=$n -v v="${virt:-x x x}" '{ split(v, a, " ")
		printf "%.2f %.2f %.2f %.2f %.2f", ($1 - $2) / n, $3 / n, $5 / n, ($4 + $6 + $8) / n, $7 / n
		if (a[1] == "x") print " n/a n/a"; else printf " %.2f %.2f\n", a[1] / n, (a[2] + a[3]) / n }' <<<"$out"
}

# nginx WHERE: "rps p99_ms" medians of wrk runs, and "connect_us" median of connect+close
nginx() {
	local hp dir=$tmp/ngx
	hp=$(free_port)
	mkdir -p "$dir/html"
	echo "hello from nginx" >"$dir/html/index.html"
	cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
error_log stderr error;
pid $dir/nginx.pid;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $dir;
	proxy_temp_path $dir;
	fastcgi_temp_path $dir;
	uwsgi_temp_path $dir;
	scgi_temp_path $dir;
	server { listen $([ "$1" = host ] && echo "127.0.0.1:$hp" || echo 8080); root $dir/html; }
}
EOF
	MOTE_ARGS=(--add "$dir")
	start "$1" "$hp" 8080 http_up /usr/sbin/nginx -c "$dir/nginx.conf" -e /dev/stderr
	for _ in $(seq "$RUNS"); do
		timeout 60 wrk -t1 -c10 -d${SECS}s --timeout 10s --latency "http://127.0.0.1:$hp/" 2>&1 |
			awk '/Requests\/sec/ { r = $2 } $1 == "99%" { p = $2 }
			     END { if (p ~ /us$/) p = p / 1000; else if (p ~ /ms$/) p = p + 0; else p = p * 1000
				   print r, p }'
	done >"$tmp/wrk"
	python3 - "$hp" >"$tmp/connect" <<'PY'
import socket, statistics, sys, time
port, times = int(sys.argv[1]), []
for _ in range(300):
    t = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), 10) as c:
        c.sendall(b"GET / HTTP/1.0\r\n\r\n")
        while c.recv(4096):
            pass
    times.append((time.perf_counter() - t) * 1e6)
print(f"{statistics.median(times):.0f}")
PY
	stop
	echo "$(awk '{ print $1 }' "$tmp/wrk" | median) $(awk '{ print $2 }' "$tmp/wrk" | median) $(cat "$tmp/connect")"
}

# iperf WHERE: "up down" Gbit/s medians (up: host to server, down: -R)
iperf() {
	local hp
	hp=$(free_port)
	MOTE_ARGS=()
	start "$1" "$hp" 5201 iperf_up /usr/bin/iperf3 -s --forceflush \
		-p "$([ "$1" = host ] && echo "$hp" || echo 5201)"
	for dir in "" -R; do
		for _ in $(seq "$RUNS"); do
			timeout 60 iperf3 -c 127.0.0.1 -p "$hp" -t $SECS $dir -J 2>/dev/null |
				python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' 2>/dev/null
		done | median
	done | xargs
	stop
}
