#!/bin/bash
# mote_cache.sh: `mote cache ls` and `mote cache prune`, and the cache's size limit: images
# leave least recently used first (a run marks its image used), keys to removed images go
# too, a program whose image went is built again, and a build over MOTE_CACHE_MAX prunes the
# others but never the image it just made. The images are built by `mote run` (QEMU TCG
# where there is no KVM: each boot is short).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
MOTE=build/mote
[ -x $MOTE ] || skip "build/mote not built"
command -v qemu-system-x86_64 >/dev/null || kvm_usable ||
	skip "neither /dev/kvm nor qemu-system-x86_64 to run programs with"
export MOTE_CACHE_DIR=$TEST_TMP/cache
run() { $MOTE run --qemu "$@" </dev/null >/dev/null 2>"$TEST_TMP/run.err"; }

out=$($MOTE cache ls)
expect_eq "an empty cache" "0 images, 0.0 MiB in $MOTE_CACHE_DIR (limit: 4.0 GiB)" "$out"
run /bin/true && run /bin/busybox true && run /bin/ls /
out=$($MOTE cache ls)
expect_eq "three programs, three images" 3 "$(grep -c '^[0-9a-f]\{12\} ' <<<"$out")"
for p in /bin/true /bin/busybox /bin/ls; do
	check "... one of them runs $p" grep -q " $p\$" <<<"$out"
done
# last uses an hour apart: true the oldest, then busybox, then ls
img() { grep " $1\$" <<<"$($MOTE cache ls)" | cut -c1-12; }
t=$(img /bin/true) b=$(img /bin/busybox) l=$(img /bin/ls)
touch -d "3 hours ago" "$MOTE_CACHE_DIR"/images/"$t"*.img
touch -d "2 hours ago" "$MOTE_CACHE_DIR"/images/"$b"*.img
touch -d "1 hour ago" "$MOTE_CACHE_DIR"/images/"$l"*.img
out=$($MOTE cache ls | sed -n '2,4p' | cut -c1-12 | tr '\n' ' ')
expect_eq "ls: least recently used first" "$t $b $l " "$out"
run /bin/true # a run marks its image used: now the newest
out=$($MOTE cache ls | sed -n '2,4p' | cut -c1-12 | tr '\n' ' ')
expect_eq "a run of /bin/true makes its image the most recently used" "$b $l $t " "$out"
size_t=$(stat -c %b "$MOTE_CACHE_DIR"/images/"$t"*.img)
out=$($MOTE cache prune --max-size $((size_t * 512 + 4096)))
expect_eq "prune --max-size: the two least recently used go, in that order" \
	"removed $b removed $l" "$(grep '^removed' <<<"$out" | cut -c1-20 | tr '\n' ' ' | sed 's/ $//')"
check "... their keys go with them" test "$(ls "$MOTE_CACHE_DIR/keys" | wc -l)" -eq 1
run --verbose /bin/ls /
expect_match "a program whose image went is built again" "image built" "$(cat "$TEST_TMP/run.err")"
# over MOTE_CACHE_MAX (1 byte) after a build: the others go, the new image stays
touch -d "2 hours ago" "$MOTE_CACHE_DIR"/images/*.img
MOTE_CACHE_MAX=1 run --verbose /bin/busybox true
expect_match "a build over MOTE_CACHE_MAX prunes, and says so with --verbose" \
	"cache: removed 2 least recently used images" "$(cat "$TEST_TMP/run.err")"
out=$($MOTE cache ls)
expect_eq "... the image just built stays" "$(img /bin/busybox)" "$(sed -n 2p <<<"$out" | cut -c1-12)"
expect_match "... alone" "^1 image, " "$(tail -n 1 <<<"$out")"
out=$($MOTE cache prune)
expect_match "prune within the limit removes nothing" "^freed 0.0 MiB$" "$out"
out=$($MOTE cache prune --all)
expect_match "prune --all empties it" "^removed " "$out"
expect_match "... to nothing" "^0 images" "$($MOTE cache ls)"
# errors
out=$($MOTE cache prune --max-size lots 2>&1)
expect_eq "a bad size: status 2" 2 "$?"
expect_match "... and a message" "not a size" "$out"
out=$($MOTE cache frobnicate 2>&1)
expect_eq "an unknown subcommand: status 2" 2 "$?"
finish
