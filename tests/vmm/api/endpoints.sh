#!/bin/bash
# endpoints.sh: every endpoint of motevm's API, before and after InstanceStart: a good
# request, bad ones (wrong JSON, unknown field, wrong type, missing file, wrong phase) with
# the status and the fault message Firecracker gives.
cd "$(dirname "$0")/../../.." || exit 1
. tests/lib.sh
. tests/vmm/api/lib.sh
need_api
D="An error occurred when deserializing the json body of a request: "
POST="The requested operation is not supported after starting the microVM."
PRE="The requested operation is not supported before starting the microVM."
K=$PWD/$G/signals.elf
LOG=$TEST_TMP/fc.log METRICS=$TEST_TMP/metrics.json

api_start --id api-test || exit 1

# GET /, /version, /machine-config, /vm/config; unknown paths and methods.
ok_req "GET /" GET /
expect_eq "instance info" '{"id":"api-test","state":"Not started","vmm_version":"0.2.0","app_name":"motevm"}' "$BODY"
expect_match "Server header" '^Server: motevm API$' "$HEADERS"
expect_match "keep-alive" '^Connection: keep-alive$' "$HEADERS"
expect_match "JSON" '^Content-Type: application/json$' "$HEADERS"
ok_req "GET /version" GET /version
expect_eq "version" '{"firecracker_version":"0.2.0"}' "$BODY"
ok_req "GET /machine-config" GET /machine-config
expect_eq "default machine" '{"vcpu_count":1,"mem_size_mib":128,"smt":false,"track_dirty_pages":false,"huge_pages":"None"}' "$BODY"
bad_req "GET unknown" "Invalid request method and/or path: GET nothing." GET /nothing
bad_req "GET /vm alone" "Invalid request method and/or path: GET vm." GET /vm
bad_req "GET with a body" "GET request cannot have a body." GET / '{}'
bad_req "POST" "Invalid request method and/or path: POST actions." POST /actions '{}'
bad_req "PUT without body" "Empty PUT request." PUT /boot-source
bad_req "PATCH without body" "Empty PATCH request." PATCH /machine-config
bad_req "DELETE with body" "Empty Delete request." DELETE /drives/x '{}'
bad_req "unsupported vsock" "~The requested operation is not supported: vsock" PUT /vsock '{"guest_cid": 3, "uds_path": "/tmp/v"}'

# PUT /boot-source
bad_req "boot-source: bad JSON" "${D}invalid token near 'nope' at line 1 column 4." PUT /boot-source 'nope'
bad_req "boot-source: truncated" "~${D}" PUT /boot-source '{"kernel_image_path": '
bad_req "boot-source: unknown field" "${D}unknown field \`kernel\`, expected one of \`kernel_image_path\`, \`initrd_path\`, \`boot_args\`." PUT /boot-source '{"kernel": "x"}'
bad_req "boot-source: missing field" "${D}missing field \`kernel_image_path\`." PUT /boot-source '{"boot_args": "x"}'
bad_req "boot-source: wrong type" "${D}invalid type: integer \`3\`, expected a string." PUT /boot-source '{"kernel_image_path": 3}'
bad_req "boot-source: not an object" "${D}invalid type: sequence, expected struct BootSourceConfig." PUT /boot-source '[1]'
bad_req "boot-source: missing kernel" "Boot source error: The kernel file cannot be opened: No such file or directory (os error 2) /nonexistent" PUT /boot-source '{"kernel_image_path": "/nonexistent"}'
bad_req "boot-source: missing initrd" "~Boot source error: The initrd file cannot be opened due to invalid path or invalid permissions. No such file" PUT /boot-source "{\"kernel_image_path\": \"$K\", \"initrd_path\": \"/nonexistent\"}"
bad_req "boot-source: duplicate key" "~${D}duplicate object key" PUT /boot-source '{"kernel_image_path": "a", "kernel_image_path": "b"}'
ok_req "PUT /boot-source" PUT /boot-source "{\"kernel_image_path\": \"$K\", \"boot_args\": \"mode=spin\"}"

