#!/bin/bash
# motevm_virtio.sh: motevm's virtio devices (vmm/devices/virtio/) with the Mote kernel's drivers
# on KVM: the entropy device feeds the kernel's virtio-rng self-test; a drive takes the
# virtio-blk self-test's writes, which the file on the host must hold byte for byte, and
# refuses them read-only; then, as root, in a
# network namespace of the test's own with a TAP inside, the echo server (as net_echo.sh runs
# it under QEMU) serves a client in that namespace through motevm's virtio-net: 3 connections
# (1 byte, 64 KiB, 1 MiB) must come back whole. Traffic stays inside the namespace, bounded in
# count and time; a PATCH of its rate limiter is refused, not ignored. A root drive
# (is_root_device) boots the kernel from its ext4, as root=/dev/vda ro. (Without /dev/kvm the devices are still tested, by tests/unit/vmm_virtio*.)
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform motevm

cat >"$TEST_TMP/rng.json" <<JSON
{"boot-source": {"kernel_image_path": "$KERNEL", "boot_args": "--verbose --stats --selftest=virtio_rng"},
 "machine-config": {"vcpu_count": 2, "mem_size_mib": 64}, "entropy": {}}
JSON
timeout 60 "$MOTEVM" --no-api --config-file "$TEST_TMP/rng.json" --level Warning \
	</dev/null >"$TEST_TMP/rng.out" 2>&1
rc=$?
cat "$TEST_TMP/rng.out"
expect_eq "entropy: exit status" 0 "$rc"
expect_match "entropy: the kernel found it in slot 0" "virtio: rng at 0xd0000000, irq 5" \
	"$(cat "$TEST_TMP/rng.out")"
expect_match "entropy: the self-test reads from it" "^selftest virtio_rng: ok" \
	"$(grep '^selftest virtio_rng' "$TEST_TMP/rng.out")"

# virtio-blk: the kernel's driver (its virtio_blk self-test) on motevm's device over an 8 MiB
# file, then the file checked here byte for byte (tests/e2e/blk_check.py); then read-only
IMG=$TEST_TMP/disk.img
truncate -s 8M "$IMG"
blk_vm() { # READ_ONLY OUT
	cat >"$TEST_TMP/blk.json" <<JSON
{"boot-source": {"kernel_image_path": "$KERNEL", "boot_args": "--verbose --selftest=virtio_blk"},
 "machine-config": {"vcpu_count": 2, "mem_size_mib": 128},
 "drives": [{"drive_id": "mote_test", "path_on_host": "$IMG", "is_root_device": false,
	     "is_read_only": $1, "cache_type": "Writeback"}]}
JSON
	timeout 60 "$MOTEVM" --no-api --config-file "$TEST_TMP/blk.json" --level Warning \
		</dev/null >"$2" 2>&1
}
blk_vm false "$TEST_TMP/blk.out"
rc=$?
cat "$TEST_TMP/blk.out"
expect_eq "block: exit status" 0 "$rc"
expect_match "block: the driver found motevm's drive" \
	"virtio-blk: vda: 16384 sectors \(8 MiB\), rw, block 512, serial mote_test" "$(cat "$TEST_TMP/blk.out")"
expect_match "block: the self-test's patterns written, read back, zeroed, flushed" \
	"^selftest virtio_blk: ok .*; write-zeroes; flush" "$(grep '^selftest virtio_blk' "$TEST_TMP/blk.out")"
expect_eq "block: the file holds exactly what the guest wrote" "as written" \
	"$(python3 tests/e2e/blk_check.py "$IMG" write-zeroes)"
cp "$IMG" "$TEST_TMP/before.img"
blk_vm true "$TEST_TMP/blk_ro.out"
rc=$?
cat "$TEST_TMP/blk_ro.out"
expect_eq "block, read-only: exit status" 0 "$rc"
expect_match "block, read-only: writes refused, the pattern read" \
	"read-only: writes -EROFS, sector 0 holds the pattern" "$(cat "$TEST_TMP/blk_ro.out")"
check "block, read-only: the file unchanged" cmp -s "$IMG" "$TEST_TMP/before.img"

