#!/bin/bash
# ext4_htree.sh: hashed (htree) directories in the kernel's ext4, against e2fsprogs: a
# directory of N names (short and long, ASCII and UTF-8, 1 byte; tests/e2e/ext4_htree.py)
# written by mkfs.ext4 -d and indexed by e2fsck -fD, in images with each hash version
# (half_md4 with 4 KiB blocks, tea with 1 KiB blocks: a 2-level index, legacy, and tea with
# the superblock's unsigned-hash flag), under QEMU microvm. In Mote every name is looked up
# (through the index) and absent names give ENOENT. Then: the block cache's counts around one
# lookup (the kernel logs them at statfs), indexed and with the index flag cleared (a linear
# scan); a corrupt index node: one console line, and lookups still answer (linear). N is
# EXT4_HTREE_N (6000 by default: mkfs.ext4 -d takes time quadratic in a directory's size).
# An insert into the directory with the corrupt node drops its index (e2fsck -fn clean, every
# name listed). Last, 20,000 names added in Mote to an indexed directory with 1 KiB blocks
# (the root fills and gets a level below it, nodes split): e2fsck -fn clean, debugfs lists
# every name, and Mote finds each through the index.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
for t in mkfs.ext4 e2fsck debugfs tune2fs dumpe2fs python3; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs, python3)"
done

T=$TEST_TMP
N=${EXT4_HTREE_N:-6000}
NAMES=tests/e2e/ext4_htree.py
mkdir -p "$T/tree/big"
python3 $NAMES make "$T/tree/big" "$N"
total=$((N + 26))

PYIMG=$T/py.img
build/mote build --add /usr/lib/python3.11 --add "$NAMES:/names.py" /usr/bin/python3 \
	-o "$PYIMG" >/dev/null || skip "mote build python3 failed"

# mkimage IMAGE HASH [MKFS OPTIONS]: the tree (or -d DIR's), the big directory indexed with
# HASH
mkimage() {
	local img=$1 hash=$2
	shift 2
	rm -f "$img"
	mkfs.ext4 -q -N $((N + 30000)) -d "$T/tree" "$@" "$img" 256M >/dev/null || return 1
	# mkfs.ext4 has no hash option: the default hash, then e2fsck -D indexes with it
	tune2fs -E hash_alg="$hash" "$img" >/dev/null || return 1
	e2fsck -fyD "$img" >/dev/null 2>&1
	e2fsck -fn "$img" >/dev/null 2>&1
}

fsck_clean() { e2fsck -fn "$1" >/dev/null 2>&1; }

guest() {
	QEMU_ARGS="-machine ioapic2=off -global virtio-mmio.force-legacy=false \
		-drive file=$IMG,if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0" \
		INITRD=$PYIMG kernel_boot microvm 1 256 \
		"--verbose $* $(microvm_virtio 8)" >/dev/null
	tr -d '\r' <"$OUT" >"$T/guest.out"
}

# htree_field NAME: a field of debugfs's htree dump of /big's root
htree_field() { debugfs -R 'htree /big' "$IMG" 2>/dev/null | sed -n "s/^\t* *$1: *//p" | head -1; }

# lookup_counts: for each lookup, the blocks it asked the cache for and those read from the
# disk (misses): the differences between the statfs lines around it
lookup_counts() {
	awk '/block cache:/ { h = $(NF - 3); m = $(NF - 1)
		if (seen) printf "%d/%d ", h + m - ph - pm, m - pm; ph = h; pm = m; seen = 1 }' \
		"$T/guest.out"
}

