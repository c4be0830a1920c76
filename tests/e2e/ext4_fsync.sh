#!/bin/bash
# ext4_fsync.sh: the jbd2 journal under the VFS write path (QEMU microvm, --mount read-write,
# Python in Mote). First, a tree written and the program ended (a clean unmount): e2fsck -fn
# clean, no needs_recovery, the journal empty with its sequence advanced by the commits
# (csum_v3, 64bit on it), the files as written. Then crash rounds (EXT4_FSYNC_ROUNDS, 10):
# Python appends 64-byte records to /log with write+fsync in a loop, and every tenth record
# also makes a file f<N> (fsynced), printing "synced N" after each fsync; QEMU is killed
# (SIGKILL) 2 to 6 s in; Mote mounts the image again (replay), then on the host: e2fsck -fn
# clean, needs_recovery gone, /log whole records from 0 with every printed one there (and at
# most the one in flight more: ordered mode never shows a size past its data), every printed
# f<N> whole, and /log as e2fsck's own replay of a copy of the crashed image has it. Each
# round goes on from where the last stopped.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
for t in mkfs.ext4 e2fsck dumpe2fs debugfs python3; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs, python3)"
done
N=${EXT4_FSYNC_ROUNDS:-10}

T=$TEST_TMP
cat >"$T/tree.py" <<'EOF'
import os, sys
d = sys.argv[1]
os.makedirs(d + "/a/b", exist_ok=True)
for i in range(40):
    with open("%s/a/f%02d" % (d, i), "wb") as f:
        f.write(bytes([i]) * (i * 1000))
os.rename(d + "/a/f00", d + "/a/b/moved")
os.unlink(d + "/a/f01")
os.symlink("a/b/moved", d + "/link")
fd = os.open(d + "/a/f02", os.O_WRONLY)
os.fsync(fd)
print("tree written", flush=True)
EOF
cat >"$T/append.py" <<'EOF'
import os, sys
d = sys.argv[1]
p = os.path.join(d, "log")
n = os.path.getsize(p) // 64 if os.path.exists(p) else 0
fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
while True:
    rec = b"rec %010d " % n
    rec += b"x" * (63 - len(rec)) + b"\n"
    os.write(fd, rec)
    if n % 10 == 0:
        with open(os.path.join(d, "f%06d" % n), "wb") as f:
            f.write(rec * 100)
            f.flush()
            os.fsync(f.fileno())
    os.fsync(fd)
    print("synced", n, flush=True)
    n += 1
EOF
PYIMG=$T/py.img
build/mote build --add /usr/lib/python3.11 --add "$T/tree.py:/tree.py" \
	--add "$T/append.py:/append.py" /usr/bin/python3 -o "$PYIMG" >/dev/null ||
	skip "mote build python3 failed"

IMG=$T/fsync.img
check "mkfs.ext4 -b 4096" mkfs.ext4 -q -b 4096 "$IMG" 64M
# shellcheck disable=SC2054 # commas inside QEMU options
VIRTIO=(-machine ioapic2=off -global virtio-mmio.force-legacy=false
	-drive "file=$IMG,if=none,format=raw,id=d0" -device virtio-blk-device,drive=d0)

sb() { dumpe2fs -h "$2" 2>/dev/null | sed -n "s/^$1: *//p"; }
fsck_clean() { e2fsck -fn "$1" >/dev/null 2>&1; }
no_recovery() { ! dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery; }

# guest ARGS: Python in Mote with the image at /data
guest() {
	QEMU_ARGS=${VIRTIO[*]} INITRD=$PYIMG kernel_boot microvm 1 256 \
		"--verbose --mount=/dev/vda:/data $* $(microvm_virtio 8)" >/dev/null
}

# --- a tree, then a clean end
seq0=$(sb "Journal sequence" "$IMG")
guest /usr/bin/python3 /tree.py /data
expect_eq "tree: exit status" 0 "$STATUS"
expect_match "tree: mounted read-write" "ext4: vda: .*read-write" "$(tr -d '\r' <"$OUT")"
check "tree: e2fsck -fn clean" fsck_clean "$IMG"
check "tree: no needs_recovery after the program's end" no_recovery "$IMG"
expect_eq "tree: the journal is empty" 0 "$(sb "Journal start" "$IMG")"
seq1=$(sb "Journal sequence" "$IMG")
if [ $((seq1)) -gt $((seq0)) ]; then
	ok "tree: the journal's sequence advanced ($seq0 -> $seq1)"
