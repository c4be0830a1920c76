#!/bin/bash
# kernel_cpu_models.sh: the kernel on CPUs unlike this host's, through QEMU TCG's CPU models:
# qemu64 (no XSAVE: fxsave, FS base by MSR), SandyBridge (XSAVE with AVX, no FSGSBASE), and
# max (AVX, PKRU, FSGSBASE). Every self-test passes on each, the FPU test included (every
# thread keeps its own vector registers; no save area overrun), and the kernel's boot line
# says it saves exactly the state the model has. None of these models has TSC-deadline,
# x2APIC or kvmclock under TCG, so the calibrated LAPIC timer and the TSC clock are used.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm

# model  expected "application FPU state ..." words
while read -r model fpu; do
	QEMU_CPU=$model kernel_boot microvm 2 64 "--verbose --selftest"
	expect_eq "$model: exit status" 0 "$STATUS"
	expect_match "$model: all self-tests pass" "^selftest: [0-9]+ passed, 0 failed" \
		"$(grep '^selftest:' "$OUT")"
	expect_match "$model: FPU test passes" "^selftest fpu: ok" "$(grep '^selftest fpu:' "$OUT")"
	expect_match "$model: saves $fpu" "application FPU state $fpu" \
		"$(grep 'application FPU state' "$OUT")"
	expect_match "$model: timer" "apic: timer one-shot \(calibrated\)" "$(cat "$OUT")"
done <<'MODELS'
qemu64 fxsave \(512 bytes, saves 0x3,.*FS base by MSR
SandyBridge xsave \(832 bytes, saves 0x7,.*FS base by MSR
max xsave \([0-9]+ bytes, saves 0x207,.*FS base by wrfsbase
MODELS
finish
