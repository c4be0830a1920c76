#!/bin/bash
# virtio_rng.sh: the kernel's virtio-mmio transport and virtio-rng driver against a second
# party, QEMU's virtio-rng-device on microvm (modern virtio-mmio). Devices come from
# virtio_mmio.device= words on the command line, as Firecracker passes them (QEMU describes
# them in ACPI instead for an ELF kernel, so the test names microvm's transports). With one
# IOAPIC (ioapic2=off: 8 transports on GSIs 16-23) the driver sleeps until the device's
# interrupt; with microvm's second IOAPIC (24 transports, GSIs 16-39) the device's GSI is
# not routable here and the driver polls. The words are not the program's arguments
# wherever they stand; a legacy device is refused with a message that says how to get a
# modern one; a malformed word is a command-line error.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm

devs=$(microvm_virtio 24)

QEMU_ARGS="-device virtio-rng-device -global virtio-mmio.force-legacy=false" \
	kernel_boot microvm 2 64 "--verbose --selftest=virtio_rng$devs"
expect_eq "modern device: exit status" 0 "$STATUS"
expect_match "the driver found it" "virtio: rng at 0x[0-9a-f]+, irq 39" "$(cat "$OUT")"
expect_match "reads from it differ (polled)" "^selftest virtio_rng: ok" \
	"$(grep '^selftest virtio_rng' "$OUT")"

devs8=$(microvm_virtio 8)
QEMU_ARGS="-machine ioapic2=off -device virtio-rng-device -global virtio-mmio.force-legacy=false" \
	kernel_boot microvm 2 64 "--verbose --stats --selftest=virtio_rng$devs8"
expect_eq "one IOAPIC: exit status" 0 "$STATUS"
expect_match "... the driver found it on GSI 23" "virtio: rng at 0x[0-9a-f]+, irq 23" "$(cat "$OUT")"
expect_match "... reads from it differ" "^selftest virtio_rng: ok" \
	"$(grep '^selftest virtio_rng' "$OUT")"
expect_match "... its interrupts arrived (up to one a request: an edge covers what is still unacknowledged)" \
	"device interrupts [1-9]" \
	"$(grep 'mote stats' "$OUT")"

QEMU_ARGS="-device virtio-rng-device -global virtio-mmio.force-legacy=true" \
	kernel_boot microvm 1 64 "--selftest=virtio_rng$devs"
expect_eq "legacy device: the self-test fails (status 1)" 1 "$STATUS"
expect_match "... with a message saying why and what to do" \
	"speaks legacy virtio-mmio \(version 1\): not supported \(QEMU: -global virtio-mmio.force-legacy=false\)" \
	"$(cat "$OUT")"

kernel_boot microvm 1 64 "--selftest=virtio_rng"
expect_match "no device: the self-test says so" "no virtio-rng device" "$(cat "$OUT")"

if [ -x /bin/busybox ]; then
	INITRD=$TEST_TMP/busybox.img
	build/mote build /bin/busybox -o "$INITRD" >/dev/null || not_ok "mote build /bin/busybox"
	export INITRD
	QEMU_ARGS="-device virtio-rng-device -global virtio-mmio.force-legacy=false" \
		kernel_boot microvm 1 64 "/bin/busybox echo a b$devs"
	expect_eq "a program: exit status" 0 "$STATUS"
	expect_eq "its arguments leave the virtio_mmio.device= words out" "a b" \
		"$(tr -d '\r' <"$OUT" | grep -v '^$' | tail -n 1)"
	unset INITRD
fi

kernel_boot microvm 1 64 "--selftest=virtio_rng virtio_mmio.device=4K@0xd0000000"
expect_eq "a malformed virtio_mmio.device=: status 2" 2 "$STATUS"
expect_match "... named in the message" "bad virtio_mmio.device=4K@0xd0000000" "$(cat "$OUT")"
finish
