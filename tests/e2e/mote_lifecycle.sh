#!/bin/bash
# mote_lifecycle.sh: `mote run -d` and the commands on its VMs, in Docker's spelling: the id
# printed, --name, mote ps (-a), mote logs (-f), mote stop (Ctrl-Alt-Del through the VMM's
# control socket, which the kernel turns into SIGTERM to the program; a program that ignores
# it is killed after -t), mote rm (-f), a VM whose VMM crashed, one whose supervising mote
# died, and the errors. On motevm where /dev/kvm is usable (its Firecracker API socket), and
# under QEMU TCG (QMP).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
MOTE=build/mote
[ -x $MOTE ] || skip "build/mote not built"
export MOTE_CACHE_DIR=$TEST_TMP/cache MOTE_RUNTIME_DIR=$TEST_TMP/run
T=$TEST_TMP
vm_platforms

# a program that ticks until SIGTERM (then says so, status 7), or that ignores it
cat >"$T/ticker.sh" <<'SH'
i=0
[ "$1" = stubborn ] && trap '' TERM || trap 'echo "TERM after $i ticks"; exit 7' TERM
echo started
while [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.2; done
SH
# state FIELD ID: a field of the VM's state file
state() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" \
	"$MOTE_RUNTIME_DIR/$2/state" "$1"; }
# until_log ID TEXT: wait (up to 120 s) for TEXT in the VM's log
until_log() {
	for _ in $(seq 600); do
		$MOTE logs "$1" 2>/dev/null | grep -q "$2" && return 0
		sleep 0.2
	done
	return 1
}

for p in "${platforms[@]}"; do
	run=("$MOTE" run --no-fallback -d)
	[ "$p" = qemu ] && run=("$MOTE" run --qemu -d)
	run+=(--add "$T/ticker.sh" --with sleep)
	id=$("${run[@]}" --name "tick-$p" /bin/bash "$T/ticker.sh")
	expect_match "$p: run -d prints the VM's id and returns" '^[0-9a-f]{12}$' "$id"
	check "$p: ... the program starts (mote logs)" until_log "tick-$p" started
	out=$($MOTE ps)
	expect_match "$p: mote ps lists it, up" "^$id  tick-$p +/bin/bash +$p +Up " "$out"
	out=$($MOTE run --qemu -d --name "tick-$p" /bin/true 2>&1)
	expect_match "$p: a name in use is refused" "in use by VM $id" "$out"
	t0=$EPOCHREALTIME
	out=$($MOTE stop "${id:0:5}")
	expect_eq "$p: mote stop (by an id prefix) prints the id" "$id" "$out"
	check "$p: ... within the default 10 s (the program took SIGTERM)" \
		awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 10) }'
	expect_eq "$p: ... its handler's status is the VM's" 7 "$(state exit_code "$id")"
	expect_match "$p: ... and its output is in the log" "^TERM after [0-9]+ ticks$" \
		"$($MOTE logs "$id" | tail -n 1)"
	expect_match "$p: mote ps -a: exited (7)" "^$id .* Exited \(7\) " "$($MOTE ps -a)"
	check "$p: ... mote ps alone leaves it out" test -z "$($MOTE ps | grep "$id")"

	# a program that ignores SIGTERM: killed after -t
	id2=$("${run[@]}" /bin/bash "$T/ticker.sh" stubborn)
	until_log "$id2" started
	$MOTE logs -f "$id2" >"$T/follow.out" &
	follower=$!
	out=$($MOTE stop -t 1 "$id2")
	expect_eq "$p: stop -t 1 of a program that ignores SIGTERM: killed (137)" 137 \
		"$(state exit_code "$id2")"
	check "$p: ... logs -f ends with the VM" timeout 10 tail --pid=$follower -f /dev/null
	expect_match "$p: ... having followed its output" "^started$" "$(head -n 1 "$T/follow.out")"

	# the VMM crashes: its supervisor records the kill
	id3=$("${run[@]}" /bin/bash "$T/ticker.sh")
	until_log "$id3" started
	kill -9 "$(state vmm_pid "$id3")"
	for _ in $(seq 100); do [ "$(state status "$id3")" = exited ] && break; sleep 0.1; done
	expect_match "$p: a VMM killed outright: ps -a shows Exited (137)" \
		"^$id3 .* Exited \(137\) " "$($MOTE ps -a)"
	# the supervising mote dies: Dead, and stop still ends the VMM
	id4=$("${run[@]}" /bin/bash "$T/ticker.sh")
	until_log "$id4" started
	vmm=$(state vmm_pid "$id4")
	kill -9 "$(state pid "$id4")"
	sleep 0.5
	expect_match "$p: its supervisor killed: ps -a shows Dead" "^$id4 .* Dead " "$($MOTE ps -a)"
	kill -9 "$vmm" 2>/dev/null
	out=$($MOTE rm "$id" "$id2" "$id3" "$id4")
	expect_eq "$p: mote rm removes stopped VMs, printing their ids" \
		"$(printf '%s\n%s\n%s\n%s' "$id" "$id2" "$id3" "$id4")" "$out"
	check "$p: ... nothing of them left" test -z "$(ls "$MOTE_RUNTIME_DIR")"
	id5=$("${run[@]}" /bin/bash "$T/ticker.sh")
	until_log "$id5" started
	out=$($MOTE rm "$id5" 2>&1)
	expect_match "$p: rm of a running VM is refused" "runs: mote stop it first" "$out"
	out=$($MOTE rm -f "$id5")
	expect_eq "$p: rm -f kills and removes it" "$id5" "$out"
	check "$p: ... its VMM gone" test -z "$(ls "$MOTE_RUNTIME_DIR")"
done
out=$($MOTE logs nosuchvm 2>&1)
expect_match "logs of an unknown VM: a message" "no VM nosuchvm" "$out"
out=$($MOTE stop -t x y 2>&1)
expect_eq "stop -t x: status 2" 2 "$?"
out=$($MOTE run --name x /bin/true 2>&1)
expect_match "--name without -d: refused" "names a VM run with -d" "$out"
out=$($MOTE run -d -t /bin/true 2>&1)
expect_match "-d with -t: refused" "not both" "$out"
finish
