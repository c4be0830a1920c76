#!/bin/bash
# kernel_selftest.sh PLATFORM VCPUS: the kernel's self-tests (--selftest) on one platform
# must all pass, each reporting its line, with the summary line and exit status 0.
# Called by the kernel_selftest_<platform>_<n>.sh tests.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
platform=$1 vcpus=$2
need_platform "$platform"

kernel_boot "$platform" "$vcpus" 64 "--selftest"
expect_eq "exit status" 0 "$STATUS"
for t in page heap vm timer smp sched sync futex churn fs fpu; do
	expect_match "selftest $t passed" "^selftest $t: ok" "$(grep "^selftest $t:" "$OUT")"
done
expect_match "summary" "^selftest: 11 passed, 0 failed" "$(grep '^selftest:' "$OUT")"
expect_match "$vcpus CPUs online" "smp: ok \($vcpus CPUs" "$(grep '^selftest smp:' "$OUT")"
finish
