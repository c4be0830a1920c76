#!/bin/bash
# mote_run.sh: `mote run` end to end on motevm: exit status, stdout and stderr kept apart, stdin
# to end of file, environment, arguments with spaces and quotes, --add, --cwd, the image cache,
# a program out of memory; `mote build` + `mote run --image`; errors for programs mote cannot
# package (no VM needed), --with's errors; the same image under QEMU (--qemu), and a shell
# pipeline of programs given with --with; --trace under QEMU; the fallback to QEMU TCG when /dev/kvm is not usable
# (forced with MOTE_KVM_DEVICE=/nonexistent where it is): one notice on stderr, the program's output and status, --no-fallback, the error without QEMU either.
# Without a usable /dev/kvm the motevm part is skipped; the test skips only if neither it nor
# QEMU can run.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
MOTE="timeout 60 $PWD/build/mote" # a hang fails the check, not the whole run
have_kvm=
kvm_usable && have_kvm=yes
have_qemu=$(command -v qemu-system-x86_64)
[ -n "$have_kvm" ] || [ -n "$have_qemu" ] ||
	skip "neither a usable /dev/kvm ($KVM_WHY) nor qemu-system-x86_64"
T=$TEST_TMP
export MOTE_CACHE_DIR=$T/cache

# A program that shows what it was given: its arguments, an environment variable, its working
# directory, stdin's bytes; it writes to both streams and exits with the status in $STATUS.
cat >$T/show.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char cwd[256], buf[4096];
	long n, total = 0;
	for (int i = 1; i < argc; i++)
		printf("arg%d=[%s]\n", i, argv[i]);
	printf("GREETING=[%s]\n", getenv("GREETING") ? getenv("GREETING") : "(unset)");
	printf("cwd=[%s]\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	if (getenv("READ_STDIN")) {
		while ((n = read(0, buf, sizeof(buf))) > 0)
			total += n;
		printf("stdin=%ld bytes\n", total);
	}
	fflush(stdout);
	fprintf(stderr, "to stderr\n");
	return getenv("STATUS") ? atoi(getenv("STATUS")) : 0;
}
C
gcc -O2 -o $T/show $T/show.c && gcc -O2 -static -o $T/show-static $T/show.c ||
	{ not_ok "cannot compile the test program"; finish; exit 1; }

# motevm (--no-fallback: never mote's QEMU fallback)
on_motevm() {
	for kind in show show-static; do
		out=$($MOTE run --no-fallback --env STATUS=7 $T/$kind 2>$T/err)
		rc=$?
		expect_eq "$kind: the program's exit status is mote's" 7 "$rc"
		expect_match "$kind: stdout reaches mote's stdout" "GREETING=\[\(unset\)\]" "$out"
		expect_eq "$kind: stderr reaches mote's stderr, not stdout" "to stderr" "$(cat $T/err)"
	done

	out=$($MOTE run --no-fallback --env 'GREETING=hello world' $T/show 'a b' "it's" '"q"' '$HOME' '' 'back\slash' 2>/dev/null)
	expect_eq "arguments with spaces and quotes arrive intact" \
		"arg1=[a b]|arg2=[it's]|arg3=[\"q\"]|arg4=[\$HOME]|arg5=[]|arg6=[back\\slash]" \
		"$(printf '%s\n' "$out" | grep '^arg' | paste -sd'|')"
	expect_match "--env with a space" "GREETING=\[hello world\]" "$out"

	head -c 100000 /dev/urandom >$T/input
	out=$($MOTE run --no-fallback --env READ_STDIN=1 $T/show <$T/input 2>/dev/null)
	expect_match "stdin reaches the program, then end of file" "stdin=100000 bytes" "$out"
	out=$(printf 'abc' | $MOTE run --no-fallback --env READ_STDIN=1 $T/show 2>/dev/null)
	expect_match "stdin from a pipe" "stdin=3 bytes" "$out"

	echo "added file" >$T/data.txt
	out=$($MOTE run --no-fallback --add $T/data.txt:/srv/data.txt --cwd /srv /bin/cat data.txt 2>&1)
	expect_eq "--add HOST:GUEST and --cwd" "added file" "$out"

	# the cache: the first run of a new program builds its image, the second builds nothing
	cp $T/show $T/show-new
	$MOTE run --no-fallback --verbose $T/show-new >/dev/null 2>$T/v1
	$MOTE run --no-fallback --verbose $T/show-new >/dev/null 2>$T/v2
	expect_match "first run of a new program builds its image" "image built" "$(cat $T/v1)"
	expect_match "second run finds it in the cache" "image cached" "$(cat $T/v2)"
	expect_match "--verbose shows the guest's boot time" "Guest-boot-time" "$(cat $T/v2)"
	# motevm is asked for transparent huge pages (fewer VM exits on kvm_pvm), but for an odd
	# MiB count, which it refuses with them
	expect_match "... and its memory in transparent huge pages" \
		"starting motevm \(1 vCPU, 128 MiB in transparent huge pages\)" "$(cat $T/v2)"
	out=$($MOTE run --no-fallback --verbose --mem 127 $T/show-new 2>&1 >/dev/null)
	expect_match "... not with an odd --mem, which still boots" \
		"starting motevm \(1 vCPU, 127 MiB\).*VM ended, status 0" "$(echo $out)"

	# mote build, then run the image
	$MOTE build $T/show 'from image' -o $T/show.img >/dev/null
	out=$($MOTE run --no-fallback --image $T/show.img 2>/dev/null)
	expect_match "mote run --image runs the image's command line" "arg1=\[from image\]" "$out"
}

