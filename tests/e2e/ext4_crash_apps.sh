#!/bin/bash
# ext4_crash_apps.sh: acknowledged writes survive a VM killed with SIGKILL (the plug pulled),
# on an ext4 volume from `mote volume create` (`mote run --qemu -v`): sqlite3 inserting rows,
# each its own transaction (synchronous=extra, which makes a rollback-journal commit durable),
# prints each id once committed; redis-server with appendonly yes
# and appendfsync always answers +OK to SETs (tests/e2e/ext4/acked_writer.py records them).
# The VM is killed at a random moment, rounds times each; then Mote mounts the volume again
# (journal replay) and every acknowledged row and key must be there (sqlite3's integrity_check
# ok), and after that clean boot e2fsck -fn finds the image clean. Traffic: the host's
# loopback only; every loop is bounded in time.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/e2e/net_lib.sh
MOTE=build/mote
for t in mkfs.ext4 e2fsck sqlite3 python3 qemu-system-x86_64; do
	command -v $t >/dev/null || skip "$t missing"
done
REDIS=$(command -v redis-server || echo /usr/bin/redis-server)
T=$TEST_TMP
ROUNDS=${ROUNDS:-3}
export MOTE_CACHE_DIR=$T/cache

# kill_vm MOTE_PID: SIGKILL to the QEMU that mote started (mote then exits)
kill_vm() {
	pkill -KILL -P "$1" -f qemu-system-x86_64
	timeout 30 tail --pid="$1" -f /dev/null
}

VOL=$T/sql.img
$MOTE volume create "$VOL" --size 64M >/dev/null || skip "mote volume create failed"
{
	# EXTRA: in rollback-journal mode the commit is the journal's unlink, which FULL does not
	# sync (on Linux either: a crash can roll the last transaction back); EXTRA syncs it
	echo "pragma synchronous=extra;"
	echo "create table if not exists t(id integer primary key, v text);"
	for i in $(seq 1 5000); do
		echo "insert into t(v) values('row $i'); select 'ack ' || max(id) from t;"
	done
} >"$T/insert.sql"
for r in $(seq 1 "$ROUNDS"); do
	$MOTE run --qemu -v "$VOL:/data" --add "$T/insert.sql:/insert.sql" /usr/bin/sqlite3 \
		/data/db.sqlite ".read /insert.sql" >"$T/sql.out" 2>"$T/sql.err" </dev/null &
	pid=$!
	wait_for "$T/sql.out" "^ack" || { not_ok "sqlite3 round $r: no row acknowledged in 60 s"; cat "$T/sql.err"; kill_vm $pid; continue; }
	sleep "0.$((RANDOM % 10))"
	kill_vm $pid
	acked=$(tr -d '\r' <"$T/sql.out" | sed -n 's/^ack //p' | tail -n 1)
	out=$(timeout 120 $MOTE run --qemu -v "$VOL:/data" /usr/bin/sqlite3 /data/db.sqlite \
		"pragma integrity_check; select max(id) from t;" 2>"$T/sql.err" | tr -d '\r' | xargs)
	check "sqlite3 round $r: integrity ok after the kill (at row $acked)" test "${out%% *}" = ok
	check "sqlite3 round $r: every acknowledged row there (acked $acked, found ${out##* })" \
		test "${out##* }" -ge "${acked:-0}"
	check "sqlite3 round $r: e2fsck -fn clean after Mote's replay and clean exit" \
		e2fsck -fn "$VOL"
done

if [ ! -x "$REDIS" ] || ! command -v redis-cli >/dev/null; then
	echo "redis not tried: redis-server or redis-cli missing (redis-server, redis-tools)"
	finish
	exit
fi
VOL=$T/redis.img
$MOTE volume create "$VOL" --size 64M >/dev/null || skip "mote volume create failed"
: >"$T/acked"
for r in $(seq 1 "$ROUNDS"); do
	hp=$(free_port)
	$MOTE run --qemu -p "127.0.0.1:$hp:6379" -v "$VOL:/data" "$REDIS" --port 6379 --dir /data \
		--appendonly yes --appendfsync always --save "" --protected-mode no \
		>"$T/redis.out" 2>&1 </dev/null &
	pid=$!
	for _ in $(seq 600); do
		[ "$(timeout 5 redis-cli -p "$hp" ping 2>/dev/null)" = PONG ] && break
		sleep 0.1
	done
	: >"$T/round$r"
	python3 tests/e2e/ext4/acked_writer.py "$hp" 60 "$T/round$r" &
	writer=$!
	wait_for "$T/round$r" "^[0-9]"
	sleep "$((RANDOM % 3)).$((RANDOM % 10))"
	kill_vm $pid
	wait $writer
	n=$(wc -l <"$T/round$r")
	# keys of this round are k1..kN again: what counts is the last acknowledged value
	hp=$(free_port)
	$MOTE run --qemu -p "127.0.0.1:$hp:6379" -v "$VOL:/data" "$REDIS" --port 6379 --dir /data \
		--appendonly yes --appendfsync always --save "" --protected-mode no \
		>"$T/redis2.out" 2>&1 </dev/null &
	pid=$!
	for _ in $(seq 600); do
		[ "$(timeout 5 redis-cli -p "$hp" ping 2>/dev/null)" = PONG ] && break
		sleep 0.1
	done
	last=$(tail -n 1 "$T/round$r")
	got=$(timeout 10 redis-cli -p "$hp" get "k${last:-1}" 2>/dev/null)
	missing=0
	for i in $(seq 1 50 "${n:-0}") "$last"; do
		[ -n "$i" ] && [ "$(timeout 10 redis-cli -p "$hp" get "k$i")" != "v$i" ] && missing=$((missing + 1))
	done
	timeout 30 redis-cli -p "$hp" shutdown >/dev/null 2>&1
	timeout 60 tail --pid=$pid -f /dev/null
	if [ "${n:-0}" -gt 0 ]; then
		ok "redis round $r: some SETs acknowledged before the kill ($n)"
	else
		not_ok "redis round $r: no SET acknowledged before the kill; the server said:"
		tail -n 5 "$T/redis.out"
	fi
	expect_eq "redis round $r: the last acknowledged SET there after the kill" "v${last:-1}" "$got"
	expect_eq "redis round $r: acknowledged SETs missing (1 in 50 checked)" 0 "$missing"
	check "redis round $r: e2fsck -fn clean after Mote's replay and clean exit" e2fsck -fn "$VOL"
done
finish
