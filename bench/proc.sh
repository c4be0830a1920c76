#!/bin/bash
# proc.sh: processes inside Mote and as host processes, side by side in one run (issue 14): fork +
# _exit + waitpid, posix_spawn of a static true + waitpid, a 1-byte pipe round trip between two
# processes, bash running /bin/true 200 times, gcc compiling and linking hello.c. Each is timed
# inside the program (bench/proc.c), so Mote's boot is not in its times; medians of RUNS runs
# and the ratio Mote / host. Beside them, the kernel's counts per operation (`mote run --stats`,
# less a run of the same with N = 0) and, on motevm, its VM exits. Runs on motevm where
# /dev/kvm is usable, else QEMU TCG, which the heading says. Prints a markdown section.
cd "$(dirname "$0")/.." || exit 1
B=build
RUNS=${RUNS:-3}
PROC=$PWD/$B/bench/proc
TRUE=$PWD/$B/bench/true
HELLO=$PWD/bench/hello.c
export MOTE_CACHE_DIR=$B/bench/mote-cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
title="## Processes: fork, posix_spawn, pipes, a shell loop and gcc, Mote vs host"
. bench/stats_lib.sh

for p in $B/mote "$PROC" "$TRUE" /bin/bash; do
	if ! [ -x "$p" ]; then
		echo "$title"
		echo
		echo "Not measured: $p is missing (make; tools/deps.sh installs bash)."
		exit 0
	fi
done
if ! command -v gcc >/dev/null || ! command -v seq >/dev/null; then
	echo "$title"
	echo
	echo "Not measured: gcc or seq is missing (tools/deps.sh installs them)."
	exit 0
fi
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	where="motevm (KVM)"
	kvm=1
	mote=("$B/mote" run --no-fallback --stats) # the kernel's counts and motevm's exits on stderr
else
	where="QEMU TCG (no usable /dev/kvm here: every guest instruction is emulated)"
	kvm=0
	mote=("$B/mote" run --qemu --stats) # the kernel's counts come on stderr
	export MOTE_QEMU_ACCEL=tcg
fi
# N operations a run: about 2 s of each natively here, as much under TCG
declare -A N=([fork]=2000 [spawn]=1000 [pipe]=20000 [loop]=5 [gcc]=10)
KEYS="fork spawn pipe loop gcc"
declare -A LABEL=([fork]="fork + _exit + waitpid, µs"
	[spawn]="posix_spawn static true + waitpid, µs" [pipe]="pipe round trip, 1 byte each way, µs"
	[loop]="bash: /bin/true 200 times, ms" [gcc]="gcc hello.c (compile + link), ms")
declare -A UNIT=([fork]=1000 [spawn]=1000 [pipe]=1000 [loop]=1000000 [gcc]=1000000)
declare -A TARGET=([spawn]=1.5 [pipe]=1 [gcc]=1.5)

# The same programs on both sides: the static true (at /bin/true in the guest), bash and seq at
# their real paths (an --add under a merged /usr's /bin symlink is refused), gcc with its
# passes, the headers hello.c includes and the link's inputs (as tests/e2e/processes.sh).
BASH=$(realpath /bin/bash)
SEQ=$(realpath "$(command -v seq)")
LOOP='for i in $(seq 200); do TRUE; done' # TRUE: the static true's path
GCC=(--with gcc --with "$(gcc -print-prog-name=cc1)" --with "$(gcc -print-prog-name=collect2)"
	--with as --with ld --add "$(gcc -print-file-name=liblto_plugin.so)" --add "$HELLO")
for f in $(gcc -M "$HELLO" | tr ' \\' '\n\n' | grep '^/' | sort -u) \
	$(TMPDIR=$tmp gcc -o "$tmp/hello" "$HELLO" -Wl,-t 2>/dev/null | grep '^/' | sort -u); do
	[ -e "$f" ] && [ "${f#"$tmp"/}" = "$f" ] && GCC+=(--add "$(realpath -s "$f")")
done