for cfg in "half_md4 4096 signed" "tea 1024 signed" "legacy 4096 signed" "tea 4096 unsigned"; do
	read -r hash bs sign <<<"$cfg"
	IMG=$T/$hash-$bs-$sign.img
	what="$hash, $bs-byte blocks, $sign"
	check "$what: mkfs.ext4 -d, e2fsck -fD" mkimage "$IMG" "$hash" -b "$bs"
	if [ "$sign" = unsigned ]; then
		# s_flags: unsigned (2) instead of signed (1) hashes; e2fsck -D rehashes the names
		debugfs -w -R 'ssv flags 2' "$IMG" >/dev/null 2>&1
		e2fsck -fyD "$IMG" >/dev/null 2>&1
		expect_match "$what: the superblock says so" "unsigned_directory_hash" \
			"$(dumpe2fs -h "$IMG" 2>/dev/null | grep '^Filesystem flags')"
	fi
	expect_match "$what: /big is indexed (INDEX_FL)" "Flags: 0x[0-9a-f]*1[0-9a-f]{3}$" \
		"$(debugfs -R 'stat /big' "$IMG" 2>/dev/null | grep -o 'Flags: 0x[0-9a-f]*')"
	expect_eq "$what: the root's hash version" \
		"$(case $hash in legacy) echo 0 ;; half_md4) echo 1 ;; tea) echo 2 ;; esac)" \
		"$(htree_field 'Hash Version')"
	levels=$(htree_field 'Indirect levels')
	[ "$bs" = 1024 ] && expect_eq "$what: a 2-level index (indirect levels 1)" 1 "$levels"
	guest --mount=/dev/vda:/data:ro /usr/bin/python3 /names.py check /data/big "$N"
	expect_eq "$what: exit status" 0 "$STATUS"
	expect_eq "$what: every name found" "C found $total of $total" \
		"$(grep '^C found' "$T/guest.out")"
	grep '^C missing' "$T/guest.out" | head -3
	expect_eq "$what: absent names: ENOENT" "C absent: No such file or directory" \
		"$(grep '^C absent' "$T/guest.out")"
	if grep -q 'read linearly' "$T/guest.out"; then
		not_ok "$what: the index was not used: $(grep 'read linearly' "$T/guest.out")"
	else
		ok "$what: the index was used (no fallback said)"
	fi
	check "$what: e2fsck -fn clean after" fsck_clean "$IMG"
done

# --- blocks read by one lookup: indexed, then the same directory read linearly (INDEX_FL
# cleared by debugfs: the index blocks then read as unused entries; mounted read-only)
IMG=$T/half_md4-4096-signed.img
last=n$(printf '%06d' $(((N - 1) / 7 * 7 - 3)))
guest --mount=/dev/vda:/data:ro /usr/bin/python3 /names.py count /data/big f0 "$last" absent
read -r i_first i_last i_absent <<<"$(lookup_counts)"
debugfs -w -R 'sif /big flags 0x80000' "$IMG" >/dev/null 2>&1
guest --mount=/dev/vda:/data:ro /usr/bin/python3 /names.py count /data/big f0 "$last" absent
read -r l_first l_last l_absent <<<"$(lookup_counts)"
echo "blocks one lookup asks the cache for / reads from the disk, in a $total-entry directory"
echo "(4 KiB blocks; the file's inode block included when found):"
echo "  name        indexed     linear"
printf '  %-10s %8s %10s\n' f0 "$i_first" "$l_first" "$last" "$i_last" "$l_last" absent \
	"$i_absent" "$l_absent"
expect_match "an indexed lookup of an absent name asks for 2 blocks (root, leaf)" '^2/' \
	"$i_absent"
expect_match "a linear one asks for every block of the directory" "^$(($(debugfs -R \
	'stat /big' "$IMG" 2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -1) / 4096))/" \
	"$l_absent"

# --- a corrupt index node (1 KiB blocks: the root points at nodes): one console line, then
# the directory is read linearly and every name is still found
IMG=$T/tea-1024-signed.img
node=$(debugfs -R 'htree /big' "$IMG" 2>/dev/null | sed -n 's/^Entry #0: Hash 0x0*, block \([0-9]*\)$/\1/p' | head -1)
pblk=$(debugfs -R "bmap /big ${node:-1}" "$IMG" 2>/dev/null)
# the node's entry 1's hash (8 bytes of fake entry, 4 of limit/count, 4 of entry 0's block)
printf '\xff' | dd of="$IMG" bs=1 seek=$((pblk * 1024 + 8 + 8 + 1)) conv=notrunc status=none
guest --mount=/dev/vda:/data:ro /usr/bin/python3 /names.py check /data/big "$N"
expect_eq "corrupt node: every name found" "C found $total of $total" \
	"$(grep '^C found' "$T/guest.out")"
expect_eq "corrupt node: absent names: ENOENT" "C absent: No such file or directory" \
	"$(grep '^C absent' "$T/guest.out")"
expect_match "corrupt node: said" "ext4: vda: directory [0-9]+: index block fails its checksum \(block ${node:-1}\): read linearly" \
	"$(cat "$T/guest.out")"
