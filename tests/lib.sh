# lib.sh: helpers for shell tests (sourced). A test script calls `check`/`expect_*` for each
# assertion, `skip REASON` to skip, and `finish` at the end: exit 0 if every check passed,
# 1 otherwise (tests/run.sh protocol: 0 pass, 77 skip, else fail).
# shellcheck shell=bash
TEST_FAILS=0
TEST_CHECKS=0
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mote-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT

ok() { TEST_CHECKS=$((TEST_CHECKS + 1)); echo "ok   $*"; }
not_ok() {
	TEST_CHECKS=$((TEST_CHECKS + 1))
	TEST_FAILS=$((TEST_FAILS + 1))
	echo "FAIL $*"
}

# check DESCRIPTION COMMAND...: passes if COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what (command: $*)"; fi
}

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
	if [ "$2" == "$3" ]; then
		ok "$1"
	else
		not_ok "$1: expected [$2], got [$3]"
	fi
}

# expect_match DESCRIPTION REGEX TEXT
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1: [$3] does not match /$2/"
	fi
}

# kvm_usable: succeeds if the KVM device opens read-write, as motevm needs it and as mote checks
# it before falling back to QEMU TCG: $MOTE_KVM_DEVICE (as mote reads it), else /dev/kvm.
# Otherwise sets KVM_WHY to why not ("/dev/kvm: No such file or directory").
kvm_usable() {
	local dev=${MOTE_KVM_DEVICE:-/dev/kvm}
	KVM_WHY=
	if [ ! -e "$dev" ]; then
		KVM_WHY="$dev: No such file or directory"
	elif [ ! -c "$dev" ]; then # (and never <> on it then: that would create a file)
		KVM_WHY="$dev: not a character device"
	elif ! KVM_WHY=$({ : <>"$dev"; } 2>&1); then
		KVM_WHY="$dev: ${KVM_WHY##*: }"
	fi
	[ -z "$KVM_WHY" ]
}

skip() {
	echo "SKIP: $*"
	exit 77
}

finish() {
	echo "$((TEST_CHECKS - TEST_FAILS))/$TEST_CHECKS checks passed"
	[ "$TEST_CHECKS" -gt 0 ] && [ "$TEST_FAILS" -eq 0 ]
}

# vm_platforms: sets platforms to where `mote run` can boot here: motevm (a usable /dev/kvm)
# and qemu (qemu-system-x86_64, TCG without KVM), saying which part is skipped and why;
# skips the test when neither is there.
vm_platforms() {
	platforms=()
	if kvm_usable; then
		platforms+=(motevm)
	else
		echo "(motevm part skipped: $KVM_WHY)"
	fi
	if command -v qemu-system-x86_64 >/dev/null; then
		platforms+=(qemu)
	else
		echo "(QEMU TCG part skipped: qemu-system-x86_64 not installed)"
	fi
	[ ${#platforms[@]} -gt 0 ] || skip "neither /dev/kvm nor qemu-system-x86_64 is usable"
}
