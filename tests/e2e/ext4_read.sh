#!/bin/bash
# ext4_read.sh: the kernel's read-only ext4 against a second party, e2fsprogs' mkfs.ext4 -d
# (Debian 12's defaults: 64bit, extents, flex_bg, metadata_csum, dir_index, huge_file,
# has_journal), under QEMU microvm with the image as a virtio-blk drive mounted by
# --mount=/dev/vda:/data:ro (read-only on a writable drive). A tree made here (nested directories, files of 0 bytes, 1 byte,
# 3 MiB of random bytes, a sparse file with a hole, a 5 GiB sparse file, a fragmented file
# whose extent tree has depth >= 1, a hard link, short and long symlinks, a 500-entry htree
# directory, names with spaces and UTF-8) is walked by tests/e2e/ext4_walk.py on the host and
# by Python in Mote over the mount: path, type, size, mode, owner, links, mtime, link target
# and content hash must all be the same, with 4 KiB blocks and with 1 KiB blocks. Then in
# Mote: statvfs against dumpe2fs, writes refused with EROFS, mmap, /proc/mounts; on the host:
# e2fsck -fn clean and the image byte for byte unchanged (the drive is writable: only the
# kernel's :ro keeps it so). Last, refused mounts that do not stop the program: a superblock with
# a flipped byte (its crc32c no longer matches), a disk of zeros, an inline_data image, and a
# device that does not exist.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
for t in mkfs.ext4 e2fsck dumpe2fs debugfs python3; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs, python3)"
done

T=$TEST_TMP
TREE=$T/tree
WALK=tests/e2e/ext4_walk.py

# --- the tree
mkdir -p "$TREE/a/b/c/d" "$TREE/big dir" "$TREE/ünïcödé dir/日本"
: >"$TREE/empty"
printf x >"$TREE/one"
head -c $((3 << 20)) /dev/urandom >"$TREE/a/b/random 3M"
printf 'deep\n' >"$TREE/a/b/c/d/deep.txt"
printf 'café\n' >"$TREE/ünïcödé dir/日本/naïve file.txt"
# a hole between two written MiB
dd if=/dev/urandom of="$TREE/sparse" bs=1M count=1 status=none
dd if=/dev/urandom of="$TREE/sparse" bs=1M count=1 seek=5 conv=notrunc status=none
# 5 GiB, all hole but its last 4 KiB: the size needs i_size_high
dd if=/dev/urandom of="$TREE/huge" bs=4096 count=1 seek=$(((5 << 30) / 4096 - 1)) status=none
# 40 separate 4 KiB pieces: 40 extents, more than the inode's 4, so an index level
for i in $(seq 0 39); do
	dd if=/dev/urandom of="$TREE/fragmented" bs=4096 count=1 seek=$((i * 2)) conv=notrunc status=none
done
ln "$TREE/one" "$TREE/a/hardlink to one"
ln -s one "$TREE/short link"
long=$(printf 'a/%.0s' $(seq 1 40))target
ln -s "$long" "$TREE/long link"
for i in $(seq 1 500); do
	printf '%d\n' "$i" >"$TREE/big dir/entry number $i with a longer name"
done
touch -d '2001-02-03 04:05:06.789' "$TREE/one" "$TREE/a"
# 2137, past 2038: its seconds need the epoch bits of the extra field; mkfs -d keeps neither
# those nor nanoseconds, so debugfs writes them (below)
: >"$TREE/timed"
touch -d @5276140402.789 "$TREE/timed"

python3 "$WALK" "$TREE" >"$T/host.txt"

# mkimage IMAGE [MKFS OPTIONS]: the tree in a 64 MiB image; e2fsck -D then indexes the
# large directory (mkfs -d writes it linear)
mkimage() {
	local img=$1
	shift
	rm -f "$img"
	mkfs.ext4 -q "$@" -d "$TREE" "$img" 64M >/dev/null && e2fsck -fyD "$img" >/dev/null 2>&1
	# /timed's mtime: 0x3a7b8372 + 1 << 32 seconds (epoch bits 01) and 789000000 ns
	debugfs -w -R 'sif /timed mtime_lo 0x3a7b8372' "$img" >/dev/null 2>&1
	debugfs -w -R "sif /timed mtime_extra $(((789000000 << 2) | 1))" "$img" >/dev/null 2>&1
	e2fsck -fn "$img" >/dev/null 2>&1
}

PYIMG=$T/py.img
build/mote build --add /usr/lib/python3.11 --add "$WALK:/walk.py" /usr/bin/python3 \
	-o "$PYIMG" >/dev/null || skip "mote build python3 failed"

# drives IMAGE...: QEMU options for virtio-blk drives; the last one given is vda (QEMU
# fills microvm's transports from the last, the kernel probes from the first)
drives() {
	local i=0 img
	printf -- '-machine ioapic2=off -global virtio-mmio.force-legacy=false'
	for img in "$@"; do
		printf -- ' -drive file=%s,if=none,format=raw,id=d%d -device virtio-blk-device,drive=d%d' \
			"$img" $i $i
		i=$((i + 1))
	done
}

# guest ARGS...: python3 /walk.py in Mote with the images attached ($IMGS)
guest() {
	# shellcheck disable=SC2086
	QEMU_ARGS=$(drives $IMGS) INITRD=$PYIMG kernel_boot microvm 1 256 \
		"--verbose $* $(microvm_virtio 8)" >/dev/null
	tr -d '\r' <"$OUT" >"$T/guest.out"
}

