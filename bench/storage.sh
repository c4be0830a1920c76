#!/bin/bash
# storage.sh: file-system I/O in Mote (an ext4 volume from `mote volume create` on a virtio-blk
# drive, `mote run -v`) against the same operations by a host process on the host's own file
# system, side by side in one run: sequential write and read MB/s (1 MiB requests), 4 KiB
# random read and write IOPS at queue depth 1 and 32 (threads), sqlite3 inserts/s with a
# transaction each, and `tar x` of a source tree. Each figure is the median of RUNS runs.
# The same static program (bench/blkio.c) does the I/O on both sides; the host side opens
# with O_DIRECT so that its page cache is not what is measured. Mote runs under `mote run`:
# motevm where /dev/kvm is usable, else QEMU TCG, which the heading says. Beside the times,
# the kernel's virtio notifications and device interrupts per 4 KiB request at depth 32 and 1
# (--stats): on a kvm_pvm host each is a VM exit. Prints a markdown section.
cd "$(dirname "$0")/.." || exit 1
B=build
RUNS=${RUNS:-3}
SEQ_MIB=${SEQ_MIB:-128}
OPS=${OPS:-4000}
INSERTS=${INSERTS:-200}
export MOTE_CACHE_DIR=$B/bench/mote-cache
BLKIO=$B/bench/blkio
tmp=$(mktemp -d -p "${TMPDIR:-/var/tmp}")
trap 'rm -rf "$tmp"' EXIT

title() { echo "## Storage: Mote (ext4 on virtio-blk) vs a host process"; echo; }
for p in mkfs.ext4 sqlite3 tar; do
	command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || {
		title
		echo "Not measured: $p is not installed (tools/deps.sh installs it)."
		exit 0
	}
done
[ -x "$BLKIO" ] || { title; echo "Not measured: $BLKIO not built (make bench builds it)."; exit 0; }

. bench/stats_lib.sh

# the volume: a file to read (made on the host, so that reads do not depend on Mote's writes)
# and room for the writes
mkdir -p "$tmp/seed" "$tmp/host" "$tmp/src"
head -c $((SEQ_MIB << 20)) /dev/urandom >"$tmp/seed/read.bin"
cp "$tmp/seed/read.bin" "$tmp/host/read.bin"
# a source tree to unpack: many small files in nested directories
for d in $(seq 1 20); do
	mkdir -p "$tmp/src/tree/dir$d/sub"
	for f in $(seq 1 25); do head -c $((RANDOM % 8192 + 100)) /dev/urandom >"$tmp/src/tree/dir$d/sub/f$f.c"; done
done
tar cf "$tmp/seed/src.tar" -C "$tmp/src" tree
cp "$tmp/seed/src.tar" "$tmp/host/src.tar"
VOL=$tmp/vol.img
$B/mote volume create "$VOL" --size $((SEQ_MIB * 3 + 256))M --from "$tmp/seed" >/dev/null || {
	title
	echo "Not measured: mote volume create failed."
	exit 0
}
sql() { # N: a script of N inserts, each its own transaction (autocommit)
	echo "create table if not exists t(id integer primary key, v text);"
	for i in $(seq 1 "$1"); do echo "insert into t(v) values('row $i of the benchmark');"; done
}
sql "$INSERTS" >"$tmp/inserts.sql"

