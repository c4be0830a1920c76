#!/bin/bash
# ext4_journal.sh: the kernel's jbd2 replay against a second party, e2fsprogs: images made
# with mkfs.ext4 -d get real transactions in their journals from debugfs's journal commands
# (journal_open, journal_write -b BLOCKS FILE / -r REVOKES, journal_close), so that they need
# recovery; Mote mounts them from writable virtio-blk drives (QEMU microvm, --mount) and
# Python in Mote hashes every file. Each file must read as the transactions say, and as
# e2fsck's own replay of a copy of the image says; afterwards e2fsck -fn is clean and
# needs_recovery is gone. Cases: one transaction; several; revoked blocks (and a block
# logged again after its revoke); a block that starts with the jbd2 magic (escaped); a torn
# last transaction (its commit block corrupted: not replayed); 1 KiB blocks with a
# 200-block transaction (four descriptor blocks); the tag forms without csum_v3 (no
# checksums with 32-bit tags, csum_v2); a log that wraps round the end of the journal (moved
# there: debugfs never wraps); an image needing recovery on a read-only drive, refused with
# a line that says so while the program still runs.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
for t in mkfs.ext4 e2fsck dumpe2fs debugfs python3 sha256sum; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs, python3, coreutils)"
done
debugfs -R help /dev/null 2>&1 | grep -q journal_write || skip "this debugfs has no journal_write"

T=$TEST_TMP
TREE=$T/tree

# fill CHAR N: N bytes of CHAR
fill() { head -c "$2" /dev/zero | tr '\0' "$1"; }

mkdir -p "$TREE"
for f in a b c d; do
	fill $f 16384 >"$TREE/$f"
done
head -c 204800 /dev/urandom >"$TREE/big"

cat >"$T/sums.py" <<'EOF'
import hashlib, os, sys
for d in sys.argv[1:]:
    try:
        names = sorted(os.listdir(d))
    except OSError as e:
        print("E", d, e.strerror)
        continue
    for n in names:
        p = os.path.join(d, n)
        if os.path.isfile(p):
            with open(p, "rb") as f:
                print("F", p, hashlib.sha256(f.read()).hexdigest())
EOF
PYIMG=$T/py.img
build/mote build --add /usr/lib/python3.11 --add "$T/sums.py:/sums.py" /usr/bin/python3 \
	-o "$PYIMG" >/dev/null || skip "mote build python3 failed"

# mkimage IMG BS [MKFS OPTIONS]: the tree in a 32 MiB image of BS-byte blocks; its expected
# contents start as the tree's (IMG.want/)
mkimage() {
	local img=$1 bs=$2
	shift 2
	rm -rf "$img" "$img.want"
	mkfs.ext4 -q -b "$bs" "$@" -d "$TREE" "$img" 32M >/dev/null || return 1
	cp -r "$TREE" "$img.want"
	echo "$bs" >"$img.bs"
}

# blocks IMG FILE: FILE's disk blocks, comma-separated ("FILE0": its first only)
blocks() {
	if [[ $2 == *0 ]]; then
		debugfs -R "bmap /${2%0} 0" "$1" 2>/dev/null
	else
		debugfs -R "blocks /$2" "$1" 2>/dev/null | tr -s ' \n' ',' | sed 's/,$//'
	fi
}

# content BS CHAR N: N blocks of CHAR; CHAR @ is a block starting with the jbd2 magic
content() {
	if [ "$2" = @ ]; then
		printf '\xc0\x3b\x39\x98'
		fill E $(($1 - 4))
	else
		fill "$2" $(($1 * $3))
	fi
}

