#!/bin/sh
# python_tests.sh DIR: CPython's regression tests, Debian's libpython3.11-testsuite of the same
# version as the installed standard library (libpython3.11-stdlib), without installing it
# (installing would put its 28 MB into /usr/lib/python3.11, which many tests add whole to small
# VMs): the .deb is fetched into DIR (apt-get download) and unpacked into DIR/python3.11-tests.
# Its usr/lib/python3.11/test gets the standard library's own part of that package (test.support,
# test.libregrtest: 1 MB) copied in, making it the whole test package: a Mote image takes it at
# /usr/lib/python3.11/test, and native runs see it there through a bind mount of their own
# (tests/e2e/cpython_tests.sh), so that both run the same files at the same paths (the tests'
# children run `python3 -I`, which ignores PYTHONPATH). Byte-compiled here once, as the package's
# installation would. Does nothing when DIR already holds that version.
set -eu
mkdir -p "$1"
dir=$(cd "$1" && pwd)
version=$(dpkg-query -W -f='${Version}' libpython3.11-stdlib)
# The archive keeps the newest version only: once it moved past the installed interpreter, the
# interpreter follows it (as root; a security update of python3.11 and its own packages), so that
# the tests and the library they test stay of one version.
if ! apt-cache madison libpython3.11-testsuite | grep -q "| $version |" && [ "$(id -u)" = 0 ]; then
	echo "python_tests: the archive no longer has libpython3.11-testsuite $version:" \
		"upgrading python3.11 to the archive's version"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --only-upgrade python3.11 \
		python3.11-minimal libpython3.11-stdlib libpython3.11-minimal >/dev/null || true
	version=$(dpkg-query -W -f='${Version}' libpython3.11-stdlib)
fi
out=$dir/python3.11-tests
stamp=$out/.unpacked
[ "$(cat "$stamp" 2>/dev/null)" = "$version" ] && exit 0

deb=$dir/libpython3.11-testsuite_$(echo "$version" | sed 's/^[0-9]*://')_all.deb
if [ ! -f "$deb" ]; then
	echo "python_tests: fetching libpython3.11-testsuite $version"
	# (apt warns that the download runs unsandboxed when DIR is not readable by _apt)
	(cd "$dir" && apt-get download -qq "libpython3.11-testsuite=$version" 2>&1 |
		grep -v "unsandboxed" || true)
	[ -f "$deb" ] || {
		echo "python_tests: apt-get download libpython3.11-testsuite=$version failed" >&2
		exit 1
	}
fi
rm -rf "$out"
dpkg-deb -x "$deb" "$out"
tests=$out/usr/lib/python3.11/test
cp -a /usr/lib/python3.11/test/. "$tests/"
/usr/bin/python3 -m compileall -q -j 0 "$tests" >/dev/null 2>&1 || true
echo "$version" >"$stamp"
