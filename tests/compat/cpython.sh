#!/bin/bash
# cpython.sh [MODULE...]: CPython's own regression suite natively and inside Mote (issue 17), from
# Debian's libpython3.11-testsuite (tools/python_tests.sh fetches it without installing it). Each
# module runs with -v on both sides; its test cases' outcomes are compared: one check a module,
# which fails when a case that passes natively (ok, expected failure) does not pass in Mote,
# unless KNOWN below lists the case or the module with the issue that will fix it. At the end, a
# table: per module the native and Mote counts (passed/failed/skipped), wall times and ratio.
# Both sides run the same test package at /usr/lib/python3.11/test: the native one through a bind
# mount in a mount namespace of its own (root, unshare), as the tests' children run `python3 -I`,
# which ignores PYTHONPATH.
#   COMPAT_SET=fast|full   the modules (default full; cpython_fast.sh: fast, for `make test`)
#   PLATFORM=motevm|qemu   as tests/e2e/programs_lib.sh (default motevm; qemu: QEMU TCG)
#   COMPAT_SERIAL=1        each module natively, then in Mote (undisturbed times; `make compat`);
#                          otherwise both at once (the tests mostly wait: sleeps, children)
#   COMPAT_TABLE=FILE      also write the table there, tab-separated, and the cases that do not
#                          pass in Mote to FILE.cases (cpython_report.sh reads both)
#   COMPAT_LOGS=DIR        keep each run's -v log there (default: a temporary directory)
# MODULE... instead of the set runs just those (e.g. to try a fix).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
[ "$(id -u)" -eq 0 ] || skip "needs root: the native runs bind-mount the test package"
for p in /usr/bin/python3 /usr/bin/dash /usr/bin/unshare; do
	[ -x $p ] || skip "$p missing (tools/deps.sh installs it)"
done
# shellcheck disable=SC2034 # (programs_lib.sh reads them)
TEST=compat_cpython TEST_QEMU=tests/compat/cpython_fast_qemu.sh
. tests/e2e/programs_lib.sh

# The fast set (`make test`, 3-4 minutes under QEMU TCG): the modules that start children
# (issue 14) and a few quick ones of descriptors, polling, terminals, files and signals.
FAST=(test_posix test_os test_threading test_signal test_subprocess test_wait4
	test_fcntl test_select test_epoll test_pty test_tempfile test_shutil test_glob test_fnmatch
	test_threadsignals)
# The full set (`make compat`, ~35 minutes under QEMU TCG): the OS interface (files, processes,
# polling, sockets and TLS on the loopback, time, users, resources), the extension modules that
# need libraries of their own (compression, hashing, TLS), archives, logging over local sockets,
# and pure-Python modules. Each passes natively here in under a minute. Left out: test_socket
# (its VSOCK cases hang here natively), test_concurrent_futures and test_asyncio (minutes
# natively), test_sqlite3 and test_ctypes (not in Debian's package), test_largefile (it wants
# 6 GiB free where the VM's files are in its memory), test_socketserver, test_timeout and
# test_ioctl (they skip without regrtest's -u network or a terminal).
FULL=("${FAST[@]}"
	test_selectors test_poll test_wait3 test_fork1 test_popen test_cmd_line test_io test_ssl
	test_pathlib test_fileio test_file test_stat test_genericpath test_posixpath test_filecmp
	test_fileinput test_mmap test_resource test_pwd test_grp test_getpass test_sched test_queue
	test_time test_datetime test_calendar test_locale test_platform test_sysconfig test_errno
	test_secrets test_hashlib test_hmac test_zlib test_gzip test_bz2 test_lzma test_tarfile
	test_zipfile test_csv test_uuid test_base64 test_binascii test_codecs test_json test_pickle
	test_re test_struct test_array test_bisect test_heapq test_collections test_functools
	test_itertools test_math test_decimal test_fractions test_statistics test_random test_long
	test_float test_bytes test_unicode test_string test_textwrap test_difflib test_shlex
	test_argparse test_exceptions test_weakref test_logging
	test_httpservers test_urllib2_localnet test_smtplib test_ftplib test_xmlrpc test_wsgiref
	test_dbm_dumb test_shelve test_mailbox test_faulthandler test_openpty test_sys test_syslog
	test_zoneinfo test_strptime test_imaplib test_poplib test_httplib test_compileall
	test_py_compile test_zipimport test_runpy test_pdb test_cmd_line_script test_thread test_gc
	test_tracemalloc test_crypt test_audit)

