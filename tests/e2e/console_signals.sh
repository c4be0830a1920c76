#!/bin/bash
# console_signals.sh: a signal interrupts a program blocked reading the console (stdin that has
# no data yet): read() fails with EINTR as on Linux, at once, not when input finally arrives.
# python3 in Mote blocks in os.read(0) on a FIFO that stays silent; SIGALRM (alarm(1)) runs a
# handler. (1) The handler raises: the read must end ~1 s in, long before the input's end.
# (2) The handler returns: Python retries the read (PEP 475) and gets the data written 2 s in.
# On motevm and on QEMU TCG (the console is the same 8250 on both; motevm adds its console port).
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

# run PLATFORM SCRIPT WRITE_AFTER: runs SCRIPT in Mote with stdin a FIFO that gets "data" after
# WRITE_AFTER seconds and ends 10 s in; prints the output, then "took N s" (whole seconds).
run() {
	local plat=$1 script=$2 after=$3 args=() t0 out
	[ "$plat" = qemu ] && args=(--qemu)
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	(
		exec 3>"$T/fifo"
		sleep "$after"
		echo data >&3
		sleep $((10 - after))
	) &
	t0=$(date +%s)
	out=$(MOTE_QEMU_ACCEL=tcg timeout 60 build/mote run "${args[@]}" --add "$PYLIB" \
		--add "$T/$script" /usr/bin/python3 "$T/$script" <"$T/fifo" 2>&1)
	echo "$out"
	echo "took $(($(date +%s) - t0)) s"
	kill %1 2>/dev/null
	wait
}

platforms=()
[ -r /dev/kvm ] && [ -w /dev/kvm ] && platforms+=(motevm)
command -v qemu-system-x86_64 >/dev/null && platforms+=(qemu)
[ ${#platforms[@]} -gt 0 ] || skip "neither /dev/kvm nor qemu-system-x86_64 is usable"
for p in "${platforms[@]}"; do
	out=$(run "$p" raise.py 9)
	expect_match "$p: SIGALRM's handler interrupts a blocked console read (EINTR)" \
		'^interrupted after 1 s' "$out"
	expect_match "$p: ... and the VM ends then, not at the input's end" 'took [0-4] s$' "$out"
	out=$(run "$p" retry.py 2)
	expect_eq "$p: a handler that returns; the retried read gets the data" \
		"alarm
read data" "$(sed '$d' <<<"$out")"
done
finish
