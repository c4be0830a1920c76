#!/bin/bash
# debian_linux.sh (slow): Debian's own kernel boots under motevm far enough to print its
# "Linux version" banner on the serial port (the uncompressed ELF vmlinux, PVH entry); then
# SIGTERM stops motevm cleanly (exit 143). The bzImage it ships is entered through its 64-bit
# entry too, but its xz decompressor cannot finish in bounded time while kvm_pvm emulates
# CPL0 code (~1.5 M instructions/s): it is checked to run until it programs the UART
# (metrics: port writes), without a failed exit.
# The kernel package is fetched with `apt-get download` (never installed) and cached in
# build/tests/vmm/debian/. SKIPs (77) without /dev/kvm or when the package cannot be fetched.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
motevm=${MOTEVM:-$root/build/motevm}
cache=$root/build/tests/vmm/debian
timeout_s=${DEBIAN_BOOT_TIMEOUT:-180}
# Firecracker's default boot args plus the serial console. 8250.nr_uarts=0 (in the defaults)
# keeps ttyS0 from registering as a console until late, so earlyprintk shows the banner.
args="reboot=k panic=1 nomodule 8250.nr_uarts=0 i8042.noaux i8042.nomux i8042.dumbkbd"
args="$args swiotlb=noforce console=ttyS0 earlyprintk=ttyS0"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ -x "$motevm" ] || fail "$motevm missing: run make first"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "/dev/kvm not usable"
for t in apt-get apt-cache dpkg-deb xz grep; do
	command -v $t >/dev/null || skip "$t not installed"
done

mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$pkg" ] || skip "apt knows no linux-image-amd64 (run apt-get update)"
vmlinuz=$cache/vmlinuz-$pkg
vmlinux=$cache/vmlinux-$pkg
if [ ! -s "$vmlinux" ] || [ ! -s "$vmlinuz" ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && apt-get download "$pkg" >/dev/null 2>&1) || skip "apt-get download $pkg failed (offline?)"
	dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" --wildcards './boot/vmlinuz-*' ||
		fail "no vmlinuz in $pkg"
	cp "$work"/boot/vmlinuz-* "$vmlinuz.tmp"
	# The vmlinux is the xz payload of the bzImage: find the xz magic, decompress from there.
	off=$(grep -abo $'\xfd7zXZ\x00' "$vmlinuz.tmp" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || fail "no xz payload in $vmlinuz.tmp"
	tail -c +$((off + 1)) "$vmlinuz.tmp" | xz -dc >"$vmlinux.tmp" 2>/dev/null
	[ "$(head -c 4 "$vmlinux.tmp")" = $'\x7fELF' ] || fail "the xz payload is not an ELF vmlinux"
	mv "$vmlinux.tmp" "$vmlinux"
	mv "$vmlinuz.tmp" "$vmlinuz"
fi

boot() { # kernel label
	local kernel=$1 label=$2 out=$cache/$2.out err=$cache/$2.err cfg=$cache/$2.json pid start
	cat >"$cfg" <<-JSON
	{"boot-source": {"kernel_image_path": "$kernel", "boot_args": "$args"},
	 "machine-config": {"vcpu_count": 1, "mem_size_mib": 256}}
	JSON
	start=$SECONDS
	"$motevm" --no-api --config-file "$cfg" </dev/null >"$out" 2>"$err" &
	pid=$!
	while kill -0 $pid 2>/dev/null && ! grep -q "Linux version" "$out"; do
		if [ $((SECONDS - start)) -ge "$timeout_s" ]; then
			kill -9 $pid
			wait $pid
			tail -n 20 "$out" "$err"
			fail "$label: no banner within ${timeout_s}s"
		fi
		sleep 0.2
	done
	if ! grep -q "Linux version" "$out"; then
		wait $pid
		echo "motevm exited with $?"
		tail -n 20 "$out" "$err"
		fail "$label: motevm stopped before the banner"
	fi
	echo "$label: $(grep -m1 -o 'Linux version [^ ]*' "$out") after $((SECONDS - start)) s"
	kill -TERM $pid
	wait $pid
	rc=$?
	[ $rc -eq 143 ] || { tail -n 5 "$err"; fail "$label: SIGTERM gave exit $rc, expected 143"; }
}

smoke() { # kernel label seconds: runs, then SIGTERM; the kernel must have driven the UART
	local kernel=$1 label=$2 secs=$3 err=$cache/$2.err cfg=$cache/$2.json met=$cache/$2.metrics
	local pid rc outs
	cat >"$cfg" <<-JSON
	{"boot-source": {"kernel_image_path": "$kernel", "boot_args": "$args"},
	 "machine-config": {"vcpu_count": 1, "mem_size_mib": 256}}
	JSON
	rm -f "$met"
	"$motevm" --no-api --config-file "$cfg" --metrics-path "$met" </dev/null >/dev/null 2>"$err" &
	pid=$!
	sleep "$secs"
	kill -TERM $pid
	wait $pid
	rc=$?
	[ $rc -eq 143 ] || { tail -n 20 "$err"; fail "$label: exit $rc before SIGTERM, expected 143"; }
	# One metrics line at the start and one at the exit: counters are deltas, so add them up.
	outs=$(grep -o '"exit_io_out":[0-9]*' "$met" | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
	[ "$outs" -ge 7 ] || fail "$label: the kernel never programmed the UART ($outs port writes)"
	! grep -q '"failures":[1-9]' "$met" || fail "$label: a vCPU exit failed"
	echo "$label: entered at its 64-bit entry, $outs port writes (UART set-up) in ${secs}s, still running"
}

boot "$vmlinux" vmlinux
smoke "$vmlinuz" bzImage 15
echo "debian_linux: Debian's vmlinux printed its banner; its bzImage started"