# Cases (or whole modules) known not to pass in Mote yet: "PATTERN|ISSUE|REASON", PATTERN a
# regular expression for "module.Class.test" (or a module alone), matched from the start up to
# a dot or the end; an entry may go on over lines (white space in PATTERN is dropped). Each with
# the issue that will fix it; remove an entry with its fix.
KNOWN=(
)

case ${COMPAT_SET:-full} in
fast) MODULES=("${FAST[@]}") ;;
full) MODULES=("${FULL[@]}") ;;
*) skip "unknown COMPAT_SET ${COMPAT_SET}" ;;
esac
[ $# -gt 0 ] && MODULES=("$@")

tools/python_tests.sh build/third_party >"$T/fetch.log" 2>&1 ||
	skip "cannot fetch libpython3.11-testsuite: $(tail -n 1 "$T/fetch.log")"
TS=$PWD/build/third_party/python3.11-tests/usr/lib/python3.11/test
unshare -m true 2>/dev/null || skip "unshare -m fails here: no mount namespace for the native runs"
LOGS=${COMPAT_LOGS:-$T/logs}
mkdir -p "$LOGS" && LOGS=$(cd "$LOGS" && pwd) # (the native runs start in /tmp)

# The libraries of the standard library's extension modules (lib-dynload: _ssl, _sqlite3,
# _ctypes, _lzma, _bz2, _uuid, _curses, ...) beyond Python's own, which mote does not resolve
# for --add: each at its path and its link's target.
LIBS=()
for lib in $(ldd /usr/lib/python3.11/lib-dynload/*.so 2>/dev/null |
	awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do
	lib=/usr/lib/x86_64-linux-gnu/${lib##*/}
	ldd /usr/bin/python3 | grep -q "/${lib##*/} " && continue # (mote adds Python's own)
	[ -e "$lib" ] && printf '%s\n%s\n' "$lib" "$(readlink -f "$lib")"
done | sort -u >"$T/libs"
while read -r lib; do LIBS+=(--add "$lib"); done <"$T/libs"
# The programs the tests run besides Python (true is their fastest child when found), each with
# its libraries; /bin/sh is dash, as on Debian; those the tests look for and skip without, where
# this host has them (as its own runs do): archivers, ip and ifconfig. And the data a Debian
# system has: time zones, the C.UTF-8 locale, Python's pyconfig.h.
MOTE=(--cpus 2 --mem 2048 --add /usr/lib/python3.11 --add "$TS:/usr/lib/python3.11/test"
	--add /usr/bin/dash:/bin/sh --with true --with cat --with sleep --with ls --with /bin/bash
	--with id "${LIBS[@]}" --add /usr/share/zoneinfo --add /usr/lib/locale/C.utf8
	-e HOME=/tmp -e LANG=C.UTF-8 --cwd /tmp)
for p in tar zip unzip ip ifconfig; do
	p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v $p) && MOTE+=(--with "$p")
done
# (test_sysconfig looks for the header where libpython3.11-dev puts it)
H=/usr/include/python3.11/pyconfig.h
[ -e $H ] && MOTE+=(--add "$H" --add "/usr/include/x86_64-linux-gnu/python3.11/pyconfig.h")
TESTARGS=(-m test --timeout 300 -v)

