#!/bin/bash
# kernel_mem.sh: the smallest guest memory the kernel boots in: the least MiB for which a
# 2-vCPU boot reaches ready to exec and passes the smp and churn self-tests (threads
# created and freed there).
cd "$(dirname "$0")/.." || exit 1
. bench/kernel_lib.sh

boots() {
	local out
	out=$(kboot "$1" 2 "$2" "--selftest=smp,churn")
	echo "$out" | grep -q '^selftest: 2 passed, 0 failed'
}

echo "## Kernel: smallest guest memory"
echo
echo "Least memory (MiB, whole MiB steps) in which a 2-vCPU boot reaches ready to exec and"
echo "passes the smp and churn self-tests. Target: boots in 4 MiB."
echo
echo "| platform | smallest memory (MiB) | vs target 4 MiB | vs OSv 11 MB |"
echo "|---|---|---|---|"
for p in motevm microvm; do
	have $p || continue
	min=n/a
	for m in 1 2 3 4 5 6 8 12 16; do
		if boots $p $m; then
			min=$m
			break
		fi
	done
	echo "| $p | $min | $(ratio "$min" 4)x | $(ratio "$min" 11)x |"
done
echo
echo "motevm accepts 2 MiB at least; below 1 MiB there is no room for the image at 1 MiB."
