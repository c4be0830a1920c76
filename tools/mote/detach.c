/* detach.c: `mote run -d` (detach.h). */
#include "detach.h"
#include "launch.h"
#include "vmstate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void started(int pid, void *arg)
{
	struct vmstate *s = arg;

	s->vmm_pid = pid;
	(void)vmstate_save(s);
}

/* The supervisor: the VM's stdio is its log; it records the VMM's pid and the end. */
static void __attribute__((noreturn))
supervise(struct launch *l, struct vmstate *s, int log_fd, int ready_fd)
{
	char sock[VMSTATE_PATH_MAX];
	int null = open("/dev/null", O_RDONLY), rc;

	setsid();
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 ||
	    dup2(log_fd, STDERR_FILENO) < 0)
		_exit(125);
	close(null);
	close(log_fd);
	signal(SIGHUP, SIG_IGN); /* (the terminal mote ran from may go) */
	s->pid = (int)getpid();
	if (vmstate_save(s) < 0)
		_exit(125);
	close(ready_fd); /* mote's foreground half may print the id now */
	vmstate_path(s, strcmp(s->vmm, "qemu") ? "api.sock" : "qmp.sock", sock, sizeof(sock));
	l->control = sock;
	l->detached = true;
	l->started = started;
	l->started_arg = s;
	rc = launch_vm(l);
	s->running = false;
	s->exit_code = rc < 0 ? 125 : rc;
	s->finished = (long long)time(NULL);
	(void)vmstate_save(s);
	unlink(sock);
	_exit(0);
}

int detach_launch(struct launch *l, const char *name, const char *program)
{
	static struct vmstate s;
	char err[512], log[VMSTATE_PATH_MAX], c;
	int log_fd, ready[2];
	pid_t pid;

	if (vmstate_create(&s, name, program, launch_uses_qemu(l) ? "qemu" : "motevm", err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "mote run: %s\n", err);
		return -1;
	}
	vmstate_path(&s, "log", log, sizeof(log));
	log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log_fd < 0 || pipe2(ready, O_CLOEXEC) < 0) {
		fprintf(stderr, "mote run: %s: %s\n", log, strerror(errno));
		vmstate_remove(&s);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "mote run: fork: %s\n", strerror(errno));
		vmstate_remove(&s);
		return -1;
	}
	if (pid == 0) {
		close(ready[0]);
		supervise(l, &s, log_fd, ready[1]);
	}
	close(log_fd);
	close(ready[1]);
	/* the state (with the supervisor's pid) is there once the pipe closes */
	while (read(ready[0], &c, 1) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (vmstate_reload(&s) < 0) {
		fprintf(stderr, "mote run: the VM's supervisor did not start (%s)\n", log);
		return -1;
	}
	printf("%s\n", s.id);
	return 0;
}
