#!/bin/bash
# run_mote_qemu64.sh: tests/apps/run_mote_qemu.sh on QEMU's qemu64 CPU model, a CPU unlike
# any host we have: no XSAVE (the kernel saves FPU state with fxsave), no AVX, no FSGSBASE
# (the FS base through the MSR), no TSC-deadline timer. glibc picks its baseline x86-64
# routines there. The same comparison with the native results. Skips (77) without
# qemu-system-x86_64.
cd "$(dirname "$0")/../.." || exit 1
QEMU=${MOTE_QEMU:-/usr/bin/qemu-system-x86_64}
if [ ! -x "$QEMU" ]; then
	echo "SKIP: $QEMU is not installed (Debian package qemu-system-x86)"
	exit 77
fi
MOTE_QEMU_CPU=qemu64 MOTE_QEMU_ACCEL=tcg exec tests/apps/run_mote.sh --qemu
