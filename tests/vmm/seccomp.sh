#!/bin/bash
# seccomp.sh: motevm's seccomp flags on the real binary (issue 16), no KVM needed: --help tells
# them and status 148; a bad --seccomp-filter file is refused (153, a message naming the file
# and the problem); the API thread runs filtered by default and not with --no-seccomp; a
# seccompiler JSON filter is used, and a call outside it (accept4, left out of the api list)
# ends motevm with 148 and a log line naming the call. The API thread also drops every
# capability at its start (vmm/privdrop.c), filtered or not, while the main thread keeps its
# own until InstanceStart; RLIMIT_MSGQUEUE and RLIMIT_RTPRIO become 0; a non-root motevm
# (setpriv, when run as root) starts as well.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
VMM=build/motevm
[ -x $VMM ] || skip "build/motevm not built"
command -v curl >/dev/null || skip "curl missing"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT

help=$($VMM --help)
expect_match "--help lists --no-seccomp" '--no-seccomp +no seccomp filters' "$help"
expect_match "--help lists --seccomp-filter" '--seccomp-filter FILE +the filters from FILE' "$help"
expect_match "--help tells status 148" '148 a call outside a seccomp filter' "$help"

# refused FILE-CONTENT WANT: motevm exits 153 naming the file and WANT
refused() {
	local f=$TEST_TMP/bad.json out status
	printf '%s' "$1" >"$f"
	out=$($VMM --no-api --config-file /nonexistent --seccomp-filter "$f" 2>&1)
	status=$?
	expect_eq "bad filter ($2): exit status" 153 "$status"
	expect_match "bad filter ($2): message" "^motevm: --seccomp-filter $f: .*$2" "$out"
}
cat_ok='{"default_action": "allow", "filter_action": "trap", "filter": [{"syscall": "execve"}]}'
refused '{"vmm": ' 'line 1 column'
refused "{\"vmm\": $cat_ok, \"api\": $cat_ok}" 'no filter for the "vcpu" threads'
refused "{\"vmm\": $cat_ok, \"api\": $cat_ok, \"vcpu\": {\"default_action\": \"allow\",
 \"filter_action\": \"trap\", \"filter\": [{\"syscall\": \"no_such_call\"}]}}" \
	'vcpu: unknown system call "no_such_call"'
refused "{\"vmm\": $cat_ok, \"api\": $cat_ok, \"vcpu\": {\"default_action\": \"allow\",
 \"filter_action\": \"trap\", \"filter\": [{\"syscall\": \"ioctl\", \"args\": [{\"index\": 1,
 \"type\": \"dword\", \"op\": \"like\", \"val\": 1}]}]}}" 'vcpu.filter\[0\].args\[0\].op: unknown comparison'
out=$($VMM --no-api --config-file /nonexistent --seccomp-filter "$TEST_TMP/absent.json" 2>&1)
expect_eq "missing filter file: exit status" 153 "$?"
expect_match "missing filter file: message" "absent.json" "$out"
out=$($VMM --no-seccomp --seccomp-filter "$TEST_TMP/bad.json" 2>&1)
expect_eq "--no-seccomp with --seccomp-filter: exit status" 153 "$?"

