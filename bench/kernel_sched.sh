#!/bin/bash
# kernel_sched.sh: context switch (two threads ping-ponging through semaphores on one CPU,
# ns per switch, measured by the pinger itself) and thread create+join (ns per pair), from
# --selftest=bench_switch,bench_thread (each the median of 9 batches). Medians of BENCH_RUNS
# boots, 2 vCPUs.
cd "$(dirname "$0")/.." || exit 1
. bench/kernel_lib.sh
N=${BENCH_RUNS:-7}

echo "## Kernel threads: context switch and thread create+join"
echo
echo "Medians of $N boots, each reporting the median of 9 batches (2000 round trips;"
echo "200 create+join), 2 vCPUs, 64 MiB. Target, PV path: context switch <= 300 ns."
echo
echo "| platform | switch (ns) | vs target 300 ns | vs OSv 328 ns | vs Linux 905 ns | create+join (ns) |"
echo "|---|---|---|---|---|---|"
for p in motevm kvm-microvm microvm; do
	have $p || continue
	: >"$BENCH_TMP/s" && : >"$BENCH_TMP/t"
	for _ in $(seq "$N"); do
		out=$(kboot $p 2 64 "--selftest=bench_switch,bench_thread")
		echo "$out" | sed -n 's/.*bench switch_ns \([0-9]*\).*/\1/p' >>"$BENCH_TMP/s"
		echo "$out" | sed -n 's/.*bench thread_ns \([0-9]*\).*/\1/p' >>"$BENCH_TMP/t"
	done
	s=$(median <"$BENCH_TMP/s")
	t=$(median <"$BENCH_TMP/t")
	case $p in
	motevm) name="motevm (PV path)" ;;
	kvm-microvm) name="QEMU KVM microvm (PV path)" ;;
	*) name="QEMU TCG $p (standard path, emulated)" ;;
	esac
	echo "| $name | $s | $(ratio "$s" 300)x | $(ratio "$s" 328)x | $(ratio "$s" 905)x | $t |"
done
echo
echo "A switch is a plain register switch (switch.S): no iretq, no interrupt-flag trap, no MSR"
echo "write; a wake-up on the same CPU sends no IPI and arms no timer. OSv's and Linux's"
echo "figures are from the OSv paper (i7-4770, KVM, same-CPU switch)."