# journal IMG "OPEN OPTIONS" TX...: one transaction a TX through debugfs; a TX is
# "FILE0=CHAR ..." (FILE's first block as a block of CHAR), "FILE=CHAR" (all of its blocks),
# or "-r FILE0 ..." (revoke those blocks). IMG.want/ follows each as written; replay() and
# torn() say what the kernel should do with them.
journal() {
	local img=$1 open=$2 bs n=0 tx fc f c list b k
	bs=$(cat "$img.bs")
	shift 2
	echo "jo $open" >"$T/cmds"
	for tx in "$@"; do
		n=$((n + 1))
		list=
		if [[ $tx == "-r "* ]]; then
			for f in ${tx#-r }; do list="$list,$(blocks "$img" "$f")"; done
			echo "jw -r ${list#,}" >>"$T/cmds"
			continue
		fi
		: >"$T/tx$n"
		for fc in $tx; do
			f=${fc%=*}
			c=${fc#*=}
			b=$(blocks "$img" "$f")
			k=$(($(tr -cd , <<<"$b" | wc -c) + 1))
			list="$list,$b"
			content "$bs" "$c" "$k" >>"$T/tx$n"
		done
		echo "jw -b ${list#,} $T/tx$n" >>"$T/cmds"
	done
	echo jc >>"$T/cmds"
	debugfs -w -f "$T/cmds" "$img" >"$T/debugfs.out" 2>&1
	[ "$(sb "Journal start" "$img")" != 0 ]
}

# want IMG FILE CHAR: IMG.want/FILE's first block becomes a block of CHAR ("FILE" without
# the 0: the whole file)
want() {
	local bs
	bs=$(cat "$1.bs")
	if [[ $2 == *0 ]]; then
		content "$bs" "$3" 1 | dd of="$1.want/${2%0}" conv=notrunc status=none
	else
		local size
		size=$(stat -c %s "$1.want/$2")
		fill "$3" "$size" >"$1.want/$2"
	fi
}

# torn IMG SEQ: corrupt the commit block of transaction SEQ in IMG's journal: its commit
# time (which its checksum covers) with checksums, else its magic
torn() {
	local img=$1 jb pb bs off=0
	bs=$(cat "$img.bs")
	jb=$(debugfs -R logdump "$img" 2>/dev/null |
		sed -n "s/^Found expected sequence $2, type 2 (commit block) at block \([0-9]*\).*/\1/p")
	[ -n "$jb" ] || return 1
	pb=$(debugfs -R "bmap <8> $jb" "$img" 2>/dev/null)
	[[ $(sb "Journal features" "$img") == *checksum* ]] && off=$((0x30))
	printf '\xde\xad\xbe\xef' | dd of="$img" bs=1 seek=$((pb * bs + off)) conv=notrunc status=none
}

sb() { dumpe2fs -h "$2" 2>/dev/null | sed -n "s/^$1: *//p"; }

# wrap IMG BY: move IMG's log BY blocks further round the journal's ring (its blocks carry no
# position), so that it wraps from the journal's last block to its first; the journal
# superblock's s_start follows (and its crc32c)
wrap() {
	debugfs -R "blocks <8>" "$1" 2>/dev/null >"$T/jblocks"
	python3 - "$1" "$(cat "$1.bs")" "$2" "$T/jblocks" <<'EOF'
import struct, sys
img, bs, by = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
phys = [int(b) for b in open(sys.argv[4]).read().split()]
f = open(img, "r+b")
def rd(i):
    f.seek(phys[i] * bs)
    return f.read(bs)
def wr(i, data):
    f.seek(phys[i] * bs)
    f.write(data)
sb = bytearray(rd(0))
maxlen, first, seq, start = struct.unpack_from(">IIII", sb, 0x10)
ring = maxlen - first
log = [rd(first + k) for k in range(ring)]
for k in range(ring):
    wr(first + (k + by) % ring, log[k])
table = []
for b in range(256):
    c = b
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    table.append(c)
struct.pack_into(">I", sb, 0x1C, first + (start - first + by) % ring)
sb[0xFC:0x100] = bytes(4)
crc = 0xFFFFFFFF
for x in sb[:1024]:
    crc = (crc >> 8) ^ table[(crc ^ x) & 0xFF]
if struct.unpack_from(">I", sb, 0x28)[0] & 0x18:  # incompat csum_v2/v3
    struct.pack_into(">I", sb, 0xFC, crc)
wr(0, bytes(sb))
EOF
}

# expected IMG DIR: the sums lines IMG.want/ should give in Mote at DIR
expected() {
	local p
	for p in "$1.want"/*; do
		echo "F $2/${p##*/} $(sha256sum <"$p" | cut -d' ' -f1)"
	done
}

# e2fsck_view IMG DIR: the same lines from a copy of IMG that e2fsck replayed
e2fsck_view() {
	local p
	cp "$1" "$T/copy.img"
	e2fsck -fy "$T/copy.img" >/dev/null 2>&1
	for p in "${1%.orig}.want"/*; do
		rm -f "$T/dumped"
		debugfs -R "dump /${p##*/} $T/dumped" "$T/copy.img" >/dev/null 2>&1
		echo "F $2/${p##*/} $(sha256sum <"$T/dumped" | cut -d' ' -f1)"
	done
}