if [ -n "$have_kvm" ]; then
	on_motevm
else
	echo "(motevm part skipped: $KVM_WHY)"
fi

# a program that touches more memory than the VM has: killed as Linux's OOM killer does
# (SIGKILL: 137) with a message that says what to do, not a stray SIGSEGV (on each platform)
cat >$T/hog.c <<'C'
#include <sys/mman.h>
int main(void)
{
	unsigned long n = 1UL << 30;
	volatile char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 3;
	for (unsigned long i = 0; i < n; i += 4096)
		p[i] = 1;
	return 0;
}
C
if gcc -O2 -static -o $T/hog $T/hog.c; then
	for plat in ${have_kvm:+motevm} ${have_qemu:+qemu}; do
		vm=--no-fallback
		[ $plat = qemu ] && vm=--qemu
		out=$($MOTE run $vm --mem 64 $T/hog 2>&1)
		expect_eq "$plat: touching 1 GiB in a 64 MiB VM: killed by SIGKILL (137)" 137 "$?"
		expect_match "... with the reason and the remedy" "out of memory.*--mem" "$out"
	done
else
	not_ok "cannot compile the memory hog"
fi
# the VM's own lines (a mount the kernel refuses) are never mixed into the program's stderr:
# they come after its end, marked "mote: vm:"; with --verbose live, as the kernel writes them
truncate -s 8M "$T/zero.img"
for plat in ${have_kvm:+motevm} ${have_qemu:+qemu}; do
	vm=--no-fallback
	[ $plat = qemu ] && vm=--qemu
	$MOTE run $vm --net none -v "$T/zero.img:/data" /bin/busybox sh -c \
		'echo err-line >&2; echo out-line' >"$T/vl.out" 2>"$T/vl.err"
	expect_eq "$plat: a refused mount: stdout is the program's" out-line "$(cat "$T/vl.out")"
	expect_eq "... stderr: the program's line first, then the kernel's, marked" \
		"err-line|mote: vm: ext4: vda: not an ext2/3/4 file system (magic 0x0)|mote: vm: mote: cannot mount /dev/vda on /data: not an ext4 file system (-22)" \
		"$(grep -v '^mote: vm: [0-9-]*T' "$T/vl.err" | paste -sd '|')"
	out=$($MOTE run $vm --verbose --net none -v "$T/zero.img:/data" /bin/busybox sh -c \
		'echo err-line >&2' 2>&1 | grep -E '^(err-line|mote: cannot mount)' | paste -sd '|')
	expect_eq "... with --verbose: the kernel's line live, before the program's" \
		"mote: cannot mount /dev/vda on /data: not an ext4 file system (-22)|err-line" "$out"
