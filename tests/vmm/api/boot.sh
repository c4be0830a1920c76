#!/bin/bash
# boot.sh: Firecracker's getting-started sequence replayed with curl against motevm (logger,
# boot-source, machine-config, InstanceStart) boots a tiny guest and the Mote kernel;
# --config-file without --no-api boots and keeps serving the API; the guest's exit status
# becomes motevm's; a stale socket file is replaced and a live one refused.
cd "$(dirname "$0")/../../.." || exit 1
. tests/lib.sh
. tests/vmm/api/lib.sh
need_api

# The getting-started sequence (docs/getting-started.md), with a tiny guest that exits 7.
api_start || exit 1
LOG=$TEST_TMP/firecracker.log
: >"$LOG"
ok_req "PUT /logger" PUT /logger "{\"log_path\": \"$LOG\", \"level\": \"Debug\", \"show_level\": true, \"show_log_origin\": true}"
ok_req "PUT /boot-source" PUT /boot-source "{\"kernel_image_path\": \"$PWD/$G/exit.elf\", \"boot_args\": \"console=ttyS0 reboot=k panic=1 how=long status=7\"}"
ok_req "PUT /machine-config" PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 128}'
ok_req "InstanceStart" PUT /actions '{"action_type": "InstanceStart"}'
api_wait 20
expect_eq "motevm exits with the guest's status" 7 "$STATUS"
expect_match "guest output" "exit guest: how=long status=7" "$(cat "$OUT")"
expect_match "log file has the exit" "guest exit device: status 7" "$(cat "$LOG")"

# The Mote kernel's self-tests, 2 vCPUs, through the API.
if [ -f build/kernel/mote.elf ]; then
	api_start || exit 1
	ok_req "kernel: boot-source" PUT /boot-source "{\"kernel_image_path\": \"$PWD/build/kernel/mote.elf\", \"boot_args\": \"--selftest\"}"
	ok_req "kernel: machine-config" PUT /machine-config '{"vcpu_count": 2, "mem_size_mib": 64}'
	ok_req "kernel: InstanceStart" PUT /actions '{"action_type": "InstanceStart"}'
	api_wait 60
	expect_eq "kernel: exit status" 0 "$STATUS"
	expect_match "kernel: self-tests passed" "^selftest: [0-9]+ passed, 0 failed" "$(grep '^selftest:' "$OUT")"
else
	not_ok "build/kernel/mote.elf is missing (make builds it)"
fi

# --config-file without --no-api: boots, and the API answers the running VM.
cfg=$TEST_TMP/vm.json
cat >"$cfg" <<JSON
{"boot-source": {"kernel_image_path": "$PWD/$G/signals.elf", "boot_args": "mode=spin"},
 "machine-config": {"vcpu_count": 1, "mem_size_mib": 64}, "drives": []}
JSON
api_start --config-file "$cfg" || exit 1
req GET /
expect_match "config file: running" '"state":"Running"' "$BODY"
req GET /vm/config
expect_eq "config file: GET /vm/config" "$PWD/$G/signals.elf 64" \
	"$(printf '%s' "$BODY" | jq -r '"\(."boot-source".kernel_image_path) \(."machine-config".mem_size_mib)"')"
bad_req "config file: InstanceStart again" "The requested operation is not supported after starting the microVM." PUT /actions '{"action_type": "InstanceStart"}'
# A second motevm on the same socket is refused; the first keeps it.
"$MOTEVM" --api-sock "$SOCK" </dev/null >/dev/null 2>"$TEST_TMP/err2"
expect_eq "live socket refused: exit 1" 1 "$?"
expect_match "live socket message" "Failed to open the API socket at: $SOCK. Check that it is not already used." "$(cat "$TEST_TMP/err2")"
ok_req "first motevm still answers" GET /
api_stop
expect_eq "config file + API: SIGTERM 143" 143 "$STATUS"

# A stale socket file (its motevm was killed) is replaced.
api_start || exit 1
kill -KILL "$PID"
wait "$PID" 2>/dev/null
PID=
[ -S "$SOCK" ] && ok "killed motevm left its socket" || not_ok "no stale socket to test with"
api_start || exit 1
ok_req "stale socket replaced" GET /
api_stop
# Not a socket: refused, and the file is left alone.
echo keep >"$TEST_TMP/file"
"$MOTEVM" --api-sock "$TEST_TMP/file" </dev/null >/dev/null 2>&1
expect_eq "regular file: exit 1" 1 "$?"
expect_eq "regular file kept" keep "$(cat "$TEST_TMP/file")"
# InstanceStart failing (no boot source), then fixed and started: Firecracker allows it.
api_start || exit 1
bad_req "InstanceStart without kernel" "Start microvm error: Cannot start microvm without kernel configuration." PUT /actions '{"action_type": "InstanceStart"}'
bad_image=$TEST_TMP/bad.elf
head -c 4096 /dev/zero >"$bad_image"
ok_req "a kernel that is no image" PUT /boot-source "{\"kernel_image_path\": \"$bad_image\"}"
bad_req "InstanceStart with a bad image" "~Start microvm error: " PUT /actions '{"action_type": "InstanceStart"}'
ok_req "a good kernel" PUT /boot-source "{\"kernel_image_path\": \"$PWD/$G/exit.elf\", \"boot_args\": \"how=long status=3\"}"
ok_req "InstanceStart after failures" PUT /actions '{"action_type": "InstanceStart"}'
api_wait 20
expect_eq "retried start boots" 3 "$STATUS"
finish
