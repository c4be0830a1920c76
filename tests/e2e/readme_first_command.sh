#!/bin/bash
# readme_first_command.sh: the README's first set-up command, run in a fresh clone of the
# committed tree, builds everything and runs the main job (a guest boots in motevm; without a
# usable /dev/kvm, under QEMU TCG, mote's fallback, and the motevm check is skipped).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
git rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout: nothing to clone"
have_kvm=
kvm_usable && have_kvm=yes
[ -n "$have_kvm" ] || command -v qemu-system-x86_64 >/dev/null ||
	skip "neither a usable /dev/kvm ($KVM_WHY) nor qemu-system-x86_64 to boot a guest"

# the first command of the README's first sh block, without its comment
cmd=$(awk '/^```sh/ { inside = 1; next } inside { sub(/[ \t]*#.*/, ""); print; exit }' README.md)
expect_match "the README starts with a make command" "^make " "$cmd"

git clone --quiet "$(pwd)" "$TEST_TMP/clone" || { not_ok "git clone"; finish; exit; }
cd "$TEST_TMP/clone" || exit 1
out=$(timeout 900 bash -c "$cmd" 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 20
expect_eq "'$cmd' in a fresh clone exits 0" 0 "$rc"
if [ -n "$have_kvm" ]; then
	expect_match "a guest booted in motevm (its boot timer fired)" "Guest-boot-time = [0-9]+ us" "$out"
else
	echo "(motevm check skipped: $KVM_WHY)"
	lines=$(grep '^mote: ' <<<"$out") # (mote's own lines: the notices, --verbose's timeline)
	expect_match "mote said it fell back to QEMU TCG" \
		"^mote: .* is not usable \(.*\); running under QEMU TCG instead" "$lines"
	expect_match "a guest booted under QEMU TCG and ended with status 0" \
		"starting QEMU microvm \(TCG.*VM ended, status 0" "$(tr '\n' ' ' <<<"$lines")"
fi
for f in build/motevm build/mote build/kernel/mote.elf; do
	check "'$cmd' built $f" test -x "$f" -o -f "$f"
done
finish
