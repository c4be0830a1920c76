#!/bin/bash
# ext4_xattr.sh: the kernel's ext4 extended attributes against e2fsprogs and attr (the second
# party), under QEMU microvm, with python3 in Mote (tests/e2e/ext4_xattr.py). A tree made on the
# host with setfattr (values small enough for the inode, one large enough for a block, many on
# one file, binary, empty, security.* and trusted.*, on files and a directory) becomes an image
# by mkfs.ext4 -d; one inode is made to share another's attribute block (its reference count
# raised to 2). Mote must list every attribute exactly as getfattr -d lists the source tree.
# Then Mote sets, replaces and removes attributes in the inode and in the block, changes the
# shared file (the block copied), empties a block and unlinks a file with one (both blocks
# freed), makes new files with attributes, and checks the errors (EEXIST, ENODATA, ENOSPC,
# EOPNOTSUPP, EPERM); the same changes made on the host to a copy of the tree give the
# listing that the guest's, and the image's read by debugfs (ea_list, ea_get), must equal; and
# e2fsck -fn is clean. With 4 KiB blocks and 256-byte inodes (attributes in the inode first),
# and with 1 KiB blocks and 128-byte inodes (only the block). A file system made without
# ext_attr gets it with its first attribute. A read-only mount gives EROFS.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
for t in mkfs.ext4 e2fsck debugfs python3 setfattr getfattr; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs, attr, python3)"
done

T=$TEST_TMP
X=tests/e2e/ext4_xattr.py
TRUSTED=
[ "$(id -u)" = 0 ] && TRUSTED=--trusted # trusted.* on the host needs root
PYIMG=$T/py.img
build/mote build --add /usr/lib/python3.11 --add "$X:/x.py" /usr/bin/python3 \
	-o "$PYIMG" >/dev/null || skip "mote build python3 failed"

