#!/bin/bash
# mount_syscalls.sh: mount(2) and umount2(2) in Mote (QEMU microvm), driven by a static C
# program (tests/e2e/mount/mount_syscalls.c) over three drives from mkfs.ext4: vda mounted at
# boot (--mount), vdb read-write for the program, vdc read-only (readonly=on). The program
# mounts vdb on /mnt, writes, is refused (EBUSY) while a file is open, an unlinked file is
# open, the root is open, the cwd is inside, a mapping is alive, a mount is on top; unmounts
# while a second thread uses the mount (EBUSY or done, nothing else);
# mounts it read-only (EROFS), remounts rw and ro (EBUSY with a writer); tmpfs, a second proc
# and sysfs, ramfs; every error with its errno; /proc/mounts at each step, compared here. The
# last mount of vdb is left to the exit's sync. A second boot mounts, writes, unmounts and is
# killed: the unmount alone must leave the disk clean. On the host: e2fsck -fn clean, no
# needs_recovery (dumpe2fs -h), the files read back with debugfs.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
for t in mkfs.ext4 e2fsck debugfs dumpe2fs; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs)"
done
PROG=$PWD/build/tests/e2e/mount_syscalls
[ -x "$PROG" ] || skip "$PROG not built"
T=$TEST_TMP

INITRD=$T/prog.img
build/mote build "$PROG" -o "$INITRD" >/dev/null || skip "mote build $PROG failed"
mkdir -p "$T/seed"
echo "on the read-only disk" >"$T/seed/ro.txt"
mkfs.ext4 -q -b 4096 "$T/a.img" 32M && mkfs.ext4 -q -b 4096 "$T/b.img" 64M &&
	mkfs.ext4 -q -b 4096 -d "$T/seed" "$T/c.img" 32M || skip "mkfs.ext4 failed"

# drives IMG...: QEMU's words for virtio-blk drives vda, vdb... (microvm gives the last device
# the first transport: they go in reverse); c.img is read-only
drives() {
	local i=0 img ro out=''
	for img in "$@"; do
		ro=''
		[ "$img" = "$T/c.img" ] && ro=,readonly=on
		out=" -drive file=$img,if=none,format=raw,id=d$i$ro -device virtio-blk-device,drive=d$i$out"
		i=$((i + 1))
	done
	echo "$out"
}

fsck_clean() { e2fsck -fn "$1" >"$T/fsck.out" 2>&1 || { cat "$T/fsck.out"; return 1; }; }
no_recovery() { ! dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery; }
dcat() { debugfs -R "cat $2" "$1" 2>/dev/null; }

# --- the unmount alone leaves the disk clean: the VM is killed after it
OUT=$T/umount.out
read -ra DRIVES <<<"$(drives "$T/a.img" "$T/b.img")"
qemu-system-x86_64 -M microvm,ioapic2=off -accel tcg -m 128 -smp 1 -nographic \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
	-global virtio-mmio.force-legacy=false "${DRIVES[@]}" \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-append "--verbose $PROG umount$(microvm_virtio 8)" </dev/null >"$OUT" 2>&1 &
qemu=$!
for _ in $(seq 1200); do # 2 minutes at most
	grep -q "^UMOUNTED" "$OUT" && break
	sleep 0.1
done
kill -9 $qemu 2>/dev/null # QEMU itself (no timeout in between): the disk as the unmount left it
wait $qemu 2>/dev/null
tr -d '\r' <"$OUT" >"$T/guest1.out"
grep -E "^(ok|FAIL) " "$T/guest1.out" | while read -r s rest; do echo "guest: $s $rest"; done
expect_eq "umount run: no failures" 0 "$(grep -c '^FAIL' "$T/guest1.out")"
check "umount run: reached the unmount" grep -q "^UMOUNTED" "$T/guest1.out"
check "umount run: ext4 said unmounted" grep -q "ext4: vdb: unmounted" "$T/guest1.out"
check "umount run: e2fsck -fn clean after the unmount (VM killed)" fsck_clean "$T/b.img"
check "umount run: no needs_recovery after the unmount" no_recovery "$T/b.img"
expect_eq "umount run: the file written is there" "hello from mount(2)" "$(dcat "$T/b.img" /hello.txt)"

# --- everything, a fresh vdb
mkfs.ext4 -q -F -b 4096 "$T/b.img" 64M || skip "mkfs.ext4 failed"
QEMU_ARGS="-machine ioapic2=off -global virtio-mmio.force-legacy=false $(drives "$T/a.img" "$T/b.img" "$T/c.img")" \
	kernel_boot microvm 2 128 "--verbose --mount=/dev/vda:/boot_disk $PROG all $(microvm_virtio 8)" >/dev/null
tr -d '\r' <"$OUT" >"$T/guest.out"
G=$T/guest.out
expect_eq "exit status" 0 "$STATUS"
check "the program ran to its end" grep -q "^END 0 failures" "$G" || tail -20 "$G"
while read -r s rest; do
	if [ "$s" = ok ]; then ok "guest: $rest"; else not_ok "guest: $rest"; fi
