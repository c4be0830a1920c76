# net_lib.sh: what the network tests share (sourced after tests/lib.sh).
# shellcheck shell=bash

# free_port: a TCP port of 127.0.0.1 that nothing listens on now
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE TEXT: up to 60 s for TEXT (a grep pattern) in FILE
wait_for() {
	for _ in $(seq 600); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
