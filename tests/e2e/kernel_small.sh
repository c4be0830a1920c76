#!/bin/bash
# kernel_small.sh: the kernel boots in 4 MiB of guest memory (the target) with 2 vCPUs and
# still runs threads, timers and the allocators there; console input works (IRQ 4).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform motevm

kernel_boot motevm 2 4 "--selftest=smp,heap,timer,churn,futex"
expect_eq "4 MiB: exit status" 0 "$STATUS"
expect_match "4 MiB: self-tests" "^selftest: 5 passed, 0 failed" "$(grep '^selftest:' "$OUT")"
printf 'hello mote\n' >"$TEST_TMP/input"
kernel_boot motevm 1 16 "--selftest=echo" "" "$TEST_TMP/input"
expect_eq "console input: exit status" 0 "$STATUS"
expect_match "console input echoed" "^echo: hello mote" "$(tr -d '\r' <"$OUT")"
finish
