#!/bin/bash
# ext4_commit.sh: the kernel's jbd2 commit path against e2fsprogs, through the ext4_commit and
# ext4_uncommit self-tests (kernel/test/test_ext4.c: transactions on scratch drives, until
# the VFS write path drives them) under QEMU microvm. Three images made by mkfs.ext4 -d with
# a 256-block file /log: 4 KiB blocks, 1 KiB blocks, and no journal (write-through). After
# ext4_commit's five transactions and unmount: e2fsck -fn clean, /log as written, the
# journal's sequence advanced by five, csum_v3 and 64bit set on it, empty, no
# needs_recovery; debugfs's logdump reads the last transaction in the log (two descriptor
# blocks with 1 KiB blocks). Then ext4_uncommit makes each journalled image look as if the
# VM had stopped between the last commit block and its checkpoint (the homes zeroed): e2fsck's
# replay of a copy and Mote's own replay at mount must both bring /log back.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
for t in mkfs.ext4 e2fsck dumpe2fs debugfs python3; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs, python3)"
done

T=$TEST_TMP
mkdir -p "$T/tree"
head -c $((256 * 4096)) /dev/zero | tr '\0' z >"$T/tree/log"
build/mote build /bin/true -o "$T/true.img" >/dev/null || skip "mote build /bin/true failed"

K4=$T/k4.img K1=$T/k1.img NOJ=$T/noj.img
check "mkfs.ext4 -b 4096" mkfs.ext4 -q -b 4096 -d "$T/tree" "$K4" 32M
check "mkfs.ext4 -b 1024" mkfs.ext4 -q -b 1024 -d "$T/tree" "$K1" 32M
check "mkfs.ext4 -b 4096 -O ^has_journal" mkfs.ext4 -q -b 4096 -O ^has_journal -d "$T/tree" \
	"$NOJ" 32M

sb() { dumpe2fs -h "$2" 2>/dev/null | sed -n "s/^$1: *//p"; }
recovery() { dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery; }
no_recovery() { ! recovery "$1"; }
fsck_clean() { e2fsck -fn "$1" >/dev/null 2>&1; }

