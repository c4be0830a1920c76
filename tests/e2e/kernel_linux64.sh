#!/bin/bash
# kernel_linux64.sh: the Linux 64-bit boot protocol entry. A copy of mote.elf without its
# PVH note makes motevm boot it as a vmlinux (zero page in %rsi); the kernel must say so,
# find its memory and command line there, bring both vCPUs up and pass self-tests.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform motevm

elf=$TEST_TMP/mote-nopvh.elf
check "strip the PVH note" objcopy --remove-section .note.pvh "$KERNEL" "$elf"
check "no PVH note left" sh -c "! readelf -n '$elf' | grep -q Xen"
kernel_boot motevm 2 64 "--verbose --selftest=smp,vm,timer,churn" "$elf"
expect_eq "exit status" 0 "$STATUS"
expect_match "entered through the Linux protocol" "Linux 64-bit entry" "$(grep 'entry,' "$OUT")"
expect_match "memory map from the zero page" "64 MiB RAM" "$(grep 'entry,' "$OUT")"
expect_match "self-tests" "^selftest: 4 passed, 0 failed" "$(grep '^selftest:' "$OUT")"
# and the same image through PVH says PVH
kernel_boot motevm 1 64 "--verbose --selftest=smp"
expect_match "PVH entry otherwise" "PVH entry" "$(grep 'entry,' "$OUT")"
finish
