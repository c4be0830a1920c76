/* proc.c: process operations N times, for bench/proc.sh, which runs it natively and inside Mote
 * (with the kernel's --stats) and compares. Prints "OP N ns_per_op", N being the operations
 * done. Operations:
 *   none                  start-up only
 *   fork N                fork, the child _exits at once, waitpid
 *   spawn N PATH          posix_spawn PATH (no arguments), waitpid
 *   pipe N                a 1-byte round trip to a forked child over two pipes and back
 *   run N PROG ARGS...    posix_spawnp PROG ARGS, waitpid: a whole command, timed from inside
 * One operation runs first, untimed, so a run with N = 0 is the baseline of the kernel's counts.
 * Every child must exit with status 0. Each loop also stops after LIMIT_S seconds, the
 * operations done so far being those reported. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIMIT_S 120

extern char **environ;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* wait for pid: 0 if it exited with status 0 */
static int reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static long do_fork(long n, double end)
{
	long i;

	for (i = 0; i < n && now_ns() < end; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0 || reap(pid))
			return -1;
	}
	return i;
}

/* posix_spawnp of argv (argv[0] looked up in $PATH, as a shell would) n times */
static long do_spawn(long n, double end, char **argv)
{
	long i;

	for (i = 0; i < n && now_ns() < end; i++) {
		pid_t pid;

		if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) || reap(pid))
			return -1;
	}
	return i;
}

static long do_pipe(long n, double end)
{
	int to[2], from[2];
	char c = 'x';
	pid_t pid;
	long i;

	if (pipe(to) || pipe(from))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* echo each byte back until the parent closes its end (n bounds it too) */
		close(to[1]);
		close(from[0]);
		for (i = 0; i < n && read(to[0], &c, 1) == 1; i++)
			if (write(from[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	for (i = 0; i < n && now_ns() < end; i++)
		if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
			return -1;
	close(to[1]);
	return reap(pid) ? -1 : i;
}

/* one round of OP n times: the operations done, or -1 */
static long op_run(const char *op, long n, double end, char **argv)
{
	if (!strcmp(op, "fork"))
		return do_fork(n, end);
	if (!strcmp(op, "spawn"))
		return do_spawn(n, end, argv);
	if (!strcmp(op, "pipe"))
		return do_pipe(n, end);
	if (!strcmp(op, "run"))
		return do_spawn(n, end, argv);
	return -1;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "none";
	long n = argc > 2 ? atol(argv[2]) : 0, done = 0;
	char *spawn_argv[] = { argc > 3 ? argv[3] : "/bin/true", NULL };
	char **args = !strcmp(op, "run") ? argv + 3 : spawn_argv;
	double t0 = 0;

	if (!strcmp(op, "run") && argc < 4)
		done = -1;
	else if (strcmp(op, "none")) {
		/* one operation first, untimed: caches warm (QEMU's translations too), and a run
		 * with N = 0 is the baseline of the kernel's counts that N operations add to */
		double end = now_ns() + LIMIT_S * 1e9;

		done = op_run(op, 1, end, args);
		t0 = now_ns();
		if (done >= 0)
			done = op_run(op, n, t0 + LIMIT_S * 1e9, args);
	}
	if (done < 0) {
		fprintf(stderr, "proc: %s %ld failed\n", op, n);
		return 1;
	}
	printf("%s %ld %.1f\n", op, done, done ? (now_ns() - t0) / done : 0.0);
	return 0;
}