fsck_clean() { e2fsck -fn "$1" >/dev/null 2>&1; }

# sb FIELD IMAGE: a field of dumpe2fs -h
sb() { dumpe2fs -h "$2" 2>/dev/null | sed -n "s/^$1: *//p"; }

for bs in 4096 1024; do
	IMG=$T/ext4-$bs.img
	check "$bs: mkfs.ext4 -b $bs -d TREE, e2fsck -D" mkimage "$IMG" -b $bs
	feats=$(sb "Filesystem features" "$IMG")
	for f in has_journal extent 64bit flex_bg metadata_csum dir_index huge_file; do
		expect_match "$bs: the image has $f" "(^| )$f( |$)" "$feats"
	done
	expect_match "$bs: the fragmented file's extent tree has an index level (depth >= 1)" \
		"^ *0/ *[1-9] " "$(debugfs -R 'ex /fragmented' "$IMG" 2>/dev/null)"
	expect_match "$bs: the 500-entry directory is hashed (htree)" "Flags: 0x0*1[0-9a-f]{3}\b|Flags: 0x[0-9a-f]*1[0-9a-f]{3}$" \
		"$(debugfs -R 'stat "/big dir"' "$IMG" 2>/dev/null | grep -o 'Flags: 0x[0-9a-f]*')"
	cp "$IMG" "$T/before.img"

	IMGS=$IMG guest --mount=/dev/vda:/data:ro /usr/bin/python3 /walk.py /data --checks
	expect_eq "$bs: exit status" 0 "$STATUS"
	expect_match "$bs: mounted" "mote: /dev/vda mounted on /data \(ext4, read-only\)" \
		"$(cat "$T/guest.out")"
	grep '^W ' "$T/guest.out" >"$T/guest.txt"
	if cmp -s "$T/host.txt" "$T/guest.txt"; then
		ok "$bs: the walk in Mote matches the host's ($(wc -l <"$T/host.txt") entries)"
	else
		not_ok "$bs: the walk in Mote differs from the host's:"
		diff "$T/host.txt" "$T/guest.txt" | head -20
	fi
	blocks=$(sb "Block count" "$IMG")
	overhead=$(sb "Overhead clusters" "$IMG")
	want="C statvfs: bsize $bs blocks $((blocks - ${overhead:-0})) bfree $(sb "Free blocks" "$IMG")"
	want="$want files $(sb "Inode count" "$IMG") ffree $(sb "Free inodes" "$IMG") namemax 255 rdonly 1"
	expect_eq "$bs: statvfs as dumpe2fs says" "$want" "$(grep '^C statvfs' "$T/guest.out")"
	for op in create "open for writing" mkdir unlink rename chmod symlink; do
		expect_eq "$bs: $op: EROFS" "C $op: EROFS" "$(grep "^C $op:" "$T/guest.out")"
	done
	expect_eq "$bs: the 3 MiB file mapped (mmap) reads as read(2) does" "C mmap: same as read" \
		"$(grep '^C mmap' "$T/guest.out")"
	expect_eq "$bs: a time past 2038 with nanoseconds" "C timed: 5276140402789000000" \
		"$(grep '^C timed' "$T/guest.out")"
	expect_eq "$bs: /proc/mounts lists the mount" "C mounts: /dev/vda /data ext4 ro,relatime 0 0" \
		"$(grep '^C mounts' "$T/guest.out")"
	check "$bs: e2fsck -fn: clean after the guest ran" fsck_clean "$IMG"
	check "$bs: the image is byte for byte unchanged" cmp -s "$IMG" "$T/before.img"
done

# --- refused mounts; the program still runs
BAD=$T/badsum.img
cp "$T/ext4-4096.img" "$BAD"
# byte 0x78 of the superblock (at 1024): the volume name's first byte, which nothing but the
# checksum (s_checksum, 0x3fc) covers
printf 'X' | dd of="$BAD" bs=1 seek=$((1024 + 0x78)) conv=notrunc status=none
ZERO=$T/zero.img
truncate -s 8M "$ZERO"
INL=$T/inline.img
mkfs.ext4 -q -O inline_data "$INL" 8M >/dev/null
IMGS="$INL $ZERO $BAD" guest --mount=/dev/vda:/data --mount=/dev/vdb:/zero \
	--mount=/dev/vdc:/inline --mount=/dev/vdd:/none \
	/usr/bin/python3 -c "'import os; print(\"R ran\", os.listdir(\"/data\"))'"
out=$(cat "$T/guest.out")
expect_eq "refused mounts: the program ran (status 0)" 0 "$STATUS"
expect_match "bad checksum: said" "ext4: vda: bad superblock checksum" "$out"
expect_match "... refused" "mote: cannot mount /dev/vda on /data: corrupt file system \(bad checksum\)" "$out"
expect_match "... /data is an empty directory" "^R ran \[\]" "$out"
expect_match "zeros: not ext4" "mote: cannot mount /dev/vdb on /zero: not an ext4 file system" "$out"
expect_match "inline_data: named" "ext4: vdc: unsupported feature\(s\): inline_data" "$out"
expect_match "... refused" "mote: cannot mount /dev/vdc on /inline: unsupported ext4 feature" "$out"
expect_match "no device: said" "mote: cannot mount /dev/vdd on /none: no such device" "$out"
finish
