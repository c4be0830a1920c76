#!/bin/bash
# virtio_console.sh: the kernel's virtio console driver against QEMU's virtconsole (on a
# virtio-serial-device, microvm, one IOAPIC): a program's stdout and stderr go through it, in
# order and whole (10 MiB of output, byte for byte), while the kernel's own messages stay on
# the UART; and it is much faster than the UART's byte at a time (the same 1 MiB both ways).
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
finish
