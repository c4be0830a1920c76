#!/bin/bash
# demo.sh: the main job `make demo` runs: real programs from this machine, each packed with its
# shared libraries into an image and booted as a microVM by `mote run` (motevm + Mote kernel;
# where /dev/kvm is not usable, mote falls back to QEMU TCG and the intro says so).
set -eu
cd "$(dirname "$0")/.."
export MOTE_CACHE_DIR=${MOTE_CACHE_DIR:-$PWD/build/demo/cache}
M=build/mote

# quote WORD: the word as a shell would need it typed
quote() {
	if [[ $1 =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
		printf ' %s' "$1"
	else
		printf " '%s'" "${1//\'/\'\\\'\'}"
	fi
}

run() { # shows the command, runs it, shows how long it took end to end
	local t0 t1 w
	printf '\n\033[1m$'
	for w in "$@"; do quote "$w"; done
	printf '\033[0m\n'
	t0=$EPOCHREALTIME
	"$@"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "  (%.1f ms, start to exit)\n", (b - a) * 1000 }'
}

# what mote will boot on: it checks the KVM device as here (open read-write; [ -c ] first, as
# <> would create a missing file)
kvm=${MOTE_KVM_DEVICE:-/dev/kvm}
echo "Each command packs a program of this machine into an image (cached after the first run)"
if [ -c "$kvm" ] && { : <>"$kvm"; } 2>/dev/null; then
	echo "and boots it in its own microVM: motevm on $kvm, the Mote kernel, the program."
else
	echo "and boots it in its own microVM: the Mote kernel and the program, under QEMU TCG here"
	echo "(no usable $kvm for motevm: mote falls back to QEMU, much slower, and says so each time)."
fi
run $M run /usr/bin/uname -a
run $M run --cpus 2 /usr/bin/nproc
run $M run /usr/bin/lua5.4 -e 'print(_VERSION .. " in a microVM: 6 * 7 = " .. 6 * 7)'
run $M run /usr/bin/sqlite3 :memory: 'select sqlite_version(), 6 * 7;'
run $M run /usr/bin/python3 -c \
	'import platform, os; print("Python", platform.python_version(), "on", platform.system(), platform.release(), "as pid", os.getpid())'
echo
echo "And once more with the boot timeline (mote run --verbose):"
run $M run --verbose /usr/bin/lua5.4 -e 'print("hello")'
