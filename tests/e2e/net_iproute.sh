#!/bin/bash
# net_iproute.sh: the host's iproute2 and net-tools inside Mote (`mote run --qemu`, QEMU's user
# network: the virtio-net interface with QEMU's default MAC 52:54:00:12:34:56, 10.0.2.15/24,
# the gateway 10.0.2.2) read the interfaces as on Linux: `ip -o link` and `ip -o addr`
# (rtnetlink dumps), `ip route`, `ip -6 route` and `ip route get`, `ifconfig -a` (SIOCGIF* ioctls,
# /proc/net/dev, /proc/net/if_inet6); a change (`ip addr add`) is refused with a clear error;
# Python's uuid finds the MAC through `ip link` as on the host. No traffic leaves the VM.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
[ -x /usr/sbin/ip ] || skip "iproute2's ip not installed"
[ -x /usr/sbin/ifconfig ] || skip "net-tools' ifconfig not installed"
export MOTE_CACHE_DIR=$TEST_TMP/cache
MOTE="timeout 120 build/mote run --qemu"
MAC=52:54:00:12:34:56
LL=fe80::5054:ff:fe12:3456 # the link-local address from that MAC

out=$($MOTE /usr/sbin/ip -o link 2>&1)
check "ip -o link: 1: lo, LOOPBACK,UP,LOWER_UP, mtu 65536" \
	grep -q '^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 .*link/loopback 00:00:00:00:00:00' <<<"$out"
check "... 2: eth0, BROADCAST,MULTICAST,UP,LOWER_UP, mtu 1500, state UP, link/ether $MAC" \
	grep -q "^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 .*state UP .*link/ether $MAC brd ff:ff:ff:ff:ff:ff" <<<"$out"

out=$($MOTE /usr/sbin/ip -o addr 2>&1)
check "ip -o addr: lo 127.0.0.1/8 scope host" grep -q '^1: lo    inet 127.0.0.1/8 scope host lo' <<<"$out"
check "... lo ::1/128 scope host" grep -q '^1: lo    inet6 ::1/128 scope host' <<<"$out"
check "... eth0 10.0.2.15/24 brd 10.0.2.255 scope global" \
	grep -q '^2: eth0    inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0' <<<"$out"
check "... eth0 $LL/64 scope link" grep -q "^2: eth0    inet6 $LL/64 scope link" <<<"$out"

out=$($MOTE /usr/sbin/ip route 2>&1)
check "ip route: default via 10.0.2.2 dev eth0" grep -q '^default via 10.0.2.2 dev eth0' <<<"$out"
check "... 10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.15" \
	grep -q '^10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.15' <<<"$out"
out=$($MOTE /usr/sbin/ip -6 route 2>&1)
check "ip -6 route: fe80::/64 dev eth0" grep -q '^fe80::/64 dev eth0 proto kernel metric 256' <<<"$out"

out=$($MOTE /usr/sbin/ip route get 1.1.1.1 2>&1)
check "ip route get 1.1.1.1: via 10.0.2.2 dev eth0 src 10.0.2.15" \
	grep -q '^1.1.1.1 via 10.0.2.2 dev eth0 src 10.0.2.15' <<<"$out"

out=$($MOTE /usr/sbin/ip addr add 10.0.2.99/24 dev eth0 2>&1)
expect_eq "ip addr add: refused (status 2)" 2 "$?"
check "... RTNETLINK answers: Operation not supported" \
	grep -q 'RTNETLINK answers: Operation not supported' <<<"$out"

out=$($MOTE /usr/sbin/ifconfig -a 2>&1)
check "ifconfig -a: eth0 flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500" \
	grep -q '^eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500' <<<"$out"
check "... inet 10.0.2.15  netmask 255.255.255.0  broadcast 10.0.2.255" \
	grep -q 'inet 10.0.2.15  netmask 255.255.255.0  broadcast 10.0.2.255' <<<"$out"
check "... inet6 $LL  prefixlen 64  scopeid 0x20<link>" \
	grep -q "inet6 $LL  prefixlen 64  scopeid 0x20<link>" <<<"$out"
check "... ether $MAC  txqueuelen 1000  (Ethernet)" \
	grep -q "ether $MAC  txqueuelen 1000  (Ethernet)" <<<"$out"
check "... TX packets counted" grep -Eq 'TX packets [1-9]' <<<"$out"
check "... lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536" \
	grep -q '^lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536' <<<"$out"
check "... no warning (/proc/net/dev is there)" bash -c "! grep -q Warning <<<\"\$1\"" _ "$out"

out=$($MOTE --with /usr/sbin/ip /usr/bin/python3 -c \
	'import uuid; print("%012x" % uuid._ip_getnode())' 2>&1)
expect_eq "Python's uuid._ip_getnode() through ip link: the MAC" 525400123456 "$out"
finish
