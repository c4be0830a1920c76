#!/bin/bash
# mote_volume.sh: `mote run -v HOSTFILE:GUESTDIR:ro`: ext4 images made on the host by
# `mkfs.ext4 -d` are attached as virtio-blk drives (motevm's where KVM is, QEMU's under --qemu)
# and mounted by the kernel (--mount, read-only ext4): two volumes read back at their
# directories in the order given, a write refused with EROFS; bad -v values (read-write, a
# missing file, a relative GUESTDIR) refused by mote (125) with a message naming them.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
MOTE=build/mote
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 missing (e2fsprogs)"
export MOTE_CACHE_DIR=$TEST_TMP/cache

mkdir -p "$TEST_TMP/a/sub" "$TEST_TMP/b"
echo "hello from a volume" >"$TEST_TMP/a/sub/hello.txt"
head -c 300000 /dev/urandom >"$TEST_TMP/a/blob"
echo "the second volume" >"$TEST_TMP/b/two.txt"
mkfs.ext4 -q -b 4096 -d "$TEST_TMP/a" "$TEST_TMP/a.img" 16M || skip "mkfs.ext4 -d failed"
mkfs.ext4 -q -b 4096 -d "$TEST_TMP/b" "$TEST_TMP/b.img" 16M || skip "mkfs.ext4 -d failed"

# volumes HOW...: the two volumes read, and a write refused, under mote run HOW
volumes() {
	local how=("$@") out
	out=$(timeout 120 $MOTE run "${how[@]}" -v "$TEST_TMP/a.img:/data:ro" \
		-v "$TEST_TMP/b.img:/more:ro" /bin/cat /data/sub/hello.txt /more/two.txt 2>&1)
	expect_eq "${how[*]}: both volumes read, in the order given" \
		"hello from a volume the second volume" "${out//$'\n'/ }"
	timeout 120 $MOTE run "${how[@]}" -v "$TEST_TMP/a.img:/data:ro" /bin/cat /data/blob \
		>"$TEST_TMP/blob.out" 2>"$TEST_TMP/blob.err"
	check "${how[*]}: 300000 bytes read back byte for byte" cmp -s "$TEST_TMP/blob.out" \
		"$TEST_TMP/a/blob"
	out=$(timeout 120 $MOTE run "${how[@]}" -v "$TEST_TMP/a.img:/data:ro" /bin/touch /data/new 2>&1)
	expect_match "${how[*]}: a write refused" "Read-only file system" "$out"
}

if command -v qemu-system-x86_64 >/dev/null; then volumes --qemu; else echo "# no QEMU"; fi
if [ -w /dev/kvm ]; then volumes --no-fallback; else echo "# motevm: not tried (no /dev/kvm)"; fi
check "the image was not changed (e2fsck -fn)" e2fsck -fn "$TEST_TMP/a.img"

for bad in "$TEST_TMP/a.img:/data" "$TEST_TMP/missing.img:/data:ro" "$TEST_TMP/a.img:data:ro"; do
	out=$($MOTE run -v "$bad" /bin/true 2>&1)
	expect_eq "-v $bad: refused (125)" 125 "$?"
	expect_match "... naming it" "-v $bad" "$out"
done
finish