done

# errors: clear, and 125 (mote's own failure), not a guest status
out=$($MOTE run /etc/passwd 2>&1)
rc=$?
expect_eq "a program mote cannot package: exit 125" 125 "$rc"
expect_match "... with the reason" "/etc/passwd: not an ELF file" "$out"
out=$($MOTE run --image /etc/passwd 2>&1)
expect_eq "--image of a non-image: exit 125" 125 "$?"
out=$($MOTE run --cpus 99 /bin/true 2>&1)
expect_eq "--cpus out of range: exit 125" 125 "$?"
expect_match "... names the option" "--cpus: '99' is not a number from 1 to 32" "$out"

# kernel options through mote run (on whatever platform mote picks: motevm, or QEMU TCG)
if [ -n "$have_qemu" ] || kvm_usable; then
	out=$($MOTE run --stats --kernel-arg=--strace /bin/true 2>&1)
	expect_eq "--stats --kernel-arg=--strace: exit status" 0 "$?"
	expect_match "--stats: the kernel's counts" "mote stats: syscalls [1-9][0-9]* \(" "$out"
	expect_match "--kernel-arg=--strace: calls traced" "\[1\] [a-z_0-9]+\(.*\) = " "$out"
	kvm_usable && expect_match "--stats: motevm's VM exits" "motevm stats: " "$out"
fi
out=$($MOTE run --with nonexistent-prog /bin/true 2>&1)
expect_eq "--with a missing program: exit 125" 125 "$?"
expect_eq "... one line naming it" \
	"mote run: --with nonexistent-prog: no such program (not a path, not in \$PATH)" "$out"
$MOTE build /bin/true -o $T/true.img >/dev/null
out=$($MOTE run --image $T/true.img --with ls 2>&1)
expect_eq "--with and --image: exit 125" 125 "$?"
expect_match "... --with changes an image" "^mote run: .*--with.* change an image" "$out"
out=$($MOTE run --image $T/true.img --trace 2>&1)
expect_eq "--trace and --image: exit 125" 125 "$?"
out=$($MOTE run --kernel-arg=strace /bin/true 2>&1)
expect_eq "--kernel-arg without --: exit 125" 125 "$?"
expect_match "... says what a kernel option is" "not a kernel option" "$out"