no_recovery() { ! dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery; }

# drives IMG...: QEMU options, the first IMG as vda (QEMU fills microvm's transports from the
# last drive given, the kernel probes from the first); IMG:ro is a read-only drive
drives() {
	local i=$# img
	printf -- '-machine ioapic2=off -global virtio-mmio.force-legacy=false'
	while [ $i -gt 0 ]; do
		img=${!i}
		printf -- ' -drive file=%s,if=none,format=raw,id=d%d%s -device virtio-blk-device,drive=d%d' \
			"${img%:ro}" $i "$([[ $img == *:ro ]] && echo ,readonly=on)" $i
		i=$((i - 1))
	done
}

# boot IMG...: each IMG mounted at /dN (vda at /d1...), then sums.py over them all
boot() {
	local i=0 img mounts='' dirs='' letters=abcdefgh
	for img in "$@"; do
		i=$((i + 1))
		mounts="$mounts --mount=/dev/vd${letters:i-1:1}:/d$i"
		dirs="$dirs /d$i"
	done
	# shellcheck disable=SC2046
	QEMU_ARGS=$(drives "$@") INITRD=$PYIMG kernel_boot microvm 1 256 \
		"--verbose$mounts /usr/bin/python3 /sums.py$dirs $(microvm_virtio 8)" >/dev/null
	tr -d '\r' <"$OUT" >"$T/guest.out"
	expect_eq "boot: exit status" 0 "$STATUS"
}

# check_case NAME IMG N DEV LINE: after boot, IMG (mounted at /dN from DEV) reads as
# IMG.want/ in Mote and after e2fsck's replay; the console said LINE; e2fsck -fn is clean and
# needs_recovery gone on the host
check_case() {
	local name=$1 img=$2 n=$3 dev=$4 line=$5
	expect_eq "$name: Mote reads what the transactions wrote" "$(expected "$img" "/d$n")" \
		"$(grep "^F /d$n/" "$T/guest.out")"
	expect_eq "$name: ... as e2fsck's replay does" "$(expected "$img" "/d$n")" \
		"$(e2fsck_view "$img.orig" "/d$n")"
	expect_match "$name: $line" "^ext4: $dev: journal replayed: $line$" "$(cat "$T/guest.out")"
	check "$name: e2fsck -fn clean afterwards" e2fsck -fn "$img" >/dev/null 2>&1
	check "$name: no needs_recovery afterwards" no_recovery "$img"
	expect_eq "$name: the journal is empty (start 0)" 0 "$(sb "Journal start" "$img")"
}

# --- 4 KiB blocks, csum_v3 (what debugfs -c and Linux write for metadata_csum)
ONE=$T/one.img SEVERAL=$T/several.img REVOKE=$T/revoke.img ESC=$T/escape.img TORN=$T/torn.img
RO=$T/ro.img
for img in $ONE $SEVERAL $REVOKE $ESC $TORN $RO; do
	check "mkfs.ext4 -b 4096 -d $(basename "$img")" mkimage "$img" 4096
done
check "one: a transaction" journal "$ONE" -c "a0=X"
want "$ONE" a0 X
check "several: three transactions" journal "$SEVERAL" -c "a0=P b0=Q" "a0=R" "c0=S"
want "$SEVERAL" a0 R
want "$SEVERAL" b0 Q
want "$SEVERAL" c0 S
check "revoke: write a, b, c; revoke a and c; write c again" \
	journal "$REVOKE" -c "a0=P b0=Q c0=U" "-r a0 c0" "c0=V"
want "$REVOKE" b0 Q
want "$REVOKE" c0 V
check "escape: a block that starts with the jbd2 magic" journal "$ESC" -c "a0=@"
expect_match "escape: debugfs logged it escaped (flags 0x9)" "flags 0x9" \
	"$(debugfs -R 'logdump -a' "$ESC" 2>/dev/null)"
want "$ESC" a0 @
check "torn: two transactions" journal "$TORN" -c "a0=P" "b0=Q"
check "torn: the second one's commit block corrupted" torn "$TORN" 2
want "$TORN" a0 P
check "ro: a transaction" journal "$RO" -c "a0=X"
for img in $ONE $SEVERAL $REVOKE $ESC $TORN $RO; do
	cp "$img" "$img.orig"
done

