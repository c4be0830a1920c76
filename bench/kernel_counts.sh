#!/bin/bash
# kernel_counts.sh: what one operation costs inside Mote in traps the kernel counts (--stats):
# system calls by the trap path, page faults, interrupts and halts, per operation, with the
# system-call rewriting off and on (--fast-syscalls), beside the host's native time. Unlike
# times, these counts are the same on every host: on kvm_pvm each trap is a VM exit (1-24 us
# by host), so they are a lower bound on the exits an operation costs there. Runs on whatever
# `mote run` boots (motevm, or QEMU TCG without KVM). Prints a markdown section.
cd "$(dirname "$0")/.." || exit 1
B=build
OPS=$B/bench/ops
export MOTE_CACHE_DIR=$B/bench/mote-cache

# counts OP N FAST: "syscalls fast faults timer ipis halts" of one run in Mote
counts() {
	$B/mote run --stats --kernel-arg=--fast-syscalls="$3" --mem 512 "$OPS" "$1" "$2" 2>&1 </dev/null |
		sed -n 's/.*mote stats: syscalls \([0-9]*\) (\([0-9]*\) through.*page faults \([0-9]*\),.*timer interrupts \([0-9]*\),.*received \([0-9]*\),.*idle halts \([0-9]*\).*/\1 \2 \3 \4 \5 \6/p'
}

# per OP N FAST: counts of OP N minus those of "none", divided by N
per() {
	local a b
	read -r -a b < <(counts none 0 "$3")
	read -r -a a < <(counts "$1" "$2" "$3")
	if [ ${#a[@]} -ne 6 ] || [ ${#b[@]} -ne 6 ]; then
		echo "n/a n/a n/a"
		return
	fi
	awk -v n="$2" -v s="$((a[0] - a[1] - b[0] + b[1]))" -v f="$((a[2] - b[2]))" \
		-v o="$((a[3] + a[4] + a[5] - b[3] - b[4] - b[5]))" \
		'function z(x) { return x < 0.0005 && x > -0.0005 ? 0 : x }
		 BEGIN { printf "%.3f %.3f %.3f\n", z(s / n), z(f / n), z(o / n) }'
}

native() { "$OPS" "$1" "$2" </dev/null | awk '{ print $3 }'; }

if [ -w /dev/kvm ]; then where="motevm"; else where="QEMU TCG (no usable /dev/kvm here)"; fi
echo "## Traps per operation inside Mote (kernel counts, any host)"
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //'), Mote on $where. \`$OPS OP N\` (static glibc) under"
echo "\`mote run --stats\`, less a run with N = 0, divided by N: system calls that took the trap"
echo "path, page faults, and other traps (timer interrupts, IPIs received, idle halts). On"
echo "kvm_pvm hosts each is a VM exit; elsewhere (VMX/SVM) a system call at CPL0 traps nowhere."
echo
echo "| operation | N | syscall traps/op, rewriting off | on | page faults/op | other traps/op | host native ns/op |"
echo "|---|---|---|---|---|---|---|"
while read -r op n what; do
	read -r s_off _ _ < <(per "$op" "$n" off)
	read -r s_on f o < <(per "$op" "$n" on)
	echo "| $what | $n | $s_off | $s_on | $f | $o | $(native "$op" "$n") |"
done <<'OPS'
getppid 20000 getppid (glibc)
syscall 20000 syscall(SYS_getppid)
write 20000 write 1 byte to /dev/null
touch 256 first touch, per MiB (2 MiB pages)
touch4k 256 first touch, per MiB, MADV_NOHUGEPAGE
churn 2000 mmap 64 KiB + touch + munmap
OPS
echo
echo "A MiB is 256 pages: with 2 MiB pages a first touch faults once per 2 MiB (0.5 a MiB);"
echo "in 4 KiB pages the kernel maps 16 pages a fault (16 a MiB). Rewriting turns a site into"
echo "jumps at its second trap (docs/kernel.md, \"System calls without a trap\")."
