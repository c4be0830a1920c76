/* proc_create.c: creating processes and waiting for them: fork (copy on write, small pages and
 * large), vfork, a raw clone without CLONE_VM, posix_spawn, execve in a child, pipes between
 * processes, descriptors across fork and exec (an AF_UNIX pair, a shared offset, CLOEXEC),
 * wait4/waitpid/waitid (WNOHANG, statuses of exits and of signals), SIGCHLD (a
 * handler, SIG_IGN's automatic reaping), getppid, process groups, kill between processes,
 * fork from a program with threads, futexes between processes (shared, and private ones that
 * are not). */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <spawn.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

static int status_of(pid_t pid)
{
	int status = -1;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* Did pid end with exit(code)? */
static int exited(pid_t pid, int code)
{
	int s = status_of(pid);

	return s != -1 && WIFEXITED(s) && WEXITSTATUS(s) == code;
}

static void creation(char *self)
{
	char *child_args[] = { self, "child", NULL };
	pid_t pid;
	int err;

	pid = fork();
	if (pid == 0)
		_exit(7);
	CHECK(pid > 0 && exited(pid, 7), "fork: the child's exit status 7 reaped");

	pid = vfork();
	if (pid == 0)
		_exit(8);
	CHECK(pid > 0 && exited(pid, 8), "vfork: the child's exit status 8 reaped");

	pid = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0)
		syscall(SYS_exit_group, 9);
	CHECK(pid > 0 && exited(pid, 9), "clone(SIGCHLD): the child's exit status 9 reaped");

	err = posix_spawn(&pid, self, NULL, NULL, child_args, environ);
	CHECK(!err && exited(pid, 7), "posix_spawn of this program: exit status 7");

	pid = fork();
	if (pid == 0) {
		execve(self, child_args, environ);
		_exit(99);
	}
	CHECK(pid > 0 && exited(pid, 7), "fork + execve: the new program's exit status 7");

	pid = fork();
	if (pid == 0) {
		execl("/nonexistent/program", "x", (char *)NULL);
		_exit(errno == ENOENT ? 11 : 12);
	}
	CHECK(pid > 0 && exited(pid, 11), "a failed execve returns ENOENT to the child");
}

static char small_data[64] = "parent";

static void copy_on_write(void)
{
	size_t big = 8 << 20;
	char *heap = malloc(big), *anon;
	char stack_buf[32] = "stack";
	int fds[2];
	pid_t pid;
	char buf[64] = "";

	memset(heap, 'p', big);
	anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	strcpy(anon, "before");
	CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		int ok = !strcmp(small_data, "parent") && heap[big - 1] == 'p' &&
			 !strcmp(stack_buf, "stack");

		strcpy(small_data, "child");
		memset(heap, 'c', big);
		strcpy(stack_buf, "child");
		strcpy(anon, "written by the child");
		if (write(fds[1], ok ? "same" : "diff", 4) != 4)
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	CHECK(read(fds[0], buf, sizeof(buf)) == 4 && !memcmp(buf, "same", 4),
	      "the child sees the parent's memory as it was at fork");
	CHECK(exited(pid, 0), "the child wrote its copies and exited");
	CHECK(!strcmp(small_data, "parent"), "data written by the child is not the parent's");
	CHECK(heap[0] == 'p' && heap[big / 2] == 'p' && heap[big - 1] == 'p',
	      "8 MiB of heap written by the child: the parent's copy unchanged");
	CHECK(!strcmp(stack_buf, "stack"), "the parent's stack unchanged");
	CHECK(!strcmp(anon, "written by the child"), "MAP_SHARED memory is shared with the child");
	memset(heap, 'q', big);
	CHECK(heap[big - 1] == 'q', "the parent writes its (no longer shared) heap");
	close(fds[0]);
	munmap(anon, 1 << 20);
	free(heap);
}

static void pipes(char *self)
{
	int fds[2];
	char buf[256];
	ssize_t n, total = 0;
	pid_t pid;

	CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (int i = 0; i < 100; i++)
			if (write(fds[1], "0123456789", 10) != 10)
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		total += n;
	CHECK(n == 0 && total == 1000, "1000 bytes from the child, then end of file (%zd)", total);
	CHECK(exited(pid, 0), "the writer exited 0");
	close(fds[0]);

	/* a child's stdout into a pipe (as a shell's $(...) does) */
	CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(self, self, "echo", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n - 1 : 0] = 0;
	CHECK(!strcmp(buf, "hello from the child"), "an exec'ed child's stdout through a pipe: %s",
	      buf);
	CHECK(exited(pid, 0), "it exited 0");
	close(fds[0]);
}

/* Descriptors across fork and exec: an AF_UNIX socket pair, a shared file offset, FD_CLOEXEC
 * (the exec'ed child reports which of its descriptors 5 and 6 are open). */