# the root device: a drive with is_root_device, no initrd; motevm appends root=/dev/vda ro as
# Firecracker does, and the kernel boots from the disk's ext4 (Debian's static busybox on it)
if command -v mkfs.ext4 >/dev/null && file -L /bin/busybox | grep -q 'statically linked'; then
	mkdir -p "$TEST_TMP/root/bin" "$TEST_TMP/root/"{dev,proc,sys,tmp}
	cp /bin/busybox "$TEST_TMP/root/bin/busybox"
	mkfs.ext4 -q -b 4096 -d "$TEST_TMP/root" "$TEST_TMP/root.img" 32M
	cat >"$TEST_TMP/root.json" <<JSON
{"boot-source": {"kernel_image_path": "$KERNEL", "boot_args": "/bin/busybox cat /proc/mounts"},
 "machine-config": {"vcpu_count": 1, "mem_size_mib": 128},
 "drives": [{"drive_id": "rootfs", "path_on_host": "$TEST_TMP/root.img", "is_root_device": true,
	     "is_read_only": true}]}
JSON
	timeout 60 "$MOTEVM" --no-api --config-file "$TEST_TMP/root.json" --level Warning \
		</dev/null >"$TEST_TMP/root.out" 2>&1
	expect_eq "root device: exit status" 0 "$?"
	check "root device: the kernel's root is the drive, read-only" \
		grep -q "^/dev/vda / ext4 ro,relatime" "$TEST_TMP/root.out"
else
	echo "root device not tried: no mkfs.ext4 or no static /bin/busybox"
fi

if [ "$(id -u)" != 0 ]; then
	echo "virtio-net not tried: it needs root (a TAP in a network namespace)"
	finish
	exit
fi
SERVER=$PWD/build/tests/e2e/echo_server
[ -x "$SERVER" ] || skip "$SERVER not built"
INITRD=$TEST_TMP/echo.img
build/mote build "$SERVER" -o "$INITRD" >/dev/null || skip "mote build $SERVER failed"
NS=motevm-vnet-$$
ip netns add "$NS" || skip "ip netns add failed"
trap 'ip netns del "$NS" 2>/dev/null' EXIT
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
in_ns ip tuntap add mtap0 mode tap
in_ns ip addr add 10.98.0.1/24 dev mtap0
in_ns ip link set mtap0 up
cat >"$TEST_TMP/net.json" <<JSON
{"boot-source": {"kernel_image_path": "$KERNEL", "initrd_path": "$INITRD",
   "boot_args": "--verbose --stats --ip=eth0,10.98.0.2,255.255.255.0 $SERVER 7777 3"},
 "machine-config": {"vcpu_count": 2, "mem_size_mib": 128},
 "network-interfaces": [{"iface_id": "eth0", "host_dev_name": "mtap0", "guest_mac": "06:00:ac:10:00:02"}]}
JSON
OUT=$TEST_TMP/net.out
in_ns timeout 120 "$MOTEVM" --api-sock "$TEST_TMP/api.sock" --config-file "$TEST_TMP/net.json" \
	--level Warning --metrics-path "$TEST_TMP/metrics" </dev/null >"$OUT" 2>&1 &
vm=$!
for _ in $(seq 300); do
	grep -q "listening on port" "$OUT" && break
	sleep 0.1
done
expect_match "the server listens" "listening on port 7777" "$(cat "$OUT")"
resp=$(curl -s --unix-socket "$TEST_TMP/api.sock" -X PATCH http://localhost/network-interfaces/eth0 \
	-d '{"iface_id": "eth0", "rx_rate_limiter": {"bandwidth": {"size": 1000, "refill_time": 100}}}')
expect_match "PATCH of the interface's rate limiter: refused out loud" \
	"rate limiters are not supported by motevm yet" "$resp"
client_out=$(in_ns timeout 60 python3 tests/e2e/net/echo_client.py 10.98.0.2 7777 1 65536 1048576)
echo "$client_out"
expect_eq "1 byte, 64 KiB and 1 MiB echoed" "1: echoed 65536: echoed 1048576: echoed" \
	"${client_out//$'\n'/ }"
wait "$vm"
rc=$?
cat "$OUT"
expect_eq "the server exits 0" 0 "$rc"
expect_match "it served every byte" "served 3 connections, $((1 + 65536 + 1048576)) bytes" "$(cat "$OUT")"
expect_match "the metrics count the interface's packets" '"net_eth0":\{[^}]*"rx_packets_count":[1-9]' \
	"$(tr -d ' ' <"$TEST_TMP/metrics")"
finish
