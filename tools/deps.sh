#!/bin/sh
# deps.sh: install the Debian packages Mote's build, tests and benchmarks need, if missing.
# Run by `make` (through build/.deps-installed); safe to run again. Needs root or sudo.
set -eu

# build: compilers, the JSON library motevm links, lint tools
BUILD_PKGS="gcc make binutils patch libc6-dev libjansson-dev libhttp-parser-dev libxxhash-dev liburing-dev libseccomp-dev clang-format cppcheck shellcheck"
# tests and benchmarks: the second platform, image tools, clients
TEST_PKGS="qemu-system-x86 busybox-static e2fsprogs attr cpio xz-utils curl jq python3 perl lua5.4 sqlite3 file procps
	git
	clang libclang-rt-14-dev"
# servers run inside Mote and the clients that drive them from the host (tests/e2e/net_servers.sh,
# bench/net.sh; their services are not started by the install: see policy-rc.d below), and
# network namespaces with a TAP and ping (tests/e2e/net_tap.sh); passt, motevm's user-mode
# network (docs/motevm.md says why passt); iproute2's ip and net-tools' ifconfig, also run
# inside Mote (tests/e2e/net_iproute.sh)
NET_PKGS="redis-server redis-tools nginx-light wrk iperf3 iproute2 net-tools iputils-ping passt"

missing=""
for p in $BUILD_PKGS $TEST_PKGS $NET_PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: need root (or sudo) to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian starts a server package's service when it is installed (redis on 6379, nginx on 80):
# the tests start their own, so a policy-rc.d (Debian's switch for this) says no meanwhile,
# unless the machine has its own
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null
	$SUDO chmod 755 $policy
	trap '$SUDO rm -f $policy' EXIT
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
