#!/bin/bash
# cpython_report.sh [MODULE...]: `make compat`'s run (MODULE...: just those, to try it). tests/compat/cpython.sh over its full set, each module
# natively and then in Mote (COMPAT_SERIAL: neither disturbs the other's time), on motevm where
# /dev/kvm is usable, else on QEMU TCG. Prints the section "CPython regression suite (make
# compat)" of bench/RESULTS.md on stdout (bench/run.sh --merge puts it there); cpython.sh's own
# output goes to stderr and to build/compat/cpython.log, the -v logs to build/compat/logs, and
# cpython.sh's status to build/compat/cpython.rc (make compat ends with it).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
out=build/compat
rm -rf "$out/logs"
mkdir -p "$out/logs"
if kvm_usable; then
	platform=motevm where="motevm"
else
	platform=qemu
	where="QEMU TCG (no usable /dev/kvm here: $KVM_WHY; every guest instruction is emulated, so"
	where+=" Mote's times are the emulator's)"
fi
PLATFORM=$platform COMPAT_SET=full COMPAT_SERIAL=1 COMPAT_TABLE=$TEST_TMP/table \
	COMPAT_LOGS=$out/logs tests/compat/cpython.sh "$@" 2>&1 | tee "$out/cpython.log" >&2
rc=${PIPESTATUS[0]}
echo "$rc" >"$out/cpython.rc"

echo "## CPython regression suite (make compat)"
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //'), $(nproc) vCPUs; Mote on $where."
if [ ! -s "$TEST_TMP/table" ]; then
	echo
	echo "tests/compat/cpython.sh did not run: $(tail -n 1 "$out/cpython.log")"
	exit 0
fi
version=$(cat build/third_party/python3.11-tests/.unpacked 2>/dev/null)
n=$(wc -l <"$TEST_TMP/table")
good=$(awk -F'\t' '$7 == "ok"' "$TEST_TMP/table" | wc -l)
known=$(awk -F'\t' '$7 ~ /^known/' "$TEST_TMP/table" | wc -l)
echo "tests/compat/cpython.sh: $n modules of Debian's libpython3.11-testsuite $version, each"
echo "\`python3 -m test -v MODULE\` natively and then in Mote (\`mote run --cpus 2 --mem 2048\`,"
echo "the same test files at the same paths). Counts are test cases passed/failed/skipped"
echo "(passed: ok or expected failure; failed: FAIL, ERROR, unexpected success); times are each"
echo "run's wall time in seconds (Mote's with its boot); ratio = Mote / native. A module is *ok*"
echo "when every case that passes natively passes in Mote; *known* when those that do not are all"
echo "in the script's KNOWN table (each with its issue), which keeps the check passing; *FAIL*"
echo "otherwise. **$good of $n modules ok, $known known, $((n - good - known)) FAIL.**"
echo
echo "| module | native p/f/s | Mote p/f/s | native s | Mote s | Mote / native | verdict |"
echo "|---|---|---|---|---|---|---|"
awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7
		n += $4; m += $5 }
	END { printf "| all | | | %.0f | %.0f | %.1f | |\n", n, m, (n > 0 ? m / n : 0) }' \
	"$TEST_TMP/table"
if [ -s "$TEST_TMP/table.cases" ]; then
	echo
	echo "Cases that pass natively and not in Mote, by module and cause (the KNOWN table's issue and"
	echo "reason; Mote's outcome of each case in build/compat/cpython.log):"
	echo
	/usr/bin/python3 - "$TEST_TMP/table.cases" <<'PY'
import sys
groups = {}
for line in open(sys.argv[1]):
    mod, tid, out, issue, reason = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
    out = "not run" if out == "not run" else out.split(" ")[0]
    groups.setdefault((mod, issue, reason), []).append((tid[len(mod) + 1:], out))
for (mod, issue, reason), cases in groups.items():
    why = f"issue {issue}: {reason}" if issue else "**not in KNOWN**"
    names = ", ".join(f"`{c}`" + ("" if issue else f" ({o})") for c, o in cases[:6])
    more = f" and {len(cases) - 6} more" if len(cases) > 6 else ""
    print(f"- {mod}, {len(cases)} case{'s' if len(cases) > 1 else ''} ({why}): {names}{more}")
PY
fi
echo
echo "Target (issue 17, on motevm): every module that passes natively passes in Mote, in at most"
echo "1.5× the native time.$([ "$platform" = qemu ] &&
	echo " Under QEMU TCG the ratios are not comparable with it.")"
