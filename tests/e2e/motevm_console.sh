#!/bin/bash
# motevm_console.sh: motevm's virtio console (--virtio-console, which `mote run` passes) with the
# Mote kernel's driver on KVM: 10 MiB through cat byte for byte with the end of input as port 0
# closing (cat ends by itself), stderr apart on port 1, a reader slower than the program (the
# device holds the output back, nothing is lost), a terminal-less stdin of nothing at all, and
# the VM exits it costs (--stats). Without /dev/kvm it skips; the device is still tested
# host-side by tests/unit/vmm_virtio_console_test.c, and the driver under QEMU by
# tests/e2e/virtio_console.sh.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform motevm
[ -x /bin/busybox ] || skip "/bin/busybox missing (Debian package busybox-static)"
MOTE=(build/mote run --no-fallback)

IN=$TEST_TMP/in.bin
head -c $((10 << 20)) /dev/urandom >"$IN"
timeout 120 "${MOTE[@]}" --stats /bin/busybox cat <"$IN" >"$TEST_TMP/cat.out" 2>"$TEST_TMP/cat.err"
expect_eq "cat of 10 MiB: ends by itself (end of input), status 0" 0 "$?"
check "... byte for byte" cmp -s "$IN" "$TEST_TMP/cat.out"
grep 'motevm stats' "$TEST_TMP/cat.err"
expect_match "... motevm counted its exits" "motevm stats: exits [0-9]+" "$(cat "$TEST_TMP/cat.err")"

# from a pipe, into a pipe that is read slowly: the device waits for it
head -c $((4 << 20)) "$IN" | timeout 120 "${MOTE[@]}" /bin/busybox cat | (sleep 2; cat) \
	>"$TEST_TMP/slow.out"
check "4 MiB into a slow reader: nothing lost" cmp -s <(head -c $((4 << 20)) "$IN") \
	"$TEST_TMP/slow.out"

out=$(timeout 60 "${MOTE[@]}" /bin/busybox cat </dev/null; echo "rc $?")
expect_eq "an empty stdin: cat ends at once" "rc 0" "$out"

printf 'a\nb\n' | timeout 60 "${MOTE[@]}" /bin/busybox sh -c \
	'read x; echo "out $x"; echo "err $x" >&2; read y; echo "out $y"; echo "err $y" >&2' \
	>"$TEST_TMP/o" 2>"$TEST_TMP/e"
expect_eq "stdout alone on stdout" "out a out b" "$(tr '\n' ' ' <"$TEST_TMP/o" | sed 's/ $//')"
expect_eq "stderr alone on stderr" "err a err b" "$(tr '\n' ' ' <"$TEST_TMP/e" | sed 's/ $//')"
finish
