/* signals.c: SIGTERM and SIGINT stop motevm cleanly (exit 128 + signal) whatever its vCPUs
 * do: spinning, halted with interrupts off (no exit to userspace), an AP never started, or
 * blocked writing guest output to a full pipe nobody reads. */
#ifdef GUEST
#include "guest/guest.h"

int guest_main(int kind, uint64_t info)
{
	const char *m = guest_arg("mode");

	gprintf("ready\n");
	if (m && strncmp(m, "halt", 4) == 0)
		for (;;)
			__asm__ volatile("cli; hlt");
	if (m && strncmp(m, "flood", 5) == 0)
		for (;;)
			serial_puts(
				"flooding the serial port ...................................\n");
	for (volatile uint64_t i = 0;; i++)
		;
}
#else
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/vmmtest.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Starts motevm with stdout to a pipe; returns when the guest printed "ready". */
static pid_t start(const char *mode, unsigned cpus, int *out_fd)
{
	char args[32], buf[256];
	const char *cfg;
	int p[2];
	size_t got = 0;
	double deadline = now() + 20;
	pid_t pid;

	snprintf(args, sizeof(args), "mode=%s", mode);
	cfg = vmt_config("signals.elf", args, cpus, 64);
	if (pipe(p))
		exit(1);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execl(vmt_motevm(), "motevm", "--no-api", "--config-file", cfg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (now() < deadline && got < sizeof(buf) - 1) {
		ssize_t k = read(p[0], buf + got, sizeof(buf) - 1 - got);

		if (k <= 0)
			break;
		got += (size_t)k;
		buf[got] = 0;
		if (strstr(buf, "ready"))
			break;
	}
	CHECK(strstr(buf, "ready") != NULL, "%s: guest never got ready", mode);
	*out_fd = p[0];
	return pid;
}

static void run(const char *mode, unsigned cpus, int sig)
{
	int fd, status;
	pid_t pid = start(mode, cpus, &fd);
	double t;

	/* A flood fills the pipe (we stop reading) so the vCPU blocks in write(). */
	usleep(strcmp(mode, "flood") == 0 ? 300000 : 50000);
	t = now();
	kill(pid, sig);
	status = vmt_wait(pid, 10);
	t = now() - t;
	printf("%s, %u vCPU(s), %s: exit %d after %.3f s\n", mode, cpus, strsignal(sig), status, t);
	CHECK(status == 128 + sig, "%s: exit status %d, expected %d", mode, status, 128 + sig);
	CHECK(t < 2, "%s: took %.2f s to stop", mode, t);
	close(fd);
}

int main(void)
{
	vmt_begin("signals");
	vmt_require_kvm();
	signal(SIGPIPE, SIG_IGN);
	run("spin", 1, SIGTERM);
	run("spin", 1, SIGINT);
	run("halt", 1, SIGTERM);
	run("halt", 2, SIGTERM); /* the AP waits for a SIPI that never comes */
	run("flood", 1, SIGTERM);
	return vmt_end();
}
#endif