# args KEY: sets opts (mote's options), nat and vm (proc's OP and arguments, host and Mote)
args() {
	opts=(--env PATH=/usr/bin:/bin)
	case $1 in
	fork | pipe) nat=("$1") vm=("$1") ;;
	spawn)
		opts+=(--add "$TRUE:/bin/true")
		nat=(spawn "$TRUE") vm=(spawn /bin/true)
		;;
	loop)
		opts+=(--add "$TRUE:/bin/true" --with "$BASH" --with "$SEQ")
		nat=(run "$BASH" -c "${LOOP/TRUE/$TRUE}") vm=(run "$BASH" -c "${LOOP/TRUE//bin/true}")
		;;
	gcc)
		opts+=(--mem 512 "${GCC[@]}")
		nat=(run gcc -o "$tmp/hello" "$HELLO") vm=(run gcc -o /tmp/hello "$HELLO")
		;;
	esac
}

# host KEY: proc's ns per operation as a host process
host() {
	args "$1"
	timeout 300 env -i PATH=/usr/bin:/bin "$PROC" "${nat[0]}" "${N[$1]}" "${nat[@]:1}" \
		</dev/null 2>"$tmp/err" | awk -v op="${nat[0]}" '$1 == op && NF == 3 { print $3 }'
}

# vm KEY COUNT: one run inside Mote of COUNT operations; its output in $tmp/out and $tmp/err
vm() {
	args "$1"
	timeout 600 "${mote[@]}" "${opts[@]}" "$PROC" "${vm[0]}" "$2" "${vm[@]:1}" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
}

# the kernel's line: system calls, those through rewritten sites, page faults, timer and device
# interrupts, IPIs received, context switches, idle halts
KSTATS='.*mote stats: syscalls \([0-9]*\) (\([0-9]*\) through.*page faults \([0-9]*\),'
KSTATS+='.*timer interrupts \([0-9]*\), device interrupts \([0-9]*\),.*received \([0-9]*\),'
KSTATS+=' context switches \([0-9]*\), idle halts \([0-9]*\).*'

# counts: "syscalls trap-path faults switches interrupts exits" of the last run ("" if none)
counts() {
	local k e s f p t d i x h
	k=$(cat "$tmp/out" "$tmp/err" | sed -n "s/$KSTATS/\1 \2 \3 \4 \5 \6 \7 \8/p" | head -n 1)
	e=$(sed -n 's/^motevm stats: exits \([0-9]*\).*/\1/p' "$tmp/err" | head -n 1)
	[ -n "$k" ] || return 0
	read -r s f p t d i x h <<<"$k"
	echo "$s $((s - f)) $p $x $((t + d + i + h)) ${e:-n/a}"
}

# per A B N: the counts A less the baseline B, per operation (N of them)
per() {
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= 6; i++) {
			d = (x[i] - y[i]) / n
			v = x[i] == "n/a" || y[i] == "n/a" ? "n/a" : sprintf(d < 100 ? "%.2f" : "%.0f", d)
			printf "%s%s", v, i < 6 ? " " : "\n"
		}
	}'
}

declare -A base nt mt cnt
fails=0 why=""
for k in $KEYS; do # the baseline: the image built, proc's untimed operation and nothing more
	vm "$k" 0
	base[$k]=$(counts)
	[ -n "${base[$k]}" ] || why="${why:-$k, N = 0: $(grep -v 'stats: ' "$tmp/err" | head -n 1)}"
done
for _ in $(seq "$RUNS"); do
	for k in $KEYS; do
		h=$(host "$k")
		if [ -n "$h" ]; then
			nt[$k]+="$h "
		else
			fails=$((fails + 1))
			why="${why:-$k on the host: $(head -n 1 "$tmp/err")}"
		fi
		vm "$k" "${N[$k]}"
		m=$(awk -v op="${vm[0]}" '$1 == op && NF == 3 { print $3 }' "$tmp/out")
		c=$(counts)
		if [ -n "$m" ]; then
			mt[$k]+="$m "
			[ -n "$c" ] && [ -n "${base[$k]}" ] && cnt[$k]+="$(per "$c" "${base[$k]}" "${N[$k]}")|"
		else
			fails=$((fails + 1))
			why="${why:-$k: $(grep -v 'stats: ' "$tmp/err" | head -n 1)}"
		fi
	done
