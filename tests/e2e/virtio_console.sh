#!/bin/bash
# virtio_console.sh: the kernel's virtio console driver against QEMU's virtconsole (on a
# virtio-serial-device, microvm, one IOAPIC): a program's stdout and stderr go through it, in
# order and whole (10 MiB of output, byte for byte), while the kernel's own messages stay on
# the UART; and it is much faster than the UART's byte at a time (the same 1 MiB both ways).
# Then stdin too, as `mote run --qemu` sets the ports up (port 1 "mote.stderr", port 2
# "mote.stdin" on QEMU's stdio chardev): 10 MiB through cat byte for byte, the end of input
# as the port closing (cat ends by itself), stderr apart from stdout.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
[ -x /bin/busybox ] || skip "/bin/busybox missing (Debian package busybox-static)"

devs=$(microvm_virtio 8)
INITRD=$TEST_TMP/busybox.img
build/mote build /bin/busybox -o "$INITRD" >/dev/null || skip "mote build /bin/busybox failed"
export INITRD
VC=$TEST_TMP/console.out
vc_args="-machine ioapic2=off -global virtio-mmio.force-legacy=false -device virtio-serial-device"
vc_args="$vc_args -chardev file,id=vc,path=$VC -device virtconsole,chardev=vc"

QEMU_ARGS=$vc_args kernel_boot microvm 1 64 \
	"--verbose /bin/busybox sh -c 'echo out1; echo err1 >&2; echo out2; exit 3'$devs"
expect_eq "exit status" 3 "$STATUS"
expect_match "the driver found the device" "virtio: console at 0x[0-9a-f]+, irq 2[0-3]" "$(cat "$OUT")"
expect_eq "stdout and stderr through it, in order" "out1 err1 out2" "$(tr '\n' ' ' <"$VC" | sed 's/ $//')"
check "the kernel's messages stay on the UART" grep -q "ready to exec" "$OUT"
check "... and the program's output does not" test -z "$(grep -E '^(out1|err1)' "$OUT")"

rm -f "$VC"
QEMU_ARGS=$vc_args kernel_boot microvm 1 64 "/bin/busybox sh -c '/bin/busybox dd if=/dev/zero bs=65536 count=160 2>/dev/null'$devs"
expect_eq "10 MiB: exit status" 0 "$STATUS"
expect_eq "10 MiB arrive, not a byte more or less" "$((10 << 20))" "$(stat -c %s "$VC" 2>/dev/null)"
check "... every one of them as written (zeros)" cmp -s -n $((10 << 20)) "$VC" /dev/zero

# speed: the same 1 MiB through the UART and through the console (QEMU TCG)
rm -f "$VC"
t0=$EPOCHREALTIME
QEMU_ARGS=$vc_args kernel_boot microvm 1 64 "/bin/busybox sh -c '/bin/busybox dd if=/dev/zero bs=65536 count=16 2>/dev/null'$devs" >/dev/null
t1=$EPOCHREALTIME
expect_eq "1 MiB through the console" "$((1 << 20))" "$(stat -c %s "$VC" 2>/dev/null)"
kernel_boot microvm 1 64 "/bin/busybox sh -c '/bin/busybox dd if=/dev/zero bs=65536 count=16 2>/dev/null'" >/dev/null
t2=$EPOCHREALTIME
vc_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
uart_ms=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%d", (b - a) * 1000 }')
echo "(1 MiB of stdout, boot included: virtio console $vc_ms ms, UART $uart_ms ms)"
check "the console is faster than the UART for 1 MiB" test "$vc_ms" -lt "$uart_ms"

# stdin through a port of its own, under mote run --qemu (TCG: the platform this test is for)
export MOTE_QEMU_ACCEL=tcg
IN=$TEST_TMP/in.bin
head -c $((10 << 20)) /dev/urandom >"$IN"
t0=$EPOCHREALTIME
timeout 300 build/mote run --qemu /bin/busybox cat <"$IN" >"$TEST_TMP/cat.out" \
	2>"$TEST_TMP/cat.err"
rc=$?
t1=$EPOCHREALTIME
expect_eq "cat of 10 MiB from stdin: it ends by itself (end of input), status 0" 0 "$rc"
expect_eq "... every byte back, no more" "$((10 << 20))" "$(stat -c %s "$TEST_TMP/cat.out")"
check "... byte for byte" cmp -s "$IN" "$TEST_TMP/cat.out"
echo "(10 MiB through cat, boot included: $(awk -v a="$t0" -v b="$t1" \
	'BEGIN { printf "%d", (b - a) * 1000 }') ms)"
# from a pipe too (the chardev polls it), and from nothing at all
n=$(head -c 3000000 "$IN" | timeout 120 build/mote run --qemu /bin/busybox wc -c)
expect_eq "3 MB from a pipe through wc -c" 3000000 "$(tr -d ' ' <<<"$n")"
out=$(timeout 60 build/mote run --qemu /bin/busybox cat </dev/null; echo "rc $?")
expect_eq "an empty stdin: cat ends at once" "rc 0" "$out"
# stderr apart, in order within each stream
printf 'a\nb\n' | timeout 60 build/mote run --qemu /bin/busybox sh -c \
	'read x; echo "out $x"; echo "err $x" >&2; read y; echo "out $y"; echo "err $y" >&2' \
	>"$TEST_TMP/o" 2>"$TEST_TMP/e"
expect_eq "stdout alone on stdout" "out a out b" "$(tr '\n' ' ' <"$TEST_TMP/o" | sed 's/ $//')"
expect_eq "stderr alone on stderr" "err a err b" "$(tr '\n' ' ' <"$TEST_TMP/e" | sed 's/ $//')"
finish
