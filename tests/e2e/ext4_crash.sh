#!/bin/bash
# ext4_crash.sh: crash consistency of the kernel's jbd2 commits under QEMU microvm. The
# ext4_crash self-test (kernel/test/test_ext4.c) commits transactions in a loop on an image
# from mkfs.ext4 -d, each writing record i into /log and printing "committed i" once its
# commit returned; QEMU is killed (SIGKILL) at a random moment, 1 to 4 s in. Then Mote mounts
# the image again (replaying the journal), and on the host: e2fsck -fn clean, needs_recovery
# gone, /log's counter at least the last printed (at most one more: the commit in flight),
# every record up to it in place, and the same /log as e2fsck's own replay of a copy of the
# crashed image. EXT4_CRASH_ITERATIONS rounds (10; bench/ext4_crash.sh runs more), each
# going on from where the last stopped.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/kernel_lib.sh
need_platform microvm
for t in mkfs.ext4 e2fsck dumpe2fs debugfs python3; do
	command -v $t >/dev/null || skip "$t missing (e2fsprogs, python3)"
done
N=${EXT4_CRASH_ITERATIONS:-10}
BS=${EXT4_CRASH_BLOCK_SIZE:-4096}

T=$TEST_TMP
IMG=$T/crash.img
mkdir -p "$T/tree"
head -c $((256 * BS)) /dev/zero | tr '\0' z >"$T/tree/log"
build/mote build /bin/true -o "$T/true.img" >/dev/null || skip "mote build /bin/true failed"
check "mkfs.ext4 -b $BS -d" mkfs.ext4 -q -b "$BS" -d "$T/tree" "$IMG" 32M

# shellcheck disable=SC2054 # commas inside QEMU options
VIRTIO=(-machine ioapic2=off -global virtio-mmio.force-legacy=false
	-drive "file=$IMG,if=none,format=raw,id=d0" -device virtio-blk-device,drive=d0)

fsck_clean() { e2fsck -fn "$1" >/dev/null 2>&1; }

# records IMG: "COUNT" if /log holds a counter and every record up to it, else why not
records() {
	rm -f "$T/log.out"
	debugfs -R "dump /log $T/log.out" "$1" >/dev/null 2>&1
	python3 - "$T/log.out" "$BS" <<'EOF'
import sys
data, bs = open(sys.argv[1], "rb").read(), int(sys.argv[2])
def rec(tag, v):
    return (b"%s %010u \n" % (tag, v)) * (bs // 16)
head = data[:bs]
if head == b"z" * bs:
    print(0)
    sys.exit(0)
count = int(head[4:14])
if head != rec(b"cnt", count):
    sys.exit(print("bad counter block", head[:16]))
for i in range(max(1, count - 254), count + 1):
    slot = 1 + i % 255
    if data[slot * bs:(slot + 1) * bs] != rec(b"rec", i):
        sys.exit(print("record", i, "missing: block", slot, "holds", data[slot * bs:slot * bs + 16]))
print(count)
EOF
}

# The commits a round's output printed, from its complete lines only (ended by "\r" or
# "\n"): the kill may cut the last line short ("committed 8" of "committed 8352").
commits() {
	case $(tail -c1 "$1" | od -An -c | tr -d ' ') in
	'\r' | '\n' | '') cat "$1" ;;
	*) sed '$d' "$1" ;;
	esac | tr -d '\r' | sed -n 's/^ext4_crash: committed \([0-9]*\)$/\1/p'
}

total=0 busy=0 replays=0
for it in $(seq 1 "$N"); do
	ms=$((1000 + RANDOM % 3000))
	(timeout -s KILL "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')" \
		qemu-system-x86_64 -M microvm -accel tcg -m 256 -smp 1 "${VIRTIO[@]}" -nographic \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$KERNEL" \
		-append "--selftest=ext4_crash $(microvm_virtio 8)" </dev/null >"$T/crash.out"
		true) 2>/dev/null
	last=$(commits "$T/crash.out" | tail -1)
	first=$(commits "$T/crash.out" | head -1)
	if grep -q "selftest ext4_crash: FAIL" "$T/crash.out"; then
		not_ok "round $it: the self-test failed: $(grep FAIL "$T/crash.out")"
		break
	fi
	last=${last:-$prev}
	[ -n "$first" ] && total=$((total + last - first + 1)) && busy=$((busy + ms))
	cp "$IMG" "$T/e2fsck.img"
	e2fsck -fy "$T/e2fsck.img" >/dev/null 2>&1
	QEMU_ARGS=${VIRTIO[*]} INITRD=$T/true.img kernel_boot microvm 1 256 \
		"--verbose --mount=/dev/vda:/data /bin/true $(microvm_virtio 8)" >/dev/null
	expect_eq "round $it (killed at $ms ms, last commit ${last:-none}): replay boot status" 0 \
		"$STATUS"
	check "round $it: e2fsck -fn clean after Mote's replay" fsck_clean "$IMG"
	if dumpe2fs -h "$IMG" 2>/dev/null | grep -q needs_recovery; then
		not_ok "round $it: needs_recovery still set"
	fi
	got=$(records "$IMG")
	if [[ $got =~ ^[0-9]+$ ]] && [ "$got" -ge "${last:-0}" ] && [ "$got" -le $((${last:-0} + 1)) ]; then
		ok "round $it: /log holds counter $got and its last 255 records (last printed: ${last:-none})"
	else
		not_ok "round $it: /log: [$got], last printed commit ${last:-none}"
	fi
	if cmp -s <(debugfs -R "cat /log" "$IMG" 2>/dev/null) \
		<(debugfs -R "cat /log" "$T/e2fsck.img" 2>/dev/null); then
		ok "round $it: /log as e2fsck's replay of the crashed image has it"
	else
		not_ok "round $it: /log differs from e2fsck's replay"
	fi
	grep -q "journal replayed: 1 transactions" "$OUT" && replays=$((replays + 1))
	prev=$got
done
echo "figures: $replays of $N rounds had a committed transaction to replay"
[ "$busy" -gt 0 ] && echo "figures: $total commits in $busy ms of VM runs (boot included):" \
	"$((total * 1000 / busy)) commits/s"
finish
