#!/bin/bash
# ext4_write.sh: the kernel's ext4 read-write against e2fsprogs (the second party), under QEMU
# microvm. Python in Mote runs tests/e2e/ext4_tree.py build over an image from mkfs.ext4
# (Debian 12's defaults: 64bit, extents, flex_bg, metadata_csum, dir_index, huge_file,
# has_journal) mounted by --mount=/dev/vda:/data, seeded with a hashed directory: files of
# many sizes, one of 1500 extents (index levels), sparse files, appends, truncates both ways,
# mkdir/rmdir, renames within and across directories and over existing names, hard links,
# symlinks short and long, a fifo, device nodes (old and new numbers), chmod, chown, utime
# (nanoseconds, a time past 2038), shared mappings written (fsync; msync), a file unlinked
# while open, 2000 entries then half removed. The same script runs on the host in a tmpfs
# directory; then e2fsck -fn must be clean and the tree read out of the image with debugfs
# must equal the host's (names, types, sizes, modes, owners, link counts, mtimes in ns, link
# targets, device numbers, content hashes). With 4 KiB blocks and with 1 KiB blocks. Then
# 3000 seeded random changes (writes anywhere, truncates, renames, links, removals,
# directories) compared the same way; a VM killed with a file unlinked while open leaves it
# on the orphan list, and the next mount frees it; a full disk gives ENOSPC and stays clean;
# a read-only drive and --mount=...:ro mount read-only (every change EROFS, the image
# unchanged).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
for t in mkfs.ext4 e2fsck debugfs python3; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs, python3)"
done

T=$TEST_TMP
TREE=tests/e2e/ext4_tree.py
CHOWN=
[ "$(id -u)" = 0 ] && CHOWN=--chown # the host side can only give files away as root

# the seed: a directory of 300 entries that e2fsck -D indexes
mkdir -p "$T/seed/indexed"
for i in $(seq 0 299); do echo "$i" >"$T/seed/indexed/seed $i"; done

# the host's run, in tmpfs where there is one
HOSTDIR=$(mktemp -d /dev/shm/ext4w.XXXXXX 2>/dev/null || mktemp -d "$T/host.XXXXXX")
trap 'rm -rf "$HOSTDIR"' EXIT
cp -a "$T/seed/." "$HOSTDIR/"
python3 "$TREE" build "$HOSTDIR" $CHOWN >"$T/host.out" || skip "the tree script failed on the host"
python3 "$TREE" walk "$HOSTDIR" >"$T/host.txt"

PYIMG=$T/py.img
build/mote build --add /usr/lib/python3.11 --add "$TREE:/tree.py" /usr/bin/python3 \
	-o "$PYIMG" >/dev/null || skip "mote build python3 failed"

# guest DRIVEOPTS ARGS...: python3 in Mote with $IMG as vda (DRIVEOPTS: ",readonly=on" or "")
guest() {
	local dopts=$1
	shift
	QEMU_ARGS="-machine ioapic2=off -global virtio-mmio.force-legacy=false \
-drive file=$IMG,if=none,format=raw,id=d0$dopts -device virtio-blk-device,drive=d0" \
		INITRD=$PYIMG kernel_boot microvm 1 256 "--verbose $* $(microvm_virtio 8)" >/dev/null
	tr -d '\r' <"$OUT" >"$T/guest.out"
}

fsck_clean() { e2fsck -fn "$1" >"$T/fsck.out" 2>&1 || { cat "$T/fsck.out"; return 1; }; }

for bs in 4096 1024; do
	IMG=$T/ext4-$bs.img
	rm -f "$IMG"
	mkfs.ext4 -q -b $bs -d "$T/seed" "$IMG" 128M && e2fsck -fyD "$IMG" >/dev/null 2>&1
	check "$bs: the seed image is clean" fsck_clean "$IMG"
	guest "" --mount=/dev/vda:/data /usr/bin/python3 /tree.py build /data $CHOWN --checks
	expect_eq "$bs: exit status" 0 "$STATUS"
	expect_match "$bs: mounted read-write" "mote: /dev/vda mounted on /data \(ext4, read-write\)" \
		"$(cat "$T/guest.out")"
	expect_eq "$bs: statvfs says rw" "C statvfs: rdonly 0" "$(grep '^C statvfs' "$T/guest.out")"
	expect_eq "$bs: /proc/mounts says rw" "C mounts: /dev/vda /data ext4 rw,relatime 0 0" \
		"$(grep '^C mounts' "$T/guest.out")"
	expect_eq "$bs: an unlinked open file kept its data" "$(grep '^C ghost' "$T/host.out")" \
		"$(grep '^C ghost' "$T/guest.out")"
	expect_eq "$bs: read(2) sees a write through a shared mapping" \
		"C mmap: read(2) sees a mapped write: True" "$(grep '^C mmap' "$T/guest.out")"
	check "$bs: e2fsck -fn clean after the guest's changes" fsck_clean "$IMG"
	python3 "$TREE" image "$IMG" >"$T/image.txt"
	if cmp -s "$T/host.txt" "$T/image.txt"; then
		ok "$bs: the image's tree equals the host's ($(wc -l <"$T/host.txt") entries)"
	else
		not_ok "$bs: the image's tree differs from the host's:"
		diff "$T/host.txt" "$T/image.txt" | head -20 | cut -c1-200
	fi
	expect_match "$bs: the 1500-extent file's tree has two index levels" "^ *0/ *2 " \
		"$(debugfs -R 'ex /fragmented' "$IMG" 2>/dev/null)"
