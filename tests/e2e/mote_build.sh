#!/bin/bash
# mote_build.sh: `mote build` and `mote inspect` on real Debian programs. Each image is unpacked
# with GNU cpio and run in a chroot: it must print what the program prints natively, which
# shows the dependency resolution and the cpio format are right. --trace (the files a traced
# run used: a forked child's, what a run killed at its time limit saw). Then the errors.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
MOTE=build/mote
[ -x $MOTE ] || skip "build/mote not built"
[ "$(id -u)" -eq 0 ] || skip "needs root for chroot"
T=$TEST_TMP

# run_in_image NAME -- mote-build-args... : build, unpack, run the program in a chroot
# with the same arguments, compare with the native run.
same_as_native() {
	local name=$1
	shift
	local img=$T/$name.img root=$T/$name.root native guest
	if ! $MOTE build "$@" -o "$img" >"$T/$name.build" 2>&1; then
		not_ok "$name: mote build failed: $(cat "$T/$name.build")"
		return
	fi
	mkdir -p "$root" && (cd "$root" && cpio -idm --quiet <"$img") || {
		not_ok "$name: GNU cpio cannot unpack the image"
		return
	}
	# the Mote kernel provides /dev (devfs); the chroot gets the part programs use at start
	mkdir -p "$root/dev" && mknod -m 666 "$root/dev/null" c 1 3
	# the program and its arguments: what follows the mote options (the flags take no value)
	while [ "${1#-}" != "$1" ]; do
		case $1 in
		--trace | --no-auto-add | --no-runtime | --runtime-site) shift ;;
		*) shift 2 ;;
		esac
	done
	native=$(env -i "$@" 2>&1)
	guest=$(env -i /usr/sbin/chroot "$root" "$@" 2>&1)
	expect_eq "$name: same output in the image's root as natively" "$native" "$guest"
}

same_as_native ls /bin/ls -la /usr/bin/ls
same_as_native bash /bin/bash -c 'echo $((6 * 7)) "$BASH_VERSION"'
same_as_native perl /usr/bin/perl -e 'print 6 * 7, "\n"'
same_as_native python3 --add /usr/lib/python3.11 /usr/bin/python3 -c 'import json; print(json.dumps([6 * 7]))'
same_as_native sqlite3 /usr/bin/sqlite3 :memory: 'select 6 * 7;'
same_as_native lua /usr/bin/lua5.4 -e 'print(6 * 7)'
same_as_native busybox /bin/busybox sh -c 'echo busybox $((6 * 7))'

# --trace: the files a run on the host uses, without --add (Python's standard library)
same_as_native python3-trace --trace /usr/bin/python3 -c 'import json, sqlite3; print(json.dumps([1]))'

# --trace with a program that reads a file named by an absolute path, in a child it forks
# (FORK=1), then sleeps for ever (SLEEP=1)
cat >$T/rd.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char buf[256];
	size_t n;
	FILE *f;
	pid_t pid;
	int st;

	if (argc < 2)
		return 2;
	if (getenv("FORK") && (pid = fork()) != 0) {
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		printf("%s: missing\n", argv[1]);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fwrite(buf, 1, n, stdout);
	fflush(stdout);
	while (getenv("SLEEP"))
		pause();
	return 0;
}
C
if gcc -O2 -o $T/rd $T/rd.c; then
	echo "read by the program" >$T/data.txt
	# (--no-auto-add: the file named on the command line would be added without --trace)
	$MOTE build --no-auto-add $T/rd $T/data.txt -o $T/rd.img >/dev/null
	mkdir -p $T/rd.root && (cd $T/rd.root && cpio -idm --quiet <$T/rd.img)
	expect_eq "without --trace, the file the program reads is missing" "$T/data.txt: missing" \
		"$(env -i /usr/sbin/chroot $T/rd.root $T/rd $T/data.txt 2>&1)"
	same_as_native rd-trace --no-auto-add --trace $T/rd $T/data.txt
	out=$($MOTE build --no-auto-add --trace $T/rd $T/data.txt -o $T/rd.img 2>&1 >/dev/null)
	expect_match "--trace: a summary line on stderr" \
		"^mote: --trace: [0-9]+ files?, [0-9]+ director(y|ies) from 1 run of [0-9.]+ s$" "$out"
	out=$($MOTE build -v --no-auto-add --trace $T/rd $T/data.txt -o $T/rd.img 2>&1)
	expect_match "--trace -v: each file" "^mote: --trace: $T/data.txt$" "$out"
	expect_match "... and the traced run's output" "^read by the program$" "$out"

	echo "read by the child" >$T/child.txt
	$MOTE build --no-auto-add --trace --env FORK=1 $T/rd $T/child.txt -o $T/fork.img >/dev/null 2>&1
	expect_match "--trace follows a forked child: the file it opens is in the image" \
		" $T/child.txt$" "$($MOTE inspect $T/fork.img)"

	echo "read before the sleep" >$T/slept.txt
	start=$SECONDS
	out=$($MOTE build --trace --trace-timeout 2 --env SLEEP=1 --env FORK=1 $T/rd $T/slept.txt \
		-o $T/sleep.img 2>&1 >/dev/null)
	rc=$?
	expect_eq "--trace-timeout 2 on a program that sleeps for ever: the image is written" 0 "$rc"
	check "... in about 2 s" test $((SECONDS - start)) -lt 10
	expect_match "... saying it was killed" \
		"^mote: --trace: $T/rd still running after 2 s: killed; adding the files it used until then$" \
		"$out"
	expect_match "... the file it opened before is in the image" " $T/slept.txt$" \
		"$($MOTE inspect $T/sleep.img)"
	check "... and no traced process is left" \
		test -z "$(ps -eo args= | grep -F "$T/rd $T/slept.txt" | grep -v grep)"