expect_eq "corrupt node: said once" 1 "$(grep -c 'read linearly' "$T/guest.out")"

# --- an insert into that directory (its index corrupt) drops the index: its blocks become
# empty leaves, EXT4_INDEX_FL is cleared, the name goes in linearly; e2fsck accepts it
guest --mount=/dev/vda:/data /usr/bin/python3 /names.py add /data/big "$N" 100
expect_eq "corrupt node, inserts: 100 names created" "C added 100" \
	"$(grep '^C added' "$T/guest.out")"
expect_match "corrupt node, inserts: said" "ext4: vda: directory [0-9]+: corrupt index: made linear" \
	"$(cat "$T/guest.out")"
check "corrupt node, inserts: e2fsck -fn clean" fsck_clean "$IMG"
expect_match "corrupt node, inserts: /big is linear now" "Flags: 0x[0-9a-f]*[02-9a-f][0-9a-f]{3}$" \
	"$(debugfs -R 'stat /big' "$IMG" 2>/dev/null | grep -o 'Flags: 0x[0-9a-f]*')"
debugfs -R 'ls -p /big' "$IMG" 2>/dev/null |
	awk -F/ 'NF > 5 && $6 != "" && $6 != "." && $6 != ".." { print $6 }' | sort >"$T/on-disk.txt"
python3 $NAMES list "$N" 100 | sort >"$T/want.txt"
check "corrupt node, inserts: debugfs lists every name" cmp -s "$T/want.txt" "$T/on-disk.txt"

# --- inserts: ADD names created in Mote in an indexed directory of N0 (1 KiB blocks: its
# root's index fills, a level is added below it, then nodes split)
N0=1000
ADD=${EXT4_HTREE_ADD:-20000}
mkdir -p "$T/small/big"
python3 $NAMES make "$T/small/big" $N0
IMG=$T/add.img
check "inserts: mkfs.ext4 -d, e2fsck -fD ($N0 names, 1 KiB blocks)" mkimage "$IMG" half_md4 \
	-b 1024 -d "$T/small"
expect_eq "inserts: the index starts with no level below the root" 0 "$(htree_field 'Indirect levels')"
# in two runs (a run has 120 s under TCG), the second on what the first left
half=$((ADD / 2))
for from in $N0 $((N0 + half)); do
	n=$((from == N0 ? half : ADD - half))
	guest --mount=/dev/vda:/data /usr/bin/python3 /names.py add /data/big $from $n
	expect_eq "inserts: exit status" 0 "$STATUS"
	expect_eq "inserts: $n names created" "C added $n" "$(grep '^C added' "$T/guest.out")"
	grep '^C cannot\|linear' "$T/guest.out"
done
check "inserts: e2fsck -fn clean" fsck_clean "$IMG"
debugfs -R 'ls -p /big' "$IMG" 2>/dev/null | awk -F/ 'NF > 5 && $6 != "" && $6 != "." && $6 != ".." { print $6 }' |
	sort >"$T/on-disk.txt"
python3 $NAMES list $N0 "$ADD" | sort >"$T/want.txt"
if cmp -s "$T/want.txt" "$T/on-disk.txt"; then
	ok "inserts: debugfs lists every name ($(wc -l <"$T/want.txt"))"
else
	not_ok "inserts: debugfs's names differ from the ones made:"
	diff "$T/want.txt" "$T/on-disk.txt" | head -5
fi
expect_match "inserts: /big is still indexed" "Flags: 0x[0-9a-f]*1[0-9a-f]{3}$" \
	"$(debugfs -R 'stat /big' "$IMG" 2>/dev/null | grep -o 'Flags: 0x[0-9a-f]*')"
expect_eq "inserts: a level was added below the root" 1 "$(htree_field 'Indirect levels')"
guest --mount=/dev/vda:/data:ro /usr/bin/python3 /names.py check /data/big $N0 "$ADD"
all=$((N0 + 26 + ADD))
expect_eq "inserts: every name found in Mote after" "C found $all of $all" \
	"$(grep '^C found' "$T/guest.out")"
if grep -q 'read linearly\|made linear' "$T/guest.out"; then
	not_ok "inserts: the index was not used: $(grep 'linear' "$T/guest.out")"
else
	ok "inserts: lookups through the index after"
fi
finish
