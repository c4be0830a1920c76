#!/bin/bash
# debian_programs.sh: real Debian programs, unmodified, run inside Mote with `mote run` must print
# what they print natively: busybox-static applets as the program (cat, wc, sort, sha256sum, awk,
# sed, find, ls -l), `busybox sh -c` with shell builtins, coreutils `ls -la /` (compared with a
# native run in a chroot of the same image's root, since the guest's root is the image),
# python3 (also asyncio over an AF_UNIX socket, and AF_UNIX datagrams), lua5.4, sqlite3 and perl;
# util-linux's script (a pty, signalfd4 and poll). Also the exit status of a failing program and
# the message for a program that cannot be loaded.
#
# PLATFORM=motevm (default: the PV path on kvm_pvm hosts) or PLATFORM=qemu (QEMU TCG microvm,
# the standard path; debian_programs_qemu.sh). The two are separate tests: without a usable
# /dev/kvm the motevm one skips and names the QEMU one, which runs wherever QEMU is installed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
[ "$(id -u)" -eq 0 ] || skip "needs root for the chroot comparison"
for p in /bin/busybox /usr/bin/python3 /usr/bin/lua5.4 /usr/bin/sqlite3 /usr/bin/perl \
	/usr/bin/script; do
	[ -x $p ] || skip "$p missing (tools/deps.sh installs it)"
done
TEST=debian_programs
. tests/e2e/programs_lib.sh

# Input files, added to the image at their own paths.
D=$T/data
mkdir -p "$D/tree/a/b" "$D/tree/c"
printf 'pear\napple\nfig\nbanana\napple\n' >"$D/fruit.txt"
printf 'one two three\nfour five\n\nsix\n' >"$D/words.txt"
for f in tree/x.txt tree/a/y.txt tree/a/b/z.txt tree/c/w.dat; do echo "$f" >"$D/$f"; done
ADD=(--opts --add "$D" --)

same "busybox cat" "${ADD[@]}" /bin/busybox cat "$D/fruit.txt" "$D/words.txt"
same "busybox wc" "${ADD[@]}" /bin/busybox wc "$D/fruit.txt" "$D/words.txt"
same "busybox sort" "${ADD[@]}" /bin/busybox sort -u "$D/fruit.txt"
same "busybox sha256sum" "${ADD[@]}" /bin/busybox sha256sum "$D/fruit.txt" "$D/words.txt"
same "busybox awk" "${ADD[@]}" /bin/busybox awk '{ n += NF } END { print NR, n, $1 }' "$D/words.txt"
same "busybox sed" "${ADD[@]}" /bin/busybox sed -n 's/a/A/gp' "$D/fruit.txt"
same "busybox find" --sorted "${ADD[@]}" /bin/busybox find "$D/tree" -name '*.txt' -type f
same "busybox ls -l" "${ADD[@]}" /bin/busybox ls -l "$D/tree" "$D/tree/a"
same "busybox sh builtins" /bin/busybox sh -c \
	'x=0; for i in 1 2 3 4; do x=$((x + i)); done; echo "sum=$x"
	 case $x in 10) echo ten ;; *) echo other ;; esac
	 printf "%s-%s\n" a b; set -- p q r; echo "$# $2"; test -d / && echo dir
	 read -r line </dev/null || echo "read: end of input"; exit 3'
same "python3" --opts --add /usr/lib/python3.11 -- /usr/bin/python3 -c \
	'import json, hashlib; print(sum(i * i for i in range(10**5)), json.dumps({"k": [1, 2]}),
hashlib.sha256(b"mote").hexdigest()[:16])'
same "python3 asyncio over an AF_UNIX socket" --opts --add /usr/lib/python3.11 -- /usr/bin/python3 -c \
	'import asyncio, os, tempfile
async def main():
    path = os.path.join(tempfile.mkdtemp(), "s")
    async def echo(r, w):
        w.write((await r.read(100)).upper()); await w.drain(); w.close()
    srv = await asyncio.start_unix_server(echo, path)
    r, w = await asyncio.open_unix_connection(path)
    w.write(b"hello over a unix socket"); await w.drain()
    print((await r.read(100)).decode()); w.close(); srv.close(); await srv.wait_closed()