# the same image under QEMU
if [ -n "$have_qemu" ]; then
	out=$($MOTE run --qemu --env STATUS=5 $T/show-static 'q arg' 2>$T/q.err)
	rc=$?
	expect_eq "--qemu: the program's exit status" 5 "$rc"
	expect_match "--qemu: its output" "arg1=\[q arg\]" "$out"
	check "--qemu: no fallback notice (QEMU was asked for)" test -z "$(grep 'not usable' $T/q.err)"
	# the guest's wall clock set (clock_settime), vDSO readers following at once
	out=$($MOTE run --qemu /bin/busybox sh -c \
		'date -u -s "2030-01-02 03:04:05" >/dev/null && date -u +%Y-%m-%dT%H' </dev/null 2>&1)
	expect_eq "--qemu: date -s sets the guest's clock" "2030-01-02T03" "$out"
	# the kernel's own lines (here --strace's) go to stderr, never into the program's stdout
	out=$($MOTE run --qemu --kernel-arg=--strace /bin/busybox echo data 2>$T/strace.err </dev/null)
	expect_eq "--qemu: the kernel's lines stay out of the program's stdout" data "$out"
	expect_match "... and reach stderr" 'write\(0x1' "$(cat $T/strace.err)"
	# programs the program runs: missing without --with; with it, a pipeline of three
	# (fork, exec, pipes, wait) in an image of its own (the file set is the cache key)
	out=$($MOTE run --qemu --verbose /bin/bash -c 'ls / | sort | wc -l; ls -1 /' 2>&1)
	expect_match "--qemu: without --with, bash finds no ls" "ls: command not found" "$out"
	out=$($MOTE run --qemu --verbose --with ls --with sort --with wc /bin/bash -c \
		'ls / | sort | wc -l; ls -1 /' 2>$T/with.err)
	rc=$?
	expect_eq "--qemu --with ls --with sort --with wc: bash's status" 0 "$rc"
	expect_match "... ls / | sort | wc -l counts the entries of /" "^[1-9][0-9]*$" \
		"$(head -n 1 <<<"$out")"
	expect_eq "... as many as ls -1 / lists" "$(head -n 1 <<<"$out")" \
		"$(tail -n +2 <<<"$out" | wc -l)"
	check "... among them usr" grep -qx usr <<<"$out"
	expect_match "... in a new image, not the one without --with (the same command)" \
		"image built" "$(cat $T/with.err)"
	# every ELF file in the image brings its libraries: Python's extension modules in the
	# --add'ed tree find libsqlite3, libssl, libffi... with no --add of those
	out=$($MOTE run --qemu --add /usr/lib/python3.11 /usr/bin/python3 -c \
		'import sqlite3, ssl, ctypes, json, decimal; print(sqlite3.sqlite_version)' 2>&1)
	expect_eq "--qemu: python3's extension modules find their libraries" \
		"$(/usr/bin/python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')" "$out"
	# a library only an --add'ed plugin needs (through its DT_RUNPATH) is in the cache key: a
	# change to it builds a new image; a plugin's library found nowhere is a warning when the
	# image is built, not at each run of it
	mkdir -p $T/plug $T/helpers
	printf 'int helper(void) { return 1; }\n' >$T/helper.c
	printf 'int helper(void); int plug(void) { return helper(); }\n' >$T/plug.c
	printf 'int gone(void) { return 0; }\n' >$T/gone.c
	printf 'int gone(void); int broken(void) { return gone(); }\n' >$T/broken.c
	if gcc -shared -fPIC -o $T/helpers/libhelper.so $T/helper.c &&
		gcc -shared -fPIC -o $T/plug/libplug.so $T/plug.c -L$T/helpers -lhelper \
			-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../helpers' &&
		gcc -shared -fPIC -Wl,-soname,libgone.so.1 -o $T/libgone.so.1 $T/gone.c &&
		gcc -shared -fPIC -o $T/plug/libbroken.so $T/broken.c $T/libgone.so.1; then
		rm $T/libgone.so.1
		$MOTE run --qemu --verbose --add $T/plug /bin/true 2>$T/p1.err
		$MOTE run --qemu --verbose --add $T/plug /bin/true 2>$T/p2.err
		touch $T/helpers/libhelper.so
		$MOTE run --qemu --verbose --add $T/plug /bin/true 2>$T/p3.err
		expect_match "--qemu: a plugin's library found nowhere: a warning as the image is built" \
			"^mote: warning: $T/plug/libbroken.so needs libgone.so.1, not found$" \
			"$(cat $T/p1.err)"
		expect_match "... not when it comes from the cache" "image cached" "$(cat $T/p2.err)"
		expect_eq "... (no warning then)" "" "$(grep warning $T/p2.err)"
		expect_match "... a change to the library only the plugin needs: a new image" \
			"image built" "$(cat $T/p3.err)"
	else
		not_ok "cannot compile the shared objects"
	fi
	# --trace: what a run on the host opened is in the image, no --add needed
	out=$($MOTE run --qemu --trace /usr/bin/python3 -c \
		'import json, sqlite3; print(json.dumps([1]))' </dev/null 2>$T/trace.err)
	expect_eq "--qemu --trace: python3 imports json and sqlite3 without --add" "[1]" "$out"
	expect_match "... one summary line on stderr" \
		"^mote: --trace: [0-9]+ files?, [0-9]+ director(y|ies) from 1 run of [0-9.]+ s$" \
		"$(cat $T/trace.err)"
	cat >$T/cat-file.c <<'C'