# start NAME ARGS...: motevm with its API on $TEST_TMP/NAME.sock; sets PID
start() {
	local name=$1
	shift
	$VMM --api-sock "$TEST_TMP/$name.sock" "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" &
	PID=$!
	pids+=("$PID")
	for _ in $(seq 50); do [ -S "$TEST_TMP/$name.sock" ] && break; sleep 0.1; done
}
# api_seccomp PID: the Seccomp mode of motevm's API thread (2: filtered); of the main thread
seccomp_of() { awk '$1 == "Seccomp:" { print $2 }' "/proc/$1/task/$2/status"; }
api_tid() { for t in /proc/"$1"/task/*; do [ "${t##*/}" != "$1" ] && echo "${t##*/}"; done; }
# caps_of PID TID: the thread's capability sets, "Inh Prm Eff Bnd Amb"
caps_of() { awk '/^Cap/ { printf "%s%s", sep, $2; sep = " " }' "/proc/$1/task/$2/status"; }
no_caps="0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000"

start builtin
get=$(curl -s --unix-socket "$TEST_TMP/builtin.sock" http://localhost/)
expect_match "built-in filters: the API answers" '"state":"Not started"' "$get"
expect_eq "built-in filters: the API thread is filtered" 2 "$(seccomp_of "$PID" "$(api_tid "$PID")")"
expect_eq "built-in filters: the main thread is not, before a boot" 0 "$(seccomp_of "$PID" "$PID")"
expect_match "no core file of the guest's memory (RLIMIT_CORE 0)" "^Max core file size +0 +0 " \
	"$(grep 'core file' /proc/$PID/limits)"
expect_eq "the API thread has no capability left" "$no_caps" "$(caps_of "$PID" "$(api_tid "$PID")")"
if [ "$(id -u)" = 0 ]; then
	# capabilities belong to a thread: the main thread drops its own at InstanceStart
	expect_eq "the main thread keeps root's until a boot" "$(caps_of $$ $$ | cut -d' ' -f3)" \
		"$(caps_of "$PID" "$PID" | cut -d' ' -f3)"
fi
expect_match "no POSIX message queue (RLIMIT_MSGQUEUE 0)" "^Max msgqueue size +0 +0 " \
	"$(grep 'msgqueue' /proc/$PID/limits)"
expect_match "no real-time priority (RLIMIT_RTPRIO 0)" "^Max realtime priority +0 +0 " \
	"$(grep 'realtime priority' /proc/$PID/limits)"
kill "$PID"
wait "$PID"
expect_eq "built-in filters: SIGTERM's status" 143 "$?"

start off --no-seccomp
curl -s --unix-socket "$TEST_TMP/off.sock" http://localhost/ >/dev/null
expect_eq "--no-seccomp: the API thread is not filtered" 0 "$(seccomp_of "$PID" "$(api_tid "$PID")")"
expect_eq "--no-seccomp: the API thread still drops its capabilities" "$no_caps" \
	"$(caps_of "$PID" "$(api_tid "$PID")")"
kill "$PID"
wait "$PID"

if [ "$(id -u)" = 0 ]; then
	# not root, no capability: nothing to drop beyond the empty sets, and no failure
	chmod 0777 "$TEST_TMP"
	VMM_ROOT=$VMM
	VMM="setpriv --reuid 65534 --regid 65534 --clear-groups $VMM_ROOT"
	start nobody
	VMM=$VMM_ROOT
	get=$(curl -s --unix-socket "$TEST_TMP/nobody.sock" http://localhost/)
	expect_match "as uid 65534: the API answers" '"state":"Not started"' "$get"
	# the bounding set stays: emptying it takes CAP_SETPCAP; no_new_privs keeps an exec
	# from gaining what it bounds
	expect_eq "as uid 65534: the API thread's other sets are empty" \
		"$(echo "$no_caps" | cut -d' ' -f1-3,5)" \
		"$(caps_of "$PID" "$(api_tid "$PID")" | cut -d' ' -f1-3,5)"
	kill "$PID"
	wait "$PID"
	expect_eq "as uid 65534: SIGTERM's status" 143 "$?"
fi

# The API thread's calls (vmm/seccomp/rules.c), without arguments' conditions; $1 added.
api_json() {
	local calls=(write futex brk mmap mprotect munmap mremap madvise clock_gettime
		rt_sigprocmask rt_sigreturn restart_syscall sched_yield exit exit_group
		epoll_wait epoll_pwait epoll_ctl recvfrom sendto close read "$@") sep=
	printf '{"default_action": "trap", "filter_action": "allow", "filter": ['
	for c in "${calls[@]}"; do printf '%s{"syscall": "%s"}' "$sep" "$c"; sep=', '; done
	printf ']}'
}
printf '{"vmm": %s, "api": %s, "vcpu": %s}' "$cat_ok" "$(api_json accept4)" "$cat_ok" \
	>"$TEST_TMP/good.json"
start json --seccomp-filter "$TEST_TMP/good.json"
get=$(curl -s --unix-socket "$TEST_TMP/json.sock" http://localhost/)
expect_match "JSON filter: the API answers" '"state":"Not started"' "$get"
expect_eq "JSON filter: the API thread is filtered" 2 "$(seccomp_of "$PID" "$(api_tid "$PID")")"
kill "$PID"
wait "$PID"

printf '{"vmm": %s, "api": %s, "vcpu": %s}' "$cat_ok" "$(api_json)" "$cat_ok" \
	>"$TEST_TMP/no_accept.json"
start trap --seccomp-filter "$TEST_TMP/no_accept.json"
curl -s -m 2 --unix-socket "$TEST_TMP/trap.sock" http://localhost/ >/dev/null
wait "$PID"
expect_eq "a call outside the api filter: exit status 148" 148 "$?"
expect_match "a call outside the api filter: the log line names it" \
	'\[anonymous-instance:api:ERROR\] Shutting down VM after intercepting a bad syscall \([0-9]+: accept4\)' \
	"$(cat "$TEST_TMP/trap.err")"
finish
