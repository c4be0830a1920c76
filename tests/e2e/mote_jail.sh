#!/bin/bash
# mote_jail.sh: `mote run --jail` (issue 16). motevm needs KVM to boot; without it a static
# probe (tests/vmm/jail_probe.c) stands in its place (MOTE_VMM), started by the real
# mote-jailer with motevm's arguments, and reports what it finds: an unprivileged uid, no
# capabilities, pid 1 of its own PID namespace, a root holding only the jail's files, no
# /proc, and as descriptors exactly the kernel, the image, the volumes (read-only for :ro),
# the configuration naming them, passt's socket and the log for the VM's own lines; its
# exit status is mote's; -d's API socket reaches it through the VM's state directory; `mote
# stop` kills the right pid; no jail is left behind. Then the refusals, the real motevm
# reaching its KVM device from inside the jail, and on a KVM host a real boot, jailed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
MOTE=$PWD/build/mote
PROBE=$PWD/build/tests/vmm/jail_probe
[ -x "$MOTE" ] && [ -x build/mote-jailer ] && [ -x "$PROBE" ] || skip "mote, mote-jailer or the probe not built"
[ "$(id -u)" -eq 0 ] || skip "needs root (--jail makes a chroot through mote-jailer)"
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 missing (e2fsprogs)"
export MOTE_JAIL_DIR=$TEST_TMP/jails MOTE_CACHE_DIR=$TEST_TMP/cache
ids=()
cleanup() {
	for i in "${ids[@]}"; do "$MOTE" rm -f "$i" >/dev/null 2>&1; done
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT
"$MOTE" volume create "$TEST_TMP/rw.ext4" --size 8M >/dev/null &&
	"$MOTE" volume create "$TEST_TMP/ro.ext4" --size 8M >/dev/null || skip "mote volume create failed"
jails_left() { find "$MOTE_JAIL_DIR" -mindepth 2 -maxdepth 2 2>/dev/null | wc -l; }
probe() { MOTE_VMM=$PROBE MOTE_KVM_DEVICE=/dev/null "$MOTE" run --jail "$@"; }
key() { sed -n "s/^$1=//p" <<<"$out" | head -n 1; }

# the stand-in, with two volumes and no network: what motevm would see
out=$(probe --net none -v "$TEST_TMP/rw.ext4:/data" -v "$TEST_TMP/ro.ext4:/ro:ro" /bin/true 2>&1)
rc=$?
expect_eq "the jailed VMM's status is mote's (waited for through its PID namespace)" 7 "$rc"
expect_eq "runs as nobody, no supplementary groups" "65534 gid=65534 groups=0" "$(key uid)"
expect_eq "holds no capability" 00 "$(key caps)"
expect_eq "pid 1 of a PID namespace of its own" 1 "$(key pid)"
expect_eq "its root holds the jail's files only" "dev,jail_probe,jail_probe.pid,run" "$(key root)"
expect_eq "no /proc to reach host files through" no "$(key proc)"
expect_eq "stdio, kernel, image, 2 volumes, the configuration and the log: no other descriptor" \
	"0,1,2,3,4,5,6,7,8" "$(key fds)"
expect_eq "the configuration came through its descriptor" read "$(key config)"
expect_eq "the kernel: read-only, an ELF file" "ro,7f454c46" "$(key fd3)"
expect_eq "the image: read-only, a cpio archive" "ro,30373037" "$(key fd4)"
expect_eq "-v HOSTFILE:DIR: read-write, the ext4 image" "rw,00000000,ext4" "$(key fd5)"
expect_eq "-v HOSTFILE:DIR:ro: read-only" "ro,00000000,ext4" "$(key fd6)"
expect_eq "the log for the VM's own lines (mote shows them at the end): writable" "rw,00000000" \
	"$(key fd8)"
expect_eq "the jail is removed after the run" 0 "$(jails_left)"

out=$(probe --jail-user 4242:4343 --net none /bin/true 2>&1)
expect_eq "--jail-user UID:GID" "4242 gid=4343 groups=0" "$(key uid)"
if command -v passt >/dev/null; then
	out=$(probe --net passt /bin/true 2>&1)
	expect_match "--net passt: passt's socket is given too (read-write)" "^fd[0-9]+=rw,00000000$" \
		"$(grep -E '^fd[0-9]+=' <<<"$out" | tail -n 1)"
else
	echo "(passt part skipped: passt not installed)"
fi

# -d: the API socket in the VM's state directory leads into the jail; mote stop's
# Ctrl-Alt-Del request reaches the VMM there; -t 0 kills motevm's pid, not the jailer's
id=$(probe -d --net none /bin/true) && ids+=("$id")
for _ in $(seq 50); do grep -q "bound" <("$MOTE" logs "$id" 2>/dev/null) && break; sleep 0.1; done
expect_match "-d: the VMM binds its socket in the jail" "api-sock=/run/api.sock bound" "$("$MOTE" logs "$id")"
sock=$(find /run/mote "${XDG_RUNTIME_DIR:-/nonexistent}/mote" -path "*$id*/api.sock" 2>/dev/null | head -n 1)
check "... reachable from the VM's state directory" test -S "$sock"
"$MOTE" stop -t 5 "$id" >/dev/null
expect_match "mote stop: its request reached the jailed VMM" "api-request=PUT /actions" "$("$MOTE" logs "$id")"
expect_match "... which ended: Exited (0)" "Exited \(0\)" "$("$MOTE" ps -a | grep "$id")"
id=$(probe -d --net none /bin/true) && ids+=("$id")
for _ in $(seq 50); do grep -q "bound" <("$MOTE" logs "$id" 2>/dev/null) && break; sleep 0.1; done
"$MOTE" stop -t 0 "$id" >/dev/null
expect_match "mote stop -t 0 kills the jailed VMM: Exited (137)" "Exited \(137\)" "$("$MOTE" ps -a | grep "$id")"
expect_eq "no jail left behind by -d runs" 0 "$(jails_left)"

# refusals: a message, status 125, no jail
refused() {
	local what=$1 msg=$2 o rc
	shift 2
	o=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 125 ] && grep -q -- "$msg" <<<"$o" && [ "$(jails_left)" -eq 0 ]; then
		ok "refused: $what"
	else
		not_ok "refused: $what (status $rc, said [$o])"
	fi
}
refused "--jail with --qemu" "QEMU (--qemu) is not jailed" "$MOTE" run --jail --qemu /bin/true
refused "--jail-user 0:0" "not root" "$MOTE" run --jail-user 0:0 /bin/true
refused "--jail-user nobody" "not UID:GID" "$MOTE" run --jail-user nobody /bin/true
refused "--jail without a KVM device: no QEMU fallback" "the jail is motevm's" \
	env MOTE_KVM_DEVICE=/nonexistent "$MOTE" run --jail --net none /bin/true