else
	not_ok "cannot compile the --trace test program"
fi

# --trace leaves out what the program created itself and /proc, and brings the programs it ran
$MOTE build --trace /bin/bash -c "echo made >$T/made.txt; cat $T/made.txt /proc/self/stat" \
	-o $T/made.img >/dev/null 2>&1
listing=$($MOTE inspect $T/made.img)
check "--trace: a file the program created is not in the image" \
	test -z "$(grep " $T/made.txt$" <<<"$listing")"
expect_match "... the directory it made it in is" " $T$" "$listing"
check "... nothing under /proc" test -z "$(grep -v '^cmdline' <<<"$listing" | grep -E ' /proc(/|$)')"
expect_match "... the cat it ran, with its libraries" " /usr/bin/cat$" "$listing"
out=$($MOTE build --trace-timeout 5 /bin/true -o $T/bad.img 2>&1)
expect_match "--trace-timeout without --trace is a usage error" "give --trace too" "$out"

# every library ldd finds is in the image (at the path ldd found it)
$MOTE build /usr/bin/curl -o $T/curl.img >/dev/null
listing=$($MOTE inspect $T/curl.img)
missing=""
for lib in $(ldd /usr/bin/curl | awk '/=>/ {print $3}'); do
	real=$(readlink -f "$lib")
	printf '%s\n' "$listing" | grep -q " ${real}\$" || missing="$missing $real"
done
expect_eq "curl: every library ldd lists is in the image" "" "$missing"

# a script brings its interpreter; #!/usr/bin/env NAME brings NAME
printf '#!/bin/sh\necho script\n' >$T/s.sh && chmod +x $T/s.sh
$MOTE build $T/s.sh -o $T/s.img >/dev/null
expect_match "#!/bin/sh script brings dash" " /usr/bin/dash$" "$($MOTE inspect $T/s.img)"
printf '#!/usr/bin/env perl\nprint 1\n' >$T/e.pl && chmod +x $T/e.pl
$MOTE build $T/e.pl -o $T/e.img >/dev/null
expect_match "#!/usr/bin/env perl brings perl" " /usr/bin/perl$" "$($MOTE inspect $T/e.img)"
expect_match "... and env" " /usr/bin/env$" "$($MOTE inspect $T/e.img)"

# arguments with spaces and quotes survive into the command line, shell-split
$MOTE build /bin/echo 'a b' "it's" '$HOME' '' -o $T/q.img >/dev/null
cmdline=$($MOTE inspect $T/q.img | sed -n 's/^cmdline:  //p')
eval "set -- $cmdline"
expect_eq "quoted command line splits back into the arguments" \
	"/bin/echo|a b|it's|\$HOME|" "$(IFS='|'; echo "$*")"
$MOTE build -o $T/o.img --env A='x y' --cwd /tmp /bin/true >/dev/null
expect_match "--env and --cwd are in the command line" "^cmdline:  '--env=A=x y' --cwd=/tmp /bin/true$" \
	"$($MOTE inspect $T/o.img | grep ^cmdline)"

