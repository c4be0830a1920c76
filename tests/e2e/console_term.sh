#!/bin/bash
# console_term.sh: the console as a real terminal (issue 14: `mote run -it /bin/bash`). With
# mote's stdin and stdout a terminal (a host pseudo-terminal, tests/pty_run.py), the guest's
# console runs the line discipline: typed keys are echoed and edited a line at a time, ^C and
# ^Z reach the foreground job, output's "\n" becomes "\r\n" once. Each transcript, byte for
# byte, must equal the same program's on the host's own pseudo-terminal: a line read with an
# erase, an interactive bash (readline editing, a job killed by ^C, one stopped by ^Z, jobs,
# fg), a program that ends on ^C, a window resized (SIGWINCH). The console starts with the host terminal's settings, and
# mote leaves the host terminal as it found it. On motevm and on QEMU TCG.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
for p in /usr/bin/python3 /bin/bash /bin/busybox; do
	[ -x $p ] || skip "$p missing (tools/deps.sh installs it)"
done
export MOTE_CACHE_DIR=$TEST_TMP/cache
PTY="python3 tests/pty_run.py --timeout 300"

vm_platforms

# read_line MOTE...: a line typed after a prompt, with an erase (canonical mode's editing)
read_line() {
	$PTY --raw --after 'name? ' --type 'abc\x7fd\r' -- "$@" /bin/busybox sh -c \
		'printf "name? "; read line; echo "got [$line]"'
	echo "status $?"
}
# bash_session MOTE...: readline editing, ^C to a job, ^Z, jobs, fg, ^C again, exit 3
bash_session() {
	$PTY --after '$ ' --type 'echo abX\x7fc $((6*7))\r' \
		--after '$ ' --type 'sh -c "echo re""ady; exec sleep 50"\r' --after 'ready' --type '\x03' \
		--after '$ ' --type 'sh -c "echo ag""ain; exec sleep 50"\r' --after 'again' --type '\x1a' \
		--after '$ ' --type 'jobs\r' --after '$ ' --type 'fg\r' \
		--after 'sleep 50"' --sleep 1 --type '\x03' --after '$ ' --type 'exit 3\r' -- \
		"$@" /bin/bash --norc --noprofile -i
	echo "status $?"
}
# resized MOTE...: the window changes under a shell waiting with a WINCH trap: it prints the
# new size (SIGWINCH came, TIOCGWINSZ says 50x100) and ends
resized() {
	$PTY --after ready --sleep 0.5 --resize 50x100 -- "$@" /bin/busybox sh -c \
		'trap "stty size; exit 0" WINCH; echo ready; while :; do sleep 1; done'
	echo "status $?"
}
# interrupted MOTE...: a program with no handler ends on ^C (its echo first)
interrupted() {
	$PTY --raw --sleep 2 --type '\x03' -- "$@" /bin/busybox sleep 60
	echo "status $?"
}

# -t (-it): an interactive program without a terminal is mote's own failure, said
out=$(build/mote run -it /bin/true </dev/null 2>&1)
rc=$?
expect_eq "-it with stdin not a terminal: status 125" 125 "$rc"
expect_match "... and a message saying so" "stdin is not a terminal" "$out"

native_read=$(read_line)
native_bash=$(bash_session env -i PS1='$ ' TERM=dumb PATH=/usr/bin:/bin)
native_int=$(interrupted)
native_resized=$(resized)
expect_eq "natively: a resized window: SIGWINCH, the new size" "ready
50 100
status 0" "$native_resized"
expect_match "natively: the line as edited" 'got \[abd\]' "$native_read"
expect_match "natively: bash ends with exit's status" 'status 3$' "$native_bash"

for p in "${platforms[@]}"; do
	mote=(build/mote run --no-fallback)
	[ "$p" = qemu ] && mote=(build/mote run --qemu)
	out=$(read_line "${mote[@]}")
	expect_eq "$p: a typed line, echoed and edited, byte for byte as natively" \
		"$native_read" "$out"
	out=$(bash_session "${mote[@]}" -it --with sh --with sleep --env PS1='$ ' --env TERM=dumb \
		--env PATH=/usr/bin:/bin)
	echo "--- $p: interactive bash:"
	echo "$out"
	expect_eq "$p: interactive bash: readline, ^C, ^Z, jobs, fg as natively" "$native_bash" "$out"
	out=$(resized "${mote[@]}")
	expect_eq "$p: a resized host terminal: SIGWINCH and the new size in the guest" \
		"$native_resized" "$out"
	out=$(interrupted "${mote[@]}")
	expect_eq "$p: ^C ends a program with no handler (status 130), echoed" "$native_int" "$out"
	# the host terminal's own settings (no echo, ^T for VINTR) are the console's
	out=$($PTY -- sh -c "stty -echo intr ^T; ${mote[*]} /bin/busybox stty -a")
	expect_match "$p: the console starts with the host terminal's settings" \
		'intr = \^T;.*-echo ' "$(tr '\n' ' ' <<<"$out")"
	# the host's TERM and its terminfo entry, as a login on the terminal gets them
	entry=$(for d in /etc/terminfo /lib/terminfo /usr/share/terminfo; do
		[ -e $d/x/xterm ] && echo $d/x/xterm && break
	done)
	if [ -n "$entry" ]; then
		out=$(TERM=xterm $PTY -- "${mote[@]}" /bin/busybox sh -c "echo \$TERM; cat $entry | wc -c")
		expect_eq "$p: the program gets \$TERM and its terminfo entry" \
			"$(printf 'xterm\n%s' "$(wc -c <$entry)")" "$out"
	fi
	# ... and finds them again after: ISIG, ONLCR, echo as they were
	out=$($PTY -- sh -c "stty -g; ${mote[*]} /bin/busybox true; stty -g")
	expect_eq "$p: the host terminal's settings are restored after" \
		"$(head -n 1 <<<"$out")" "$(tail -n 1 <<<"$out")"
done
finish