static void descriptors(char *self)
{
	int sv[2], fd, cl;
	char buf[64] = "";
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	pid = fork();
	if (pid == 0) {
		char b[8] = "";

		close(sv[0]);
		if (read(sv[1], b, 4) != 4 || write(sv[1], b[0] == 'p' ? "pong" : "bad!", 4) != 4)
			_exit(1);
		_exit(0);
	}
	close(sv[1]);
	CHECK(write(sv[0], "ping", 4) == 4 && read(sv[0], buf, 4) == 4 && !memcmp(buf, "pong", 4),
	      "an AF_UNIX socket pair between parent and child: ping, pong");
	CHECK(exited(pid, 0), "the child answered");
	close(sv[0]);

	fd = open("/tmp/proc_create.off", O_RDWR | O_CREAT | O_TRUNC, 0600);
	pid = fork();
	if (pid == 0)
		_exit(write(fd, "child.", 6) == 6 ? 0 : 1);
	CHECK(exited(pid, 0) && write(fd, "parent", 6) == 6, "parent and child write one file");
	CHECK(pread(fd, buf, 12, 0) == 12 && !memcmp(buf, "child.parent", 12),
	      "the file offset is shared across fork (%.12s)", buf);
	close(fd);
	unlink("/tmp/proc_create.off");

	fd = open("/dev/null", O_RDONLY);
	cl = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(dup2(fd, 5) == 5 && dup2(cl, 6) == 6 && fcntl(6, F_SETFD, FD_CLOEXEC) == 0,
	      "fd 5 plain, fd 6 close-on-exec");
	pid = fork();
	if (pid == 0) {
		execl(self, self, "fds", (char *)NULL);
		_exit(127);
	}
	CHECK(exited(pid, 56), "after exec the child has fd 5 and not fd 6");
	close(5);
	close(6);
	close(fd);
	close(cl);
}

static volatile sig_atomic_t chld_count;

static void on_chld(int sig)
{
	chld_count++;
}

static void waiting(void)
{
	int status, p[2];
	pid_t pid, me = getpid();
	siginfo_t si;
	char c;

	errno = 0;
	CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD, "no children: ECHILD");

	pid = fork();
	if (pid == 0)
		_exit(getppid() == me ? 0 : 1);
	CHECK(exited(pid, 0), "getppid in the child is the parent's pid");

	CHECK(pipe(p) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		(void)read(p[0], &c, 1); /* until the parent closes its end */
		pause();
		_exit(0);
	}
	close(p[0]);
	CHECK(waitpid(pid, &status, WNOHANG) == 0, "WNOHANG on a running child returns 0");
	CHECK(kill(pid, SIGTERM) == 0, "kill(child, SIGTERM)");
	close(p[1]);
	status = status_of(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	      "the child's status: killed by SIGTERM (%#x)", status);

	pid = fork();
	if (pid == 0) {
		raise(SIGSEGV);
		_exit(0);
	}
	status = status_of(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "raise(SIGSEGV): killed by it");

	pid = fork();
	if (pid == 0)
		_exit(42);
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, pid, &si, WEXITED) == 0 && si.si_pid == pid &&
		      si.si_code == CLD_EXITED && si.si_status == 42 && si.si_signo == SIGCHLD,
	      "waitid: CLD_EXITED, status 42");

	pid = fork();
	if (pid == 0) {
		struct timespec cpu;

		do /* 30 ms of CPU time */
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
		while (cpu.tv_sec == 0 && cpu.tv_nsec < 30000000);
		_exit(0);
	}
	{
		struct rusage ru;
		long us;

		CHECK(exited(pid, 0) && getrusage(RUSAGE_CHILDREN, &ru) == 0,
		      "getrusage(CHILDREN)");
		us = ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec +
		     ru.ru_stime.tv_sec * 1000000;
		CHECK(us >= 25000, "it counts the 30 ms of CPU of a child waited for (%ld us)", us);
	}

	signal(SIGCHLD, on_chld);
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(exited(pid, 0), "a child ended with a SIGCHLD handler set");
	CHECK(chld_count == 1, "the SIGCHLD handler ran once (%d)", (int)chld_count);

	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	if (pid == 0)
		_exit(0);
	errno = 0;
	CHECK(waitpid(pid, &status, 0) == -1 && errno == ECHILD,
	      "SIGCHLD ignored: the child is reaped by itself (ECHILD)");
	signal(SIGCHLD, SIG_DFL);
}

