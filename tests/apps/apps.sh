# apps.sh: what the tests/apps harnesses need to know about each program (sourced by
# run_native.sh and run_mote.sh). Every tests/apps/NAME.c is a program, built by mk/apps.mk as
# build/tests/apps/NAME.static and NAME.dyn; every tests/apps/*.sh other than the harnesses and
# this file is a "#!" script run directly. Both worlds run each one the same way:
# the same absolute path, arguments and environment, with stdin from /dev/null.
# shellcheck shell=bash disable=SC2034

# The fixed environment: `env -i` natively, `mote run -e` inside Mote.
APP_ENV=(PATH=/usr/bin:/bin HOME=/ LANG=C)

# app_args NAME: sets APP_ARGS to the program's arguments.
app_args() {
	case $1 in
	exec | shebang) APP_ARGS=(one "two words") ;;
	procfs) APP_ARGS=(a "b c" "") ;;
	*) APP_ARGS=() ;;
	esac
}

# app_cpus NAME: the vCPUs it gets inside Mote; programs that run threads get 2.
app_cpus() {
	case $1 in
	threads | futex | clone | proc_create | proc_pids | tls | signals | timers | fdops | faults | poll | epoll | polling | procfs | time | jobctl | \
		sockets | sockets_unix_dgram | signalfd)
		echo 2
		;;
	*) echo 1 ;;
	esac
}

# app_status NAME: the exit status it must end with (128 + N for a death by signal N).
app_status() {
	case $1 in
	sigdefault) echo 139 ;;
	*) echo 0 ;;
	esac
}

# app_list: "NAME KIND PATH" for every program build and script, one a line.
app_list() {
	local src name kind
	for src in tests/apps/*.c; do
		name=$(basename "$src" .c)
		for kind in static dyn; do
			echo "$name $kind $PWD/build/tests/apps/$name.$kind"
		done
	done
	for src in tests/apps/*.sh; do
		name=$(basename "$src" .sh)
		case $name in run_native | run_mote | run_mote_qemu | run_mote_qemu64 | apps) continue ;; esac
		echo "$name script $PWD/$src"
	done
}
