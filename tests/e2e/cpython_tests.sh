#!/bin/bash
# cpython_tests.sh: CPython's own regression tests that start children (issue 14): test_posix,
# test_os, test_threading, test_signal and test_subprocess from Debian's libpython3.11-testsuite
# (tools/python_tests.sh fetches it), run with -v natively and inside Mote. One check a module:
# every test case that passes natively (ok, expected failure) passes in Mote; the cases that do
# not are listed with their outcome in Mote. A case skipped in Mote counts unless its skip reason
# is in the allowlist below. Both runs see the same test package at /usr/lib/python3.11/test: the
# native one through a bind mount in a mount namespace of its own (root, unshare), as the tests'
# children run `python3 -I`, which ignores PYTHONPATH. PLATFORM=motevm (default) or qemu
# (cpython_tests_qemu.sh), as debian_programs.sh. About 3 minutes under QEMU TCG.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
[ "$(id -u)" -eq 0 ] || skip "needs root: the native runs bind-mount the test package"
for p in /usr/bin/python3 /usr/bin/dash /usr/bin/unshare; do
	[ -x $p ] || skip "$p missing (tools/deps.sh installs it)"
done
# shellcheck disable=SC2034 # (programs_lib.sh reads it)
TEST=cpython_tests
. tests/e2e/programs_lib.sh
MODULES=(test_posix test_os test_threading test_signal test_subprocess)

tools/python_tests.sh build/third_party >"$T/fetch.log" 2>&1 ||
	skip "cannot fetch libpython3.11-testsuite: $(tail -n 1 "$T/fetch.log")"
TS=$PWD/build/third_party/python3.11-tests/usr/lib/python3.11/test
unshare -m true 2>/dev/null || skip "unshare -m fails here: no mount namespace for the native runs"

# Skips in Mote that are no difference, each for a reason of the environment (a regular
# expression matched against "Class.test_name: skip reason"):
ALLOW=(
	# (none: keep this list tiny, each entry with the reason it is environmental)
)

# The programs the tests run besides Python (true is their fastest child when found), each
# with its libraries; /bin/sh is dash, as on Debian; libffi, which ctypes loads.
FFI=/usr/lib/x86_64-linux-gnu/libffi.so.8
MOTE=(--cpus 2 --mem 1024 --add /usr/lib/python3.11 --add "$TS:/usr/lib/python3.11/test"
	--add /usr/bin/dash:/bin/sh --with true --with cat --with sleep --with ls --with bash
	--with id --add "$FFI" --add "$(readlink -f "$FFI")"
	-e HOME=/tmp -e LANG=C.UTF-8 --cwd /tmp)

# outcomes LOG: "id<TAB>outcome<TAB>reason" for each test case in a -v log. A case's line is
# "name (module.Class.name) ... outcome", its description (docstring) possibly on a line of
# its own before the " ... ", and output of its own possibly before the outcome.
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
        pending = m.group(2)
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

# compare MODULE NATIVE MOTE: one check.
compare() {
	local mod=$1 diffs
	diffs=$(/usr/bin/python3 - "$2" "$3" "${ALLOW[@]}" <<'PY'
import re, sys
def read(path):
    res = {}
    for line in open(path):
        tid, out, reason = (line.rstrip("\n").split("\t") + [""])[:3]
        res[tid] = (out, reason)
    return res
native, mote, allow = read(sys.argv[1]), read(sys.argv[2]), sys.argv[3:]
good = ("ok", "expected failure")
for tid, (out, _) in sorted(native.items()):
    if out not in good:
        continue
    mout, reason = mote.get(tid, ("not run", ""))
    if mout in good:
        continue
    short = ".".join(tid.split(".")[-2:])
    if mout == "skipped" and any(re.search(a, f"{short}: {reason}") for a in allow):
        continue
    print(f"{short}: {mout}{' ' + reason if reason else ''}")
PY
	)
	local n_native n_mote
	n_native=$(grep -cP '\t(ok|expected failure)\t' "$2")
	n_mote=$(grep -cP '\t(ok|expected failure)\t' "$3")
	if [ "$n_native" -eq 0 ]; then
		not_ok "$mod: no test case passed natively (log $T/native_$mod.log)"
		tail -n 20 "$T/native_$mod.log" | sed 's/^/      | /'
	elif [ -z "$diffs" ]; then
		ok "$mod: the $n_native cases that pass natively pass in Mote ($n_mote pass there)"
	else
		not_ok "$mod: $(wc -l <<<"$diffs") of the $n_native cases that pass natively do not in Mote"
		sed 's/^/      | /' <<<"$diffs" | head -n 40
		grep -A 15 -E '^(FAIL|ERROR): ' "$T/mote_$mod.log" | head -n 60 | sed 's/^/      : /'
	fi
}

# secs START: seconds since START (an $EPOCHREALTIME)
secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }

# Each module natively and in Mote at the same time (the tests mostly wait: sleeps, children).
for mod in "${MODULES[@]}"; do
	start=$EPOCHREALTIME
	(cd /tmp && env -i HOME=/tmp LANG=C.UTF-8 PATH=/usr/bin:/bin unshare -m /bin/sh -c \
		'mount --bind "$1" /usr/lib/python3.11/test && shift && exec "$@"' sh "$TS" \
		timeout 600 /usr/bin/python3 -m test --timeout 300 -v "$mod" \
		>"$T/native_$mod.log" 2>&1 </dev/null
	 echo "$(secs "$start")" >"$T/native_$mod.secs") &
	timeout 900 "${RUN[@]}" "${MOTE[@]}" /usr/bin/python3 -m test --timeout 300 -v "$mod" \
		>"$T/mote_$mod.log" 2>&1 </dev/null
	mote_secs=$(secs "$start")
	wait
	echo "     $mod: native $(cat "$T/native_$mod.secs") s, Mote $mote_secs s"
	outcomes "$T/native_$mod.log" >"$T/native_$mod.tsv"
	outcomes "$T/mote_$mod.log" >"$T/mote_$mod.tsv"
	compare "$mod" "$T/native_$mod.tsv" "$T/mote_$mod.tsv"
done
finish
