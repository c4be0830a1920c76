#!/bin/bash
# fuzz.sh: the API's libFuzzer target (tests/vmm/fuzz/api_fuzz.c) for a bounded time
# (FUZZ_TEST_TIME seconds, 30 by default) from the seed corpus; fails on any crash, leak,
# sanitizer report or timeout. Skips only when clang's libFuzzer is not installed.
cd "$(dirname "$0")/../../.." || exit 1
bin=build/fuzz/api_fuzz
[ -e $bin.unavailable ] && { cat $bin.unavailable; echo "SKIP: clang's libFuzzer is missing (tools/deps.sh installs clang and libclang-rt-14-dev)"; exit 77; }
[ -x $bin ] || { echo "$bin is missing: run make"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/mote-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp tests/vmm/fuzz/corpus/* "$work/"
"$bin" -max_total_time="${FUZZ_TEST_TIME:-30}" -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$work/" "$work" 2>&1 | tail -n 15
rc=${PIPESTATUS[0]}
ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null && {
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -e "$f" ] && { echo "input $f:"; od -c "$f" | head -20; }
	done
}
[ "$rc" -eq 0 ] && echo "fuzz: no crash in ${FUZZ_TEST_TIME:-30} s" || echo "fuzz: failed ($rc)"
exit "$rc"