#include <stdio.h>
int main(int argc, char **argv)
{
	char buf[256];
	size_t n;
	FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;

	if (!f) {
		printf("%s: missing\n", argc > 1 ? argv[1] : "(none)");
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fwrite(buf, 1, n, stdout);
	return 0;
}
C
	echo "host data" >$T/host-data.txt
	if gcc -O2 -o $T/cat-file $T/cat-file.c; then
		out=$($MOTE run --qemu --no-auto-add $T/cat-file $T/host-data.txt </dev/null 2>&1)
		expect_eq "--qemu: without --trace the data file is missing inside" \
			"$T/host-data.txt: missing" "$out"
		out=$($MOTE run --qemu --no-auto-add --trace $T/cat-file $T/host-data.txt \
			</dev/null 2>/dev/null)
		expect_eq "--qemu --trace: the program reads it" "host data" "$out"
	else
		not_ok "cannot compile the --trace test program"
	fi
	# each of stdin, stdout and stderr is a terminal inside only if mote's is (--console-ttys)
	out=$($MOTE run --qemu /bin/busybox sh -c \
		'for f in 0 1 2; do [ -t $f ] && echo "$f tty" || echo "$f not"; done' </dev/null 2>&1)
	expect_eq "--qemu: stdin, stdout, stderr not terminals when mote's are not" \
		"$(printf '0 not\n1 not\n2 not')" "$out"
	# on a terminal of 30 rows and 100 columns (tests/pty_run.py: not script(1), which runs
	# $SHELL and types an EOF when its own stdin ends)
	out=$(python3 tests/pty_run.py --size 30x100 --timeout 120 -- \
		$MOTE run --qemu /bin/busybox sh -c '[ -t 1 ] && echo tty; stty size' 2>&1)
	expect_match "--qemu: under a terminal, stdout is one, with its window" \
		"^tty"$'\n'"30 100$" "$out"
	# stdin a terminal, stdout a file: the program reads the terminal (a terminal inside too)
	# and the kernel's lines (--stats) go to stderr, never into stdout (they went to QEMU's
	# stdout with the terminal's input on COM1); not under timeout(1), whose process group
	# is not the terminal's foreground one (a read there stops on SIGTTIN)
	out=$(python3 tests/pty_run.py --timeout 120 --after ready --type 'hello\n' -- /bin/sh -c \
		"$PWD/build/mote run --qemu --kernel-arg=--stats /bin/busybox sh -c \
		'[ -t 0 ] && echo in-tty; echo ready >&2; read -t 60 x; echo got:\$x' >$T/tty_in.out" 2>&1)
	expect_eq "--qemu, stdin a terminal, stdout a file: the program's lines only" \
		"$(printf 'in-tty\ngot:hello')" "$(cat "$T/tty_in.out")"
	expect_match "... the kernel's on the terminal (stderr)" "mote stats: syscalls" "$out"
	# a file added under a directory the image has as a symlink (merged /usr: /bin -> usr/bin)
	# lands in the link's target, as Linux unpacks an initramfs ("bad initrd" before)
	if [ -L /bin ]; then
		printf '#!/bin/bash\necho added\n' >"$T/added.sh" && chmod +x "$T/added.sh"
		out=$($MOTE run --qemu --add "$T/added.sh:/bin/added" /bin/bash -c \
			'/bin/added; test -L /bin && echo link; test -x /usr/bin/added && echo there' 2>&1)
		expect_eq "--add FILE:/bin/NAME with /bin a link: the file at /usr/bin/NAME" \
			"$(printf 'added\nlink\nthere')" "$out"
	fi
	# input already waiting when the kernel turns the UART's FIFOs on is kept (it lost the
	# first byte: "[ello]")
	out=$( (sleep 0.05; echo hello) | timeout 60 $MOTE run --qemu /bin/busybox sh -c \
		'read -t 5 x; echo "[$x]"' 2>/dev/null)
	expect_eq "--qemu: early input keeps its first byte" "[hello]" "$out"
	# stdin through a virtio console port: its end arrives (wc ends), every byte counted
	out=$(printf 'one\ntwo\nthree\n' | timeout 60 $MOTE run --qemu /bin/busybox wc -l 2>&1)
	expect_eq "--qemu: stdin's end reaches the program" "3" "$(tr -d ' ' <<<"$out")"
	# output through QEMU's virtio console and mote's relay: whole, and no hang when the
	# reader goes away early
	n=$(timeout 120 $MOTE run --qemu /bin/busybox sh -c \
		'dd if=/dev/zero bs=65536 count=160 2>/dev/null' | wc -c)
	expect_eq "--qemu: 10 MiB of output arrive whole" "$((10 << 20))" "$n"
	out=$( (timeout 120 $MOTE run --qemu /bin/busybox dd if=/dev/zero bs=65536 count=1600
		echo "mote $?" >&2) 2>&1 | head -c 4 | wc -c)
	expect_eq "--qemu: a reader that stops early: no hang" 4 "$out"
	(timeout 120 $MOTE run --qemu /bin/busybox dd if=/dev/zero bs=65536 count=1600
		echo "$?" >"$T/pipe.rc") | head -c 4 >/dev/null
	expect_eq "... mote ends with SIGPIPE's status, as the writer would natively" 141 \
		"$(cat "$T/pipe.rc")"
	check "... and no temporary file is left" test -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 \
		\( -name 'mote-out.*' -o -name 'mote-err.*' -o -name 'mote-com1.*' \) -newer "$T" \
		2>/dev/null)"
