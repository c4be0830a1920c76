#!/bin/bash
# linux_syscall.sh: system-call round trips inside Mote vs the host, with the same static binary
# (bench/linux_syscall.c): getppid, a 1-byte write to /dev/null, clock_gettime (vDSO), and the
# first touch of anonymous pages. Medians of BENCH_RUNS runs. Prints a markdown section.
cd "$(dirname "$0")/.." || exit 1
. bench/kernel_lib.sh
B=build
PROG=$B/bench/linux_syscall
N=${BENCH_RUNS:-5}
export MOTE_CACHE_DIR=$B/bench/mote-cache

# measure WHERE: prints "name median" lines over N runs
measure() {
	: >"$BENCH_TMP/all"
	for _ in $(seq "$N"); do
		case $1 in
		host) "$PROG" 20000 ;;
		motevm) timeout 300 $B/mote run --no-fallback "$PROG" 20000 2>/dev/null ;;
		qemu) MOTE_QEMU_ACCEL=tcg timeout 600 $B/mote run --qemu "$PROG" 2000 2>/dev/null ;;
		esac >>"$BENCH_TMP/all"
	done
	for k in getppid write_devnull clock_gettime_vdso anon_first_touch_per_page; do
		echo "$k $(awk -v k=$k '$1 == k { print $2 }' "$BENCH_TMP/all" | median)"
	done
}

echo "## Linux system calls inside Mote"
echo
echo "ns per operation, medians of $N runs of \`$PROG\` (static glibc), natively and as the"
echo "program of \`mote run\`. A page's first touch: a 32 MiB anonymous mapping written once a"
echo "page (Mote maps 16 pages per fault)."
echo
echo "| operation | host native | Mote, motevm (PV path) | vs host | Mote, QEMU TCG |"
echo "|---|---|---|---|---|"
measure host >"$BENCH_TMP/h"
measure motevm >"$BENCH_TMP/m"
if have microvm; then measure qemu >"$BENCH_TMP/q"; else : >"$BENCH_TMP/q"; fi
for k in getppid write_devnull clock_gettime_vdso anon_first_touch_per_page; do
	h=$(awk -v k=$k '$1 == k { print $2 }' "$BENCH_TMP/h")
	m=$(awk -v k=$k '$1 == k { print $2 }' "$BENCH_TMP/m")
	q=$(awk -v k=$k '$1 == k { print $2 }' "$BENCH_TMP/q")
	echo "| $k | $h | $m | $(ratio "$m" "$h")x | ${q:-n/a} |"
done
echo
echo "Anchors: Unikraft's system call is 84 cycles (~30 ns), OSv's ~110 ns. On our kvm_pvm"
echo "hosts the \`syscall\` instruction executed at guest CPL0 traps to the host (the reference,"
echo "../shared/reference/kvm-pvm-host.md, measured 9.2 us for the round trip; the getppid row is"
echo "what it costs on this machine now, handler included): turning syscall sites into calls"
echo "(DESIGN.md, a later issue) removes the trap. clock_gettime goes through the vDSO and traps"
echo "nowhere. A first touch costs the host's own fault on fresh guest memory besides the guest's."
echo "QEMU TCG figures are emulated time, not comparable."