static void groups(void)
{
	int p[2];
	pid_t pid;
	char c;

	CHECK(pipe(p) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		(void)read(p[0], &c, 1);
		_exit(getpgrp() == getpid() ? 0 : 1);
	}
	close(p[0]);
	CHECK(setpgid(pid, pid) == 0, "setpgid(child, child)");
	CHECK(getpgid(pid) == pid, "getpgid(child) is the child's pid");
	CHECK(getpgid(0) == getpgrp(), "getpgid(0) is getpgrp()");
	close(p[1]);
	CHECK(exited(pid, 0), "the child is its own group's leader");

	pid = fork();
	if (pid == 0)
		_exit(setsid() == getpid() && getsid(0) == getpid() ? 0 : 1);
	CHECK(exited(pid, 0), "setsid in a child: a new session led by it");

	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	usleep(20000);
	setpgid(pid, pid); /* (in case the child has not run yet) */
	CHECK(kill(-pid, SIGKILL) == 0, "kill(-pgid, SIGKILL)");
	{
		int s = status_of(pid);

		CHECK(WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL, "the group's process was killed");
	}
}

static void *spin(void *arg)
{
	while (!*(volatile int *)arg)
		usleep(1000);
	return NULL;
}

static void with_threads(void)
{
	pthread_t th;
	int stop = 0;
	pid_t pid;

	pthread_create(&th, NULL, spin, &stop);
	pid = fork();
	if (pid == 0) {
		/* one thread in the child: the caller's */
		int n = 0;
		FILE *f;

		f = fopen("/proc/self/status", "r");
		if (f) {
			char line[128];

			while (fgets(line, sizeof(line), f))
				if (sscanf(line, "Threads: %d", &n) == 1)
					break;
			fclose(f);
		}
		_exit(n == 1 ? 0 : 10 + n);
	}
	CHECK(exited(pid, 0), "fork from a program with two threads: the child has one");
	stop = 1;
	pthread_join(th, NULL);
}

static long futex(uint32_t *w, int op, uint32_t val, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	return syscall(SYS_futex, w, op, val, ms ? &ts : NULL, NULL, 0);
}

/* The child wakes the parent through a file mapped shared at another address in each: the
 * same futex (its page's). Then a private futex at the same address in both is two. */
static void futexes(void)
{
	static uint32_t word;
	int fd = open("/tmp/proc_create.futex", O_RDWR | O_CREAT | O_TRUNC, 0600);
	uint32_t *a;
	pid_t pid;
	long r;

	CHECK(fd >= 0 && ftruncate(fd, 4096) == 0, "a file for a shared futex");
	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(a != MAP_FAILED, "mmap it shared");
	pid = fork();
	if (pid == 0) {
		void *gap = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint32_t *b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		int i;

		if (gap == MAP_FAILED || b == MAP_FAILED || b == a)
			_exit(2);
		for (i = 0; i < 5000 && futex(b, FUTEX_WAKE, 1, 0) != 1; i++)
			usleep(1000);
		_exit(i < 5000 ? 0 : 1);
	}
	r = futex(a, FUTEX_WAIT, 0, 10000);
	CHECK(r == 0, "a shared futex woken by the child at another address (%ld, errno %d)", r,
	      r ? errno : 0);
	CHECK(exited(pid, 0), "the child woke one waiter");
	close(fd);
	unlink("/tmp/proc_create.futex");

	pid = fork();
	if (pid == 0) {
		long woken = 0;

		for (int i = 0; i < 100; i++) {
			woken += futex(&word, FUTEX_WAKE_PRIVATE, 1, 0);
			usleep(2000);
		}
		_exit(woken ? 1 : 0);
	}
	errno = 0;
	r = futex(&word, FUTEX_WAIT_PRIVATE, 0, 600);
	CHECK(r == -1 && errno == ETIMEDOUT,
	      "a private futex is not woken by another process at the same address");
	CHECK(exited(pid, 0), "the child's wakes found no waiter");
}

static void many(void)
{
	int bad = 0;

	for (int i = 0; i < 200; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(i & 0x7f);
		if (pid < 0 || !exited(pid, i & 0x7f))
			bad++;
	}
	CHECK(bad == 0, "200 forks, each child's status reaped (%d bad)", bad);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return 7;			     /* the posix_spawn'ed and exec'ed child */
	if (argc > 1 && strcmp(argv[1], "fds") == 0) /* descriptors(): 56 = 5 open, 6 closed */
		return (fcntl(5, F_GETFD) >= 0 ? 50 : 0) + (fcntl(6, F_GETFD) < 0 ? 6 : 0);
	if (argc > 1 && strcmp(argv[1], "echo") == 0) {
		puts("hello from the child");
		return 0;
	}
	check_start();
	fflush(stdout);
	creation(argv[0]);
	copy_on_write();
	pipes(argv[0]);
	descriptors(argv[0]);
	waiting();
	groups();
	with_threads();
	futexes();
	many();
	return check_done();
}
