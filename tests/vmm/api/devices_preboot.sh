#!/bin/bash
# devices_preboot.sh: motevm's API before boot needs no KVM, so this runs anywhere. Every device
# the API accepts works at InstanceStart: a drive motevm cannot build (vhost-user) is refused
# at PUT, Sync and Async ones (io_uring) are accepted; a network
# interface whose back end cannot be had is refused at PUT, not at InstanceStart (a TAP that
# cannot be opened; a host_socket that is not a socket), motevm's host_socket extension is
# accepted where passt's socket is and shown in GET /vm/config (and left out when unused),
# host_dev_name and host_socket together are refused, neither is Firecracker's missing field;
# entropy is accepted. A TAP is tried only as root (it is created and gone again).
cd "$(dirname "$0")/../../.." || exit 1
. tests/lib.sh
. tests/vmm/api/lib.sh
command -v curl >/dev/null || skip "curl is missing (tools/deps.sh installs it)"
[ -x "$MOTEVM" ] || { echo "$MOTEVM is missing: run make"; exit 1; }
D="An error occurred when deserializing the json body of a request: "

api_start --id devices-preboot || exit 1
DISK=$TEST_TMP/disk.img
truncate -s 1M "$DISK"
bad_req "a vhost-user drive" \
	"Drive config error: Unable to create the virtio block device: vhost-user block devices (socket) are not supported by motevm" \
	PUT /drives/rootfs '{"drive_id": "rootfs", "is_root_device": true, "socket": "/dev/null"}'
ok_req "an Async drive (io_uring is there)" \
	PUT /drives/data "{\"drive_id\": \"data\", \"is_root_device\": false, \"path_on_host\": \"$DISK\", \"io_engine\": \"Async\"}"
ok_req "a Sync drive on a file" \
	PUT /drives/rootfs "{\"drive_id\": \"rootfs\", \"is_root_device\": true, \"path_on_host\": \"$DISK\", \"io_engine\": \"Sync\"}"
bad_req "a TAP name the kernel refuses" \
	"Network config error: Could not create the network device: Open tap device failed: no/such: Invalid argument" \
	PUT /network-interfaces/eth0 '{"iface_id": "eth0", "host_dev_name": "no/such"}'
bad_req "a host_socket that is not there" \
	"Network config error: host_socket $TEST_TMP/none.sock is not a socket: No such file or directory" \
	PUT /network-interfaces/eth0 "{\"iface_id\": \"eth0\", \"host_socket\": \"$TEST_TMP/none.sock\"}"
bad_req "a host_socket that is a plain file" \
	"Network config error: host_socket /etc/hostname is not a socket" \
	PUT /network-interfaces/eth0 '{"iface_id": "eth0", "host_socket": "/etc/hostname"}'
bad_req "both back ends" \
	"Network config error: host_dev_name (a TAP) and host_socket (user-mode networking) exclude each other" \
	PUT /network-interfaces/eth0 '{"iface_id": "eth0", "host_dev_name": "tap0", "host_socket": "/tmp/x"}'
bad_req "neither: Firecracker's missing field" "${D}missing field \`host_dev_name\`." \
	PUT /network-interfaces/eth0 '{"iface_id": "eth0"}'
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
time.sleep(60)' "$TEST_TMP/p.sock" &
listener=$!
for _ in $(seq 100); do [ -S "$TEST_TMP/p.sock" ] && break; sleep 0.05; done
ok_req "a host_socket that is a socket (not connected to: passt takes one client)" \
	PUT /network-interfaces/eth0 "{\"iface_id\": \"eth0\", \"host_socket\": \"$TEST_TMP/p.sock\", \"guest_mac\": \"06:00:AC:10:00:02\"}"
ok_req "PUT /entropy" PUT /entropy '{}'
ok_req "GET /vm/config" GET /vm/config
expect_eq "the interface, with host_socket" "eth0 null $TEST_TMP/p.sock 06:00:AC:10:00:02" \
	"$(printf '%s' "$BODY" | jq -r '."network-interfaces"[0] | "\(.iface_id) \(.host_dev_name) \(.host_socket) \(.guest_mac)"')"
expect_eq "entropy shown" '{"rate_limiter":null}' "$(printf '%s' "$BODY" | jq -c .entropy)"
expect_eq "the drives shown, the root one first" "rootfs $DISK Sync data $DISK Async" \
	"$(printf '%s' "$BODY" | jq -r '[.drives[] | "\(.drive_id) \(.path_on_host) \(.io_engine)"] | join(" ")')"
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ]; then
	ok_req "as root, a TAP that does not exist yet is accepted (made and gone again)" \
		PUT /network-interfaces/eth1 '{"iface_id": "eth1", "host_dev_name": "motepre0"}'
	ok_req "GET /vm/config" GET /vm/config
	expect_eq "... shown without host_socket" "motepre0 false" \
		"$(printf '%s' "$BODY" | jq -r '."network-interfaces"[1] | "\(.host_dev_name) \(has("host_socket"))"')"
	check "... and not left behind" sh -c '! ip link show motepre0 2>/dev/null'
else
	echo "# the TAP part needs root and /dev/net/tun"
fi
kill "$listener" 2>/dev/null
api_stop
finish
