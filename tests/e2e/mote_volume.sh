#!/bin/bash
# mote_volume.sh: `mote run -v HOSTFILE:GUESTDIR[:ro]`: ext4 images made on the host by
# `mkfs.ext4 -d` are attached as virtio-blk drives (motevm's where KVM is, QEMU's under --qemu)
# and mounted by the kernel (--mount): two volumes read back at their directories in the
# order given, a write to a :ro volume refused with EROFS (the image unchanged); a volume
# without :ro written, the file and directory there on the host after the run (debugfs) and
# e2fsck clean; bad -v values (an unknown mode, a missing file, a relative GUESTDIR) refused
# by mote (125) with a message naming them.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
MOTE=build/mote
for t in mkfs.ext4 e2fsck debugfs; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs)"
done
export MOTE_CACHE_DIR=$TEST_TMP/cache

mkdir -p "$TEST_TMP/a/sub" "$TEST_TMP/b"
echo "hello from a volume" >"$TEST_TMP/a/sub/hello.txt"
head -c 300000 /dev/urandom >"$TEST_TMP/a/blob"
echo "the second volume" >"$TEST_TMP/b/two.txt"
mkfs.ext4 -q -b 4096 -d "$TEST_TMP/a" "$TEST_TMP/a.img" 16M || skip "mkfs.ext4 -d failed"
mkfs.ext4 -q -b 4096 -d "$TEST_TMP/b" "$TEST_TMP/b.img" 16M || skip "mkfs.ext4 -d failed"
cp "$TEST_TMP/a.img" "$TEST_TMP/a.orig"

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
	cp "$TEST_TMP/b.img" "$TEST_TMP/rw.img"
	timeout 120 $MOTE run "${how[@]}" -v "$TEST_TMP/rw.img:/data" /bin/mkdir /data/made
	expect_eq "${how[*]}: mkdir on a read-write volume" 0 "$?"
	timeout 120 $MOTE run "${how[@]}" -v "$TEST_TMP/rw.img:/data" /bin/cp /data/two.txt \
		/data/made/new.txt
	expect_eq "${how[*]}: cp on it, in a second run" 0 "$?"
	expect_eq "${how[*]}: ... the new file on the host" "the second volume" \
		"$(debugfs -R 'cat /made/new.txt' "$TEST_TMP/rw.img" 2>/dev/null)"
	check "${how[*]}: ... e2fsck -fn clean" e2fsck -fn "$TEST_TMP/rw.img"
}

if command -v qemu-system-x86_64 >/dev/null; then volumes --qemu; else echo "# no QEMU"; fi
if [ -w /dev/kvm ]; then volumes --no-fallback; else echo "# motevm: not tried (no /dev/kvm)"; fi
check "the :ro image was not changed" cmp -s "$TEST_TMP/a.img" "$TEST_TMP/a.orig"

for bad in "$TEST_TMP/a.img:/data:rx" "$TEST_TMP/missing.img:/data:ro" "$TEST_TMP/a.img:data:ro"; do
	out=$($MOTE run -v "$bad" /bin/true 2>&1)
	expect_eq "-v $bad: refused (125)" 125 "$?"
	expect_match "... naming it" "-v $bad" "$out"
done
finish