boot "$ONE" "$SEVERAL" "$REVOKE" "$ESC" "$TORN" "$RO:ro"
check_case one "$ONE" 1 vda "1 transactions, 1 blocks \(0 revoked\)"
check_case several "$SEVERAL" 2 vdb "3 transactions, 4 blocks \(0 revoked\)"
check_case revoke "$REVOKE" 3 vdc "3 transactions, 2 blocks \(2 revoked\)"
check_case escape "$ESC" 4 vdd "1 transactions, 1 blocks \(0 revoked\)"
check_case torn "$TORN" 5 vde "1 transactions, 1 blocks \(0 revoked\)"
out=$(cat "$T/guest.out")
expect_match "read-only drive: said" \
	"ext4: vdf: the journal needs recovery, but the device is read-only" "$out"
expect_match "... refused" "mote: cannot mount /dev/vdf on /d6: read-only device \(-30\)" "$out"
expect_eq "... and the program ran, /d6 empty" "" "$(grep '^[EF] /d6' "$T/guest.out")"
if no_recovery "$RO"; then not_ok "... needs_recovery still set"; else ok "... needs_recovery still set"; fi
check "... the image is unchanged" cmp -s "$RO" "$RO.orig"

# --- 1 KiB blocks (csum_v3), then the tag forms without csum_v3
K1=$T/k1.img PLAIN=$T/plain.img V2=$T/v2.img PTORN=$T/ptorn.img WRAP=$T/wrap.img
check "mkfs.ext4 -b 1024 -d" mkimage "$K1" 1024
check "mkfs.ext4 -b 4096 -O ^64bit -d (32-bit tags)" mkimage "$PLAIN" 4096 -O ^64bit
check "mkfs.ext4 -b 4096 -d (csum_v2)" mkimage "$V2" 4096
check "mkfs.ext4 -b 4096 -d (no checksums, torn)" mkimage "$PTORN" 4096
check "mkfs.ext4 -b 1024 -J size=1 -d (a 1024-block journal)" mkimage "$WRAP" 1024 -J size=1
check "1k: a b d; revoke a; 200 blocks (4 descriptors)" \
	journal "$K1" -c "a0=P b0=Q d0=W" "-r a0" "big=M"
want "$K1" b0 Q
want "$K1" d0 W
want "$K1" big M
check "plain: no checksums, 32-bit tags" journal "$PLAIN" "" "a0=P b0=Q" "-r b0" "c0=@"
expect_eq "plain: the journal has neither 64bit nor checksums" "journal_incompat_revoke" \
	"$(sb "Journal features" "$PLAIN")"
want "$PLAIN" a0 P
want "$PLAIN" c0 @
check "v2: csum_v2 tags" journal "$V2" "-c -v 2" "a0=P b0=Q" "c0=R"
expect_match "v2: the journal has csum_v2" "journal_checksum_v2" "$(sb "Journal features" "$V2")"
want "$V2" a0 P
want "$V2" b0 Q
want "$V2" c0 R
check "ptorn: two transactions without checksums" journal "$PTORN" "" "a0=P" "b0=Q" "c0=R"
check "ptorn: the third one's commit block's magic corrupted" torn "$PTORN" 3
want "$PTORN" a0 P
want "$PTORN" b0 Q
check "wrap: 200 blocks, then a b" journal "$WRAP" -c "big=N" "a0=P b0=Q"
check "wrap: the log moved to wrap round the ring's end" wrap "$WRAP" 900
expect_match "wrap: logdump: it starts at 901, its first commit block is at 82" \
	"starts at block 901.*sequence 1, type 2 \(commit block\) at block 82\b" \
	"$(debugfs -R logdump "$WRAP" 2>/dev/null | tr '\n' ' ')"
want "$WRAP" big N
want "$WRAP" a0 P
want "$WRAP" b0 Q
for img in $K1 $PLAIN $V2 $PTORN $WRAP; do
	cp "$img" "$img.orig"
done

boot "$K1" "$PLAIN" "$V2" "$PTORN" "$WRAP"
check_case 1k "$K1" 1 vda "3 transactions, 202 blocks \(1 revoked\)"
check_case plain "$PLAIN" 2 vdb "3 transactions, 2 blocks \(1 revoked\)"
check_case v2 "$V2" 3 vdc "2 transactions, 3 blocks \(0 revoked\)"
check_case ptorn "$PTORN" 4 vdd "2 transactions, 2 blocks \(0 revoked\)"
check_case wrap "$WRAP" 5 vde "2 transactions, 202 blocks \(0 revoked\)"
finish
