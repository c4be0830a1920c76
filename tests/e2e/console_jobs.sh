#!/bin/bash
# console_jobs.sh: job control on the console: a program run by `mote run` with a terminal as
# stdin, stdout and stderr (a host pseudo-terminal) leads its session with the console as its
# controlling terminal; it gives the terminal to a child's group, which ^C kills and ^Z stops,
# takes it back, handles a ^C itself, and the last ^C, with no handler, ends it and the VM
# (status 130). console_jobs/harness.py types the keys; motevm and QEMU keep ISIG on the host's
# terminal (Ctrl-C stops the VM), so the harness clears it once the VM runs and the keys reach
# the console's input as bytes. The transcript must equal the same program's on the host's own
# pseudo-terminal. On motevm and on QEMU TCG: each part runs where it can.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
for p in /usr/bin/python3 /usr/bin/gcc; do
	[ -x $p ] || skip "$p missing (tools/deps.sh installs it)"
done
T=$TEST_TMP
export MOTE_CACHE_DIR=$T/cache
H=tests/e2e/console_jobs/harness.py

gcc -O2 -static -o "$T/guest" tests/e2e/console_jobs/guest.c || skip "cannot build the guest program"
native=$(timeout 60 python3 "$H" native "$T/guest")
expect_match "natively: the last ^C ends the program" 'status 130$' "$native"

vm_platforms
for p in "${platforms[@]}"; do
	args=(--no-fallback)
	[ "$p" = qemu ] && args=(--qemu)
	out=$(MOTE_QEMU_ACCEL=tcg timeout 300 python3 "$H" mote build/mote run "${args[@]}" "$T/guest")
	echo "--- $p:"
	echo "$out"
	expect_eq "$p: ^C, ^Z and tcsetpgrp on the console as on the host's terminal" "$native" "$out"
	expect_match "$p: ^C reaches a handler in the program, not the VMM" '^its handler ran$' "$out"
done
finish
