#!/bin/bash
# runtimes.sh: the runtime recipes (issue 15) — for python3, java and node, the image `mote run`
# makes with no --add: its size, and the time from mote's start to the image ready (mote run
# --verbose's "image built" / "image cached"), cold (an empty cache: the runtime is asked for
# its paths, the image written) and cached (the answer and the image found); then start to exit
# of `mote run java -cp . Hello`, `mote run node -e 0` and `mote run python3 -c pass` beside
# the same commands as host processes. Medians of RUNS runs and the ratio Mote / host. Runs on
# motevm where /dev/kvm is usable, else QEMU TCG, which the heading says. Prints a markdown
# section (bench/run.sh collects it).
cd "$(dirname "$0")/.." || exit 1
B=$PWD/build
RUNS=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
title="## Runtime recipes: python3, java and node images, and their start to exit"
. bench/stats_lib.sh
# the host's own runtimes, not a user's shims (pyenv's python3 is a bash script)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

if ! [ -x "$B/mote" ]; then
	printf '%s\n\nNot measured: build/mote is missing (make).\n' "$title"
	exit 0
fi
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	where="motevm (KVM)"
	mote=("$B/mote" run --no-fallback)
else
	where="QEMU TCG (no usable /dev/kvm here: every guest instruction is emulated)"
	mote=("$B/mote" run --qemu)
	export MOTE_QEMU_ACCEL=tcg
fi

# The programs: Hello compiled here for java -cp . (the run starts in its directory).
declare -A CMD=([python3]="python3 -c pass" [java]="java -cp . Hello" [node]="node -e 0")
KEYS=""
for k in python3 java node; do
	command -v "$k" >/dev/null && KEYS="$KEYS $k"
done
mkdir -p "$tmp/app"
if [[ $KEYS == *java* ]]; then
	printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' \
		>"$tmp/app/Hello.java"
	(cd "$tmp/app" && javac Hello.java) || KEYS=${KEYS/ java/}
fi
if [ -z "$KEYS" ]; then
	printf '%s\n\nNot measured: none of python3, java and node is installed.\n' "$title"
	exit 0
fi

# ms COMMAND...: the wall time of COMMAND in ms (run in the app directory, output dropped)
ms() {
	local t0 t1
	t0=$EPOCHREALTIME
	(cd "$tmp/app" && "$@" >/dev/null 2>&1 </dev/null) || return 1
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

# ready KEY CACHE: one mote run --verbose of KEY's command with cache CACHE: "MS IMAGE" of the
# image line (built or cached)
ready() {
	local line
	# shellcheck disable=SC2086 # the command's words
	line=$(cd "$tmp/app" && MOTE_CACHE_DIR=$2 "${mote[@]}" --verbose ${CMD[$1]} 2>&1 \
		>/dev/null </dev/null | grep -E '^mote: +[0-9.]+ ms +image (built|cached)')
	awk '{ print $2, $NF }' <<<"$line"
}

declare -A COLD SIZE ENTRIES WARM HOST MOTE
for k in $KEYS; do
	cold=() warm=()
	for i in $(seq "$RUNS"); do
		read -r t img < <(ready "$k" "$tmp/cache-$k-$i")
		cold+=("$t")
		read -r t _ < <(ready "$k" "$tmp/cache-$k-$i")
		warm+=("$t")
	done
	COLD[$k]=$(printf '%s\n' "${cold[@]}" | median | xargs printf '%.1f')
	WARM[$k]=$(printf '%s\n' "${warm[@]}" | median | xargs printf '%.1f')
	SIZE[$k]=$(awk -v b="$(stat -c %s "$img")" 'BEGIN { printf "%.1f", b / 1048576 }')
	ENTRIES[$k]=$(MOTE_CACHE_DIR=$tmp/cache-$k-1 "$B/mote" inspect "$img" |
		awk '/^files:/ { f = 1; next } f && /^  [-dl]/ { n++ } END { print n + 0 }')
	# start to exit, the image in the cache (the cache of the runs above)
	host=() vm=()
	# shellcheck disable=SC2086 # the command's words
	for i in $(seq "$RUNS"); do
		host+=("$(ms ${CMD[$k]})")
		vm+=("$(MOTE_CACHE_DIR=$tmp/cache-$k-1 ms "${mote[@]}" ${CMD[$k]})")
	done
	HOST[$k]=$(printf '%s\n' "${host[@]}" | median)
	MOTE[$k]=$(printf '%s\n' "${vm[@]}" | median)
done

echo "$title"
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //'), $(nproc) vCPUs; Mote on $where."
echo "Each image is the one \`mote run\` makes with no --add (the recipe's files, the program's"
echo "and their libraries; tools/mote/runtimes.c). Image ready: from mote's start to the image"
echo "on disk, as \`mote run --verbose\` reports it; cold is an empty cache (the runtime is asked"
echo "for its paths, the image written), cached the same command again (the answer and the"
echo "image found: the files are still listed and hashed for the key). Medians of $RUNS runs."
echo "Cold includes one run of the runtime on the host to ask it (about its own start to exit"
echo "below); java is not asked: JAVA_HOME is its launcher's real path, two levels up."
echo
echo "| runtime | command | image MiB | entries | image ready, cold ms | image ready, cached ms |"
echo "|---|---|---|---|---|---|"
for k in $KEYS; do
	echo "| $k | \`mote run ${CMD[$k]}\` | ${SIZE[$k]} | ${ENTRIES[$k]} | ${COLD[$k]} | ${WARM[$k]} |"
done
echo
echo "Start to exit (the image cached), wall time of the whole command, medians of $RUNS runs:"
echo
echo "| command | host ms | mote run ms | Mote / host |"
echo "|---|---|---|---|"
for k in $KEYS; do
	echo "| \`${CMD[$k]}\` | ${HOST[$k]} | ${MOTE[$k]} | $(ratio "${MOTE[$k]}" "${HOST[$k]}") |"
done
echo
echo "Cached, the image is found by its key, but its files are still listed and stat'ed and every"
echo "ELF file's libraries resolved (each file is opened for its first bytes): that time grows with"
echo "the entries (python3's standard library and zone files) more than with the bytes (java's"
echo "image is 4 times python3's, in a seventh of the entries)."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5 and 15 minutes) on $(nproc)"
echo "vCPUs: other work on the host slows both columns."
if [ "${MOTE_QEMU_ACCEL-}" = tcg ]; then
	echo "Under QEMU TCG every guest instruction is emulated (the JVM's and V8's JIT output too):"
	echo "the start-to-exit ratios say nothing of motevm's."
fi