asyncio.run(main())'
same "python3 AF_UNIX datagrams: socketpair and asyncio endpoints" --opts --add /usr/lib/python3.11 -- \
	/usr/bin/python3 -c 'import asyncio, os, socket, tempfile
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.send(b"one"); a.send(b"two!")
print(b.recv(100), b.recv(100), b.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_DGRAM)
async def main():
    d, loop = tempfile.mkdtemp(), asyncio.get_running_loop()
    class Echo(asyncio.DatagramProtocol):
        def connection_made(self, t): self.t = t
        def datagram_received(self, data, addr): self.t.sendto(data.upper(), addr)
    class Client(asyncio.DatagramProtocol):
        def __init__(self): self.done = loop.create_future()
        def datagram_received(self, data, addr): self.done.set_result((data, addr))
    srv = os.path.join(d, "srv")
    st, _ = await loop.create_datagram_endpoint(Echo, local_addr=srv, family=socket.AF_UNIX)
    ct, cp = await loop.create_datagram_endpoint(Client, local_addr=os.path.join(d, "cl"),
                                                 remote_addr=srv, family=socket.AF_UNIX)
    ct.sendto(b"hello over a unix datagram socket")
    data, addr = await cp.done
    print(data.decode(), addr == srv); ct.close(); st.close()
asyncio.run(main())'
same "lua5.4" /usr/bin/lua5.4 -e 'local t = {} for i = 1, 10 do t[i] = i * i end print(#t, t[10], 2^10, string.rep("ab", 3))'
same "sqlite3" /usr/bin/sqlite3 :memory: \
	'create table t(x int, y text); insert into t values (1, "a"), (2, "b"), (3, "c");
	 select count(*), sum(x), group_concat(y) from t;'
same "perl" /usr/bin/perl -e 'my %h = map { $_ => $_ ** 2 } 1 .. 5; print join(",", map { "$_=$h{$_}" } sort keys %h), "\n"'
same "a failing program's status" "${ADD[@]}" /bin/busybox cat "$D/missing.txt"
# script runs the command on a new pty and waits for its SIGCHLD on a signalfd (poll()ed with the
# pty master); -e: its status
same "script (util-linux): a pty, signalfd4 and poll" --opts --with /bin/sh -- \
	/usr/bin/script -qec 'echo hi; exit 3' /dev/null

# coreutils ls -la / against a chroot of the same image's root. The kernel adds /dev, /proc,
# /sys and /tmp: the chroot gets them too (its root's time put back), and their own lines
# (created at boot) are left out of both listings.
if build/mote build /bin/ls -la / -o "$T/ls.img" >"$T/ls.build" 2>&1; then
	root=$T/ls.root
	mkdir -p "$root" && (cd "$root" && cpio -idm --quiet <"$T/ls.img") && rm -rf "$root/.mote"
	# GNU cpio cannot keep the times of directories (their contents come after them) and
	# symlinks: put every entry's archive time back, children first.
	/usr/bin/python3 - "$T/ls.img" "$root" <<'PY'
import os, sys
data, root, off, ents = open(sys.argv[1], "rb").read(), sys.argv[2], 0, []
while data[off:off + 6] == b"070701":
    f = [int(data[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
    name = data[off + 110:off + 110 + f[11] - 1].decode()
    if name == "TRAILER!!!":
        break
    ents.append((name, f[5]))
    off = (off + 110 + f[11] + 3) // 4 * 4
    off = (off + f[6] + 3) // 4 * 4
for name, mtime in reversed(ents):
    path = os.path.join(root, name)
    if os.path.lexists(path):
        os.utime(path, (mtime, mtime), follow_symlinks=False)
PY
	touch -r "$root" "$T/root.time"
	mkdir -p "$root/dev" "$root/proc" "$root/sys" "$root/tmp"
	touch -m -r "$T/root.time" "$root"
	# ("total" too: it counts /proc's and /sys's blocks, 0 where procfs and sysfs are mounted)
	strip_boot_dirs() { grep -Ev '^total | (dev|proc|sys|tmp)$'; }
	native=$(env -i /usr/sbin/chroot "$root" /bin/ls -la / 2>&1 | strip_boot_dirs)
	guest=$(timeout 300 "${RUN[@]}" --image "$T/ls.img" 2>&1 </dev/null | strip_boot_dirs)
	if [ "$native" == "$guest" ]; then
		ok "coreutils ls -la /: same as in a chroot of the image"
	else
		not_ok "coreutils ls -la /: differs from the chroot of the image"
		diff -u --label chroot --label mote <(echo "$native") <(echo "$guest") | head -n 30 |
			sed 's/^/      | /'
	fi
else
	not_ok "mote build /bin/ls: $(cat "$T/ls.build")"
fi

# A program that cannot be loaded: a clear message and the kernel's status 4.
out=$(timeout 60 "${RUN[@]}" /bin/busybox sh -c 'exec /no/such/program' 2>&1 </dev/null)
expect_match "exec of a missing program: the shell's message" "no/such/program" "$out"
finish