done

# scaled NS UNIT: NS in UNIT (ns) with one decimal ("n/a" unless a positive number)
scaled() {
	awk -v v="$1" -v u="$2" 'BEGIN { if (v + 0 > 0) printf "%.1f", v / u; else print "n/a" }'
}

# med KEY FIELD: the median of field FIELD (1-6) of KEY's per-operation counts
med() {
	local v
	v=$(tr '|' '\n' <<<"${cnt[$1]}" | awk -v f="$2" 'NF { print $f }')
	if grep -q n/a <<<"$v" || [ -z "$v" ]; then echo n/a; else median <<<"$v"; fi
}

echo "$title"
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //;s/ [0-9]*-Core.*//'), $(nproc) vCPUs. Mote: \`mote run --stats\` on"
echo "$where, 1 vCPU; host: the same programs as host processes (bench/proc.c and the"
echo "static true it spawns, both static; bash, seq and gcc are the host's). Times are taken"
echo "inside the program, after one untimed operation, so Mote's boot is not in them: per"
echo "operation, medians of $RUNS runs of N operations, \`env -i PATH=/usr/bin:/bin\` on both"
echo "sides."
echo
echo "| operation | N | host | Mote | Mote / host | target (motevm) |"
echo "|---|---|---|---|---|---|"
for k in $KEYS; do
	h=$(tr ' ' '\n' <<<"${nt[$k]}" | grep . | median)
	m=$(tr ' ' '\n' <<<"${mt[$k]}" | grep . | median)
	r=$(ratio "$m" "$h")
	t=${TARGET[$k]-}
	if [ -z "$t" ]; then
		met="—"
	elif [ "$kvm" = 0 ]; then
		met="≤ $t: n/a (TCG)"
	else
		met="≤ $t: $(awk -v r="$r" -v t="$t" \
			'BEGIN { print ((r + 0 > 0 && r <= t) ? "met" : "**not met**") }')"
	fi
	printf '| %s | %s | %s | %s | %s | %s |\n' "${LABEL[$k]}" "${N[$k]}" \
		"$(scaled "$h" "${UNIT[$k]}")" "$(scaled "$m" "${UNIT[$k]}")" "$r" "$met"
done
echo
echo "The Mote kernel's counts per operation (\`--stats\`: a run's less that of the same run with"
echo "N = 0, divided by N; medians): system calls, those of them that took the trap path (the"
echo "rest came through rewritten sites, docs/kernel.md), page faults, context switches, and"
echo "interrupts (timer, device, IPIs) with idle halts; on motevm, its VM exits."
echo
echo "| operation | system calls | by the trap path | page faults | context switches |" \
	"interrupts + halts | VM exits |"
echo "|---|---|---|---|---|---|---|"
for k in $KEYS; do
	x=$(med "$k" 6)
	[ "$x" = n/a ] && [ "$kvm" = 0 ] && x="n/a (no motevm)"
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$k]%,*}" "$(med "$k" 1)" \
		"$(med "$k" 2)" "$(med "$k" 3)" "$(med "$k" 4)" "$(med "$k" 5)" "$x"
done
echo
echo "Most of posix_spawn's system calls are glibc's: its child resets every signal's handler"
echo "(rt_sigaction, natively too) before exec."
if [ "$fails" -gt 0 ]; then
	echo "$fails of $((RUNS * 10)) timed runs failed (the first: \`${why}\`)."
elif [ -n "$why" ]; then
	echo "A baseline run failed, so some counts are missing (\`${why}\`)."
fi
echo "Targets (issue 14, on motevm): posix_spawn + wait ≤ 1.5× the host's, a pipe round trip"
echo "≤ the host's, gcc hello ≤ 1.5× the host's."
if [ "$kvm" = 0 ]; then
	echo "Under QEMU TCG every guest instruction is emulated: the ratios are not comparable with"
	echo "the targets."
fi
