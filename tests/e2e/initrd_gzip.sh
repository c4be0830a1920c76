#!/bin/bash
# initrd_gzip.sh: a gzip-compressed initrd boots like the uncompressed one: a `mote build`
# image compressed by the real gzip (-1, -9, several members, zero padding after it, a second
# cpio archive in a member of its own) runs its program with the same output and exit status,
# and the files stay writable. A corrupt, truncated or too large one ends the boot with a
# message naming the problem and status 3. Under motevm, and QEMU TCG (microvm) when installed;
# without a usable /dev/kvm every check runs on QEMU TCG microvm instead (skips if neither).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
T=$TEST_TMP
[ -x build/mote ] || skip "build/mote not built"
command -v gzip >/dev/null || skip "gzip not installed"
command -v cpio >/dev/null || skip "cpio not installed"
# the platform of the checks: motevm, else QEMU TCG microvm
[ -f "$KERNEL" ] || skip "$KERNEL not built"
have_qemu=$(command -v qemu-system-x86_64)
if kvm_usable && [ -x "$MOTEVM" ]; then
	P=motevm
elif [ -n "$have_qemu" ]; then
	P=microvm
	echo "(motevm boots skipped: ${KVM_WHY:-$MOTEVM not built}; the same checks run on QEMU TCG microvm)"
else
	skip "neither motevm (${KVM_WHY:-$MOTEVM not built}) nor qemu-system-x86_64 can boot"
fi

# The program reads a file of the image, rewrites it, reads it again, and exits with 7.
cat >"$T/show.c" <<'C'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	char line[256] = "", again[64] = "";
	FILE *f = fopen(argv[1], "r");
	if (!f || !fgets(line, sizeof(line), f))
		return 2;
	fclose(f);
	f = fopen(argv[1], "w");
	fputs("rewritten\n", f);
	fclose(f);
	f = fopen(argv[1], "r");
	if (!f || !fgets(again, sizeof(again), f))
		return 3;
	printf("read [%s] then [%s]\n", strtok(line, "\n"), strtok(again, "\n"));
	return 7;
}
C
gcc -O2 -static -o "$T/show" "$T/show.c" || skip "cannot build a static test program"
echo "hello from the initrd" >"$T/data.txt"
build/mote build --add "$T/data.txt:/data.txt" "$T/show" /data.txt -o "$T/show.img" >/dev/null ||
	{ not_ok "mote build"; finish; exit 1; }
ARGS="--verbose $T/show /data.txt"

# boot NAME PLATFORM MEM_MIB [ARGS]: boot $T/NAME as the initrd; $STATUS, $OUT as kernel_boot
boot() {
	INITRD=$T/$1 kernel_boot "$2" 1 "$3" "${4:-$ARGS}" >/dev/null
}

# the reference: the uncompressed image
boot show.img $P 64
expect_eq "uncompressed: exit status" 7 "$STATUS"
want=$(grep '^read ' "$OUT")
expect_eq "uncompressed: output" "read [hello from the initrd] then [rewritten]" "$want"
check "uncompressed: no decompression" test -z "$(grep 'gzip initrd' "$OUT")"

gzip -1 -c "$T/show.img" >"$T/g1.gz"
gzip -9 -c "$T/show.img" >"$T/g9.gz"
# several members: the archive cut in the middle of a file, each part compressed on its own
size=$(stat -c %s "$T/show.img")
{ head -c $((size / 3)) "$T/show.img" | gzip -6; tail -c +$((size / 3 + 1)) "$T/show.img" | gzip -6; } >"$T/members.gz"
{ cat "$T/g9.gz"; head -c 512 /dev/zero; } >"$T/padded.gz"
# a second cpio archive in a member of its own, as Linux initramfs allows
mkdir -p "$T/extra" && echo "from the second archive" >"$T/extra/extra.txt"
(cd "$T/extra" && echo extra.txt | cpio -H newc -o --quiet | gzip) >"$T/second.gz"
cat "$T/g9.gz" "$T/second.gz" >"$T/two.gz"

for name in g1.gz g9.gz members.gz padded.gz two.gz; do
	boot $name $P 64
	expect_eq "$name: exit status as uncompressed" 7 "$STATUS"
	expect_eq "$name: output as uncompressed" "$want" "$(grep '^read ' "$OUT")"
	expect_match "$name: --verbose logs the sizes and time" \
		"gzip initrd: [0-9]+ KiB -> 74[89] KiB in [0-9]+ us \([0-9]+ MB/s\)" "$(cat "$OUT")"
done
boot two.gz $P 64 "$T/show /extra.txt"
expect_eq "two.gz: the second archive's file is there" \
	"read [from the second archive] then [rewritten]" "$(grep '^read ' "$OUT")"

# failures: a clear message, boot failure status 3, the program never runs
fails() { # NAME WANT_REGEX [MEM_MIB]
	boot "$1" $P "${3:-64}"
	expect_eq "$1: boot fails with status 3" 3 "$STATUS"
	expect_match "$1: the error names the problem" "mote: bad initrd: gzip: $2" "$(cat "$OUT")"
	check "$1: the program did not run" test -z "$(grep '^read ' "$OUT")"
}
gz_size=$(stat -c %s "$T/g9.gz")
head -c $((gz_size / 2)) "$T/g9.gz" >"$T/truncated.gz"
fails truncated.gz "truncated"
cp "$T/g9.gz" "$T/badcrc.gz"
printf '\xde\xad' | dd of="$T/badcrc.gz" bs=1 seek=$((gz_size - 8)) conv=notrunc status=none
fails badcrc.gz "bad CRC-32"
cp "$T/g9.gz" "$T/corrupt.gz"
head -c 64 /dev/urandom | dd of="$T/corrupt.gz" bs=1 seek=$((gz_size / 2)) conv=notrunc status=none
fails corrupt.gz "."
{ cat "$T/g9.gz"; echo junk; } >"$T/junk.gz"
fails junk.gz "data after the last member is not gzip"
# 48 MiB of zeros compress to almost nothing but do not fit in a 32 MiB VM
head -c $((48 << 20)) /dev/zero >"$T/zeros"
(cd "$T" && echo zeros | cpio -H newc -o --quiet | gzip) >"$T/huge.gz"
fails huge.gz "larger than the [0-9]+ MiB of free memory once decompressed" 32

# the standard boot path under QEMU TCG
if [ -n "$have_qemu" ]; then
	boot g9.gz microvm 64
	expect_eq "QEMU microvm: g9.gz exit status" 7 "$STATUS"
	expect_eq "QEMU microvm: g9.gz output" "$want" "$(grep '^read ' "$OUT")"
	boot badcrc.gz microvm 64
	expect_eq "QEMU microvm: bad CRC ends the boot with status 3" 3 "$STATUS"
else
	echo "(qemu-system-x86_64 not installed: QEMU boots not run)"
fi
finish
