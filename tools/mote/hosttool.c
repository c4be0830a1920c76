/* hosttool.c: finding and running the host's e2fsprogs programs. */
#include "hosttool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *hosttool_find(const char *name, char *buf, size_t n)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin" };
	const char *path = getenv("PATH");

	while (path && *path) {
		size_t len = strcspn(path, ":");

		if (len && snprintf(buf, n, "%.*s/%s", (int)len, path, name) < (int)n &&
		    access(buf, X_OK) == 0)
			return buf;
		path += len + (path[len] == ':');
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (snprintf(buf, n, "%s/%s", dirs[i], name) < (int)n && access(buf, X_OK) == 0)
			return buf;
	return NULL;
}

/* Start argv with stdout on out_fd (-1: ours) and stderr dropped if quiet; with envp, that
 * environment and stdin from /dev/null. */
static pid_t start(char *const argv[], char *const envp[], int out_fd, int quiet)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (envp) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
	}
	if (out_fd >= 0)
		dup2(out_fd, 1);
	if (quiet) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 2);
	}
	if (envp)
		execve(argv[0], argv, envp);
	else
		execv(argv[0], argv);
	fprintf(stderr, "mote: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int hosttool_run(char *const argv[])
{
	pid_t pid = start(argv, NULL, -1, 0);

	return pid < 0 ? -1 : wait_status(pid);
}

long hosttool_output(char *const argv[], char *buf, size_t cap)
{
	return hosttool_output_env(argv, NULL, 0, buf, cap);
}

long hosttool_output_env(char *const argv[], char *const envp[], int timeout_ms, char *buf,
			 size_t cap)
{
	struct pollfd p = { .events = POLLIN };
	struct timespec t0, t;
	int fds[2];
	size_t len = 0;
	ssize_t r = 1;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = start(argv, envp, fds[1], 1);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	p.fd = fds[0];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (r > 0 && len < cap) {
		if (timeout_ms > 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			int left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
						      (t.tv_nsec - t0.tv_nsec) / 1000000);

			if (left <= 0 || poll(&p, 1, left) == 0) {
				kill(pid, SIGKILL); /* its status says it did not finish */
				break;
			}
		}
		r = read(fds[0], buf + len, cap - len);
		if (r > 0)
			len += (size_t)r;
		else if (r < 0 && errno == EINTR)
			r = 1;
	}
	close(fds[0]); /* a writer with more to say gets SIGPIPE */
	if (wait_status(pid) != 0 || len >= cap)
		return -1;
	buf[len] = 0;
	return (long)len;
}