else
	not_ok "qemu-system-x86_64 missing (tools/deps.sh installs it)"
fi

# No usable KVM device: mote says so in one line on stderr and boots under QEMU TCG, the
# program's stderr still apart (virtio console ports). Forced with MOTE_KVM_DEVICE (a missing path) where /dev/kvm works; and as it comes where
# it does not.
notice='running under QEMU TCG instead (much slower)'
if [ -n "$have_qemu" ]; then
	out=$(MOTE_KVM_DEVICE=/nonexistent $MOTE run --env STATUS=6 $T/show 'fb arg' 2>$T/fb.err)
	rc=$?
	expect_eq "fallback: the program's exit status" 6 "$rc"
	expect_match "fallback: its output" "arg1=\[fb arg\]" "$out"
	expect_eq "fallback: its stderr, apart on stderr (a port of its own)" "to stderr" \
		"$(sed -n 2p $T/fb.err)"
	check "... and not on stdout" test -z "$(grep 'to stderr' <<<"$out")"
	expect_eq "fallback: one notice line on stderr, naming the device and why" \
		"mote: /nonexistent is not usable (No such file or directory); $notice" \
		"$(head -n 1 $T/fb.err)"
	if [ -z "$have_kvm" ]; then
		out=$($MOTE run --env STATUS=7 $T/show-static 2>$T/fb2.err)
		expect_eq "fallback without /dev/kvm: the program's exit status" 7 "$?"
		expect_match "... its output" "GREETING=\[\(unset\)\]" "$out"
		expect_eq "... one notice line on stderr" \
			"mote: /dev/kvm is not usable (${KVM_WHY#/dev/kvm: }); $notice" \
			"$(head -n 1 $T/fb2.err)"
	fi
fi
out=$(MOTE_KVM_DEVICE=/nonexistent $MOTE run --no-fallback $T/show 2>&1)
expect_eq "--no-fallback without KVM: exit 125" 125 "$?"
expect_match "... naming the device and the option" \
	"^mote: /nonexistent is not usable \(No such file or directory\).*--no-fallback" "$out"
check "... and the program did not run" test -z "$(grep 'GREETING' <<<"$out")"
out=$(MOTE_KVM_DEVICE=/nonexistent MOTE_QEMU=/nonexistent/qemu $MOTE run $T/show 2>&1)
expect_eq "neither KVM nor QEMU: exit 125" 125 "$?"
expect_match "... a message naming both" "/nonexistent is not usable.*/nonexistent/qemu" "$out"
finish
