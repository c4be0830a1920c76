#!/bin/bash
# linux_start.sh: program start to exit inside Mote: a static hello and `python3 -c pass`, with
# `mote run` (image in the cache) on motevm and on QEMU microvm (TCG), next to the host running
# the same program natively. Prints a markdown section.
cd "$(dirname "$0")/.." || exit 1
. bench/kernel_lib.sh
B=build
runner=$B/bench/vmm_runner
hello=$B/bench/hello-static
RUNS=${BENCH_RUNS:-20}
export MOTE_CACHE_DIR=$B/bench/mote-cache
PY=(--add /usr/lib/python3.11 /usr/bin/python3 -c pass)

row() { # label runs command...
	local label=$1 runs=$2 med p10 p90 ok
	shift 2
	"$runner" 2 0 "$@" >/dev/null
	read -r med p10 p90 _ _ ok < <("$runner" "$runs" 0 "$@")
	printf '| %s | %.2f | %.2f | %.2f | %s/%s |\n' "$label" "$med" "$p10" "$p90" "$ok" "$runs"
}

echo "## Program start to exit inside Mote"
echo
echo "Wall time from fork to reaped exit of \`mote run PROGRAM\` (image cached, 1 vCPU, 128 MiB,"
echo "stdio on /dev/null), $RUNS runs; QEMU runs microvm with TCG (\`MOTE_QEMU_ACCEL=tcg\`)."
echo
echo "| what | median ms | p10 ms | p90 ms | exited 0 |"
echo "|---|---|---|---|---|"
row "static hello, host native" "$RUNS" "$hello"
row "static hello, mote run (motevm)" "$RUNS" $B/mote run --no-fallback "$hello"
have microvm && MOTE_QEMU_ACCEL=tcg row "static hello, mote run --qemu (TCG)" "$RUNS" \
	$B/mote run --qemu "$hello"
row "python3 -c pass, host native" "$RUNS" /usr/bin/python3 -c pass
row "python3 -c pass, mote run (motevm)" "$RUNS" $B/mote run --no-fallback "${PY[@]}"
have microvm && MOTE_QEMU_ACCEL=tcg row "python3 -c pass, mote run --qemu (TCG)" "$RUNS" \
	$B/mote run --qemu "${PY[@]}"
echo
echo "Where the time goes for python3 on motevm (one run, \`mote run --verbose\`):"
echo
echo '```'
$B/mote run --no-fallback --verbose "${PY[@]}" 2>&1 >/dev/null | sed 's/^/  /'
echo '```'
echo
echo "Anchors: OSv boots and runs a hello in ~4.4 ms on Firecracker, Unikraft 2.74 ms."