# outcomes LOG: "id<TAB>outcome<TAB>reason" for each test case in a -v log, the id without the
# package's "test." ("test_os.FileTests.test_access"). A case's line is "name (module.Class.name)
# ... outcome", its description (docstring) possibly on a line of its own before the " ... ", and
# output of its own possibly before the outcome.
outcomes() {
	/usr/bin/python3 - "$1" <<'PY'
import re, sys
start = re.compile(r"^(test\w*) \(([\w.]+)\)(?:$| \.\.\. )")
done = re.compile(r"(?:^| \.\.\. )(ok|FAIL|ERROR|expected failure|unexpected success|skipped)(?: (.*))?$")
pending = None
for line in open(sys.argv[1], errors="replace"):
    line = line.rstrip("\n")
    m = start.match(line)
    if m and m.group(2).endswith("." + m.group(1)):
        pending = m.group(2).removeprefix("test.")
        line = line[m.end(2) + 1:]
        if not line:
            continue
    if pending:
        d = done.search(line)
        if d:
            print(f"{pending}\t{d.group(1)}\t{(d.group(2) or '').strip()}")
            pending = None
PY
}

# counts TSV: "passed/failed/skipped" (failed: FAIL, ERROR, unexpected success)
counts() {
	awk -F'\t' '$2 == "ok" || $2 == "expected failure" { p++ } $2 == "skipped" { s++ }
		$2 == "FAIL" || $2 == "ERROR" || $2 == "unexpected success" { f++ }
		END { printf "%d/%d/%d", p, f, s }' "$1"
}

# differences NATIVE MOTE: each case that passes natively and not in Mote, as "id<TAB>Mote's
# outcome and reason<TAB>the KNOWN entry's issue<TAB>its reason", the last two empty if none.
differences() {
	/usr/bin/python3 - "$1" "$2" "${KNOWN[@]}" <<'PY'
import re, sys
def read(path):
    res = {}
    for line in open(path):
        tid, out, reason = (line.rstrip("\n").split("\t") + [""])[:3]
        res[tid] = (out, reason)
    return res
native, mote = read(sys.argv[1]), read(sys.argv[2])
# (PATTERN may hold "|": the issue is the last "|digits|")
known = [(re.sub(r"\s+", "", p), i, " ".join(r.split())) for p, i, r in
         (re.fullmatch(r"(.*)\|(\d+)\|(.*)", k, re.S).groups() for k in sys.argv[3:])]
good = ("ok", "expected failure")
for tid, (out, _) in sorted(native.items()):
    if out not in good:
        continue
    mout, reason = mote.get(tid, ("not run", ""))
    if mout in good:
        continue
    k = next((k for k in known if re.match(f"(?:{k[0]})(?:\\.|$)", tid)), ["", "", ""])
    print(f"{tid}\t{mout}{' ' + reason if reason else ''}\t{k[1]}\t{k[2]}")
PY
}

# secs START: seconds since START (an $EPOCHREALTIME), one decimal
secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# The native runs without CAP_SYS_TIME: as root with it, test_time sets the host's clock back an
# hour (and then forward again).
NOCLOCK=()
setpriv --bounding-set=-sys_time true 2>/dev/null && NOCLOCK=(setpriv --bounding-set=-sys_time)

# native MODULE: the module natively, its seconds into $T/native_MODULE.secs
native() {
	local start=$EPOCHREALTIME
	(cd /tmp && env -i HOME=/tmp LANG=C.UTF-8 PATH=/usr/bin:/bin unshare -m /bin/sh -c \
		'mount --bind "$1" /usr/lib/python3.11/test && shift && exec "$@"' sh "$TS" \
		"${NOCLOCK[@]}" timeout 1200 /usr/bin/python3 "${TESTARGS[@]}" "$1" \
		>"$LOGS/native_$1.log" 2>&1 </dev/null)
	secs "$start" >"$T/native_$1.secs"
}

# mote MODULE: the module in Mote, its seconds into $T/mote_MODULE.secs
mote() {
	local start=$EPOCHREALTIME
	timeout 1800 "${RUN[@]}" "${MOTE[@]}" /usr/bin/python3 "${TESTARGS[@]}" "$1" \
		>"$LOGS/mote_$1.log" 2>&1 </dev/null
	secs "$start" >"$T/mote_$1.secs"
}

