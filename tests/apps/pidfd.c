/* pidfd.c: process file descriptors: pidfd_open, poll until the process ends, then
 * pidfd_send_signal, also through an open /proc/<pid> directory. */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

int main(void)
{
	struct pollfd p;
	char path[64];
	int fd, status, proc;
	pid_t pid;

	check_start();
	CHECK_ERR(pidfd_open(-1, 0), EINVAL, "pidfd_open(-1): EINVAL");
	CHECK_ERR(pidfd_open(getpid(), 1), EINVAL, "an unknown flag: EINVAL");
	CHECK_ERR(pidfd_open(999999, 0), ESRCH, "no such process: ESRCH");
	fd = pidfd_open(getpid(), 0);
	CHECK(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "our own pidfd, close-on-exec");
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0, "not readable while we run");
	signal(SIGUSR1, on_usr1);
	CHECK(pidfd_send_signal(fd, SIGUSR1, NULL, 0) == 0 && got == SIGUSR1,
	      "pidfd_send_signal SIGUSR1 to ourselves");
	CHECK_ERR(pidfd_send_signal(fd, SIGUSR1, NULL, 0x100), EINVAL, "an unknown flag: EINVAL");
	CHECK_ERR(pidfd_send_signal(STDIN_FILENO, SIGUSR1, NULL, 0), EBADF,
		  "a descriptor that is no pidfd: EBADF");
	close(fd);
	snprintf(path, sizeof(path), "/proc/%d", getpid());
	proc = open(path, O_RDONLY | O_DIRECTORY);
	got = 0;
	CHECK(pidfd_send_signal(proc, SIGUSR1, NULL, 0) == 0 && got == SIGUSR1,
	      "through /proc/<pid> opened as a directory");
	close(proc);

	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	fd = pidfd_open(pid, 0);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0, "a child's pidfd: not readable yet");
	CHECK_EQ(pidfd_send_signal(fd, SIGKILL, NULL, 0), 0, "SIGKILL it through the pidfd");
	CHECK(poll(&p, 1, 10000) == 1 && (p.revents & POLLIN), "poll wakes up as it ends: POLLIN");
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "it was killed by SIGKILL");
	CHECK_ERR(pidfd_send_signal(fd, SIGKILL, NULL, 0), ESRCH, "once reaped: ESRCH");
	close(fd);
	return check_done();
}
