#!/bin/bash
# console_signals.sh: a signal interrupts a program blocked reading the console (stdin that has
# no data yet): read() fails with EINTR as on Linux, at once, not when input finally arrives.
# python3 in Mote blocks in os.read(0) on a FIFO that stays silent; SIGALRM (alarm(1)) runs a
# handler. (1) The handler raises: the read must end ~1 s in, and the VM before any input comes
# (the input comes only 30 s in). (2) The handler returns: Python retries the read (PEP 475);
# the input is written only once the handler's "alarm" line is out, so the handler must run
# while the read is blocked, and the retried read must then get the data.
# No check depends on how fast the VM boots (QEMU TCG is slow, and slower on a loaded machine).
# On motevm and on QEMU TCG (the console is the same 8250 on both; motevm adds its console port):
# each part runs where it can, and the test skips only if neither can.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 missing (tools/deps.sh installs it)"
T=$TEST_TMP
export MOTE_CACHE_DIR=$T/cache
PYLIB=$(/usr/bin/python3 -c 'import sys; print(sys.prefix + "/lib/python%d.%d" % sys.version_info[:2])')

cat >"$T/raise.py" <<'PY'
import os, signal, time
class Alarm(Exception): pass
def on_alarm(*_): raise Alarm()
signal.signal(signal.SIGALRM, on_alarm)
signal.alarm(1)
t = time.monotonic()
try:
    os.read(0, 100)
    print("read returned first")
except Alarm:
    print("interrupted after %d s" % round(time.monotonic() - t))
PY
cat >"$T/retry.py" <<'PY'
import os, signal
signal.signal(signal.SIGALRM, lambda *_: print("alarm", flush=True))
signal.alarm(1)
line = b""
while not line.endswith(b"\n"):  # on QEMU the bytes come one by one, as on a serial line
    line += os.read(0, 100)
print("read", line.decode().strip())
PY

# run PLATFORM SCRIPT WHEN: runs SCRIPT in Mote with stdin a FIFO that stays silent until WHEN,
# then gets "data": "alarm" once the guest has printed its "alarm" line, "late" 30 s in (long
# after a VM that works has ended); neither waits more than 30 s. The guest's output (stdout
# and stderr) goes to $T/out, its status to $T/status; $T/wrote says when the input was written
# ("after the alarm", "30 s in") and is missing if the VM ended before.
run() {
	local plat=$1 script=$2 when=$3 args=(--no-fallback) writer
	[ "$plat" = qemu ] && args=(--qemu)
	rm -f "$T/fifo" "$T/wrote" "$T/stop"
	mkfifo "$T/fifo"
	: >"$T/out"
	(
		exec 3>"$T/fifo" # (opens once mote has the other end)
		for ((i = 0; i < 300; i++)); do
			[ -e "$T/stop" ] && exit
			[ "$when" = alarm ] && grep -q '^alarm' "$T/out" && break
			sleep 0.1
		done
		if [ "$i" -lt 300 ]; then echo "after the alarm" >"$T/wrote"; else echo "30 s in" >"$T/wrote"; fi
		echo data >&3
		for ((i = 0; i < 300; i++)); do # the end of input: when the VM is over, or 30 s later
			[ -e "$T/stop" ] && exit
			sleep 0.1
		done
	) </dev/null >/dev/null 2>&1 &
	writer=$!
	MOTE_QEMU_ACCEL=tcg timeout 120 build/mote run "${args[@]}" --add "$PYLIB" \
		--add "$T/$script" /usr/bin/python3 "$T/$script" <"$T/fifo" >"$T/out" 2>&1
	echo $? >"$T/status"
	touch "$T/stop"
	wait "$writer"
	echo "--- $plat $script: status $(cat "$T/status"), input written: $(cat "$T/wrote" 2>/dev/null || echo never)"
	cat "$T/out"
}

vm_platforms
for p in "${platforms[@]}"; do
	run "$p" raise.py late
	expect_match "$p: SIGALRM's handler interrupts a blocked console read (EINTR)" \
		'^interrupted after [12] s' "$(cat "$T/out")"
	check "$p: ... and the VM ends then, before any input" test ! -e "$T/wrote"
	run "$p" retry.py alarm
	expect_eq "$p: a handler that returns runs while the read is blocked, before any input" \
		"after the alarm" "$(cat "$T/wrote" 2>/dev/null)"
	expect_eq "$p: ... and the retried read gets the data" "alarm
read data" "$(tr -d '\r' <"$T/out")"
	expect_eq "$p: ... and the program exits 0" 0 "$(cat "$T/status")"
done
finish