done < <(grep -E "^(ok|FAIL) " "$G")

grep '^C race' "$G" # how the race went (EBUSY count, unmounted during it or after)
m() { grep "^M$1 " "$G" | cut -d' ' -f2-; }
BOOT="rootfs / ramfs rw 0 0
devfs /dev devtmpfs rw,nosuid 0 0
tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0
devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000 0 0
proc /proc proc rw,nosuid,nodev,noexec 0 0
sysfs /sys sysfs rw,nosuid,nodev,noexec 0 0
/dev/vda /boot_disk ext4 rw,relatime 0 0"
VDB_RW="/dev/vdb /mnt ext4 rw,relatime 0 0"
VDB_RO="/dev/vdb /mnt ext4 ro,relatime 0 0"
expect_eq "/proc/mounts at start" "$BOOT" "$(m 1)"
expect_eq "/proc/mounts with vdb mounted" "$BOOT
$VDB_RW" "$(m 2)"
expect_eq "/proc/mounts after umount" "$BOOT" "$(m 3)"
expect_eq "/proc/mounts with vdb ro" "$BOOT
$VDB_RO" "$(m 4)"
expect_eq "/proc/mounts after remount rw" "$BOOT
$VDB_RW" "$(m 5)"
expect_eq "/proc/mounts after remount ro" "$BOOT
$VDB_RO" "$(m 6)"
expect_eq "/proc/mounts with tmpfs" "$BOOT
tmpfs /mnt tmpfs rw,nosuid,nodev,relatime 0 0" "$(m 7)"
expect_eq "/proc/mounts with a second proc" "$BOOT
proc /mnt proc rw,nosuid,nodev,noexec,relatime 0 0" "$(m 8)"
expect_eq "/proc/mounts with tmpfs remounted ro" "$BOOT
tmpfs /mnt tmpfs ro,nosuid,nodev,relatime 0 0" "$(m 10)"
expect_eq "/proc/mounts with two tmpfs stacked" "$BOOT
one /mnt tmpfs rw,relatime 0 0
two /mnt tmpfs rw,relatime 0 0" "$(m 11)"
expect_eq "tmpfs file read ro" "C tmpfs ro: in tmpfs" "$(grep '^C tmpfs ro' "$G")"
expect_match "mountinfo: the root" "^I 21 1 0:[0-9]+ / / rw - ramfs rootfs rw$" "$(grep '^I 21 ' "$G")"
expect_match "mountinfo: vdb on /mnt, under the root" \
	"^I [0-9]+ 21 0:[0-9]+ / /mnt rw,relatime - ext4 /dev/vdb rw$" "$(grep ' /mnt ' "$G" | grep '^I ')"
expect_eq "mountinfo: a line a mount" "$(m 9 | wc -l)" "$(grep -c '^I ' "$G")"
expect_eq "/proc/mounts at the end" "$BOOT
$VDB_RW" "$(m 9)"
expect_eq "read back ro" "C ro hello: hello from mount(2)" "$(grep '^C ro hello' "$G")"
BIG=$(python3 -c 's = 0
for i in range(1 << 20): s = (s * 31 + ((i * 7 + i // 4096) & 255)) & (2**64 - 1)
print("%x" % s)')
expect_eq "1 MiB file read back ro" "C ro big: $BIG" "$(grep '^C ro big' "$G")"
expect_eq "remount rw's file read after remount ro" "C ro remount: written after a remount rw" \
	"$(grep '^C ro remount' "$G")"
expect_eq "tmpfs file" "C tmpfs: in tmpfs" "$(grep '^C tmpfs:' "$G")"
expect_eq "the read-only disk read" "C vdc: on the read-only disk" "$(grep '^C vdc' "$G")"

# --- on the host
for img in a b c; do
	check "$img.img: e2fsck -fn clean" fsck_clean "$T/$img.img"
	check "$img.img: no needs_recovery" no_recovery "$T/$img.img"
done
expect_eq "debugfs: hello.txt" "hello from mount(2)" "$(dcat "$T/b.img" /hello.txt)"
expect_eq "debugfs: remount.txt" "written after a remount rw" "$(dcat "$T/b.img" /remount.txt)"
expect_eq "debugfs: mapped.txt (written through a mapping, then remount ro)" \
	"written through a mapping" "$(dcat "$T/b.img" /mapped.txt | head -1 | tr -d '\0')"
expect_eq "debugfs: atexit.txt (the exit's sync)" "left for the exit's sync" \
	"$(dcat "$T/b.img" /atexit.txt)"
debugfs -R "dump /dir/big.bin $T/big.bin" "$T/b.img" >/dev/null 2>&1
expect_eq "debugfs: dir/big.bin" "$(python3 -c 'import sys
sys.stdout.buffer.write(bytes(((i*7+i//4096)&255) for i in range(1<<20)))' | md5sum)" \
	"$(md5sum <"$T/big.bin" 2>/dev/null)"
expect_eq "debugfs: the unlinked file was freed" "" "$(debugfs -R 'ls /dir' "$T/b.img" 2>/dev/null | grep -o gone)"
finish
