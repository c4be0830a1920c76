#!/bin/bash
# net.sh: network servers inside Mote against the same Debian programs as host processes, side
# by side in one run, driven from the host's loopback by Debian's clients: redis-benchmark
# (SET and GET: requests/s and p99), nginx + wrk (requests/s and p99), iperf3 (Gbit/s each
# way) and the latency of a new connection with one request. Each figure is the median of RUNS
# runs. Mote runs under `mote run --qemu -p` (QEMU's user network; bench/usernet.sh sets it
# beside passt, motevm's): QEMU with KVM where /dev/kvm is usable, else TCG, which the heading
# says. The kernel's own trap counts per redis request
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

. bench/net_lib.sh

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
echo "the host's requests/s, iperf3 ≥ 5 Gbit/s: motevm has its virtio-net now, but these need a"
echo "KVM host to measure (motevm does not run without /dev/kvm)."