# --add: a directory at its own path, and a file at another path
mkdir -p $T/data/sub && echo hi >$T/data/sub/f && ln -s f $T/data/sub/l
$MOTE build --add $T/data --add /etc/os-release:/info/release /bin/true -o $T/a.img >/dev/null
listing=$($MOTE inspect $T/a.img)
expect_match "--add DIR brings its files" " $T/data/sub/f$" "$listing"
expect_match "--add DIR keeps symlinks" " $T/data/sub/l -> f$" "$listing"
expect_match "--add HOST:GUEST puts the file at GUEST" " /info/release$" "$listing"

# the data of ELF files and of files of 64 KiB or more start on a page (the kernel maps them in
# place); a small file is not padded
head -c 100000 /dev/urandom >$T/data/big && echo small >$T/data/small
$MOTE build --add $T/data /bin/true -o $T/a.img >/dev/null
expect_eq "ELF and large files' data start on a 4 KiB boundary, a small one's need not" \
	"unaligned: none; aligned: big libc.so.6 true; small unaligned: 1" "$(python3 - $T/a.img <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
off, aligned, unaligned, small = 0, [], [], 0
while d[off:off + 6] == b"070701":
    size, nlen = int(d[off + 54:off + 62], 16), int(d[off + 94:off + 102], 16)
    name = d[off + 110:off + 110 + nlen - 1].decode()
    data = (off + 110 + nlen + 3) & ~3
    big = size >= 65536 or d[data:data + 4] == b"\x7fELF"
    if big and data % 4096 == 0:
        aligned.append(name.rsplit("/", 1)[-1])
    elif big:
        unaligned.append(name)
    small += name.endswith("/small") and data % 4096 != 0
    off = (data + size + 3) & ~3
print("unaligned: %s; aligned: %s; small unaligned: %d" % (" ".join(unaligned) or "none",
      " ".join(n for n in ("big", "libc.so.6", "true") if n in aligned), small))
PY
)"

# every ELF file in the image brings its libraries, not only the program: Python's extension
# modules in the --add'ed tree need libsqlite3, libssl, libffi... (no --add of those), found
# as ld.so finds them; -v names each such library and what it is for
same_as_native python3-modules --add /usr/lib/python3.11 /usr/bin/python3 -c 'import sqlite3, ssl, ctypes, decimal
print(sqlite3.sqlite_version, ssl.OPENSSL_VERSION, ctypes.CDLL("libc.so.6").abs(-42), decimal.Decimal(1) / 7)'
out=$($MOTE build -v --add /usr/lib/python3.11 /usr/bin/python3 -o $T/pyv.img 2>&1)
expect_match "build -v: the closure's libraries, and for what" \
	"mote: \+ /[^ ]*/libsqlite3\.so\.0 \(for /usr/lib/python3\.11/lib-dynload/_sqlite3\." "$out"
expect_match "build -v: the count and the time" \
	"mote: resolved in [0-9.]+ ms: [0-9]+ libraries for the program, [1-9][0-9]* for the other ELF files" "$out"

