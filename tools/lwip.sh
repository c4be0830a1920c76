#!/bin/sh
# lwip.sh DIR: fetch lwIP, the TCP/IP stack the kernel compiles itself, from Debian's source
# package (version pinned, checksum checked), unpack it afresh into DIR/lwip-$UPSTREAM and
# apply Mote's fixes (tools/lwip-patches/*.patch, in name order). Adds a deb-src entry for
# Debian's main archive if there is none. Needs root (or sudo) for apt. Run by make
# (mk/lwip.mk) when DIR/lwip-$UPSTREAM/.unpacked is missing or older than this script or a patch.
set -eu
VERSION=2.1.3+dfsg1-2
UPSTREAM=2.1.3
ORIG=lwip_2.1.3+dfsg1.orig.tar.xz
SHA256=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24
dir=$1
patches=$(cd "$(dirname "$0")/lwip-patches" && pwd)
mkdir -p "$dir"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO=sudo; fi
if [ ! -f "$dir/$ORIG" ]; then
	if ! apt-cache showsrc lwip 2>/dev/null | grep -q "^Version: $VERSION$"; then
		src=/etc/apt/sources.list.d/mote-src.sources
		echo "lwip: adding Debian's deb-src entry ($src)"
		printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
			"Suites: bookworm" "Components: main" \
			"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
			$SUDO tee "$src" >/dev/null
		$SUDO apt-get update -qq
	fi
	echo "lwip: fetching Debian's source package lwip $VERSION"
	(cd "$dir" && apt-get source --download-only -qq "lwip=$VERSION" 2>&1 |
		grep -v "unsandboxed" || true)
fi
echo "$SHA256  $dir/$ORIG" | sha256sum -c --quiet || {
	echo "lwip: $dir/$ORIG: wrong checksum (or missing): not using it" >&2
	exit 1
}
rm -rf "${dir:?}/lwip-$UPSTREAM"
tar -C "$dir" -xJf "$dir/$ORIG"
for p in "$patches"/*.patch; do
	[ -e "$p" ] || continue
	echo "lwip: applying $(basename "$p")"
	patch -s -p1 -d "$dir/lwip-$UPSTREAM" <"$p"
done
touch "$dir/lwip-$UPSTREAM/.unpacked"
