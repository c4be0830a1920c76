# shellcheck shell=bash
# A bash script that forks in every way a shell does (tests/e2e/processes.sh runs it natively
# and in Mote): subshells, command substitution, pipelines, background jobs and wait, traps,
# a child that signals its parent, exec.
trap 'echo "trap: EXIT"' EXIT
trap 'echo "trap: USR1"' USR1
x=$(echo inner; (echo nested))
echo "substitution: $(echo "$x" | tr '\n' ' ')"
(exit 7)
echo "subshell status: $?"
{ echo b; echo a; echo c; } | sort | while read -r l; do echo "read: $l"; done
echo "pipeline status: ${PIPESTATUS[*]}"
(exit 4) &
bg=$!
wait $bg
echo "background status: $?"
for i in 1 2 3; do (echo "job $i" >"$1/job.$i") & done
wait
cat "$1"/job.*
bash -c "kill -USR1 $$"
echo "arithmetic: $(($(echo 6) * 7))"
echo "nested shells: $(bash -c 'echo $(bash -c "echo deep")')"
exec bash -c 'echo "exec: replaced"; exit 3'
