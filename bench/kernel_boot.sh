#!/bin/bash
# kernel_boot.sh: guest boot time of the Mote kernel: from its first instruction (TSC read
# by entry.S) to "ready to exec" (where the program will be started), as the kernel measures
# it (--selftest=bench_boot), and, on motevm, as the boot-timer device sees it (from the
# start of the motevm process: VMM set-up included). Medians of BENCH_RUNS boots.
cd "$(dirname "$0")/.." || exit 1
. bench/kernel_lib.sh
N=${BENCH_RUNS:-15}

echo "## Kernel boot: first instruction to ready to exec"
echo
echo "Medians of $N boots, 64 MiB. *Kernel* = the kernel's own measure (TSC at its first"
echo "instruction to the ready point); *VMM* = motevm's boot timer (from motevm's start, VMM"
echo "set-up included). The APs finish booting in the background (they do not hold ready to"
echo "exec up); *all CPUs online* is when the last one joined. Target, PV path: ready to exec"
echo "<= 1 ms (1000 us)."
echo
echo "| platform | CPU path | vCPUs | kernel (us) | all CPUs online (us) | VMM boot timer (us) | vs target 1000 us | vs Unikraft 54 us |"
echo "|---|---|---|---|---|---|---|---|"
for p in motevm kvm-microvm microvm q35; do
	have $p || continue
	for n in 1 2; do
		: >"$BENCH_TMP/k" && : >"$BENCH_TMP/v" && : >"$BENCH_TMP/o"
		for _ in $(seq "$N"); do
			out=$(kboot $p $n 64 "--selftest=bench_boot")
			echo "$out" | sed -n 's/.*bench ready_us \([0-9]*\).*/\1/p' >>"$BENCH_TMP/k"
			echo "$out" | sed -n 's/.*bench ready_us [0-9]* online_us \([0-9]*\).*/\1/p' >>"$BENCH_TMP/o"
			echo "$out" | sed -n 's/.*Guest-boot-time = \([0-9]*\) us.*/\1/p' >>"$BENCH_TMP/v"
		done
		k=$(median <"$BENCH_TMP/k")
		v=$(median <"$BENCH_TMP/v")
		o=$(median <"$BENCH_TMP/o")
		case $p in
		motevm) path="PV (kvm_pvm)" ;;
		kvm-microvm) path="PV (QEMU/KVM, MSR probe)" ;;
		*) path="standard (QEMU TCG $p)" ;;
		esac
		[ "$p" = motevm ] || v="-"
		echo "| ${p/kvm-microvm/QEMU KVM microvm} | $path | $n | $k | $o | $v | $(ratio "$k" 1000)x | $(ratio "$k" 54)x |"
	done
done
echo
echo "Anchors: Unikraft boots its guest in 54 us; OSv ~3 ms on QEMU microvm, ~5 ms on Firecracker."
echo "On kvm_pvm hosts every port/MMIO access and every first touch of a guest page is a VM exit"
echo "(~6 us for a page, ~30 us for a port write handled by motevm in user space); the APs"
echo "start in emulated real mode. QEMU TCG times are emulated time, not comparable."