# log_is IMG BS [zeroed]: /log holds what ext4_commit wrote (test_ext4.c), or with zeroed
# what ext4_uncommit left (the last transaction's blocks zeros)
log_is() {
	rm -f "$T/log.out"
	debugfs -R "dump /log $T/log.out" "$1" >/dev/null 2>&1
	python3 - "$T/log.out" "$2" "${3:-}" <<'EOF'
import sys
data, bs, zeroed = open(sys.argv[1], "rb").read(), int(sys.argv[2]), sys.argv[3] == "zeroed"
def rec(tag, v):
    return (b"%s %010u \n" % (tag, v)) * (bs // 16)
want = [b"z" * bs] * 256
want[0] = rec(b"cnt", 5)
want[1] = rec(b"rec", 1)
want[2] = b"\xc0\x3b\x39\x98" + bytes(i & 0xff for i in range(4, bs))
for i in range(3, 83): want[i] = rec(b"rec", 3)
for i in range(83, 147): want[i] = rec(b"rec", 4)
for i in range(150, 250): want[i] = rec(b"rec", 5)
if zeroed:
    for i in [0] + list(range(150, 250)): want[i] = bytes(bs)
got = [data[i * bs:(i + 1) * bs] for i in range(256)]
bad = [i for i in range(256) if got[i] != want[i]]
if bad:
    print("blocks differ:", bad[:10], got[bad[0]][:16], "want", want[bad[0]][:16])
sys.exit(1 if bad else 0)
EOF
}

drives() {
	local i=$# img
	printf -- '-machine ioapic2=off -global virtio-mmio.force-legacy=false'
	while [ $i -gt 0 ]; do
		img=${!i}
		printf -- ' -drive file=%s,if=none,format=raw,id=d%d -device virtio-blk-device,drive=d%d' \
			"$img" $i $i
		i=$((i - 1))
	done
}

# --- five transactions on each, unmounted
QEMU_ARGS=$(drives "$K4" "$K1" "$NOJ") kernel_boot microvm 1 256 \
	"--verbose --selftest=ext4_commit $(microvm_virtio 8)" >/dev/null
out=$(tr -d '\r' <"$OUT")
expect_eq "ext4_commit: exit status" 0 "$STATUS"
expect_match "ext4_commit: passed on 3 drives" "^selftest ext4_commit: ok \(3 devices" "$out"
for img in $K4 $K1 $NOJ; do
	name=$(basename "$img" .img)
	bs=$(sb "Block size" "$img")
	check "$name: e2fsck -fn clean" fsck_clean "$img"
	check "$name: /log as the transactions wrote it" log_is "$img" "$bs"
	check "$name: no needs_recovery after unmount" no_recovery "$img"
	[ "$img" = "$NOJ" ] && continue
	expect_eq "$name: the journal's sequence went from 1 to 6" 0x00000006 \
		"$(sb "Journal sequence" "$img")"
	expect_eq "$name: the journal is empty" 0 "$(sb "Journal start" "$img")"
	expect_eq "$name: csum_v3 and 64bit on the journal" "journal_64bit journal_checksum_v3" \
		"$(sb "Journal features" "$img")"
	dump=$(debugfs -R "logdump -O" "$img" 2>/dev/null)
	expect_match "$name: logdump reads transaction 5's commit block" \
		"Found expected sequence 5, type 2 \(commit block\)" "$dump"
	expect_eq "$name: ... after $([ "$bs" = 1024 ] && echo 2 || echo 1) descriptor block(s)" \
		"$([ "$bs" = 1024 ] && echo 2 || echo 1)" \
		"$(grep -c "Found expected sequence 5, type 1 (descriptor block)" <<<"$dump")"
done

# --- the last transaction back in the log, its homes zeroed
QEMU_ARGS=$(drives "$K4" "$K1") kernel_boot microvm 1 256 \
	"--verbose --selftest=ext4_uncommit $(microvm_virtio 8)" >/dev/null
expect_eq "ext4_uncommit: exit status" 0 "$STATUS"
for img in $K4 $K1; do
	name=$(basename "$img" .img)
	bs=$(sb "Block size" "$img")
	check "$name: uncommitted: needs_recovery" recovery "$img"
	expect_eq "$name: ... the log starts at 1 with transaction 5" "1 0x00000005" \
		"$(sb "Journal start" "$img") $(sb "Journal sequence" "$img")"
	check "$name: ... /log's last transaction zeroed at home" log_is "$img" "$bs" zeroed
	cp "$img" "$T/copy.img"
	e2fsck -fy "$T/copy.img" >/dev/null 2>&1
	check "$name: e2fsck's replay of Mote's log brings /log back" log_is "$T/copy.img" "$bs"
	check "$name: ... clean" fsck_clean "$T/copy.img"
done
QEMU_ARGS=$(drives "$K4" "$K1") INITRD=$T/true.img kernel_boot microvm 1 256 \
	"--verbose --mount=/dev/vda:/a --mount=/dev/vdb:/b /bin/true $(microvm_virtio 8)" >/dev/null
out=$(tr -d '\r' <"$OUT")
expect_eq "replay boot: exit status" 0 "$STATUS"
for dev in vda vdb; do
	expect_match "$dev: Mote replayed it: 1 transaction, 101 blocks" \
		"ext4: $dev: journal replayed: 1 transactions, 101 blocks \(0 revoked\)" "$out"
done
for img in $K4 $K1; do
	name=$(basename "$img" .img)
	check "$name: Mote's replay brings /log back" log_is "$img" "$(sb "Block size" "$img")"
	check "$name: ... clean" fsck_clean "$img"
	check "$name: ... no needs_recovery" no_recovery "$img"
done
finish
