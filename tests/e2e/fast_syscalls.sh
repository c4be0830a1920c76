#!/bin/bash
# fast_syscalls.sh: system-call sites rewritten into jumps (kernel/linux/syscall_patch.c).
# tests/apps/syscall_sites (red zone, RFLAGS, %rcx/%r11, a jump straight to the syscall
# instruction, a restart after a handler, threads racing through a site, changing JIT code)
# passes with --fast-syscalls=on on every platform here, static and dynamic, and most of its
# calls then come the fast way (--stats); with =off none do; --strace still prints every
# call; a bad value is refused. On motevm (kvm_pvm hosts) "auto" means on.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh

M=build/mote
APPS=build/tests/apps
for f in "$M" $APPS/syscall_sites.static $APPS/syscall_sites.dyn $APPS/hugemem.static; do
	[ -x "$f" ] || skip "$f not built"
done

# stat NAME: the count NAME from the "mote stats:" line of $OUT
stat() { sed -n "s/.*mote stats:.*[ (]\([0-9]*\) $1.*/\1/p" "$OUT"; }

for p in motevm microvm; do
	(need_platform $p) >/dev/null || { echo "(no $p here)"; continue; }
	for v in static dyn; do
		prog=$PWD/$APPS/syscall_sites.$v
		INITRD=$TEST_TMP/sites.$v.img
		"$M" build "$prog" -o "$INITRD" >/dev/null || { not_ok "mote build $prog"; continue; }
		export INITRD
		kernel_boot $p 2 128 "--stats --fast-syscalls=on $prog"
		expect_eq "$p $v on: exit status" 0 "$STATUS"
		expect_match "$p $v on: every check passes" "^all [0-9]+ checks passed" "$(cat "$OUT")"
		total=$(sed -n 's/.*mote stats: syscalls \([0-9]*\) .*/\1/p' "$OUT")
		fast=$(stat "through rewritten sites")
		sites=$(stat "sites rewritten")
		echo "($p $v: $total calls, $fast through rewritten sites, $sites sites)"
		check "$p $v on: over 90% of the calls come the fast way" \
			test "$((${fast:-0} * 10))" -gt "$((${total:-1} * 9))"
		check "$p $v on: sites were rewritten" test "${sites:-0}" -gt 0
		kernel_boot $p 2 128 "--stats --fast-syscalls=off $prog"
		expect_match "$p $v off: every check passes" "^all [0-9]+ checks passed" "$(cat "$OUT")"
		expect_eq "$p $v off: no call comes the fast way" 0 "$(stat "through rewritten sites")"
	done
	prog=$PWD/$APPS/hugemem.static
	INITRD=$TEST_TMP/huge.img
	"$M" build "$prog" -o "$INITRD" >/dev/null || not_ok "mote build $prog"
	export INITRD
	kernel_boot $p 1 128 "--stats --strace --fast-syscalls=on $prog"
	total=$(sed -n 's/.*mote stats: syscalls \([0-9]*\) .*/\1/p' "$OUT")
	traced=$(grep -cE '^\[[0-9]+\] [a-z_0-9]+\(' "$OUT")
	check "$p: --strace prints every call but exit_group ($traced of ${total:-?})" \
		test "$((traced + 1))" -eq "${total:-0}"
	check "$p: ... and some of them came the fast way" test "$(stat "through rewritten sites")" -gt 0
	kernel_boot $p 1 32 "--fast-syscalls=maybe"
	expect_eq "$p: --fast-syscalls=maybe is refused (status 2)" 2 "$STATUS"
	ran=1
done
[ -n "${ran:-}" ] || skip "neither motevm nor QEMU available"
finish