# PUT/PATCH /machine-config
bad_req "machine: vcpu_count 0" "Machine config error: The number of vCPUs must be greater than 0, less than 32 and must be 1 or an even number if SMT is enabled." PUT /machine-config '{"vcpu_count": 0, "mem_size_mib": 64}'
bad_req "machine: vcpu_count 300" "${D}invalid value: integer \`300\`, expected u8." PUT /machine-config '{"vcpu_count": 300, "mem_size_mib": 64}'
bad_req "machine: string" "${D}invalid type: string \"2\", expected u8." PUT /machine-config '{"vcpu_count": "2", "mem_size_mib": 64}'
bad_req "machine: missing mem" "${D}missing field \`mem_size_mib\`." PUT /machine-config '{"vcpu_count": 2}'
bad_req "machine: smt 3" "~must be 1 or an even number if SMT is enabled" PUT /machine-config '{"vcpu_count": 3, "mem_size_mib": 64, "smt": true}'
bad_req "machine: odd 2M" "Machine config error: The memory size (MiB) is either 0, or not a multiple of the configured page size." PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 65, "huge_pages": "2M"}'
bad_req "machine: huge_pages" "${D}unknown variant \`1G\`, expected one of \`None\`, \`2M\`, \`Transparent\`." PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 64, "huge_pages": "1G"}'
ok_req "PUT /machine-config" PUT /machine-config '{"vcpu_count": 2, "mem_size_mib": 64}'
expect_eq "no Deprecation header" "" "$(printf '%s' "$HEADERS" | grep Deprecation)"
ok_req "PUT /machine-config with cpu_template None" PUT /machine-config '{"vcpu_count": 2, "mem_size_mib": 64, "cpu_template": "None"}'
expect_match "Deprecation header" '^Deprecation: true$' "$HEADERS"
bad_req "machine: empty PATCH" "Empty PATCH request." PATCH /machine-config '{}'
bad_req "machine: PATCH unknown field" "~${D}unknown field \`cpus\`" PATCH /machine-config '{"cpus": 1}'
ok_req "PATCH /machine-config" PATCH /machine-config '{"mem_size_mib": 96}'
req GET /machine-config
expect_eq "PATCH applied" '{"vcpu_count":2,"mem_size_mib":96,"smt":false,"track_dirty_pages":false,"huge_pages":"None"}' "$BODY"

# PUT /logger, PUT /metrics
bad_req "logger: level" "${D}Invalid LevelFilter." PUT /logger '{"level": "Loud"}'
bad_req "logger: missing directory" "Logger error: Failed to open target file: No such file or directory (os error 2)" PUT /logger '{"log_path": "/nonexistent/dir/log"}'
ok_req "PUT /logger" PUT /logger "{\"log_path\": \"$LOG\", \"level\": \"Debug\", \"show_level\": true, \"show_log_origin\": true}"
bad_req "metrics: missing path" "${D}missing field \`metrics_path\`." PUT /metrics '{}'
bad_req "metrics: missing directory" "Metrics error: Cannot initialize the metrics system due to bad user input: No such file or directory (os error 2)" PUT /metrics '{"metrics_path": "/nonexistent/dir/m"}'
ok_req "PUT /metrics" PUT /metrics "{\"metrics_path\": \"$METRICS\", \"emit_id\": true, \"properties\": {\"team\": \"mote\"}}"
bad_req "metrics: twice" "Metrics error: Cannot initialize the metrics system due to bad user input: Reinitialization of metrics not allowed." PUT /metrics "{\"metrics_path\": \"$METRICS\"}"

