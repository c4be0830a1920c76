#!/bin/bash
# mote_ext4_image.sh: `mote build --format ext4` writes a program's image as an ext4 root file
# system (mkfs.ext4): e2fsck finds it clean, it holds the manifest and the kernel's mount
# points; `mote run --image` boots it as the root drive (root=/dev/vda rw, no initrd; under
# motevm, or QEMU where KVM is not usable) and the program's output and status come back,
# what it writes to / stays in the image;
# a -v volume beside it is vdb and is mounted where asked; a bad --format is refused, and a
# file that is ext4 but no Mote image is refused with a message.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
MOTE=build/mote
for t in mkfs.ext4 e2fsck debugfs; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs)"
done
command -v qemu-system-x86_64 >/dev/null || kvm_usable || skip "neither KVM nor QEMU"
T=$TEST_TMP
export MOTE_CACHE_DIR=$T/cache

out=$($MOTE build --format ext4 /bin/sh -c 'read -r line </data/v.txt; echo "$line"; echo "$line" >/written; exit 7' \
	-o "$T/app.ext4" 2>&1)
expect_eq "build --format ext4: status 0" 0 $?
check "build --format ext4: says ext4" grep -q "app.ext4: ext4, " <<<"$out"
check "the image: e2fsck -fn clean" e2fsck -fn "$T/app.ext4"
check "the image: the manifest at /.mote/image.json" \
	bash -c "debugfs -R 'cat /.mote/image.json' '$T/app.ext4' 2>/dev/null | grep -q '\"program\": \"/bin/sh\"'"
for d in dev proc sys tmp; do
	check "the image: /$d for the kernel's mounts" \
		bash -c "debugfs -R 'stat /$d' '$T/app.ext4' 2>/dev/null | grep -q 'Type: directory'"
done

mkdir -p "$T/vol"
echo "from the volume" >"$T/vol/v.txt"
mkfs.ext4 -q -b 4096 -d "$T/vol" "$T/vol.img" 8M
out=$(timeout 120 $MOTE run --image "$T/app.ext4" -v "$T/vol.img:/data:ro" 2>"$T/err")
expect_eq "run --image app.ext4: the program's status" 7 $?
expect_eq "run --image app.ext4: the volume (vdb) read beside the root drive (vda)" \
	"from the volume" "$out"
check "run --image app.ext4: the image still clean" e2fsck -fn "$T/app.ext4"
expect_eq "run --image app.ext4: the root is read-write, and what the program wrote stays" \
	"from the volume" "$(debugfs -R 'cat /written' "$T/app.ext4" 2>/dev/null)"

$MOTE build --format squashfs /bin/true -o "$T/x.img" 2>"$T/err"
expect_eq "build --format squashfs: refused" 2 $?
check "build --format squashfs: says so" grep -q "is not cpio or ext4" "$T/err"
mkfs.ext4 -q "$T/plain.ext4" 8M
$MOTE run --image "$T/plain.ext4" 2>"$T/err"
expect_eq "run --image of a plain ext4: 125" 125 $?
check "run --image of a plain ext4: not a Mote image" grep -q "not a Mote image" "$T/err"
finish
