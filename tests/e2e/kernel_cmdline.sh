#!/bin/bash
# kernel_cmdline.sh: command-line errors end the VM with status 2 and a message that names
# the problem, on motevm and on QEMU; good options are accepted.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh

for p in motevm microvm; do
	(need_platform $p) >/dev/null || continue
	kernel_boot $p 1 32 "--verbose --frobnicate=3"
	expect_eq "$p: unknown option: status 2" 2 "$STATUS"
	expect_match "$p: the message names it" "unknown option --frobnicate=3" "$(cat "$OUT")"
	kernel_boot $p 1 32 "--env=NOEQUALS"
	expect_eq "$p: bad --env: status 2" 2 "$STATUS"
	expect_match "$p: --env message" "--env needs NAME=VALUE" "$(cat "$OUT")"
	kernel_boot $p 1 32 "--selftest=page,nosuchtest"
	expect_eq "$p: unknown self-test: status 2" 2 "$STATUS"
	expect_match "$p: names the test" "unknown test 'nosuchtest'" "$(cat "$OUT")"
	for bad in 8 3,24 3,0x80 2,24x80junk; do
		kernel_boot $p 1 32 "--console-ttys=$bad"
		expect_eq "$p: bad --console-ttys=$bad: status 2" 2 "$STATUS"
		expect_match "$p: ... named" "--console-ttys needs MASK" "$(cat "$OUT")"
	done
	kernel_boot $p 1 32 "--env=A=1 --env=B=x=y --console-ttys=5,40x120 --verbose"
	expect_eq "$p: good options, no program: status 0" 0 "$STATUS"
	expect_match "$p: reaches ready" "ready to exec in [0-9]+ us" "$(cat "$OUT")"
	ran=1
done
[ -n "${ran:-}" ] || skip "neither motevm nor QEMU available"
finish