# ... and shared objects of one's own: a plugin in an --add'ed directory whose DT_NEEDED is
# outside it, found through its DT_RUNPATH $ORIGIN/../helpers, needs one more in turn
# ($ORIGIN/../deep); a plugin whose DT_NEEDED is nowhere is a warning naming both, and the
# build goes on. A program that dlopens the plugin runs in the image's root as natively.
S=$T/so
mkdir -p $S/plug $S/helpers $S/deep $S/gone
printf 'int deep(void) { return 40; }\n' >$S/deep.c
printf 'int deep(void); int helper(void) { return deep() + 1; }\n' >$S/helper.c
printf 'int helper(void); int plug(void) { return helper() + 1; }\n' >$S/plug.c
printf 'int gone(void) { return 0; }\n' >$S/gone.c
printf 'int gone(void); int broken(void) { return gone(); }\n' >$S/broken.c
cat >$S/dl.c <<'C'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	void *h = dlopen(argv[1], RTLD_NOW);
	int (*f)(void) = h ? (int (*)(void))dlsym(h, "plug") : NULL;

	if (!f) {
		printf("%s\n", dlerror());
		return 1;
	}
	printf("plug: %d\n", f());
	return 0;
}
C
runpath=-Wl,--enable-new-dtags,-rpath
if gcc -shared -fPIC -o $S/deep/libdeep.so $S/deep.c &&
	gcc -shared -fPIC -o $S/helpers/libhelper.so $S/helper.c -L$S/deep -ldeep "$runpath,\$ORIGIN/../deep" &&
	gcc -shared -fPIC -o $S/plug/libplug.so $S/plug.c -L$S/helpers -lhelper "$runpath,\$ORIGIN/../helpers" &&
	gcc -shared -fPIC -Wl,-soname,libgone.so.1 -o $S/gone/libgone.so.1 $S/gone.c &&
	gcc -shared -fPIC -o $S/plug/libbroken.so $S/broken.c $S/gone/libgone.so.1 &&
	gcc -o $S/dl $S/dl.c; then
	rm -r $S/gone
	same_as_native plugin --add $S/plug $S/dl $S/plug/libplug.so
	out=$($MOTE build --add $S/plug /bin/true -o $T/so.img 2>&1 >/dev/null)
	expect_eq "a plugin's DT_NEEDED found nowhere: status 0, one warning naming both" \
		"0|mote: warning: $S/plug/libbroken.so needs libgone.so.1, not found" "$?|$out"
	listing=$($MOTE inspect $T/so.img)
	expect_match "... the library it needs, through DT_RUNPATH \$ORIGIN/../helpers" \
		" $S/helpers/libhelper\.so$" "$listing"
	expect_match "... and the one that needs in turn" " $S/deep/libdeep\.so$" "$listing"
	# $ORIGIN is where the object sits in the guest: the tree added at /opt/so has its
	# libraries there; none comes from the host's $S
	out=$($MOTE build --add $S:/opt/so /bin/true -o $T/so-as.img 2>&1 >/dev/null)
	expect_eq "--add DIR:GUEST: \$ORIGIN is the guest's directory (only the one warning)" \
		"mote: warning: /opt/so/plug/libbroken.so needs libgone.so.1, not found" "$out"
	expect_eq "... and nothing from the host's tree" "" \
		"$($MOTE inspect $T/so-as.img | grep -F " $S/")"
	# a plugin without a search path of its own needs a library the program found through
	# its DT_RUNPATH: ld.so takes the one loaded already, so the image has what it needs
	# and there is nothing to warn about (an absolute DT_RUNPATH: ld.so finds the $ORIGIN of
	# a program through /proc, which the chroot lacks)
	mkdir -p $S/app/bin $S/app/lib $S/app/plugins
	printf 'int core(void) { return 7; }\n' >$S/core.c
	printf 'int core(void); int plug(void) { return core() * 6; }\n' >$S/p.c
	if gcc -shared -fPIC -o $S/app/lib/libcore.so $S/core.c &&
		gcc -shared -fPIC -o $S/app/plugins/libp.so $S/p.c -L$S/app/lib -lcore &&
		gcc -o $S/app/bin/app $S/dl.c -Wl,--no-as-needed -L$S/app/lib -lcore \
			"$runpath,$S/app/lib"; then
		same_as_native plugin-of-a-program --add $S/app/plugins $S/app/bin/app \
			$S/app/plugins/libp.so
		expect_eq "... no warning for the library the program brought" "" \
			"$(grep warning "$T/plugin-of-a-program.build")"
	else
		not_ok "cannot compile the program with a plugin"
	fi
	# a program's own missing library stays an error (below: "missing library")
else
	not_ok "cannot compile the shared objects"
fi

# --with: another program at the path $PATH gives it, with its libraries; the main program's
# manifest unchanged; ld.so.cache when only a --with program is dynamic
ls_path=$(type -P ls)
$MOTE build --with ls /bin/bash -c 'ls / | wc -l' -o $T/w.img >$T/w.out 2>&1 ||
	not_ok "--with: mote build failed: $(cat $T/w.out)"
listing=$($MOTE inspect $T/w.img)
expect_match "--with ls brings ls at the path \$PATH gives ($ls_path)" " $ls_path$" "$listing"
expect_match "... and its libraries (libselinux.so.1)" " /[^ ]*/libselinux\.so\.1$" "$listing"
expect_match "... the image's program is still the main one" "^program:  /bin/bash$" "$listing"
if [ -L /bin ]; then # merged /usr: /bin/ls reached through the /bin link, as when called so
	$MOTE build --with /bin/ls /usr/bin/true -o $T/wl.img >/dev/null
	listing=$($MOTE inspect $T/wl.img)
	expect_match "--with /bin/ls brings the /bin link" " /bin -> $(readlink /bin)$" "$listing"
	expect_match "... and the file it leads to" " $(readlink -f /bin/ls)$" "$listing"
