#!/bin/bash
# virtio_net.sh: the kernel's virtio-net driver against a second party, QEMU's
# virtio-net-device with user-mode networking (restrict=on: nothing leaves QEMU): with raw
# frames, a DHCP DISCOVER broadcast from the device's MAC brings back QEMU's DHCP OFFER of
# 10.0.2.15 (the send and receive queues, the MAC from the device's configuration, receive
# buffers posted again); a second one sent while the receiver sleeps is answered by the
# device's interrupt; a burst of 256 frames costs few notifications (at most 9) and no
# interrupts; then lwIP (Debian's source package, built into the kernel) over the same driver
# binds that address by DHCP and learns QEMU's DNS server (unrestricted: QEMU gives none
# otherwise; only DHCP is sent), which a program then finds in /etc/resolv.conf.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm

devs=$(microvm_virtio 8)
net="-machine ioapic2=off -global virtio-mmio.force-legacy=false"
dhcp="$net -netdev user,id=n0 -device virtio-net-device,netdev=n0,mac=52:54:00:6d:6f:74"
net="$net -netdev user,id=n0,restrict=on -device virtio-net-device,netdev=n0,mac=52:54:00:6d:6f:74"

# with VIRTIO_F_EVENT_IDX (QEMU's default) and without it (the rings' flags instead)
for ei in on off; do
	QEMU_ARGS="$net,event_idx=$ei" kernel_boot microvm 1 64 "--stats --selftest=virtio_net_batch$devs"
	expect_eq "EVENT_IDX $ei: exit status" 0 "$STATUS"
	expect_match "EVENT_IDX $ei: by the device's interrupt; a burst with few notifications" \
		"^selftest virtio_net_batch: ok \(EVENT_IDX $ei; OFFER by interrupt in [0-9]+ ms \([1-9][0-9]* interrupts\); 256 frames: [0-9] notifications, [01] interrupts" \
		"$(grep '^selftest virtio_net_batch' "$OUT")"
done
for n in 1 2; do
	QEMU_ARGS=$net kernel_boot microvm $n 64 "--verbose --stats --selftest=virtio_net,virtio_net_batch$devs"
	expect_eq "$n vCPU: exit status" 0 "$STATUS"
	expect_match "$n vCPU: the driver found the device" "virtio: net at 0x[0-9a-f]+, irq 2[0-3]" \
		"$(cat "$OUT")"
	expect_match "$n vCPU: DHCP OFFER for the device's MAC" \
		"^selftest virtio_net: ok \(MAC 52:54:00:6d:6f:74, DHCP OFFER 10\.0\.2\.15," \
		"$(grep '^selftest virtio_net:' "$OUT")"
	expect_match "$n vCPU: by the device's interrupt; a burst with few notifications" \
		"^selftest virtio_net_batch: ok \(EVENT_IDX on; OFFER by interrupt in [0-9]+ ms \([1-9][0-9]* interrupts\); 256 frames: [0-9] notifications, [01] interrupts" \
		"$(grep '^selftest virtio_net_batch' "$OUT")"
	# QEMU's DHCP gives a DNS server only unrestricted; the guest sends DHCP alone here
	QEMU_ARGS=$dhcp kernel_boot microvm $n 64 "--verbose --selftest=net_dhcp$devs"
	expect_eq "$n vCPU, lwIP: exit status" 0 "$STATUS"
	expect_match "$n vCPU, lwIP: DHCP bound 10.0.2.15, its DNS server QEMU's 10.0.2.3" \
		"^selftest net_dhcp: ok \(lwIP bound 10\.0\.2\.15 by DHCP, DNS 10\.0\.2\.3" \
		"$(grep '^selftest net_dhcp' "$OUT")"
done
# a program sees DHCP's DNS server in /etc/resolv.conf (no --nameserver on the command line):
# Python waits for it (DHCP binds after the program starts) and prints the file
cat >"$TEST_TMP/resolv.py" <<'PY'
import time
for _ in range(100):
    text = open("/etc/resolv.conf").read()
    if "nameserver" in text:
        break
    time.sleep(0.1)
print(text, end="")
PY
if build/mote build --add /usr/lib/python3.11 --add "$TEST_TMP/resolv.py:/resolv.py" \
	/usr/bin/python3 -o "$TEST_TMP/py.img" >/dev/null; then
	INITRD=$TEST_TMP/py.img QEMU_ARGS=$dhcp kernel_boot microvm 1 128 "/usr/bin/python3 /resolv.py$devs"
	expect_eq "DHCP's DNS server in /etc/resolv.conf" "nameserver 10.0.2.3" \
		"$(grep '^nameserver' "$OUT")"
else
	not_ok "mote build python3 failed"
fi
kernel_boot microvm 1 64 "--selftest=virtio_net"
expect_match "no device: the self-test says so" "no virtio-net device" "$(cat "$OUT")"
finish
