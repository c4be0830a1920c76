#!/bin/bash
# run.sh: Mote's test runner. Runs each test program given as an argument.
# A test exits 0 to pass, 77 to skip (its last output line says why), anything else to fail.
# Output of each test goes to build/tests/logs/<name>.log; a failure prints its tail.
# Ends with the line "N passed, N failed, N skipped" and exits 1 if any test failed.
set -u
LOGDIR=${TEST_LOGDIR:-build/tests/logs}
TIMEOUT=${TEST_TIMEOUT:-600}
mkdir -p "$LOGDIR"
pass=0 fail=0 skip=0 failed=()

for t in "$@"; do
	name=${t#build/}
	name=${name#tests/}
	log="$LOGDIR/${name//\//_}.log"
	start=$EPOCHREALTIME
	timeout --kill-after=10 "$TIMEOUT" "$t" >"$log" 2>&1 </dev/null
	rc=$?
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	case $rc in
	0)
		pass=$((pass + 1))
		printf 'PASS  %-44s %6ss\n' "$name" "$secs"
		;;
	77)
		skip=$((skip + 1))
		printf 'SKIP  %-44s %6ss  %s\n' "$name" "$secs" "$(tail -n 1 "$log")"
		;;
	*)
		fail=$((fail + 1))
		failed+=("$name")
		[ $rc -eq 124 ] && echo "(timed out after ${TIMEOUT}s)" >>"$log"
		printf 'FAIL  %-44s %6ss  (exit %d, log %s)\n' "$name" "$secs" "$rc" "$log"
		tail -n 30 "$log" | sed 's/^/      | /'
		;;
	esac
done

[ ${#failed[@]} -gt 0 ] && printf 'failed: %s\n' "${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
