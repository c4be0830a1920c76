#!/bin/bash
# run_mote_qemu.sh: tests/apps/run_mote.sh with every VM booted by `mote run --qemu` under QEMU's
# TCG (MOTE_QEMU_ACCEL=tcg): the kernel's standard x86-64 path (no kvm_pvm VIF page, sysretq/iretq
# and interrupt flags as on real hardware), which motevm on our PVM hosts never takes. The same
# comparison with the native results of tests/apps/run_native.sh, over every program: the whole
# run takes about 15 s, TCG being fast enough for these small programs. Skips (77) without
# qemu-system-x86_64.
cd "$(dirname "$0")/../.." || exit 1
QEMU=${MOTE_QEMU:-/usr/bin/qemu-system-x86_64}
if [ ! -x "$QEMU" ]; then
	echo "SKIP: $QEMU is not installed (Debian package qemu-system-x86)"
	exit 77
fi
MOTE_QEMU_ACCEL=tcg exec tests/apps/run_mote.sh --qemu