ROWS=()
for mod in "${MODULES[@]}"; do
	if [ -n "${COMPAT_SERIAL-}" ]; then
		native "$mod"
		mote "$mod"
	else
		native "$mod" &
		mote "$mod"
		wait
	fi
	outcomes "$LOGS/native_$mod.log" >"$T/native_$mod.tsv"
	outcomes "$LOGS/mote_$mod.log" >"$T/mote_$mod.tsv"
	differences "$T/native_$mod.tsv" "$T/mote_$mod.tsv" >"$T/diff_$mod.tsv"
	n_native=$(counts "$T/native_$mod.tsv")
	n_mote=$(counts "$T/mote_$mod.tsv")
	s_native=$(cat "$T/native_$mod.secs")
	s_mote=$(cat "$T/mote_$mod.secs")
	passed=${n_native%%/*}
	new=$(awk -F'\t' '$3 == ""' "$T/diff_$mod.tsv" | wc -l)
	known=$(awk -F'\t' '$3 != ""' "$T/diff_$mod.tsv" | wc -l)
	issues=$(awk -F'\t' '$3 != "" { print "#" $3 }' "$T/diff_$mod.tsv" | sort -u | paste -sd,)
	echo "     $mod: native $s_native s ($n_native), Mote $s_mote s ($n_mote)" \
		"(passed/failed/skipped)"
	if [ "$passed" -eq 0 ]; then
		verdict="FAIL: nothing passes natively"
		not_ok "$mod: no test case passed natively (log $LOGS/native_$mod.log)"
		tail -n 20 "$LOGS/native_$mod.log" | sed 's/^/      | /'
	elif [ "$new" -gt 0 ]; then
		verdict="FAIL: $new of $passed"
		not_ok "$mod: $new of the $passed cases that pass natively do not in Mote"
		awk -F'\t' '$3 == "" { print $1 ": " $2 }' "$T/diff_$mod.tsv" | head -n 40 |
			sed 's/^/      | /'
		grep -A 15 -E '^(FAIL|ERROR): ' "$LOGS/mote_$mod.log" | head -n 60 | sed 's/^/      : /'
	else
		verdict=ok msg="the $passed cases that pass natively pass in Mote"
		if [ "$known" -gt 0 ]; then
			verdict="known: $known ($issues)"
			msg="$((passed - known)) of the $passed cases that pass natively pass in Mote;"
			msg+=" KNOWN: $known ($issues)"
		fi
		ok "$mod: $msg"
		[ "$known" -gt 0 ] && awk -F'\t' '$3 != "" { print $1 ": " $2 " (issue " $3 ")" }' \
			"$T/diff_$mod.tsv" | sed 's/^/      ~ /'
	fi
	ROWS+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$mod" "$n_native" "$n_mote" "$s_native" \
		"$s_mote" "$verdict")")
done

# The table: ratio = Mote's wall time over the native one's.
table() {
	printf '%s\n' "${ROWS[@]}" | awk -F'\t' '{
		r = $4 > 0 ? sprintf("%.1f", $5 / $4) : "-"
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, $5, r, $6 }'
}
table >"$T/table.tsv"
if [ -n "${COMPAT_TABLE-}" ]; then
	cp "$T/table.tsv" "$COMPAT_TABLE"
	for mod in "${MODULES[@]}"; do
		sed "s/^/$mod\t/" "$T/diff_$mod.tsv"
	done >"$COMPAT_TABLE.cases"
fi
echo
printf '%-24s %-14s %-14s %9s %9s %6s  %s\n' module "native p/f/s" "Mote p/f/s" "native s" \
	"Mote s" ratio verdict
awk -F'\t' '{ printf "%-24s %-14s %-14s %9s %9s %6s  %s\n", $1, $2, $3, $4, $5, $6, $7 }' \
	"$T/table.tsv"
finish