# PUT/PATCH /drives, /network-interfaces, PUT /entropy: stored, then named by InstanceStart.
DISK=$TEST_TMP/disk.img
: >"$DISK"
bad_req "drive: empty id" "The ID cannot be empty." PUT /drives/ '{"drive_id": "x", "is_root_device": false}'
bad_req "drive: bad id" "API Resource IDs can only contain alphanumeric characters and underscores." PUT /drives/a-b '{"drive_id": "a-b", "is_root_device": false}'
bad_req "drive: id mismatch" "The id from the path does not match the id from the body!" PUT /drives/rootfs "{\"drive_id\": \"other\", \"path_on_host\": \"$DISK\", \"is_root_device\": true}"
bad_req "drive: missing file" "Drive config error: Unable to create the virtio block device: Virtio backend error: Error manipulating the backing file: No such file or directory (os error 2) /nonexistent.ext4" PUT /drives/rootfs '{"drive_id": "rootfs", "path_on_host": "/nonexistent.ext4", "is_root_device": true}'
bad_req "drive: wrong type" "${D}invalid type: string \"yes\", expected a boolean." PUT /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$DISK\", \"is_root_device\": \"yes\"}"
ok_req "PUT /drives/rootfs" PUT /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$DISK\", \"is_root_device\": true, \"is_read_only\": false}"
bad_req "drive: second root" "Drive config error: A root block device already exists!" PUT /drives/data "{\"drive_id\": \"data\", \"path_on_host\": \"$DISK\", \"is_root_device\": true}"
bad_req "PATCH drive before boot" "$PRE" PATCH /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$DISK\"}"
bad_req "net: id mismatch" "The id from the path [eth0] does not match the id from the body [eth1]!" PUT /network-interfaces/eth0 '{"iface_id": "eth1", "host_dev_name": "tap0"}'
bad_req "net: bad MAC" "${D}invalid MAC address \`zz\`." PUT /network-interfaces/eth0 '{"iface_id": "eth0", "host_dev_name": "tap0", "guest_mac": "zz"}'
ok_req "PUT /network-interfaces/eth0" PUT /network-interfaces/eth0 '{"iface_id": "eth0", "host_dev_name": "tap0", "guest_mac": "06:00:AC:10:00:02"}'
bad_req "net: MAC in use" "Network config error: The MAC address is already in use: 06:00:AC:10:00:02" PUT /network-interfaces/eth1 '{"iface_id": "eth1", "host_dev_name": "tap1", "guest_mac": "06:00:AC:10:00:02"}'
bad_req "entropy: unknown field" "${D}unknown field \`rate\`, expected \`rate_limiter\`." PUT /entropy '{"rate": 1}'
ok_req "PUT /entropy" PUT /entropy '{"rate_limiter": {"bandwidth": {"size": 1000, "refill_time": 100}}}'
ok_req "GET /vm/config" GET /vm/config
expect_eq "config drives" "rootfs $DISK true" "$(printf '%s' "$BODY" | jq -r '.drives[0] | "\(.drive_id) \(.path_on_host) \(.is_root_device)"')"
expect_eq "config net" "eth0 tap0" "$(printf '%s' "$BODY" | jq -r '."network-interfaces"[0] | "\(.iface_id) \(.host_dev_name)"')"
expect_eq "config entropy" "1000" "$(printf '%s' "$BODY" | jq -r '.entropy.rate_limiter.bandwidth.size')"
expect_eq "config machine" "96" "$(printf '%s' "$BODY" | jq -r '."machine-config".mem_size_mib')"

# Pre-boot-only and post-boot-only actions; InstanceStart refused when a drive's file is gone.
bad_req "actions: unknown" "${D}unknown variant \`Start\`, expected one of \`FlushMetrics\`, \`InstanceStart\`, \`SendCtrlAltDel\`." PUT /actions '{"action_type": "Start"}'
bad_req "actions: unknown field" "~${D}unknown field \`type\`" PUT /actions '{"type": "InstanceStart"}'
bad_req "FlushMetrics before boot" "$PRE" PUT /actions '{"action_type": "FlushMetrics"}'
bad_req "SendCtrlAltDel before boot" "$PRE" PUT /actions '{"action_type": "SendCtrlAltDel"}'
bad_req "PATCH /vm before boot" "$PRE" PATCH /vm '{"state": "Paused"}'
rm -f "$DISK" # gone since it was put: InstanceStart fails, naming it, and may be tried again
bad_req "InstanceStart with a drive whose file went" "Start microvm error: drives rootfs: cannot open $DISK: No such file or directory" PUT /actions '{"action_type": "InstanceStart"}'
req GET /
expect_match "still not started" '"state":"Not started"' "$BODY"
api_stop
expect_eq "SIGTERM before boot: 143" 143 "$STATUS"
[ ! -e "$SOCK" ] && ok "socket removed at exit" || not_ok "socket left behind"

