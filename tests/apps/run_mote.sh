#!/bin/bash
# run_mote.sh: runs every tests/apps program (static and dynamic builds) and "#!" script inside
# Mote with `build/mote run` and compares each run with the native one: the output (stdout and
# stderr together) must equal build/tests/apps/NAME.KIND.expected and the exit status must be the
# one in NAME.KIND.status, both written by tests/apps/run_native.sh. A mismatch prints a unified
# diff. Exits 0 only if every run matches, 77 (skip) if mote or the native results are missing,
# or without a usable /dev/kvm for motevm (mote would fall back to QEMU TCG: run_mote_qemu.sh
# covers that path). Every motevm run has --no-fallback, so it never runs anywhere else.
# Part of `make test` (mk/apps.mk), after run_native.sh, which writes the expected results.
#
# `run_mote.sh --qemu` boots each VM with `mote run --qemu` instead of motevm (QEMU's accelerator
# as mote picks it, unless MOTE_QEMU_ACCEL says; tests/apps/run_mote_qemu.sh runs it under TCG).
#
# How a run matches a native one by construction: the same absolute program path (mote puts the
# program at its host path in the image), the same arguments, the environment of tests/apps/apps.sh
# passed with -e, stdin from /dev/null; the working directory is /tmp (natively a fresh empty
# directory; no program prints it). Threaded programs get 2 vCPUs. A program killed by signal N
# must make mote exit 128 + N, as a shell reports it natively. mote's own failures exit 125.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck disable=SC1091 # (sourced by their paths from the top of the tree)
. tests/lib.sh
# shellcheck disable=SC1091
. tests/apps/apps.sh
OUT=build/tests/apps
MOTE=build/mote
WORK=$TEST_TMP # (removed at exit by tests/lib.sh)
fails=0 runs=0
VM_ARGS=(--no-fallback) WHERE="Mote on motevm"
if [ "${1-}" = --qemu ]; then
	VM_ARGS=(--qemu)
	WHERE="Mote under QEMU (${MOTE_QEMU_ACCEL:-default accelerator}${MOTE_QEMU_CPU:+, -cpu $MOTE_QEMU_CPU})"
fi

[ -x "$MOTE" ] || skip "$MOTE is not built"
if ! compgen -G "$OUT/*.expected" >/dev/null; then
	skip "no native results in $OUT: run tests/apps/run_native.sh first"
fi
if [ "${1-}" != --qemu ] && ! kvm_usable; then
	skip "motevm part: $KVM_WHY; tests/apps/run_mote_qemu.sh runs these programs under QEMU TCG"
fi

while read -r name kind path; do
	runs=$((runs + 1))
	expected="$OUT/$name.$kind.expected"
	actual="$WORK/$name.$kind.actual"
	if [ ! -f "$expected" ] || [ ! -f "$OUT/$name.$kind.status" ]; then
		echo "FAIL $name.$kind: no native result (run tests/apps/run_native.sh)"
		fails=$((fails + 1))
		continue
	fi
	want=$(cat "$OUT/$name.$kind.status")
	app_args "$name"
	envs=()
	for e in "${APP_ENV[@]}"; do
		envs+=(--env "$e")
	done
	timeout --foreground 300 "$MOTE" run "${VM_ARGS[@]}" --cpus "$(app_cpus "$name")" "${envs[@]}" --cwd /tmp \
		"$path" "${APP_ARGS[@]}" </dev/null >"$actual.raw" 2>&1
	status=$?
	# motevm's own log lines (Firecracker format: "<UTC time> [<id>:<thread>:<LEVEL>] ...") are
	# the VMM talking, not the program; no tests/apps program prints such a line.
	grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ \[[^]]*:[A-Za-z]+\] ' "$actual.raw" >"$actual"
	if [ "$status" -eq 125 ]; then
		echo "FAIL $name.$kind: mote itself failed (status 125)"
		sed 's/^/      | /' "$actual" | tail -n 20
		fails=$((fails + 1))
	elif [ "$status" -ne "$want" ] || ! cmp -s "$expected" "$actual"; then
		echo "FAIL $name.$kind: exit status $status (native $want)$(cmp -s "$expected" "$actual" ||
			echo ', output differs')"
		diff -u --label "native $name.$kind" --label "mote $name.$kind" "$expected" "$actual" |
			head -n 60
		fails=$((fails + 1))
	else
		echo "ok   $name.$kind"
	fi
done < <(app_list)

echo "$((runs - fails))/$runs runs in $WHERE match the native ones"
[ "$runs" -gt 0 ] && [ "$fails" -eq 0 ]
