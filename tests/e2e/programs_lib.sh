# programs_lib.sh: for tests that run real programs inside Mote with `mote run` and compare them
# with native runs (debian_programs.sh, processes.sh). Sourced after tests/lib.sh, with TEST
# naming the test (TEST_QEMU: its QEMU TCG part, if not tests/e2e/${TEST}_qemu.sh): sets RUN
# (the mote command for PLATFORM=motevm, the default, or PLATFORM=qemu: QEMU TCG microvm; the
# caller SKIPs where it cannot run), T and MOTE_CACHE_DIR, and defines same.
# shellcheck shell=bash
PLATFORM=${PLATFORM:-motevm}
case $PLATFORM in
motevm)
	kvm_usable ||
		skip "motevm part: $KVM_WHY; ${TEST_QEMU:-tests/e2e/${TEST}_qemu.sh} is the QEMU TCG part"
	RUN=(build/mote run --no-fallback) # (motevm only, never mote's QEMU fallback)
	;;
qemu)
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing"
	export MOTE_QEMU_ACCEL=tcg
	RUN=(build/mote run --qemu)
	;;
*) skip "unknown PLATFORM $PLATFORM" ;;
esac
T=$TEST_TMP
export MOTE_CACHE_DIR=$T/cache

# same NAME [--sorted] [--opts mote-options... --] PROGRAM ARGS...: stdout, stderr and status of
# PROGRAM inside Mote equal the native ones (env -i, stdin from /dev/null, cwd /). --sorted
# compares stdout line-sorted (directory order is the file system's, unspecified).
same() {
	local name=$1 opts=() sorted=cat
	shift
	if [ "$1" = --sorted ]; then
		sorted="sort"
		shift
	fi
	if [ "$1" = --opts ]; then
		shift
		while [ "$1" != -- ]; do
			opts+=("$1")
			shift
		done
		shift
	fi
	local nat_out nat_err nat_rc out err rc
	# stdout and stderr apart, on both platforms (QEMU: each on a virtio console port)
	nat_out=$(cd / && env -i "$@" 2>"$T/nat_err" </dev/null | $sorted; exit "${PIPESTATUS[0]}")
	nat_rc=$?
	nat_err=$(cat "$T/nat_err" 2>/dev/null)
	out=$(timeout 300 "${RUN[@]}" "${opts[@]}" "$@" 2>"$T/err" </dev/null | $sorted
		exit "${PIPESTATUS[0]}")
	rc=$?
	err=$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ \[' "$T/err")
	if [ "$rc" != "$nat_rc" ] || [ "$out" != "$nat_out" ] || [ "$err" != "$nat_err" ]; then
		not_ok "$name: differs from the native run (status $rc, native $nat_rc)"
		diff -u --label native --label mote <(printf '%s\n%s\n' "$nat_out" "$nat_err") \
			<(printf '%s\n%s\n' "$out" "$err") | head -n 30 | sed 's/^/      | /'
	else
		ok "$name: same output and status as natively"
	fi
}

