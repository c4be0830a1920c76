/* guest.c: job control on the console, for tests/e2e/console_jobs.sh: the program leads its
 * session with the terminal as its controlling terminal, gives the terminal to a child's
 * group and waits for what the harness types (^C, ^Z); then takes it back and handles a ^C
 * itself; the last ^C, with no handler, ends it. It ignores SIGTTOU, as a shell does. Prints only facts that are the same natively
 * and in Mote; "ready ..." lines tell the harness when to type. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t got_int;

static void on_int(int sig)
{
	got_int = 1;
}

/* How pid changed: "killed by N", "stopped by N", "exit N". */
static const char *how(pid_t pid)
{
	static char b[64];
	int st = 0;

	if (waitpid(pid, &st, WUNTRACED) != pid)
		snprintf(b, sizeof(b), "waitpid: %s", strerror(errno));
	else if (WIFSIGNALED(st))
		snprintf(b, sizeof(b), "killed by %d", WTERMSIG(st));
	else if (WIFSTOPPED(st))
		snprintf(b, sizeof(b), "stopped by %d", WSTOPSIG(st));
	else
		snprintf(b, sizeof(b), "exit %d", WEXITSTATUS(st));
	return b;
}

/* A child in a group of its own, given the terminal; it tells when it waits. */
static pid_t fg_child(void)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	if (tcsetpgrp(0, pid))
		printf("tcsetpgrp: %s\n", strerror(errno));
	read(ready[0], &c, 1);
	close(ready[0]);
	close(ready[1]);
	return pid;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_int };
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTTOU, SIG_IGN); /* as a shell does: it gives the terminal from the background */
	printf("leads its session: %d, in the foreground: %d, tcgetsid: %d\n",
	       getsid(0) == getpid(), tcgetpgrp(0) == getpgrp(), tcgetsid(0) == getsid(0));
	pid = fg_child();
	printf("a child's group in the foreground: %d\n", tcgetpgrp(0) == pid);
	printf("ready for ^C\n");
	printf("the child: %s\n", how(pid));
	pid = fg_child();
	printf("ready for ^Z\n");
	printf("the child: %s\n", how(pid));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("back in the foreground: %d\n",
	       tcsetpgrp(0, getpgrp()) == 0 && tcgetpgrp(0) == getpgrp());
	sigaction(SIGINT, &sa, NULL);
	printf("ready for ^C to a handler\n");
	while (!got_int)
		pause();
	printf("its handler ran\n");
	signal(SIGINT, SIG_DFL);
	printf("ready for the last ^C\n");
	for (;;)
		pause();
}
