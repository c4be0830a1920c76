#!/bin/bash
# processes.sh: programs that start other programs, inside Mote as natively (issue 14): bash
# pipelines and a script with subshells, background jobs, traps and a signal from a child;
# busybox sh pipelines; Python's subprocess and pty.spawn, script -qc; git init and commit;
# make building a small C project with gcc (cc1, as, collect2, ld all inside the VM). Then, in
# Mote only, a fork bomb under --mem 256 ends in clean errors (EAGAIN, out-of-memory kills of
# single processes) and the VM goes on. PLATFORM=motevm (default) or qemu (processes_qemu.sh), as debian_programs.sh.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
for p in /bin/bash /bin/busybox /usr/bin/python3 /usr/bin/git /usr/bin/make /usr/bin/gcc \
	/usr/bin/script; do
	[ -x $p ] || skip "$p missing (tools/deps.sh installs it)"
done
TEST=processes
. tests/e2e/programs_lib.sh

D=$T/data
mkdir -p "$D/tree/a" "$D/jobs" "$D/git"
for f in x y z a/w; do echo "$f" >"$D/tree/$f"; done
cp tests/e2e/processes/script.sh "$D/"

same "bash: ls | sort | uniq -c | wc -l" --opts --add "$D" --with ls --with sort --with uniq \
	--with wc -- /bin/bash -c "ls $D/tree $D/tree/a | sort | uniq -c | wc -l"
same "bash: a script of subshells, jobs, traps and exec" --opts --add "$D" --with tr --with sort \
	--with cat -- /bin/bash "$D/script.sh" "$D/jobs"
same "busybox sh pipelines" /bin/busybox sh -c \
	'echo "c b a" | tr " " "\n" | sort | head -n 2; echo $(seq 3 | wc -l); ls /bin/busybox | cat'
same "python3 subprocess" --opts --add /usr/lib/python3.11 --with echo --with /bin/sh --with cat -- \
	/usr/bin/python3 -c 'import subprocess
print(subprocess.run(["echo", "hi"], capture_output=True))
print(subprocess.run("echo $((6 * 7)) | cat", shell=True, capture_output=True).stdout)
print(subprocess.check_output(["sh", "-c", "exit 0; echo no"]), subprocess.call(["sh", "-c", "exit 5"]))'
# a shell on a pseudo-terminal of Python's making: pty.spawn (openpty, fork, setsid,
# TIOCSCTTY, select between the master and stdin); the pty's number is the system's own
same "python3 pty.spawn: a shell on a pty" --opts --add /usr/lib/python3.11 --with /bin/sh \
	--with tty --with stty -- /usr/bin/python3 -c 'import os, pty
st = pty.spawn(["/bin/sh", "-c", "t=$(tty); echo ${t%%[0-9]*}; [ -t 0 ] && echo stdin-tty; stty size; exit 7"])
print("status", os.waitstatus_to_exitcode(st))'
# util-linux's script: a pty, signalfd and poll; the command runs by $SHELL (unset: /bin/sh)
same "script -qc tty /dev/null" --opts --with script --with /bin/sh --with tty -- \
	/usr/bin/script -qc 't=$(tty); echo ${t%%[0-9]*}; exit 4' /dev/null
same "git init, add, commit, log" --opts --add "$D" --with git --with /bin/sh --with rm --with wc \
	--add /usr/share/git-core/templates -- /bin/bash -c "cd $D/git && rm -rf r && git init -q r &&
	cd r && echo hi >f && git add f && git -c user.name=m -c user.email=m@e commit -q -m first &&
	git --no-pager log --format=%s && git cat-file -p HEAD:f && git status --short | wc -l"

# make + gcc: a two-file C project, with just the headers and link inputs it uses.
P=$D/cproj
mkdir -p "$P"
cat >"$P/main.c" <<'C'
#include <stdio.h>
#include "greet.h"
int main(void) { printf("%s, %d\n", greet(), 6 * 7); return 0; }
C
echo 'const char *greet(void);' >"$P/greet.h"
cat >"$P/greet.c" <<'C'
#include <string.h>
#include "greet.h"
const char *greet(void) { static char b[32]; strcpy(b, "hello from make and gcc"); return b; }
C
printf 'hello: main.o greet.o\n\tgcc -o $@ main.o greet.o\n%%.o: %%.c greet.h\n\tgcc -O1 -c $<\n' \
	>"$P/Makefile"
GCC=(--with gcc --with make --with "$(gcc -print-prog-name=cc1)"
	--with "$(gcc -print-prog-name=collect2)" --with as --with ld --with /bin/sh
	--add "$(gcc -print-file-name=liblto_plugin.so)")
for f in $(cd "$P" && gcc -O1 -M main.c greet.c | tr ' \\' '\n\n' | grep '^/' | sort -u) \
	$(cd "$P" && gcc -o "$T/linked" main.c greet.c -Wl,-t 2>/dev/null | grep '^/' |
		grep -v "^${TMPDIR:-/tmp}/cc" | sort -u); do
	GCC+=(--add "$(realpath -s "$f")")
done
same "make and gcc build a C project" --opts --mem 512 --add "$D" "${GCC[@]}" --with rm -- \
	/bin/bash -c "export PATH=/usr/bin:/bin; cd $P && make -s && ./hello && rm -f hello *.o"

# A fork bomb in 256 MiB: fork fails with EAGAIN, processes out of memory are killed alone.
if gcc -O1 -static -o "$T/bomb" tests/e2e/processes/bomb.c 2>"$T/bomb.err"; then
	out=$(timeout 300 "${RUN[@]}" --mem 256 "$T/bomb" 2>"$T/bomb.log" </dev/null)
	rc=$?
	expect_eq "fork bomb: the first program's status" 0 "$rc"
	expect_match "fork bomb: fork failed cleanly" "^fork failed after [0-9]+: (EAGAIN|ENOMEM)$" \
		"$(grep '^fork failed' <<<"$out")"
	expect_eq "fork bomb: every child reaped" "reaped all: 0 bad" "$(grep '^reaped' <<<"$out")"
	expect_match "fork bomb: a memory hog ends (killed, or mmap fails)" \
		"^hog: (killed by 9|exit 3)$" "$(grep '^hog' <<<"$out")"
	expect_eq "fork bomb: fork works afterwards" "after: fork works, status 5" \
		"$(grep '^after' <<<"$out")"
	if grep -q "kernel panic" "$T/bomb.log"; then
		not_ok "fork bomb: the kernel panicked: $(grep -A3 'kernel panic' "$T/bomb.log")"
	else
		ok "fork bomb: no kernel panic"
	fi
else
	not_ok "fork bomb: cannot build it: $(cat "$T/bomb.err")"
fi
finish
