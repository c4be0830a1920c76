#!/bin/bash
# procfs.sh: /proc and /sys as real Debian programs read them under `mote run`, on motevm and
# under QEMU TCG: cat of maps, status, cpuinfo, meminfo (Linux's line formats, field names in the
# host kernel's order, values that fit the VM), busybox ps/free/uptime (ps with a child process
# too), nproc and Python's os.cpu_count() (the vCPU count), ls of /proc/self/fd,
# /proc/sys/kernel/hostname = uname -n.
# Without a usable /dev/kvm only the QEMU TCG part runs; the test skips only if neither can.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
[ -x build/mote ] || skip "build/mote not built"
have_qemu=$(command -v qemu-system-x86_64)
kvm_usable || [ -n "$have_qemu" ] || skip "neither a usable /dev/kvm ($KVM_WHY) nor qemu-system-x86_64"
# a hang fails the check, not the whole run; --no-fallback: the motevm part runs on motevm only
MOTE="timeout 120 $PWD/build/mote run --no-fallback"
T=$TEST_TMP

# run OUT MOTE-ARGS...: the guest's stdout into $T/OUT (its stderr into $T/OUT.err), without
# the kernel's own notes ("mote: system call ... is not implemented")
run() {
	local out=$1
	shift
	$MOTE "$@" 2>"$T/$out.err" | grep -v '^mote: ' >"$T/$out"
}

# field_names FILE SEP: the field names of a "Name<SEP>value" file, one a line
field_names() { sed -n "s/^\([^$2]*\)$2.*/\1/p" "$1"; }

# in_order SUBSET ALL: every line of file SUBSET is in file ALL, in the same order
in_order() {
	awk 'BEGIN { n = 0; i = 0 }
	     NR == FNR { all[n++] = $0; next }
	     { while (i < n && all[i] != $0) i++; if (i == n) { print "missing or out of order: " $0; exit 1 } i++ }' \
		"$2" "$1"
}

