#!/bin/bash
# abuse.sh: the API under attack (issue 16), without KVM: held, half-sent and idle connections
# do not lock a well-behaved client out (curl, and abuse.py's clients, answered at once); the
# header and body limits hold (400, closed); a slowloris client, a client that does not read its
# answers and idle keep-alive connections are closed by their deadlines; motevm stays up and
# ends as usual. Takes ~40 s: the idle timeout (30 s) is waited for.
cd "$(dirname "$0")/../../.." || exit 1
. tests/lib.sh
. tests/vmm/api/lib.sh
command -v curl >/dev/null || skip "curl is missing (tools/deps.sh installs it)"
command -v python3 >/dev/null || skip "python3 is missing"
[ -x "$MOTEVM" ] || { echo "$MOTEVM is missing: run make"; exit 1; }

api_start --id abuse --level Debug || exit 1
# A real client while abuse.py holds every slot with half-sent requests.
python3 - "$SOCK" <<'PY' &
import socket, sys, time
held = []
for _ in range(20):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(b"PUT /machine-config HTTP/1.1\r\nContent-Le")
    held.append(s)
time.sleep(3)
PY
holder=$!
sleep 0.5
start=$EPOCHREALTIME
req GET /
took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
expect_eq "curl GET / with 20 half-sent connections held: status" 200 "$CODE"
check "curl GET / with 20 half-sent connections held: answered in ${took} ms (< 1000)" \
	[ "$took" -lt 1000 ]
wait "$holder"

timeout 120 python3 tests/vmm/api/abuse.py "$SOCK"
expect_eq "abuse.py: every check" 0 $?

check "motevm still runs" kill -0 "$PID"
ok_req "GET / at the end" GET /
expect_match "the log tells of evictions" "connection table full: closing the one waiting longest" "$(cat "$ERR")"
expect_match "the log tells of deadlines" "closing a connection after 5000 ms: request not whole" "$(cat "$ERR")"
api_stop
expect_eq "exit status after SIGTERM" 143 "$STATUS"
# Under make SAN=1 (MOTEVM=build/.../motevm) a memory error or leak shows here.
check "no sanitizer report" bash -c "! grep -B2 -A20 Sanitizer '$ERR'"
finish
