#!/bin/bash
# ext4_root.sh: root=/dev/vdX — the kernel boots with a disk's ext4 as its root file system and
# no initrd (QEMU microvm, the image from mkfs.ext4 -d holding Debian's static busybox): the
# program runs from the disk, /proc/mounts names the disk as /, the root= and ro words work
# where Firecracker puts them (appended after boot_args, behind the program's words) and
# Firecracker's default boot_args (console=ttyS0 reboot=k panic=1 pci=off) are skipped. A
# missing root device, a root that is no ext4, and a read-only root without /proc end the
# boot with status 3 and a line that says why.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 missing (e2fsprogs)"
BUSYBOX=/bin/busybox
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || skip "no static $BUSYBOX (busybox-static)"
T=$TEST_TMP

mkdir -p "$T/tree/bin" "$T/tree/etc" "$T/tree/dev" "$T/tree/proc" "$T/tree/sys" "$T/tree/tmp"
cp "$BUSYBOX" "$T/tree/bin/busybox"
echo "hello from the root disk" >"$T/tree/etc/msg"
mkfs.ext4 -q -b 4096 -d "$T/tree" "$T/root.img" 32M || skip "mkfs.ext4 -d failed"
rm -rf "$T/tree/proc"
mkfs.ext4 -q -b 4096 -d "$T/tree" "$T/noproc.img" 32M || skip "mkfs.ext4 -d failed"
head -c $((4 << 20)) /dev/zero >"$T/zero.img"

# boot IMAGE ARGS: Mote with IMAGE as vda and no initrd
boot() {
	QEMU_ARGS="-machine ioapic2=off -global virtio-mmio.force-legacy=false \
-drive file=$1,if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0" \
		INITRD='' kernel_boot microvm 1 128 "$2 $(microvm_virtio 8)" >/dev/null
	tr -d '\r' <"$OUT" >"$T/guest.out"
}

boot "$T/root.img" "root=/dev/vda ro /bin/busybox cat /etc/msg /proc/mounts"
expect_eq "ro root: exit status" 0 "$STATUS"
check "ro root: the program ran from the disk" grep -qx "hello from the root disk" "$T/guest.out"
check "ro root: /proc/mounts names the disk as /" grep -qx "/dev/vda / ext4 ro,relatime 0 0" \
	"$T/guest.out"
check "ro root: no ramfs root listed" bash -c "! grep -q '^rootfs ' '$T/guest.out'"

boot "$T/root.img" "console=ttyS0 reboot=k panic=1 pci=off /bin/busybox echo one two root=/dev/vda ro"
expect_eq "Firecracker's spelling: exit status" 0 "$STATUS"
check "Firecracker's spelling: default boot_args skipped, root= ro after the program taken" \
	grep -qx "one two" "$T/guest.out"

boot "$T/root.img" "root=/dev/vdc /bin/busybox true"
expect_eq "a missing root device: status 3" 3 "$STATUS"
check "a missing root device: says so" grep -q "cannot mount the root file system /dev/vdc: no such device" \
	"$T/guest.out"
boot "$T/zero.img" "root=/dev/vda ro /bin/busybox true"
expect_eq "a root that is no ext4: status 3" 3 "$STATUS"
check "a root that is no ext4: says so" grep -q "cannot mount the root file system /dev/vda: not an ext4" \
	"$T/guest.out"
boot "$T/noproc.img" "root=/dev/vda ro /bin/busybox true"
expect_eq "a read-only root without /proc: status 3" 3 "$STATUS"
check "a read-only root without /proc: says so" grep -q "the root file system has no /proc" \
	"$T/guest.out"
finish