done

# --- 3000 random changes (seeded), 1 KiB blocks: the same tree as on the host, and clean
rm -rf "${HOSTDIR:?}"/*
python3 "$TREE" random "$HOSTDIR" 7 3000 && python3 "$TREE" walk "$HOSTDIR" >"$T/host.txt"
IMG=$T/random.img
rm -f "$IMG"
mkfs.ext4 -q -b 1024 "$IMG" 64M
guest "" --mount=/dev/vda:/data /usr/bin/python3 /tree.py random /data 7 3000
expect_eq "random: exit status" 0 "$STATUS"
check "random: e2fsck -fn clean" fsck_clean "$IMG"
python3 "$TREE" image "$IMG" >"$T/image.txt"
check "random: the image's tree equals the host's ($(wc -l <"$T/host.txt") entries)" \
	cmp -s "$T/host.txt" "$T/image.txt"

# --- a crash with a file unlinked while open: the next mount frees it (the orphan list)
IMG=$T/orphan.img
rm -f "$IMG"
mkfs.ext4 -q -b 4096 "$IMG" 64M
free0=$(dumpe2fs -h "$IMG" 2>/dev/null | sed -n 's/^Free blocks: *//p')
args="--mount=/dev/vda:/data /usr/bin/python3 /tree.py orphan /data $(microvm_virtio 8)"
qemu-system-x86_64 -M microvm -accel tcg -m 256 -smp 1 -machine ioapic2=off \
	-global virtio-mmio.force-legacy=false -nographic -no-reboot \
	-drive "file=$IMG,if=none,format=raw,id=d0" -device virtio-blk-device,drive=d0 \
	-kernel "$KERNEL" -initrd "$PYIMG" -append "$args" </dev/null >"$T/crash.out" 2>&1 &
qpid=$!
for _ in $(seq 1200); do # 120 s at most
	grep -q "C orphan: ready" "$T/crash.out" && break
	sleep 0.1
done
kill -KILL $qpid 2>/dev/null # the plug pulled
wait $qpid 2>/dev/null
check "orphan: the guest got the file unlinked while open, synced" grep -q "C orphan: ready" \
	"$T/crash.out"
expect_match "orphan: after the crash the inode is on the orphan list" "^First orphan inode: *[0-9]+" \
	"$(dumpe2fs -h "$IMG" 2>/dev/null | grep -i 'orphan')"
guest "" --mount=/dev/vda:/data /usr/bin/python3 -c "'import os; print(\"C ls:\", os.listdir(\"/data\"))'"
expect_match "orphan: the next mount frees it" "ext4: vda: orphan inode [0-9]+ freed" \
	"$(cat "$T/guest.out")"
check "orphan: e2fsck -fn clean after" fsck_clean "$IMG"
expect_eq "orphan: its blocks are free again" "$free0" \
	"$(dumpe2fs -h "$IMG" 2>/dev/null | sed -n 's/^Free blocks: *//p')"

# --- a full disk: ENOSPC, and clean
IMG=$T/small.img
rm -f "$IMG"
mkfs.ext4 -q -b 1024 "$IMG" 16M
guest "" --mount=/dev/vda:/data /usr/bin/python3 /tree.py fill /data
expect_match "full: ENOSPC" "^C fill: ENOSPC after [0-9]+ files" "$(cat "$T/guest.out")"
expect_match "full: written again after a delete" "^C fill: written again" "$(cat "$T/guest.out")"
check "full: e2fsck -fn clean" fsck_clean "$IMG"

# --- read-only: the drive, or :ro
IMG=$T/ext4-4096.img
cp "$IMG" "$T/before.img"
for how in drive option; do
	if [ $how = drive ]; then
		guest ",readonly=on" --mount=/dev/vda:/data /usr/bin/python3 /tree.py ro /data --checks
	else
		guest "" --mount=/dev/vda:/data:ro /usr/bin/python3 /tree.py ro /data --checks
	fi
	expect_match "ro $how: mounted read-only" "mote: /dev/vda mounted on /data \(ext4, read-only\)" \
		"$(cat "$T/guest.out")"
	for op in create "open for writing" mkdir unlink rename chmod symlink; do
		expect_eq "ro $how: $op: EROFS" "C $op: EROFS" "$(grep "^C $op:" "$T/guest.out")"
	done
	expect_eq "ro $how: /proc/mounts says ro" "C mounts: /dev/vda /data ext4 ro,relatime 0 0" \
		"$(grep '^C mounts' "$T/guest.out")"
	expect_eq "ro $how: statvfs says ro" "C statvfs: rdonly 1" "$(grep '^C statvfs' "$T/guest.out")"
	check "ro $how: the image is byte for byte unchanged" cmp -s "$IMG" "$T/before.img"
done
finish