else
	not_ok "tree: the journal's sequence did not advance ($seq0 -> $seq1)"
fi
expect_eq "tree: csum_v3 and 64bit on the journal" "journal_64bit journal_checksum_v3" \
	"$(sb "Journal features" "$IMG")"
expect_match "tree: logdump reads the last commit" \
	"Found expected sequence $(($(printf %d "$seq1") - 1)), type 2 \(commit block\)" \
	"$(debugfs -R "logdump -O" "$IMG" 2>/dev/null)"
expect_eq "tree: a file as written" "$(head -c 39000 /dev/zero | tr '\0' '\047' | sha256sum)" \
	"$(debugfs -R "cat /a/f39" "$IMG" 2>/dev/null | sha256sum)"
expect_match "tree: renamed" "/moved/" "$(debugfs -R "ls -p /a/b" "$IMG" 2>/dev/null)"
expect_match "tree: unlinked" "not found" "$(debugfs -R "stat /a/f01" "$IMG" 2>&1)"
expect_match "tree: symlinked" 'Fast link dest: "a/b/moved"' \
	"$(debugfs -R "stat /link" "$IMG" 2>/dev/null)"

# records IMG LAST: /log and the f<N> files after a crash whose last printed fsync was LAST
records() {
	rm -rf "$T/dump" && mkdir "$T/dump"
	debugfs -R "rdump / $T/dump" "$1" >/dev/null 2>&1
	python3 - "$T/dump" "$2" <<'EOF'
import os, sys
d, last = sys.argv[1], int(sys.argv[2])
p = os.path.join(d, "log")
data = open(p, "rb").read() if os.path.exists(p) else b""
if len(data) % 64:
    sys.exit(print("a partial record: /log is %d bytes" % len(data)))
m = len(data) // 64
def rec(n):
    r = b"rec %010d " % n
    return r + b"x" * (63 - len(r)) + b"\n"
for n in range(m):
    if data[n * 64:(n + 1) * 64] != rec(n):
        sys.exit(print("record %d wrong: %r" % (n, data[n * 64:n * 64 + 20])))
if not last + 1 <= m <= last + 2:
    sys.exit(print("%d records, the last printed was %d" % (m, last)))
for n in range(0, last + 1, 10):
    p = os.path.join(d, "f%06d" % n)
    if not os.path.exists(p) or open(p, "rb").read() != rec(n) * 100:
        sys.exit(print("f%06d missing or wrong" % n))
print(m)
EOF
}

# --- crash rounds
last=-1 replays=0
for it in $(seq 1 "$N"); do
	ms=$((2000 + RANDOM % 4000))
	(timeout -s KILL "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')" \
		qemu-system-x86_64 -M microvm -accel tcg -m 256 -smp 1 "${VIRTIO[@]}" -nographic \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$KERNEL" \
		-initrd "$PYIMG" -append "--mount=/dev/vda:/data /usr/bin/python3 /append.py /data \
		$(microvm_virtio 8)" </dev/null >"$T/crash.out"
		true) 2>/dev/null
	l=$(tr -d '\r' <"$T/crash.out" | sed -n 's/^synced \([0-9]*\)$/\1/p' | tail -1)
	last=${l:-$last}
	cp "$IMG" "$T/e2fsck.img"
	e2fsck -fy "$T/e2fsck.img" >/dev/null 2>&1
	guest /usr/bin/python3 -c pass
	expect_eq "round $it (killed at $ms ms, last fsync $last): replay boot status" 0 "$STATUS"
	grep -q "journal replayed: 1 transactions" "$OUT" && replays=$((replays + 1))
	check "round $it: e2fsck -fn clean after Mote's replay" fsck_clean "$IMG"
	check "round $it: no needs_recovery" no_recovery "$IMG"
	got=$(records "$IMG" "$last")
	if [[ $got =~ ^[0-9]+$ ]]; then
		ok "round $it: /log holds records 0..$((got - 1)), every fsynced one, and the files"
	else
		not_ok "round $it: $got"
	fi
	if cmp -s <(debugfs -R "cat /log" "$IMG" 2>/dev/null) \
		<(debugfs -R "cat /log" "$T/e2fsck.img" 2>/dev/null); then
		ok "round $it: /log as e2fsck's replay of the crashed image has it"
	else
		not_ok "round $it: /log differs from e2fsck's replay"
	fi
done
echo "figures: $replays of $N rounds had a committed transaction to replay; $((last + 1)) records"
finish
