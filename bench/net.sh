#!/bin/bash
# net.sh: network servers inside Mote against the same Debian programs as host processes, side
# by side in one run, driven from the host's loopback by Debian's clients: redis-benchmark
# (SET and GET: requests/s and p99), nginx + wrk (requests/s and p99), iperf3 (Gbit/s each
# way) and the latency of a new connection with one request. Each figure is the median of RUNS runs. Mote runs under
# `mote run --qemu -p` (motevm has no user-mode network yet): QEMU with KVM where /dev/kvm is
# usable, else TCG, which the heading says. The kernel's own trap counts per redis request
# (--stats) travel between hosts: on kvm_pvm each is a VM exit. Prints a markdown section.
# Traffic: the host's loopback only, every load bounded in requests or seconds.
cd "$(dirname "$0")/.." || exit 1
B=build
RUNS=${RUNS:-3}
REQS=10000 # redis-benchmark requests per test
SECS=4     # wrk and iperf3 seconds per run
export MOTE_CACHE_DIR=$B/bench/mote-cache
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT

for p in redis-server redis-benchmark nginx wrk iperf3; do
	if ! command -v "$p" >/dev/null && [ ! -x "/usr/sbin/$p" ]; then
		echo "## Network servers: Mote vs host processes"
		echo
		echo "Not measured: $p is not installed (tools/deps.sh installs it)."
		exit 0
	fi
done

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

median() { sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "n/a" }'; }

# start WHERE PORT GUESTPORT READY CMD...: the server as a host process (WHERE=host) or in
# Mote, then wait until the function READY PORT says it answers
start() {
	local where=$1 hp=$2 gp=$3 check=$4
	shift 4
	if [ "$where" = host ]; then
		"$@" >"$tmp/server.log" 2>&1 &
	else
		$B/mote run --qemu -p "127.0.0.1:$hp:$gp" "${MOTE_ARGS[@]}" "$@" >"$tmp/server.log" 2>&1 &
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

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ -z "${MOTE_QEMU_ACCEL-}" ]; then where="QEMU with KVM"; else
	where="QEMU TCG (no usable /dev/kvm here: every guest instruction is emulated)"; fi
read -r h_set h_set99 h_get h_get99 < <(redis host)
read -r m_set m_set99 m_get m_get99 < <(redis mote)
read -r h_rps h_p99 h_conn < <(nginx host)
read -r m_rps m_p99 m_conn < <(nginx mote)
read -r h_up h_down < <(iperf host)
read -r m_up m_down < <(iperf mote)
read -r t_sys t_pf t_dev t_other t_cs t_notify t_frames < <(redis_traps)

echo "## Network servers: Mote vs host processes"
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //'), $(nproc) vCPUs. Mote: \`mote run --qemu -p\` on $where, 1 vCPU;"
echo "host: the same Debian program as a host process. Clients on the host's loopback; medians of"
echo "$RUNS runs: redis-benchmark -n $REQS -c 10 (SET, GET), wrk -t1 -c10 -d${SECS}s (a 17-byte page),"
echo "iperf3 -t $SECS (up: host to server; down: -R), 300 new connections each with one HTTP/1.0 GET to"
echo "nginx from Python (a bare connect would only reach QEMU's end of the port forward)."
echo
echo "| measure | host process | Mote | Mote / host |"
echo "|---|---|---|---|"
echo "| redis SET requests/s | $h_set | $m_set | $(ratio "$m_set" "$h_set") |"
echo "| redis SET p99 ms | $h_set99 | $m_set99 | $(ratio "$m_set99" "$h_set99") |"
echo "| redis GET requests/s | $h_get | $m_get | $(ratio "$m_get" "$h_get") |"
echo "| redis GET p99 ms | $h_get99 | $m_get99 | $(ratio "$m_get99" "$h_get99") |"
echo "| nginx + wrk requests/s | $h_rps | $m_rps | $(ratio "$m_rps" "$h_rps") |"
echo "| nginx + wrk p99 ms | $h_p99 | $m_p99 | $(ratio "$m_p99" "$h_p99") |"
echo "| iperf3 up Gbit/s | $h_up | $m_up | $(ratio "$m_up" "$h_up") |"
echo "| iperf3 down Gbit/s | $h_down | $m_down | $(ratio "$m_down" "$h_down") |"
echo "| connect, HTTP/1.0 GET, close µs | $h_conn | $m_conn | $(ratio "$m_conn" "$h_conn") |"
echo
echo "Traps the Mote kernel counted per redis GET (\`mote run --stats\`, $REQS GETs, -c 10): system"
echo "calls through the trap path ${t_sys:-n/a}, page faults ${t_pf:-n/a}, device interrupts ${t_dev:-n/a},"
echo "timer interrupts + IPIs + idle halts ${t_other:-n/a}, virtio notifications (MMIO writes) ${t_notify:-n/a};"
echo "context switches ${t_cs:-n/a} (not traps); network frames in and out ${t_frames:-n/a}."
echo "On a kvm_pvm host each trap is a VM exit (1-24 µs by host); under QEMU the device side is"
echo "QEMU's (user network, slirp), so these are the guest's share only."
echo
echo "Targets (issue 12, on motevm): ≤ 1 exit per request at saturation, redis and nginx ≥ 50 % of"
echo "the host's requests/s, iperf3 ≥ 5 Gbit/s: not measurable here until motevm has its virtio-net."