# the checks on motevm (the PV path)
on_motevm() {
	# --- /proc/self/maps of cat: Linux's line format, the program's text, the stack, the heap
	run maps --cpus 1 /bin/cat /proc/self/maps
	line_re='^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} [0-9]+ ( {0,72}[^ ].*)?$'
	bad=$(grep -Evc "$line_re" "$T/maps")
	expect_eq "maps: every line has Linux's format" 0 "$bad"
	expect_match "maps: cat's code is r-xp from /usr/bin/cat" ' r-xp [0-9a-f]{8} [0-9a-f:]{5} [1-9][0-9]* +/usr/bin/cat$' "$(cat "$T/maps")"
	expect_match "maps: the stack is [stack], rw-p" ' rw-p .* \[stack\]$' "$(cat "$T/maps")"
	expect_match "maps: the heap is [heap]" ' \[heap\]$' "$(cat "$T/maps")"
	expect_match "maps: the vDSO as Linux shows it" ' r-xp 00000000 00:00 0 +\[vdso\]$' "$(cat "$T/maps")"
	expect_match "maps: libc is mapped from its file" 'libc\.so\.6$' "$(cat "$T/maps")"
	col=$(awk '/\/usr\/bin\/cat$/ { print index($0, "/usr/bin/cat"); exit }' "$T/maps")
	expect_eq "maps: the path starts at column 74, as Linux pads it" 74 "$col"

	# --- /proc/self/status: Linux's field names, in the host kernel's order
	run status --cpus 1 /bin/cat /proc/self/status
	field_names "$T/status" ':' >"$T/status.names"
	field_names /proc/self/status ':' >"$T/host.status.names"
	check "status: field names in the host's order" in_order "$T/status.names" "$T/host.status.names"
	expect_match "status: Name cat, Pid 1, Threads 1" 'Name:	cat.*Pid:	1 .*Threads:	1 ' "$(tr '\n' ' ' <"$T/status")"
	expect_match "status: VmRSS in kB, not zero" 'VmRSS:	 *[1-9][0-9]* kB' "$(cat "$T/status")"

	# --- cpuinfo: one block per vCPU, the host's field names; sysfs and the programs agree
	for n in 1 2; do
		run cpuinfo$n --cpus $n /bin/cat /proc/cpuinfo /sys/devices/system/cpu/online
		expect_eq "cpuinfo: $n processor block(s) with --cpus $n" $n "$(grep -c '^processor	: ' "$T/cpuinfo$n")"
		expect_eq "sysfs: cpu/online with --cpus $n" "$([ $n = 1 ] && echo 0 || echo 0-$((n - 1)))" "$(tail -n 1 "$T/cpuinfo$n")"
		run nproc$n --cpus $n /usr/bin/nproc
		expect_eq "nproc with --cpus $n" $n "$(cat "$T/nproc$n")"
		run python$n --cpus $n --add /usr/lib/python3.11 /usr/bin/python3 -c 'import os; print(os.cpu_count())'
		expect_eq "python3 os.cpu_count() with --cpus $n" $n "$(cat "$T/python$n")"
	done
	sed '/^$/q' "$T/cpuinfo2" | field_names - '	*:' >"$T/cpuinfo.names"
	sed '/^$/q' /proc/cpuinfo | field_names - '	*:' >"$T/host.cpuinfo.names"
	check "cpuinfo: field names in the host's order" in_order "$T/cpuinfo.names" "$T/host.cpuinfo.names"
	expect_match "cpuinfo: flags include fpu and sse2" '^flags		: fpu .* sse2 ' "$(cat "$T/cpuinfo1")"

	# --- meminfo: the host's names in its order, MemTotal within the VM's 128 MiB
	run meminfo --cpus 1 --mem 128 /bin/cat /proc/meminfo
	field_names "$T/meminfo" ':' >"$T/meminfo.names"
	field_names /proc/meminfo ':' >"$T/host.meminfo.names"
	check "meminfo: field names in the host's order" in_order "$T/meminfo.names" "$T/host.meminfo.names"
	bad=$(grep -Evc '^[A-Za-z0-9_()]+: +[0-9]+( kB)?$' "$T/meminfo")
	expect_eq "meminfo: every line is 'Name:  value kB'" 0 "$bad"
	total=$(awk '/^MemTotal:/ { print $2 }' "$T/meminfo")
	free=$(awk '/^MemFree:/ { print $2 }' "$T/meminfo")
	check "meminfo: 100 MiB < MemTotal ($total kB) <= 128 MiB" test "${total:-0}" -gt 102400 -a "${total:-0}" -le 131072
	check "meminfo: 0 < MemFree ($free kB) < MemTotal" test "${free:-0}" -gt 0 -a "${free:-0}" -lt "${total:-0}"

	# --- busybox ps, free, uptime
	run ps --cpus 1 /bin/busybox ps
	expect_match "busybox ps: pid 1 is busybox ps" '^ +1 +[a-z0-9]+ +/bin/busybox ps$' "$(cat "$T/ps")"
	# (the same image for both: MemTotal depends on the image's size)
	run free --cpus 1 /bin/busybox free
	run bbmeminfo --cpus 1 /bin/busybox cat /proc/meminfo
	total=$(awk '/^MemTotal:/ { print $2 }' "$T/bbmeminfo")
	expect_match "busybox free: Mem: total is MemTotal" "^Mem: +$total " "$(cat "$T/free")"
	run uptime --cpus 1 /bin/busybox uptime
	expect_match "busybox uptime: up, load average" 'up .* load average: ' "$(cat "$T/uptime")"

	# --- fd links, hostname
	run fd --cpus 1 /bin/ls -l /proc/self/fd/
	expect_match "ls -l /proc/self/fd: 0 -> /dev/console" ' 0 -> /dev/console$' "$(cat "$T/fd")"
	expect_match "ls -l /proc/self/fd: the directory ls reads, read-only" '^lr-x------ .* 3 -> /proc/1/fd$' "$(cat "$T/fd")"
	run host --cpus 1 /bin/busybox cat /proc/sys/kernel/hostname
	run uname --cpus 1 /bin/busybox uname -n
	expect_eq "/proc/sys/kernel/hostname is uname -n" "$(cat "$T/uname")" "$(cat "$T/host")"
}

if kvm_usable; then
	on_motevm
else
	echo "(motevm part skipped: $KVM_WHY)"
fi

# --- the same under QEMU TCG (the standard x86-64 path)
if [ -n "$have_qemu" ]; then
	export MOTE_QEMU_ACCEL=tcg
	run qmaps --qemu --cpus 2 /bin/cat /proc/self/maps /proc/cpuinfo
	expect_match "QEMU TCG: maps has cat's code r-xp" ' r-xp .* +/usr/bin/cat$' "$(cat "$T/qmaps")"
	expect_eq "QEMU TCG: cpuinfo has 2 processor blocks with --cpus 2" 2 "$(grep -c '^processor	: ' "$T/qmaps")"
	run qpy --qemu --cpus 2 --add /usr/lib/python3.11 /usr/bin/python3 -c 'import os; print(os.cpu_count())'
	expect_eq "QEMU TCG: python3 os.cpu_count() with --cpus 2" 2 "$(cat "$T/qpy")"
	# --- /proc/<pid> of every process: busybox ps sees the shell's background child
	run qps --qemu --cpus 2 /bin/busybox sh -c \
		'/bin/busybox sleep 30 & /bin/busybox ps -o pid,ppid,pgid,comm,args; kill $!'
	expect_match "QEMU TCG: busybox ps lists the shell, pid 1" '^ +1 +0 +1 +busybox +/bin/busybox sh -c ' "$(cat "$T/qps")"
	expect_match "QEMU TCG: busybox ps lists the shell's child, ppid 1" '^ +[0-9]+ +1 +1 +busybox +/bin/busybox sleep 30$' "$(cat "$T/qps")"
else
	echo "(QEMU TCG part skipped: qemu-system-x86_64 not installed)"
fi

finish