fi
printf 'int main(void) { return 0; }\n' >$T/nothing.c
if gcc -static -o $T/static $T/nothing.c; then
	$MOTE build --with ls $T/static -o $T/ws.img >/dev/null
	expect_match "a static program --with a dynamic one brings ld.so.cache" \
		" /etc/ld\.so\.cache$" "$($MOTE inspect $T/ws.img)"
else
	not_ok "cannot compile a static test program"
fi
check "--help lists --with" bash -c "$MOTE help build | grep -q -- '-w, --with PROGRAM'"

# the same inputs give the same bytes (content hashes stay stable)
$MOTE build /bin/ls -o $T/d1.img >/dev/null && $MOTE build /bin/ls -o $T/d2.img >/dev/null
check "the same program gives a byte-identical image" cmp -s $T/d1.img $T/d2.img

# errors: a clear message naming the problem, non-zero exit, nothing written
expect_error() {
	local what=$1 pattern=$2
	shift 2
	local out rc
	out=$($MOTE build "$@" -o $T/bad.img 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && printf '%s' "$out" | grep -Eq -- "$pattern" && [ ! -e $T/bad.img ] &&
		! compgen -G "$T/bad.img.tmp*" >/dev/null; then
		ok "$what: $out"
	else
		not_ok "$what: exit $rc, output [$out] (wanted /$pattern/ and no file)"
	fi
}
expect_error "not ELF" "/etc/passwd: not an ELF file" /etc/passwd
expect_error "no such program" "nonexistent-prog: no such program" nonexistent-prog
expect_error "--with a missing program" \
	"^mote build: --with nonexistent-prog: no such program \(not a path, not in \\\$PATH\)$" \
	--with nonexistent-prog /bin/true
expect_error "--with a file that is not a program" "^mote build: --with /etc/passwd: not an ELF file$" \
	--with /etc/passwd /bin/true
cp /bin/true $T/arm && printf '\xb7\x00' | dd of=$T/arm bs=1 seek=18 conv=notrunc status=none
expect_error "wrong architecture" "$T/arm: ELF for another architecture" $T/arm
printf 'int foo(void) { return 0; }\n' >$T/foo.c
printf 'int foo(void); int main(void) { return foo(); }\n' >$T/main.c
gcc -shared -fPIC -o $T/libfoo.so $T/foo.c &&
	gcc -o $T/needs-foo $T/main.c -L$T -lfoo -Wl,-rpath,'$ORIGIN' || not_ok "cannot compile the test program"
$MOTE build $T/needs-foo -o $T/rpath.img >/dev/null
expect_match "\$ORIGIN rpath finds the library" " $T/libfoo.so$" "$($MOTE inspect $T/rpath.img)"
rm $T/libfoo.so
expect_error "missing library" "missing library libfoo.so \(needed by $T/needs-foo\)" $T/needs-foo
gcc -o $T/no-interp $T/main.c -x none $T/foo.c -Wl,--dynamic-linker=/nonexistent/ld.so
expect_error "missing ELF interpreter" "missing ELF interpreter /nonexistent/ld.so" $T/no-interp
printf '#!/nonexistent/interp\n' >$T/bad.sh && chmod +x $T/bad.sh
expect_error "missing #! interpreter" "missing #! interpreter /nonexistent/interp" $T/bad.sh
out=$($MOTE build /bin/true 2>&1)
expect_match "build without -o is a usage error" "missing -o IMG" "$out"
out=$($MOTE inspect /etc/passwd 2>&1)
expect_match "inspect of a non-image says so" "not a Mote image" "$out"

# progress on a terminal (MOTE_PROGRESS=always: this build is quicker than the half second a
# terminal waits), none into a file or pipe
out=$(MOTE_PROGRESS=always python3 tests/pty_run.py -- $MOTE build --add /usr/lib/python3.11 \
	/bin/true -o $T/progress.img)
expect_match "a terminal sees the build's progress, ending with every file done" \
	"building image: ([0-9]+)/\1 files, [0-9.]+/[0-9.]+ MiB, [0-9.]+ s.*\(done\)" "$out"
$MOTE build --add /usr/lib/python3.11 /bin/true -o $T/quiet.img 2>$T/quiet.err >/dev/null
check "... stderr that is not a terminal sees none" test ! -s $T/quiet.err

finish
