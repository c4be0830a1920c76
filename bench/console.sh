#!/bin/bash
# console.sh: a program's stdin and stdout in bulk: `cat` of 100 MB (random bytes) from a pipe
# to a pipe, inside Mote through `mote run` (the virtio console: motevm where /dev/kvm is
# usable, else QEMU TCG, which the heading says) and as a host process, side by side in one
# run; medians of RUNS runs, each checked byte for byte. Mote's throughput is also given net
# of its start-up (the same run on an empty stdin). Where motevm runs, its VM exits per run
# (--stats: motevm's --exit-stats) stand beside the times. Prints a markdown section.
cd "$(dirname "$0")/.." || exit 1
B=build
RUNS=${RUNS:-3}
MB=${MOTE_BENCH_CONSOLE_MB:-100}
export MOTE_CACHE_DIR=$B/bench/mote-cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
title="## Console: cat of $MB MB through stdin and stdout"

if ! [ -x $B/mote ] || ! [ -x /bin/busybox ]; then
	echo "$title"
	echo
	echo "Not measured: build/mote or /bin/busybox (busybox-static) is missing."
	exit 0
fi
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	where="motevm (KVM)"
	mote=("$B/mote" run --no-fallback)
	stats=(--stats) # motevm's exit counts on stderr
else
	where="QEMU TCG (no usable /dev/kvm here: every guest instruction is emulated)"
	mote=("$B/mote" run --qemu)
	stats=() # the kernel's counts come on COM1, which QEMU's mote run puts on stderr
	export MOTE_QEMU_ACCEL=tcg
fi
IN=$tmp/in
head -c $((MB * 1000000)) /dev/urandom >"$IN"

. bench/stats_lib.sh
calc() { awk "BEGIN { a = $1; if (a == a + 0) printf \"%.2f\", a; else print \"n/a\" }" 2>/dev/null; }

# one timed run of: cat IN | COMMAND... > OUT; prints the seconds, or "bad" if OUT differs
run() {
	local t0 t1
	t0=$EPOCHREALTIME
	cat "$IN" | "$@" >"$tmp/out" 2>"$tmp/err"
	t1=$EPOCHREALTIME
	if cmp -s "$IN" "$tmp/out"; then
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
	else
		echo bad
	fi
}

"${mote[@]}" /bin/busybox cat </dev/null >/dev/null 2>&1 # the image into the cache
host=() vm=() boot=() exits=()
for _ in $(seq "$RUNS"); do
	host+=("$(run /bin/busybox cat)")
	vm+=("$(run "${mote[@]}" "${stats[@]}" /bin/busybox cat)")
	exits+=("$(sed -n 's/^motevm stats: exits \([0-9]*\).*/\1/p' "$tmp/err")")
	t0=$EPOCHREALTIME
	"${mote[@]}" /bin/busybox cat </dev/null >/dev/null 2>&1
	boot+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }')")
done
bad=$(printf '%s\n' "${host[@]}" "${vm[@]}" | grep -c bad)
h=$(printf '%s\n' "${host[@]}" | grep -v bad | median)
m=$(printf '%s\n' "${vm[@]}" | grep -v bad | median)
b0=$(printf '%s\n' "${boot[@]}" | median)
x=$(printf '%s\n' "${exits[@]}" | grep . | median)

echo "$title"
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //;s/ [0-9]*-Core.*//'), $(nproc) vCPUs. Mote: \`mote run\` on $where,"
echo "1 vCPU, busybox cat; host: the same busybox cat as a process. \`cat IN | CMD > OUT\`: stdin"
echo "and stdout are pipes, OUT on $(df --output=fstype "$tmp" | tail -1); medians of $RUNS runs, each"
echo "compared byte for byte with IN ($bad differed)."
echo
echo "| measure | host process | Mote | Mote / host |"
echo "|---|---|---|---|"
echo "| $MB MB through cat, s (Mote: boot included) | $h | $m | $(calc "$m / $h") |"
echo "| MB/s (Mote: boot included) | $(calc "$MB / $h") | $(calc "$MB / $m") | $(calc "$h / $m") |"
echo "| Mote's start-up alone (empty stdin), s | | $b0 | |"
echo "| MB/s net of start-up | $(calc "$MB / $h") | $(calc "$MB / ($m - $b0)") | $(calc "$h / ($m - $b0)") |"
if [ -n "$x" ] && [ "$x" != n/a ]; then
	echo "| motevm VM exits per run (--exit-stats) | | $x | |"
else
	echo "| VM exits | | not counted: no motevm here | |"
fi
echo
echo "Target (issue: console I/O without a trap per chunk): stdin and stdout ≥ 200 MB/s"
echo "through \`mote run\` on motevm, which needs a KVM host to measure; under QEMU TCG the"
echo "guest's copies are emulated. Before the virtio console, \`cat\` of 10 MB took 7.9 s on"
echo "motevm (the console port's exit per chunk, COM1's input)."