if command -v setpriv >/dev/null; then
	refused "--jail as a user" "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MOTE" run --jail /bin/true
fi
refused "a relative MOTE_JAIL_DIR" "not an absolute path" \
	env MOTE_JAIL_DIR=rel MOTE_KVM_DEVICE=/dev/null "$MOTE" run --jail --net none /bin/true

# the real motevm, jailed
if kvm_usable; then
	out=$("$MOTE" run --jail --net none --with cat -v "$TEST_TMP/rw.ext4:/data" /bin/sh -c \
		'echo jailed >/data/f && cat /data/f; exit 3' 2>&1)
	expect_eq "motevm boots jailed: the program's output" jailed "$out"
	"$MOTE" run --jail --net none /bin/sh -c 'exit 3' >/dev/null 2>&1
	expect_eq "... and its status" 3 "$?"
	check "... the volume written through its descriptor is clean" e2fsck -fn "$TEST_TMP/rw.ext4"
else
	# without KVM: motevm reads its configuration and checks the kernel, image and volume
	# through their descriptors inside the jail, and stops where it needs the KVM device
	out=$(MOTE_KVM_DEVICE=/dev/null "$MOTE" run --jail --net none -v "$TEST_TMP/rw.ext4:/data" \
		/bin/true 2>&1)
	expect_match "the real motevm in the jail: its files taken, the KVM device next" \
		"cannot open /dev/kvm" "$out"
	check "... not a bad configuration" test -z "$(grep -i 'bad configuration\|No such file' <<<"$out")"
	echo "(jailed boot skipped: $KVM_WHY)"
fi
expect_eq "no jail left at the end" 0 "$(jails_left)"
finish
