#!/bin/bash
# mote_volume_create.sh: `mote volume create` and `mote volume check` against e2fsprogs, with
# no VM: an image of the size asked, sparse, ext4 with 4 KiB blocks that e2fsck finds clean;
# --from's tree inside it (read back by debugfs), --label; an existing file never
# overwritten (its bytes unchanged); bad sizes and arguments refused (125) with a message;
# check: 0 on a clean image, 1 on a damaged one (a wrong link count), 125 on a missing file.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
MOTE=build/mote
for t in mkfs.ext4 e2fsck debugfs dumpe2fs; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs)"
done
T=$TEST_TMP

out=$($MOTE volume create "$T/v.img" --size 64M 2>&1)
expect_eq "create: status 0" 0 $?
check "create: says what it made" grep -q "v.img: ext4, 64 MiB" <<<"$out"
expect_eq "create: the size asked" $((64 << 20)) "$(stat -c %s "$T/v.img")"
check "create: sparse (under 16 MiB on the host's disk)" \
	test "$(stat -c %b "$T/v.img")" -lt $((16 << 11))
check "create: e2fsck -fn clean" e2fsck -fn "$T/v.img"
expect_eq "create: 4 KiB blocks" 4096 \
	"$(dumpe2fs -h "$T/v.img" 2>/dev/null | awk -F: '/^Block size/ {gsub(/ /, "", $2); print $2}')"
check "create: has_journal and metadata_csum (mkfs.ext4's defaults)" \
	bash -c "dumpe2fs -h '$T/v.img' 2>/dev/null | grep '^Filesystem features' | grep -q 'has_journal.*metadata_csum'"
$MOTE volume check "$T/v.img" >/dev/null 2>&1
expect_eq "check: 0 on a clean image" 0 $?

mkdir -p "$T/tree/sub"
printf 'from the host\n' >"$T/tree/sub/file.txt"
$MOTE volume create "$T/f.img" --size 8M --from "$T/tree" --label mydata >/dev/null
expect_eq "create --from: status 0" 0 $?
expect_eq "create --from: the tree's file inside" "from the host" \
	"$(debugfs -R 'cat /sub/file.txt' "$T/f.img" 2>/dev/null)"
check "create --label: the label set" \
	bash -c "dumpe2fs -h '$T/f.img' 2>/dev/null | grep -q '^Filesystem volume name: *mydata$'"

# an existing file is someone's data: refused, unchanged
head -c 100000 /dev/urandom >"$T/precious"
sum=$(sha256sum <"$T/precious")
err=$($MOTE volume create "$T/precious" --size 8M 2>&1)
expect_eq "create over an existing file: 125" 125 $?
check "create over an existing file: says so" grep -q "File exists" <<<"$err"
expect_eq "create over an existing file: its bytes unchanged" "$sum" "$(sha256sum <"$T/precious")"

for bad in 10x 0 512K -5 1Q 12MiBs ""; do
	$MOTE volume create "$T/bad.img" --size "$bad" 2>"$T/err"
	expect_eq "create --size '$bad': 125" 125 $?
	check "create --size '$bad': a message, no file left" \
		bash -c "grep -q 'bad size' '$T/err' && ! test -e '$T/bad.img'"
done
$MOTE volume create "$T/nosize.img" 2>"$T/err"
expect_eq "create without --size: 125" 125 $?
check "create without --size: says --size is required" grep -q -- "--size is required" "$T/err"
$MOTE volume create "$T/x.img" --size 8M --from "$T/nonexistent" 2>"$T/err"
expect_eq "create --from a missing directory: 125" 125 $?
check "create --from a missing directory: no file left" test ! -e "$T/x.img"
$MOTE volume frobnicate 2>"$T/err"
expect_eq "an unknown subcommand: 125" 125 $?
check "help names both subcommands" bash -c "$MOTE help volume | grep -q 'mote volume check'"

# a wrong link count: e2fsck must see it
cp "$T/f.img" "$T/bad.img"
debugfs -w -R 'sif /sub/file.txt links_count 5' "$T/bad.img" 2>/dev/null
$MOTE volume check "$T/bad.img" >/dev/null 2>&1
expect_eq "check: 1 on a damaged image" 1 $?
$MOTE volume check "$T/missing.img" 2>/dev/null
expect_eq "check: 125 on a missing file" 125 $?
finish
