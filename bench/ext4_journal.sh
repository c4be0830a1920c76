#!/bin/bash
# ext4_journal.sh: the long runs of tests/e2e/ext4_crash.sh (BENCH_RUNS rounds each with 4 KiB
# and 1 KiB blocks: commit in a loop, SIGKILL QEMU at a random moment, replay, check) and of
# tests/e2e/ext4_fsync.sh (the same through Python's write+fsync), with the rates they saw.
# QEMU TCG: the figures are the emulator's, not a disk's.
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_RUNS:-50}

echo "## ext4 journal: crash rounds and commit rate (QEMU TCG)"
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo |
	cut -d: -f2 | sed 's/^ //'), $(nproc) vCPUs, Mote on QEMU TCG (the figures are the emulator's)."
echo "$N rounds per block size of tests/e2e/ext4_crash.sh: the ext4_crash self-test commits"
echo "2-block transactions in a loop (each: 4 device flushes, a synchronous checkpoint) until"
echo "QEMU is killed 1-4 s in; Mote replays at the next mount; e2fsck -fn, the records and"
echo "e2fsck's own replay are checked each round. *Replayed* = rounds killed between a commit"
echo "block and the journal's empty mark (one committed transaction in the log)."
echo
echo "| block size | rounds | checks passed | replayed | commits/s (boot included) |"
echo "|---|---|---|---|---|"
for bs in 4096 1024; do
	out=$(EXT4_CRASH_ITERATIONS=$N EXT4_CRASH_BLOCK_SIZE=$bs tests/e2e/ext4_crash.sh 2>&1)
	checks=$(sed -n 's/^\([0-9]*\/[0-9]*\) checks passed$/\1/p' <<<"$out")
	replayed=$(sed -n 's/^figures: \([0-9]*\) of.*/\1/p' <<<"$out")
	rate=$(sed -n 's/^figures: .*: \([0-9]*\) commits\/s$/\1/p' <<<"$out")
	echo "| $bs | $N | ${checks:-failed to run} | ${replayed:-?} | ${rate:-?} |"
done
echo
echo "And $N rounds of tests/e2e/ext4_fsync.sh: Python in Mote appends 64-byte records with"
echo "write+fsync (a file made every tenth), killed 2-6 s in; every fsynced record must survive."
echo
echo "| rounds | checks passed | replayed | records kept |"
echo "|---|---|---|---|"
out=$(EXT4_FSYNC_ROUNDS=$N tests/e2e/ext4_fsync.sh 2>&1)
checks=$(sed -n 's/^\([0-9]*\/[0-9]*\) checks passed$/\1/p' <<<"$out")
replayed=$(sed -n 's/^figures: \([0-9]*\) of.*/\1/p' <<<"$out")
records=$(sed -n 's/^figures: .*; \([0-9]*\) records$/\1/p' <<<"$out")
echo "| $N | ${checks:-failed to run} | ${replayed:-?} | ${records:-?} |"
