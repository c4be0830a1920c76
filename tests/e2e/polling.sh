#!/bin/bash
# polling.sh: poll, select, epoll and eventfd inside Mote, under motevm (the PV path) and QEMU
# TCG (the standard path). tests/apps/polling (static and dynamic builds: a thousand descriptors,
# the epoll_ctl errors, item lifetimes, blocking eventfds, the time left written back...) must
# print what it prints natively; a program blocked for 3 s in epoll_wait, poll and select must
# leave the host CPU idle (motevm's CPU time, not the guest's own clock) and be woken promptly;
# python3's selectors (select, poll, epoll) on a pipe and busybox sh's `read -t` on the console
# behave as natively. Each part runs on each platform this machine has (the idle-CPU check on
# motevm only: TCG burns the CPU anyway); the test skips only if it has neither.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck disable=SC1091 # (sourced by its path from the top of the tree)
. tests/lib.sh
MOTE=build/mote
APPS=$PWD/build/tests/apps
T=$TEST_TMP
ENVS=(PATH=/usr/bin:/bin HOME=/ LANG=C)
[ -x $MOTE ] || skip "build/mote not built"
[ -x "$APPS/polling.static" ] || skip "build/tests/apps/polling.static not built"
platforms=()
if kvm_usable; then
	platforms+=(motevm)
else
	echo "     (motevm part skipped: $KVM_WHY)"
fi
if [ -x /usr/bin/qemu-system-x86_64 ]; then
	platforms+=(qemu)
else
	echo "     (QEMU TCG part skipped: no qemu-system-x86_64)"
fi
[ ${#platforms[@]} -gt 0 ] || skip "neither a usable /dev/kvm nor qemu-system-x86_64"
export MOTE_QEMU_ACCEL=tcg # (for --qemu)

# guest OUT -- mote-run-args...: run in Mote, motevm's own log lines dropped; returns the status.
guest() {
	local out=$1 status
	shift
	timeout --foreground 300 $MOTE run "$@" </dev/null >"$out.raw" 2>&1
	status=$?
	grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ \[[^]]*:[A-Za-z]+\] ' "$out.raw" >"$out"
	return $status
}

# same_as_native LABEL [MOTE-OPTIONS...] -- PROGRAM ARGS...: output and status as natively.
same_as_native() {
	local label=$1 opts=() envs=() native status want
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	native=$(cd "$T" && env -i "${ENVS[@]}" "$@" 2>&1 </dev/null)
	want=$?
	for e in "${ENVS[@]}"; do envs+=(--env "$e"); done
	guest "$T/out" "${opts[@]}" --cpus 2 "${envs[@]}" --cwd /tmp "$@"
	status=$?
	expect_eq "$label: exit status" "$want" "$status"
	expect_eq "$label: output as natively" "$native" "$(cat "$T/out")"
}

# python3: selectors on a pipe written by a timer thread.
cat >"$T/sel.py" <<'EOF'
import os, select, selectors, threading
r, w = os.pipe()
for cls in (selectors.SelectSelector, selectors.PollSelector, selectors.EpollSelector):
    s = cls()
    s.register(r, selectors.EVENT_READ, "pipe")
    idle = s.select(0)
    t = threading.Timer(0.05, lambda: os.write(w, b"x"))
    t.start()
    ev = s.select(5)
    print(cls.__name__, idle, [(k.data, m) for k, m in ev], os.read(r, 10))
    t.join()
    s.close()
ep = select.epoll()
ep.register(w, select.EPOLLOUT | select.EPOLLET)
print("epoll", ep.poll(0), ep.poll(0))
print("select", select.select([r], [w], [], 0))
e = os.eventfd(3, os.EFD_SEMAPHORE)
print("eventfd", os.eventfd_read(e), os.eventfd_read(e))
EOF

for plat in "${platforms[@]}"; do
	# motevm only (--no-fallback: never mote's QEMU fallback), or QEMU TCG microvm
	if [ "$plat" = motevm ]; then
		VM=(--no-fallback) name=motevm
	else
		VM=(--qemu) name="QEMU TCG"
	fi
	for kind in static dyn; do
		same_as_native "polling.$kind ($name)" "${VM[@]}" -- "$APPS/polling.$kind"
	done

	if [ "$plat" = motevm ]; then
		# Blocked 3 x 1 s: the host must see an idle VM (a busy-polling guest would burn >= 3 s).
		TIMEFORMAT='%U %S'
		{ time guest "$T/idle" "${VM[@]}" --cpus 2 "$APPS/polling.static" idle 1000; } 2>"$T/idle.time"
		cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$T/idle.time")
		echo "     $(head -n 2 "$T/idle" | tr '\n' ' ') | host CPU of mote + motevm: ${cpu}s"
		expect_match "the guest waited 3 s" '^idle: waited (29[0-9][0-9]|3[0-9]{3}) ms' "$(cat "$T/idle")"
		check "3 s blocked in epoll_wait/poll/select cost the host < 1 s of CPU (${cpu}s, boot included)" \
			awk -v c="$cpu" 'BEGIN { exit !(c < 1.0) }'
		max=$(sed -n 's/^wake-up latency: median [0-9]* us, max \([0-9]*\) us$/\1/p' "$T/idle")
		check "every wake-up through an eventfd write arrived within 100 ms (max ${max:-?} us)" \
			test "${max:-999999999}" -lt 100000
	fi

	if [ -x /usr/bin/python3 ] && [ -d /usr/lib/python3.11 ]; then
		same_as_native "python3 selectors ($name)" "${VM[@]}" --add /usr/lib/python3.11 \
			--add "$T/sel.py" -- /usr/bin/python3 "$T/sel.py"
	else
		echo "     (no /usr/bin/python3 with /usr/lib/python3.11: python3 part skipped)"
	fi

	# busybox sh: read -t polls the console (stdin) with a timeout; then data arrives in time.
	if [ -x /bin/busybox ]; then
		out=$(sleep 5 | timeout 60 $MOTE run "${VM[@]}" /bin/busybox sh -c 'read -t 0.3 x; echo "status $?"')
		expect_eq "busybox sh ($name): read -t 0.3 on a silent console times out" "status 1" "$out"
		# the line is written 0.3 s after the guest's shell says it is up (at most 30 s
		# later), so it finds the shell blocked in read, whatever the boot took
		: >"$T/bb"
		(
			for ((i = 0; i < 300; i++)); do
				grep -q '^ready' "$T/bb" && break
				sleep 0.1
			done
			sleep 0.3 && echo hello
		) | timeout 60 $MOTE run "${VM[@]}" /bin/busybox sh -c 'echo ready; read -t 20 x; echo "$x"' >"$T/bb"
		expect_eq "busybox sh ($name): read -t 20 wakes when a line arrives" "ready
hello" "$(cat "$T/bb")"
	fi
done
finish
