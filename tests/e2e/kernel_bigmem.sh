#!/bin/bash
# kernel_bigmem.sh: a 4 GiB guest, whose RAM goes around the 32-bit MMIO hole: the direct
# map covers RAM (and ACPI memory) only, so the LAPIC/IOAPIC/boot-timer pages map uncached;
# APs whose stacks lie above the first GiB start (they load the kernel page table first).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh

for p in motevm q35; do
	(need_platform $p) >/dev/null || continue
	kernel_boot $p 2 4096 "--verbose --selftest=smp,vm,churn"
	expect_eq "$p 4 GiB: exit status" 0 "$STATUS"
	expect_match "$p 4 GiB: all RAM found" "(409[0-6]) MiB RAM" "$(grep 'entry,' "$OUT")"
	expect_match "$p 4 GiB: self-tests" "^selftest: 3 passed, 0 failed" "$(grep '^selftest:' "$OUT")"
	ran=1
done
[ -n "${ran:-}" ] || skip "neither motevm nor QEMU available"
finish
