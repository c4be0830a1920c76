#!/bin/bash
# net_dns.sh: name resolution from inside Mote. The kernel's --nameserver writes
# /etc/resolv.conf at boot; glibc's resolver in Debian's getent then asks a DNS server this
# test starts on the host's loopback (port 53, reached from the guest as 10.0.2.2 through
# QEMU's user network) and prints its answer. /etc/hosts in the image answers localhost.
# Traffic: the host's loopback only (the guest's resolver list names 10.0.2.2 alone).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
MOTE=build/mote
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
command -v getent >/dev/null || skip "getent not installed"
export MOTE_CACHE_DIR=$TEST_TMP/cache

# a one-name DNS server on 127.0.0.1:53 (UDP): mote-test.example A 192.0.2.7, anything else
# NXDOMAIN; it answers at most 50 queries and lives at most 120 s
timeout 120 python3 - >"$TEST_TMP/dns.log" 2>&1 <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind(("127.0.0.1", 53))
except OSError as e:
    print(f"cannot bind 127.0.0.1:53: {e}", flush=True)
    sys.exit(0)
print("ready", flush=True)
for _ in range(50):
    q, peer = s.recvfrom(512)
    qid, _, qd = struct.unpack(">HHH", q[:6])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode())
        i += 1 + q[i]
    qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
    question = q[12:i + 5]
    name = ".".join(labels).lower()
    print(f"query {name} type {qtype}", flush=True)
    known = name == "mote-test.example"
    answers = b""
    if known and qtype == 1:
        answers = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 7])
    flags = 0x8180 if known else 0x8183
    s.sendto(struct.pack(">HHHHHH", qid, flags, 1, 1 if answers else 0, 0, 0) + question +
             answers, peer)
PY
dns=$!
for _ in $(seq 50); do
	grep -q "ready\|cannot bind" "$TEST_TMP/dns.log" && break
	sleep 0.1
done
if grep -q "cannot bind" "$TEST_TMP/dns.log"; then
	kill "$dns" 2>/dev/null
	skip "$(cat "$TEST_TMP/dns.log") (a resolver of the host's own uses it)"
fi

out=$(timeout 120 $MOTE run --qemu --kernel-arg=--nameserver=10.0.2.2 /usr/bin/getent ahostsv4 \
	mote-test.example 2>&1)
expect_eq "getent in Mote: exit status 0" 0 "$?"
expect_match "... the name resolved by the test's server" "^192\.0\.2\.7 +STREAM mote-test\.example" "$out"
check "... which was asked for it" grep -q "query mote-test.example type 1" "$TEST_TMP/dns.log"
out=$(timeout 120 $MOTE run --qemu --net passt --kernel-arg=--nameserver=10.0.2.2 \
	/usr/bin/getent ahostsv4 mote-test.example 2>&1)
expect_match "through passt too (10.0.2.2:53 is the host's loopback)" \
	"^192\.0\.2\.7 +STREAM mote-test\.example" "$out"
out=$(timeout 120 $MOTE run --qemu --kernel-arg=--nameserver=10.0.2.2 /usr/bin/getent ahostsv4 \
	missing.example 2>&1)
expect_eq "an unknown name: getent's status 2" 2 "$?"
out=$(timeout 120 $MOTE run --qemu --kernel-arg=--nameserver=10.0.2.2 /bin/cat /etc/resolv.conf)
expect_eq "/etc/resolv.conf as --nameserver wrote it" "nameserver 10.0.2.2" "$out"
out=$(timeout 120 $MOTE run --qemu --net none /usr/bin/getent hosts localhost 2>&1)
expect_match "localhost from the image's /etc/hosts (no network at all)" \
	"^(::1|127\.0\.0\.1) +localhost" "$out"
# getaddrinfo's AI_ADDRCONFIG asks rtnetlink for addresses: with lo's alone there is no IPv4
# to answer with (EAI_NONAME), as in a network namespace holding only lo
timeout 120 $MOTE run --qemu --net none /usr/bin/getent ahostsv4 localhost >/dev/null 2>&1
rc=$?
native=2
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	unshare -n sh -c 'ip link set lo up; getent ahostsv4 localhost' >/dev/null 2>&1
	native=$?
fi
expect_eq "ahostsv4 localhost with lo alone: getent's status as in a namespace with lo alone" \
	"$native" "$rc"
kill "$dns" 2>/dev/null
wait "$dns" 2>/dev/null
finish