# A fresh motevm with no devices: boot, then the post-boot rules.
api_start || exit 1
ok_req "PUT /boot-source" PUT /boot-source "{\"kernel_image_path\": \"$K\", \"boot_args\": \"mode=spin\"}"
ok_req "PUT /machine-config" PUT /machine-config '{"vcpu_count": 2, "mem_size_mib": 64}'
ok_req "InstanceStart" PUT /actions '{"action_type": "InstanceStart"}'
req GET /
expect_match "running" '"state":"Running"' "$BODY"
bad_req "InstanceStart again" "$POST" PUT /actions '{"action_type": "InstanceStart"}'
bad_req "boot-source after boot" "$POST" PUT /boot-source "{\"kernel_image_path\": \"$K\"}"
bad_req "boot-source after boot, bad body" "${D}missing field \`kernel_image_path\`." PUT /boot-source '{}'
bad_req "machine-config after boot" "$POST" PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 64}'
bad_req "PATCH machine-config after boot" "$POST" PATCH /machine-config '{"vcpu_count": 1}'
bad_req "logger after boot" "$POST" PUT /logger '{"level": "Info"}'
bad_req "metrics after boot" "$POST" PUT /metrics "{\"metrics_path\": \"$METRICS\"}"
bad_req "entropy after boot" "$POST" PUT /entropy '{}'
bad_req "drive after boot (hotplug)" "PCI is not enabled" PUT /drives/d "{\"drive_id\": \"d\", \"path_on_host\": \"$DISK\", \"is_root_device\": false}"
bad_req "PATCH drive after boot" "Drive config error: Unable to patch the block device: Failed perform action on device: Device not found Please verify the request arguments." PATCH /drives/d '{"drive_id": "d"}'
bad_req "PATCH net after boot" "Network config error: Unable to update the net device: Failed perform action on device: Device not found" PATCH /network-interfaces/n '{"iface_id": "n"}'
ok_req "GET /machine-config after boot" GET /machine-config
ok_req "FlushMetrics after boot (no target)" PUT /actions '{"action_type": "FlushMetrics"}'
bad_req "PATCH /vm bad state" "${D}unknown variant \`Stopped\`, expected \`Paused\` or \`Resumed\`." PATCH /vm '{"state": "Stopped"}'
ok_req "Pause" PATCH /vm '{"state": "Paused"}'
req GET /
expect_match "paused" '"state":"Paused"' "$BODY"
ok_req "Pause again" PATCH /vm '{"state": "Paused"}'
ok_req "Resume" PATCH /vm '{"state": "Resumed"}'
req GET /
expect_match "running again" '"state":"Running"' "$BODY"
ok_req "SendCtrlAltDel" PUT /actions '{"action_type": "SendCtrlAltDel"}'
api_stop
expect_eq "SIGTERM after boot: 143" 143 "$STATUS"

# The logger and metrics set through the API in the first run.
grep -q ':DEBUG:vmm/' "$LOG" && ok "log: level and origin shown" || not_ok "log lacks [..:DEBUG:vmm/file:line]"
grep -q '\[api-test:main:INFO:vmm/api/routes.c:[0-9]*\] The API server received a Put request on "/drives/rootfs"' "$LOG" &&
	ok "log: request lines" || not_ok "log lacks the request line"
expect_eq "metrics: one line at exit" 1 "$(wc -l <"$METRICS")"
expect_eq "metrics: id and properties" "api-test mote" "$(jq -r '"\(.id) \(.properties.team)"' "$METRICS")"
expect_match "metrics: machine-config fails counted" '"machine_cfg_fails":[1-9]' "$(cat "$METRICS")"
finish
