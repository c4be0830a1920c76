#!/bin/bash
# virtio_blk.sh: the kernel's virtio-blk driver against a second party, QEMU's
# virtio-blk-device on microvm (modern virtio-mmio) over a raw 8 MiB image: the virtio_blk
# self-test (kernel/test/test_blk.c) writes a documented pattern at documented sectors (1
# sector, 4 KiB, 1 MiB in several requests at once, 25 sectors from an unaligned buffer, the
# last sector, 4 threads at once), reads it back, zeroes 16 sectors with write-zeroes,
# discards, flushes, checks the serial (mote-test) and that out-of-range I/O is refused; then
# the image is checked here, on the host, byte for byte: the pattern where the guest wrote it,
# zeros everywhere else. On 1 and 2 vCPUs by the device's interrupt, on 2 by polling (GSI 39,
# not routable), without EVENT_IDX. Then the written image read-only (readonly=on), beside a
# second drive of 4 KiB logical blocks: vda and vdb in probe order, writes -EROFS, the pattern
# read back, the image unchanged; and the self-test without a device says so.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
command -v python3 >/dev/null || skip "python3 missing"

IMG=$TEST_TMP/disk.img
IMG2=$TEST_TMP/disk2.img
CHECK=tests/e2e/blk_check.py # what the self-test leaves on the image

# (QEMU 7.2 takes serial= on the -device, no longer on the -drive)
blk_args() { # IMAGE [DEVICE OPTIONS]
	echo "-global virtio-mmio.force-legacy=false -drive file=$1,if=none,format=raw,id=d0" \
		"-device virtio-blk-device,drive=d0,serial=mote-test$2"
}
fresh() {
	rm -f "$IMG"
	truncate -s 8M "$IMG"
}

# NAME VCPUS TRANSPORTS(8: one IOAPIC, the device's interrupt; 24: GSI 39, polled) [OPTIONS]
run_rw() {
	local name=$1 n=$2 t=$3 opts=${4:-} one="" line zeroed
	[ "$t" = 8 ] && one="-machine ioapic2=off"
	fresh
	QEMU_ARGS="$one $(blk_args "$IMG" "$opts")" \
		kernel_boot microvm "$n" 128 "--verbose --selftest=virtio_blk$(microvm_virtio "$t")"
	expect_eq "$name: exit status" 0 "$STATUS"
	expect_match "$name: the driver's line: name, size, rw, serial" \
		"virtio-blk: vda: 16384 sectors \(8 MiB\), rw, block 512, serial mote-test" "$(cat "$OUT")"
	line=$(grep '^selftest virtio_blk' "$OUT")
	# several requests in flight: the 1 MiB transfer's (always); the threads' overlap is
	# reported but not required (on one vCPU a request can be done before its thread would
	# sleep, and then the threads take turns)
	expect_match "$name: patterns written and read back; 1 MiB in requests in flight at once" \
		"^selftest virtio_blk: ok \(vda: 16384 sectors, serial mote-test; 4 threads \([1-4] requests at once\); 1 sector, 4 KiB, 1 MiB \([0-9]+ ms write\+read, [2-9][0-9]* at once\), unaligned, last sector; (no )?write-zeroes; flush" \
		"$line"
	zeroed=none
	[[ $line == *"; write-zeroes;"* ]] && zeroed=write-zeroes
	expect_eq "$name: the image holds exactly what the guest wrote ($zeroed)" "as written" \
		"$(python3 "$CHECK" "$IMG" "$zeroed")"
}

run_rw "1 vCPU, interrupt" 1 8
run_rw "2 vCPUs, interrupt" 2 8
run_rw "2 vCPUs, polled" 2 24
run_rw "1 vCPU, no EVENT_IDX" 1 8 ",event_idx=off"
expect_match "... the device's interrupt line" "virtio: blk at 0x[0-9a-f]+, irq 23" "$(cat "$OUT")"

# read-only: the image just written (vda), and a second drive of 4 KiB blocks (vdb). QEMU puts
# its first -device on microvm's last transport, so the second drive comes first here.
cp "$IMG" "$TEST_TMP/before.img"
truncate -s 1M "$IMG2"
ro="-machine ioapic2=off -global virtio-mmio.force-legacy=false"
ro="$ro -drive file=$IMG2,if=none,format=raw,id=d1"
ro="$ro -device virtio-blk-device,drive=d1,serial=second,logical_block_size=4096,physical_block_size=4096"
ro="$ro -drive file=$IMG,if=none,format=raw,id=d0,readonly=on -device virtio-blk-device,drive=d0,serial=mote-test"
QEMU_ARGS=$ro kernel_boot microvm 1 128 "--verbose --selftest=virtio_blk$(microvm_virtio 8)"
expect_eq "read-only: exit status" 0 "$STATUS"
expect_match "read-only: vda, ro" "virtio-blk: vda: 16384 sectors \(8 MiB\), ro, block 512, serial mote-test" \
	"$(cat "$OUT")"
expect_match "... the second drive is vdb, 4 KiB blocks" \
	"virtio-blk: vdb: 2048 sectors \(1 MiB\), rw, block 4096, serial second" "$(cat "$OUT")"
expect_match "... writes refused with -EROFS, the pattern read back" \
	"^selftest virtio_blk: ok \(vda: serial mote-test, read-only: writes -EROFS, sector 0 holds the pattern" \
	"$(grep '^selftest virtio_blk' "$OUT")"
check "... the image is unchanged" cmp -s "$IMG" "$TEST_TMP/before.img"

kernel_boot microvm 1 64 "--selftest=virtio_blk"
expect_eq "no device: the self-test fails (status 1)" 1 "$STATUS"
expect_match "... and says so" "no virtio-blk device" "$(cat "$OUT")"
finish
