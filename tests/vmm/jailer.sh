#!/bin/bash
# jailer.sh: mote-jailer (issue 16), Firecracker's jailer's flags and behaviour. motevm is
# jailed with its API socket (which needs no /dev/kvm until a VM starts): from /proc/<pid>/ of
# the running motevm, its uid and gid (no groups), root (a chroot in another mount namespace),
# descriptors (--keep-fd's only), environment, limits and cgroup (v1 and v2); the jail's
# layout (a copy of the binary, /dev/kvm and /dev/net/tun owned by the user); --new-pid-ns,
# --daemonize, --netns (a namespace the test makes); the API answering through the jail's
# socket, also after 3000 mutated requests (tests/vmm/api/sockfuzz.py). Then every bad flag
# refused with a message and nothing left behind, and a failure half way undone.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
J=build/mote-jailer
VMM=build/motevm
[ -x $J ] && [ -x $VMM ] || skip "build/mote-jailer or build/motevm not built"
[ "$(id -u)" -eq 0 ] || skip "needs root (the jailer makes a chroot, namespaces, cgroups)"
command -v curl >/dev/null || skip "curl missing"
BASE=$TEST_TMP/jails
U=65534
NS=motejail$$
made_cgroups=()
cleanup() {
	for p in $(cat "$BASE"/motevm/*/root/motevm.pid 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	sleep 0.2
	for d in "${made_cgroups[@]}"; do rmdir "$d" "$(dirname "$d")" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT

# jail ID ARGS... -- VMM-ARGS: start motevm jailed in the background, wait for its socket;
# sets PID (motevm's, from the pid file)
jail() {
	local id=$1 sock
	shift
	"$J" --id "$id" --exec-file $VMM --uid $U --gid $U --chroot-base-dir "$BASE" "$@" \
		>"$TEST_TMP/$id.out" 2>"$TEST_TMP/$id.err" &
	sock=$BASE/motevm/$id/root/run/api.sock
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
	PID=$(cat "$BASE/motevm/$id/root/motevm.pid" 2>/dev/null)
}
# api_seccomp PID: the Seccomp mode (2: a filter) of motevm's thread that is not its main one
api_seccomp() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "${t##*/}" != "$1" ] && awk '$1 == "Seccomp:" { print $2 }' "$t/status"
	done
}
field() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$2/status"; }

exec 7</etc/hostname # a descriptor the jailer must not pass on
exec 8</etc/hostname # one it must (--keep-fd: mote run --jail's kernel, image, drives)
cpu=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpu(,|$)/ { print $2 }' /proc/mounts | head -n 1)
cg1=()
[ -n "$cpu" ] && [ -w "$cpu" ] && cg1=(--cgroup cpu.shares=512) && made_cgroups+=("$cpu/motevm/j1")
jail j1 "${cg1[@]}" --resource-limit no-file=512 --resource-limit fsize=1048576 --keep-fd 8 -- \
	--api-sock /run/api.sock
check "motevm runs jailed (pid file)" test -n "$PID"
expect_eq "uid dropped" "$U $U $U $U" "$(field Uid "$PID")"
expect_eq "gid dropped" "$U $U $U $U" "$(field Gid "$PID")"
expect_eq "no supplementary groups" "" "$(field Groups "$PID")"
check "a mount namespace of its own" test "$(readlink /proc/$PID/ns/mnt)" != "$(readlink /proc/self/ns/mnt)"
check "its root is the jail's (pivot_root + chroot)" test "$(stat -L -c %i /proc/$PID/root/motevm)" \
	= "$(stat -c %i "$BASE/motevm/j1/root/motevm")"
check "the binary is a copy, not a link" test "$(stat -c %i "$BASE/motevm/j1/root/motevm")" \
	!= "$(stat -c %i $VMM)"
expect_eq "/dev/kvm: 10:232, its user's, 0600" "a,e8 $U:$U 600" \
	"$(stat -c '%t,%T %u:%g %a' "$BASE/motevm/j1/root/dev/kvm")"
expect_eq "/dev/net/tun: 10:200, its user's" "a,c8 $U:$U" \
	"$(stat -c '%t,%T %u:%g' "$BASE/motevm/j1/root/dev/net/tun")"
