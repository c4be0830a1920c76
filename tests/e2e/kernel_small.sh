#!/bin/bash
# kernel_small.sh: the kernel boots in 4 MiB of guest memory (the target) with 2 vCPUs and
# still runs threads, timers and the allocators there; console input works (IRQ 4). On motevm
# and on QEMU microvm (TCG), each where it can run.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh

for p in motevm microvm; do
	(need_platform $p) >/dev/null || { echo "(no $p here)"; continue; }
	kernel_boot $p 2 4 "--selftest=smp,heap,timer,churn,futex"
	expect_eq "$p, 4 MiB: exit status" 0 "$STATUS"
	expect_match "$p, 4 MiB: self-tests" "^selftest: 5 passed, 0 failed" \
		"$(grep '^selftest:' "$OUT")"
	printf 'hello mote\n' >"$TEST_TMP/input"
	kernel_boot $p 1 16 "--selftest=echo" "" "$TEST_TMP/input"
	expect_eq "$p, console input: exit status" 0 "$STATUS"
	expect_match "$p, console input echoed" "^echo: hello mote" "$(tr -d '\r' <"$OUT")"
	ran=1
done
[ -n "${ran:-}" ] || skip "neither motevm nor QEMU available"
finish
