# lib.sh: helpers for the API tests (sourced after tests/lib.sh): start motevm with its API
# socket, send requests with curl, check status codes and fault messages.
# shellcheck shell=bash
# shellcheck disable=SC2034 # G, STATUS, HEADERS... are for the scripts that source this
MOTEVM=${MOTEVM:-build/motevm}
G=build/tests/vmm
PID=
trap 'api_kill; rm -rf "$TEST_TMP"' EXIT

api_kill() { [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; PID=; }

need_api() {
	command -v curl >/dev/null || skip "curl is missing (tools/deps.sh installs it)"
	[ -x "$MOTEVM" ] || { echo "$MOTEVM is missing: run make"; exit 1; }
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "/dev/kvm is not usable"
}

# api_start [motevm args...]: motevm in the background; returns once its socket answers.
api_start() {
	SOCK=${SOCK:-$TEST_TMP/api.sock}
	OUT=$TEST_TMP/out ERR=$TEST_TMP/err
	"$MOTEVM" --api-sock "$SOCK" "$@" </dev/null >"$OUT" 2>"$ERR" &
	PID=$!
	for _ in $(seq 1000); do
		curl -s -o /dev/null --unix-socket "$SOCK" http://localhost/ && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.01
	done
	not_ok "motevm did not open its API socket"
	tail "$ERR"
	return 1
}

# api_wait SECONDS: waits for motevm to exit; STATUS = its exit status (-1: killed at timeout).
api_wait() {
	local i
	for i in $(seq $(($1 * 100))); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 "$PID" 2>/dev/null; then
		api_kill
		STATUS=-1
		return
	fi
	wait "$PID"
	STATUS=$?
	PID=
}

api_stop() {
	kill -TERM "$PID" 2>/dev/null
	api_wait 10
}

# req METHOD PATH [BODY]: CODE = the status, BODY = the response body, HEADERS = its headers.
req() {
	local args=(-s -D "$TEST_TMP/headers" -o "$TEST_TMP/body" -w '%{http_code}'
		--unix-socket "$SOCK" -X "$1")
	[ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
	CODE=$(curl "${args[@]}" "http://localhost$2")
	BODY=$(cat "$TEST_TMP/body")
	HEADERS=$(tr -d '\r' <"$TEST_TMP/headers")
}

# ok_req DESC METHOD PATH [BODY]: expects 204 (PUT/PATCH) or 200 (GET).
ok_req() {
	local desc=$1 want=204
	shift
	[ "$1" = GET ] && want=200
	req "$@"
	expect_eq "$desc: status ($BODY)" "$want" "$CODE"
}

# bad_req DESC FAULT METHOD PATH [BODY]: expects 400 with exactly FAULT as fault_message
# (FAULT starting with ~ : a substring of it).
bad_req() {
	local desc=$1 fault=$2 got
	shift 2
	req "$@"
	expect_eq "$desc: status" 400 "$CODE"
	got=$(printf '%s' "$BODY" | jq -r .fault_message 2>/dev/null)
	if [ "${fault#\~}" != "$fault" ]; then
		case $got in *"${fault#\~}"*) ok "$desc: fault" ;;
		*) not_ok "$desc: fault [$got] lacks [${fault#\~}]" ;; esac
	else
		expect_eq "$desc: fault" "$fault" "$got"
	fi
}