check "nothing else under /dev" test "$(ls "$BASE/motevm/j1/root/dev" | tr '\n' ' ')" = "kvm net "
check "the descriptor 7 it was given is not passed on" \
	test "$(readlink /proc/$PID/fd/7 2>/dev/null)" != /etc/hostname
expect_eq "the descriptor 8 it was told to keep is passed on" /etc/hostname \
	"$(readlink /proc/$PID/fd/8 2>/dev/null)"
expect_eq "an empty environment" 0 "$(tr -cd '\0' </proc/$PID/environ | wc -c)"
expect_match "no-file limit 512" "^Max open files +512 +512" "$(grep 'open files' /proc/$PID/limits)"
expect_match "fsize limit 1 MiB" "^Max file size +1048576 +1048576" "$(grep 'file size' /proc/$PID/limits)"
if [ ${#cg1[@]} -gt 0 ]; then
	expect_match "cgroup v1: in <parent>/<id>" "cpu(,[a-z]+)*:/motevm/j1$" "$(grep -E ':cpu[,:]' /proc/$PID/cgroup)"
	expect_eq "... cpu.shares written" 512 "$(cat "$cpu/motevm/j1/cpu.shares")"
else
	echo "(cgroup v1 part skipped: no writable cpu hierarchy)"
fi
out=$(curl -s --max-time 5 --unix-socket "$BASE/motevm/j1/root/run/api.sock" http://localhost/)
expect_match "the API answers through the jail's socket, with the jail's id" '"id":"j1"' "$out"
expect_match "motevm logs what the jail cost" "us since the jailer started" "$(cat "$TEST_TMP/j1.err")"
expect_eq "the jailed motevm's API thread runs under its seccomp filter" 2 "$(api_seccomp "$PID")"
# host paths given through the API resolve inside the jail: a host file outside it is not
# found, even through "..", one put in the jail is
drive() {
	curl -s --max-time 5 --unix-socket "$BASE/motevm/j1/root/run/api.sock" -X PUT \
		-H 'Content-Type: application/json' -w ' %{http_code}' \
		-d "{\"drive_id\":\"rootfs\",\"path_on_host\":\"$1\",\"is_root_device\":true,\"is_read_only\":true}" \
		http://localhost/drives/rootfs
}
echo outside >"$TEST_TMP/outside.img"
expect_match "a drive outside the jail, even through '..': not found (400)" "No such file.* 400$" \
	"$(drive "/../../../../../..$TEST_TMP/outside.img")"
echo inside >"$BASE/motevm/j1/root/inside.img" && chown "$U:$U" "$BASE/motevm/j1/root/inside.img"
expect_match "a drive inside the jail, by its path there: taken (204)" " 204$" "$(drive /inside.img)"
# the API fuzzed through the jail's socket: mutated requests (bounded: 3000 or 30 s), then
# the jailed motevm still up, filtered, and answering
out=$(python3 tests/vmm/api/sockfuzz.py "$BASE/motevm/j1/root/run/api.sock" tests/vmm/fuzz/corpus \
	3000 30 "$$" 2>&1)
echo "($out)"
expect_match "3000 mutated requests to the jailed motevm, every connection taken" "^sent 3000," "$out"
check "... it is still running" kill -0 "$PID"
expect_eq "... its API thread still filtered" 2 "$(api_seccomp "$PID")"
expect_match "... and it answers" '"id":"j1"' \
	"$(curl -s --max-time 5 --unix-socket "$BASE/motevm/j1/root/run/api.sock" http://localhost/)"
kill "$PID"

# --new-pid-ns: pid 1 in there; --daemonize: stdio is /dev/null, a session of its own
jail j2 --new-pid-ns --daemonize -- --api-sock /run/api.sock --no-seccomp
expect_eq "--no-seccomp after -- reaches motevm: no filter" 0 "$(api_seccomp "$PID")"
expect_match "--new-pid-ns: motevm is pid 1 of a new PID namespace" "^[0-9]+ 1$" "$(field NSpid "$PID")"
expect_eq "--daemonize: stdin is /dev/null" "1:3" "$(stat -L -c '%t:%T' /proc/$PID/fd/0)"
check "... in a session of its own (not the test's)" test "$(awk '{ print $6 }' /proc/$PID/stat)" \
	!= "$(awk '{ print $6 }' /proc/$$/stat)"
kill "$PID"

# --netns: a namespace made here
if ip netns add "$NS" 2>/dev/null; then
	jail j3 --netns "/var/run/netns/$NS" -- --api-sock /run/api.sock
	expect_eq "--netns: in that network namespace" "$(stat -L -c %i "/var/run/netns/$NS")" \
		"$(stat -L -c %i /proc/$PID/ns/net)"
	kill "$PID"
else
	echo "(--netns part skipped: ip netns add failed)"
fi

# cgroup v2: a core file needs no controller
uni=$(awk '$3 == "cgroup2" { print $2 }' /proc/mounts | head -n 1)
if [ -n "$uni" ] && [ -w "$uni" ]; then
	made_cgroups+=("$uni/motevm/j4")
	jail j4 --cgroup-version 2 --cgroup cgroup.max.descendants=5 -- --api-sock /run/api.sock
	expect_eq "cgroup v2: in <parent>/<id>" "0::/motevm/j4" "$(grep '^0::' /proc/$PID/cgroup)"
	expect_eq "... the file written" 5 "$(cat "$uni/motevm/j4/cgroup.max.descendants")"
	kill "$PID"
else
	echo "(cgroup v2 part skipped: no writable cgroup2 mount)"
fi

# every bad flag: a message, status 2, nothing made
refused() {
	local what=$1 msg=$2 out rc
	shift 2
	out=$("$J" "$@" 2>&1)
	rc=$?
	if [ $rc -eq 2 ] && grep -q -- "$msg" <<<"$out" && [ ! -e "$BASE/motevm/bad" ]; then
		ok "refused: $what"
	else
		not_ok "refused: $what (status $rc, said [$out])"
	fi
}
A=(--exec-file "$VMM" --uid "$U" --gid "$U" --chroot-base-dir "$BASE")
refused "no --id" "are required" "${A[@]}"
refused "an --id with a slash" "letters, digits" --id a/b "${A[@]}"
refused "an --id of 65 characters" "1 to 64" --id "$(printf 'a%.0s' $(seq 65))" "${A[@]}"
refused "a missing --exec-file" "not an executable file" --id bad --exec-file /nonexistent \
	--uid $U --gid $U
printf 'data\n' >"$TEST_TMP/motevm" && chmod 644 "$TEST_TMP/motevm"
refused "a non-executable --exec-file" "not an executable file" --id bad \
	--exec-file "$TEST_TMP/motevm" --uid $U --gid $U
refused "--uid not a number" "not a user or group number" --id bad --exec-file $VMM --uid x --gid 1
refused "--cgroup without =" "not FILE=VALUE" --id bad "${A[@]}" --cgroup cpu.shares
refused "--cgroup-version 3" "1 or 2" --id bad "${A[@]}" --cgroup-version 3
refused "--resource-limit nproc" "fsize or no-file" --id bad "${A[@]}" --resource-limit nproc=5
refused "--netns that does not exist" "no such namespace" --id bad "${A[@]}" --netns /nonexistent
refused "a relative --chroot-base-dir" "absolute" --id bad --exec-file $VMM --uid 1 --gid 1 \
	--chroot-base-dir rel
refused "VMM arguments without --" "go after --" --id bad "${A[@]}" stray-argument
refused "an unknown flag" "bad option" --id bad "${A[@]}" --frobnicate
refused "--keep-fd 2" "3 or more" --id bad "${A[@]}" --keep-fd 2
refused "--keep-fd of a closed descriptor" "not an open descriptor" --id bad "${A[@]}" --keep-fd 99
refused "--keep-fd x" "a descriptor number" --id bad "${A[@]}" --keep-fd x
# a jail that exists already: refused, left as it was
out=$("$J" --id j1 "${A[@]}" 2>&1)
expect_eq "an --id in use: status 1" "1" "$?"
expect_match "... says so" "a jail with --id j1 is there already" "$out"
check "... and leaves it" test -x "$BASE/motevm/j1/root/motevm"
# a failure half way (a controller no hierarchy has): the jail made so far is removed
out=$("$J" --id half "${A[@]}" --cgroup nosuchctl.x=1 2>&1)
expect_eq "a step that fails: status 1" 1 "$?"
expect_match "... with the reason" "no cgroup v1 hierarchy has the nosuchctl controller" "$out"
check "... and nothing of the jail left" test ! -e "$BASE/motevm/half"
finish