# guest ARGS...: python3 in Mote with $IMG as vda; its output in $T/guest.out
guest() {
	QEMU_ARGS="-machine ioapic2=off -global virtio-mmio.force-legacy=false \
-drive file=$IMG,if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0" \
		INITRD=$PYIMG kernel_boot microvm 1 256 "--verbose $* $(microvm_virtio 8)" >/dev/null
	tr -d '\r' <"$OUT" >"$T/guest.out"
}
listing() { grep '^X ' "$T/guest.out" | cut -c3-; }
fsck_clean() { e2fsck -fn "$1" >"$T/fsck.out" 2>&1 || { cat "$T/fsck.out"; return 1; }; }
same() { # same WHAT FILE1 FILE2
	if cmp -s "$2" "$3"; then
		ok "$1 ($(wc -l <"$2") attributes)"
	else
		not_ok "$1:"
		diff "$2" "$3" | head -20 | cut -c1-200
	fi
}
acl() { debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/.*File ACL: \([0-9]*\).*/\1/p'; }
fill() { head -c "$1" /dev/zero | tr '\0' "$2"; } # fill N CHAR
not_match() { ! grep -q "$1" <<<"$2"; }

# seed DIR BIG MANY: the host's tree
seed() {
	local d=$1 big=$2 many=$3 i
	mkdir -p "$d/d" && cd "$d" || return 1
	for f in f_small f_big f_many f_bin f_sec f_shared1 f_shared2 f_rmblock f_gone; do
		echo "$f" >"$f"
	done
	setfattr -n user.small -v hi f_small &&
		setfattr -n user.empty f_small &&
		setfattr -n user.big -v "$(fill "$big" b)" f_big &&
		setfattr -n user.dir -v "on a directory" d &&
		setfattr -n user.bin -v 0x0001fffe80 f_bin &&
		setfattr -n security.label -v "a label" f_sec &&
		setfattr -n user.s -v "$(fill "$big" S)" f_shared1 &&
		setfattr -n user.r1 -v "$(fill $((big / 2)) r)" f_rmblock &&
		setfattr -n user.r2 -v two f_rmblock &&
		setfattr -n user.g -v "$(fill "$big" g)" f_gone || return 1
	[ -z "$TRUSTED" ] || setfattr -n trusted.t -v trusted f_sec || return 1
	for i in $(seq -f %02g 0 $((many - 1))); do
		setfattr -n "user.attr$i" -v "value-$i" f_many || return 1
	done
	cd - >/dev/null || return 1
}

for cfg in "4096 256" "1024 128"; do
	read -r bs isz <<<"$cfg"
	big=$((bs * 3 / 4)) many=$((bs / 100))
	SRC=$T/src-$bs IMG=$T/ext4-$bs.img
	seed "$SRC" $big $many || skip "the host's $T keeps no user.* attributes (setfattr failed)"
	mkfs.ext4 -q -b "$bs" -I "$isz" -d "$SRC" "$IMG" 32M
	check "$bs: the image made by mkfs.ext4 -d is clean" fsck_clean "$IMG"

	# f_shared2 shares f_shared1's block, as Linux's block sharing leaves two inodes
	blk=$(acl "$IMG" /f_shared1)
	blocks=$(debugfs -R "stat /f_shared2" "$IMG" 2>/dev/null | sed -n 's/.*Blockcount: \([0-9]*\).*/\1/p')
	python3 $X share "$IMG" "$blk" "$bs"
	debugfs -w -R "sif /f_shared2 file_acl $blk" "$IMG" 2>/dev/null
	debugfs -w -R "sif /f_shared2 blocks $((blocks + bs / 512))" "$IMG" 2>/dev/null
	setfattr -n user.s -v "$(fill "$big" S)" "$SRC/f_shared2"
	check "$bs: the shared block is clean" fsck_clean "$IMG"

	(cd "$SRC" && getfattr -R -d -m - -e hex .) | python3 $X getfattr >"$T/host.txt"
	guest --mount=/dev/vda:/data /usr/bin/python3 /x.py dump /data
	expect_eq "$bs: dump: exit status" 0 "$STATUS"
	listing >"$T/guest.txt"
	same "$bs: Mote lists what getfattr -d lists in the source tree" "$T/host.txt" "$T/guest.txt"

	# the changes, in Mote and on a copy of the tree on the host
	cp -a "$SRC" "$T/host-$bs"
	python3 $X change "$T/host-$bs" $big "$bs" $TRUSTED | cut -c3- >"$T/want.txt"
	guest --mount=/dev/vda:/data /usr/bin/python3 /x.py change /data $big "$bs" --errors $TRUSTED
	expect_eq "$bs: change: exit status" 0 "$STATUS"
	listing >"$T/guest.txt"
	same "$bs: Mote's listing after the changes is the host's" "$T/want.txt" "$T/guest.txt"
	for e in "create existing: EEXIST" "replace missing: ENODATA" "remove missing: ENODATA" \
		"get missing: ENODATA" "too large: ENOSPC" "system.*: EOPNOTSUPP" "symlink user.*: EPERM"; do
		expect_eq "$bs: $e" "C $e" "$(grep "^C ${e%%:*}:" "$T/guest.out")"
	done
	check "$bs: e2fsck -fn clean after the changes" fsck_clean "$IMG"
	python3 $X image "$IMG" >"$T/image.txt"
	same "$bs: debugfs ea_list/ea_get read the changes back" "$T/want.txt" "$T/image.txt"
	expect_eq "$bs: the emptied block is freed (File ACL 0)" 0 "$(acl "$IMG" /f_rmblock)"
	expect_match "$bs: f_big keeps a block" "^[1-9]" "$(acl "$IMG" /f_big)"
	expect_eq "$bs: f_shared1 keeps the shared block" "$blk" "$(acl "$IMG" /f_shared1)"
	s2=$(acl "$IMG" /f_shared2)
	check "$bs: f_shared2 has a copy of its own" test "${s2:-0}" -ne 0 -a "${s2:-0}" -ne "$blk"
	[ "$isz" -gt 128 ] &&
		expect_eq "$bs: f_small's attributes stay in the inode" 0 "$(acl "$IMG" /f_small)"
done

# --- a file system mkfs made without ext_attr gets it with the first attribute
IMG=$T/noea.img
mkfs.ext4 -q -b 4096 -O ^ext_attr "$IMG" 16M
features() { dumpe2fs -h "$IMG" 2>/dev/null | grep '^Filesystem features:'; }
check "no ext_attr: mkfs left it out" not_match ext_attr "$(features)"
guest --mount=/dev/vda:/data /usr/bin/python3 /x.py first /data
expect_eq "no ext_attr: exit status" 0 "$STATUS"
expect_match "no ext_attr: set with the first attribute" ext_attr "$(features)"
check "no ext_attr: e2fsck -fn clean" fsck_clean "$IMG"
expect_eq "no ext_attr: debugfs reads both attributes" \
	"f user.a=0x61 f user.b=0x$(fill 2000 b | od -An -v -tx1 | tr -d ' \n')" \
	"$(python3 $X image "$IMG" | tr '\n' ' ' | sed 's/ $//')"

# --- read-only: EROFS, and the image unchanged
IMG=$T/ext4-1024.img
cp "$IMG" "$T/before.img"
guest --mount=/dev/vda:/data:ro /usr/bin/python3 /x.py ro /data
for e in "ro set: EROFS" "ro remove: EROFS" "ro get: ok" "ro list: ok"; do
	expect_eq "$e" "C $e" "$(grep "^C ${e%%:*}:" "$T/guest.out")"
done
check "ro: the image is byte for byte unchanged" cmp -s "$IMG" "$T/before.img"
finish
