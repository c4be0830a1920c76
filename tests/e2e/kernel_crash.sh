#!/bin/bash
# kernel_crash.sh: a deliberate kernel fault and a deliberate panic print registers and a
# backtrace with function names, then end the VM with the documented status (never hang):
# 100 + vector for exceptions (114 for a page fault), 127 for panic(). An exception on an AP
# before it has a thread stack (--test-fault=ap) is reported as itself, not as the page fault
# a move to a missing stack would take.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh

for p in motevm microvm; do
	(need_platform $p) >/dev/null || continue
	kernel_boot $p 2 32 "--selftest=crash"
	expect_eq "$p: page fault: status 114" 114 "$STATUS"
	expect_match "$p: names the exception" "vector 14 \(page fault\)" "$(cat "$OUT")"
	expect_match "$p: faulting address" "page fault address 0x10 " "$(cat "$OUT")"
	expect_match "$p: registers" "^rax [0-9a-f]{16} rbx" "$(cat "$OUT")"
	expect_match "$p: backtrace names test_crash" "#0 +[0-9a-f]+ test_crash\+0x" "$(cat "$OUT")"
	expect_match "$p: backtrace reaches kmain" "[0-9a-f]+ kmain\+0x" "$(cat "$OUT")"
	kernel_boot $p 2 32 "--selftest=panic"
	expect_eq "$p: panic: status 127" 127 "$STATUS"
	expect_match "$p: panic message" "kernel panic on cpu [0-9]+: deliberate panic" "$(cat "$OUT")"
	expect_match "$p: panic backtrace" "test_panic\+0x" "$(cat "$OUT")"
	kernel_boot $p 2 32 "--test-fault=ap --selftest=smp"
	expect_match "$p: AP fault: status 113 (#GP), or 106 (#UD) without xsave" "^(113|106)$" "$STATUS"
	expect_match "$p: AP fault named on cpu 1" "exception on cpu 1: vector (13|6) " "$(cat "$OUT")"
	expect_match "$p: AP fault backtrace" "#0 +[0-9a-f]+ smp_ap_main\+0x" "$(cat "$OUT")"
	expect_eq "$p: no secondary fault" 1 "$(grep -c "kernel exception" "$OUT")"
	ran=1
done
[ -n "${ran:-}" ] || skip "neither motevm nor QEMU available"
finish
