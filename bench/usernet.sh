#!/bin/bash
# usernet.sh: the two user-mode networks side by side in one run, with the same Mote kernel and
# the same servers: QEMU's own (libslirp, inside QEMU; `mote run --qemu`) and passt, motevm's
# (a process of its own on a socketpair; `mote run --qemu --net passt`, QEMU's -netdev stream).
# redis-benchmark GET, nginx + wrk, iperf3 both ways, a new connection with one request, and
# what each costs in memory (QEMU's resident set; passt's own). docs/motevm.md cites it for why
# motevm's user network is passt. Prints a markdown section.
# Traffic: the host's loopback only, every load bounded in requests or seconds.
cd "$(dirname "$0")/.." || exit 1
B=build
RUNS=${RUNS:-3}
REQS=10000
SECS=4
export MOTE_CACHE_DIR=$B/bench/mote-cache
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT

for p in redis-server redis-benchmark nginx wrk iperf3 passt; do
	if ! command -v "$p" >/dev/null && [ ! -x "/usr/sbin/$p" ]; then
		echo "## User-mode networks: QEMU's libslirp vs passt"
		echo
		echo "Not measured: $p is not installed (tools/deps.sh installs it)."
		exit 0
	fi
done

. bench/net_lib.sh

# rss NET: resident KiB of QEMU and of passt (0 without) while redis-server idles in Mote
rss() {
	local hp q p
	hp=$(free_port)
	MOTE_NET=$1 start mote "$hp" 6379 redis_up /usr/bin/redis-server --port 6379 --save "" \
		--appendonly no --protected-mode no
	q=$(pgrep -n -f 'qemu-system-x86_64.*mote-net') p=$(pgrep -n -x passt || pgrep -n -x passt.avx2)
	echo "$(awk '/VmRSS/ { print $2 }' "/proc/$q/status" 2>/dev/null) $([ -n "$p" ] &&
		awk '/VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)"
	stop
}

# passt_start_ms: passt from exec to its socket (what the socketpair hides from a boot), median of 5
passt_start_ms() {
	for i in 1 2 3 4 5; do
		rm -f "$tmp/p.sock"
		local t0 t1
		t0=$(date +%s%N)
		passt -f -1 -q -s "$tmp/p.sock" >/dev/null 2>&1 &
		while [ ! -S "$tmp/p.sock" ] && kill -0 $! 2>/dev/null; do :; done
		t1=$(date +%s%N)
		kill $! 2>/dev/null
		wait $! 2>/dev/null
		echo $(((t1 - t0) / 1000000))
	done | median
}

if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ -z "${MOTE_QEMU_ACCEL-}" ]; then where="QEMU with KVM"; else
	where="QEMU TCG (no usable /dev/kvm here: every guest instruction is emulated)"; fi
declare -A R # R[NET,I]: measure I (labels below) with NET
for net in user passt; do
	export MOTE_NET=$net
	read -r _ _ get get99 < <(redis mote)
	read -r rps p99 conn < <(nginx mote)
	read -r up down < <(iperf mote)
	read -r q p < <(rss "$net")
	vals=("$get" "$get99" "$rps" "$p99" "$up" "$down" "$conn" "$q" "$p")
	for i in "${!vals[@]}"; do R[$net,$i]=${vals[$i]}; done
done
unset MOTE_NET
start_ms=$(passt_start_ms)

echo "## User-mode networks: QEMU's libslirp vs passt"
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //'), $(nproc) vCPUs; the same Mote kernel and servers under $where,"
echo "1 vCPU, clients on the host's loopback through \`-p\`; medians of $RUNS runs. slirp: \`mote run"
echo "--qemu\` (QEMU's user network); passt: \`mote run --qemu --net passt\` (passt $(dpkg-query -W -f='${Version}' passt 2>/dev/null), what motevm uses)."
echo
echo "| measure | slirp | passt | passt / slirp |"
echo "|---|---|---|---|"
labels=("redis GET requests/s" "redis GET p99 ms" "nginx + wrk requests/s" "nginx + wrk p99 ms"
	"iperf3 up Gbit/s" "iperf3 down Gbit/s" "connect, HTTP/1.0 GET, close µs"
	"QEMU resident KiB" "passt resident KiB")
for i in "${!labels[@]}"; do
	echo "| ${labels[$i]} | ${R[user,$i]} | ${R[passt,$i]} | $(ratio "${R[passt,$i]}" "${R[user,$i]}") |"
done
echo
echo "passt from exec to its socket: ${start_ms} ms (median of 5). mote hides it: passt gets one end"
echo "of a socketpair and the VM the other, so the guest's first frames wait in the socket."
