#!/bin/bash
# kernel_initrd.sh: the initrd's location comes from the boot information (PVH module list
# or the zero page), and the page allocator leaves it alone: after the "page" self-test has
# taken every free page, the kernel's hash of the initrd equals the host's.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh

INITRD=$TEST_TMP/initrd.bin
head -c 300001 /dev/urandom >"$INITRD"
want=$(python3 -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)' "$INITRD")
export INITRD
nopvh=$TEST_TMP/mote-nopvh.elf
objcopy --remove-section .note.pvh "$KERNEL" "$nopvh"

run() {
	kernel_boot "$@"
	expect_eq "$1 ${5:+(Linux entry)}: exit status" 0 "$STATUS"
	expect_match "$1 ${5:+(Linux entry)}: initrd intact" "initrd: 300001 bytes at 0x[0-9a-f]+, fnv1a64 $want" \
		"$(grep '^initrd:' "$OUT")"
}
for p in motevm microvm; do
	(need_platform $p) >/dev/null || continue
	run $p 2 16 "--selftest=page,initrd"
	[ $p = motevm ] && run $p 2 16 "--selftest=page,initrd" "$nopvh"
	ran=1
done
[ -n "${ran:-}" ] || skip "neither motevm nor QEMU available"
finish