# mote_run ARGS...: mote run with the volume at /data; output in $tmp/out, wall ms echoed,
# or "failed" (and mote's messages on stderr, once) when mote run did not exit 0
mote_run() {
	local t0 t1
	t0=$(date +%s%N)
	if ! timeout 600 $B/mote run -v "$VOL:/data" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; then
		[ -e "$tmp/failed" ] || { echo "storage.sh: mote run $*:" && tail -n 3 "$tmp/err"; } >&2
		touch "$tmp/failed"
		echo failed
		return 1
	fi
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
where=$(if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then echo "motevm (KVM)"; else
	echo "QEMU TCG (no usable /dev/kvm here: every guest instruction is emulated)"; fi)

declare -A H M
# blkio's argument order is MODE FILE ...: rebuild it per call
blk() { # key mode file extra...
	local key=$1 mode=$2 file=$3 hv=() mv=() v
	shift 3
	for _ in $(seq 1 "$RUNS"); do
		v=$($BLKIO "$mode" "$tmp/host/$file" "$@" direct 2>/dev/null) && hv+=("$v")
		if mote_run "$BLKIO" "$mode" "/data/$file" "$@" >/dev/null; then
			v=$(tr -d '\r' <"$tmp/out" | tail -n 1)
			[[ $v =~ ^[0-9.]+$ ]] && mv+=("$v")
		fi
	done
	H[$key]=$(printf '%s\n' "${hv[@]}" | median)
	M[$key]=$(printf '%s\n' "${mv[@]}" | median)
}
blk seqwrite seqwrite write.bin "$SEQ_MIB"
blk seqread seqread read.bin
blk rr1 randread read.bin "$OPS" 1
blk rr32 randread read.bin "$OPS" 32
blk rw1 randwrite read.bin "$OPS" 1
blk rw32 randwrite read.bin "$OPS" 32

# per_req DEPTH: virtio notifications + device interrupts per 4 KiB read at DEPTH, from the
# kernel's counts (the boot's few included)
per_req() {
	mote_run --stats "$BLKIO" randread /data/read.bin "$OPS" "$1" >/dev/null
	cat "$tmp/out" "$tmp/err" | tr -d '\r' | sed -n 's/.*device interrupts \([0-9]*\),.*virtio notifications \([0-9]*\),.*/\1 \2/p' |
		awk -v n="$OPS" 'NF == 2 { printf "%.2f", ($1 + $2) / n; f = 1 } END { if (!f) print "n/a" }'
}
per_req1=$(per_req 1)
per_req32=$(per_req 32)

# sqlite3: inserts/s, a transaction each (the host's on its own file system)
sq_host=() sq_mote=()
base=()
for _ in $(seq 1 "$RUNS"); do
	rm -f "$tmp/host/t.db"
	t0=$(date +%s%N)
	sqlite3 "$tmp/host/t.db" <"$tmp/inserts.sql"
	t1=$(date +%s%N)
	sq_host+=("$(awk -v n="$INSERTS" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')")
	boot=$(mote_run /bin/true) && base+=("$boot")
	ms=$(mote_run --add "$tmp/inserts.sql:/inserts.sql" /usr/bin/sqlite3 "/data/t$RANDOM.db" ".read /inserts.sql")
	sq_mote+=("$(awk -v n="$INSERTS" -v ms="$ms" -v b="$boot" 'BEGIN { if (ms + 0 > b + 0 && b + 0 > 0) printf "%.0f", n / ((ms - b) / 1e3); else print "n/a" }')")
done
boot_ms=$(printf '%s\n' "${base[@]}" | median)

# tar x of the tree (20 directories, 500 files); Mote's time less a boot's
tar_host=() tar_mote=()
for _ in $(seq 1 "$RUNS"); do
	rm -rf "$tmp/host/x"
	mkdir -p "$tmp/host/x"
	t0=$(date +%s%N)
	tar xf "$tmp/host/src.tar" -C "$tmp/host/x" && sync -f "$tmp/host/x"
	t1=$(date +%s%N)
	tar_host+=($(((t1 - t0) / 1000000)))
	ms=$(mote_run /usr/bin/tar xf /data/src.tar -C /data --transform "s,^tree,x$RANDOM,")
	[[ $ms =~ ^[0-9]+$ && $boot_ms =~ ^[0-9]+$ ]] && tar_mote+=($((ms > boot_ms ? ms - boot_ms : 0)))
done

title
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //'), $(nproc) vCPUs. Mote: \`mote run -v VOLUME:/data\` on $where,"
echo "1 vCPU, the volume from \`mote volume create\` (ext4, 4 KiB blocks). Host: the same program"
echo "(bench/blkio.c, static) on the host's file system with O_DIRECT; sqlite3 and tar as host"
echo "processes. Medians of $RUNS runs: sequential $SEQ_MIB MiB in 1 MiB requests (the write ends with"
echo "fsync); $OPS random 4 KiB requests over a $SEQ_MIB MiB file (depth 32: 32 threads; writes end with"
echo "fdatasync); $INSERTS sqlite3 inserts, each its own transaction; \`tar x\` of 500 small files in 40"
echo "directories, then sync (in Mote: the unmount at exit). Mote's sqlite3 and tar times are a run's less a boot's (\`/bin/true\`, $boot_ms ms)."
echo
echo "| measure | host process | Mote | Mote / host |"
echo "|---|---|---|---|"
echo "| sequential write MB/s | ${H[seqwrite]} | ${M[seqwrite]} | $(ratio "${M[seqwrite]}" "${H[seqwrite]}") |"
echo "| sequential read MB/s | ${H[seqread]} | ${M[seqread]} | $(ratio "${M[seqread]}" "${H[seqread]}") |"
echo "| 4 KiB random read IOPS, depth 1 | ${H[rr1]} | ${M[rr1]} | $(ratio "${M[rr1]}" "${H[rr1]}") |"
echo "| 4 KiB random read IOPS, depth 32 | ${H[rr32]} | ${M[rr32]} | $(ratio "${M[rr32]}" "${H[rr32]}") |"
echo "| 4 KiB random write IOPS, depth 1 | ${H[rw1]} | ${M[rw1]} | $(ratio "${M[rw1]}" "${H[rw1]}") |"
echo "| 4 KiB random write IOPS, depth 32 | ${H[rw32]} | ${M[rw32]} | $(ratio "${M[rw32]}" "${H[rw32]}") |"
sh=$(printf '%s\n' "${sq_host[@]}" | median)
sm=$(printf '%s\n' "${sq_mote[@]}" | grep -E '^[0-9]+$' | median)
echo "| sqlite3 inserts/s (a transaction each) | $sh | $sm | $(ratio "$sm" "$sh") |"
th=$(printf '%s\n' "${tar_host[@]}" | median)
tm=$(printf '%s\n' "${tar_mote[@]}" | grep . | median)
echo "| tar x, ms | $th | $tm | $(ratio "$tm" "$th") |"
echo
echo "Virtio notifications + device interrupts the Mote kernel counted per 4 KiB read at depth 32"
echo "(\`--stats\`): $per_req32 (at depth 1: $per_req1, a notification and an interrupt each; on a"
echo "kvm_pvm host each is a VM exit; target ≤ 1 at depth 32)."
echo "Targets (issue 13, on motevm): sequential ≥ 80 %, 4 KiB random ≥ 50 % of the host's."
[ -e "$tmp/failed" ] && echo && echo "n/a: \`mote run\` failed there (its messages went to stderr)."
