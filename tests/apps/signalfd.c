/* signalfd.c: signalfd and signalfd4: argument errors, the siginfo records a read returns for
 * raise, kill, sigqueue, a timer and a child's end, several records in one read, poll, select
 * and epoll readiness, non-blocking reads, replacing the mask, a descriptor shared across fork,
 * signals sent to another thread, and blocking reads in threads woken by a kill from another
 * thread or interrupted by a handled signal (EINTR, or a restart with SA_RESTART). */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define REC sizeof(struct signalfd_siginfo)

static long signalfd4_raw(int fd, const sigset_t *mask, size_t size, int flags)
{
	return syscall(SYS_signalfd4, fd, mask, size, flags);
}

static sigset_t set_of(int a, int b, int c, int d)
{
	sigset_t s;

	sigemptyset(&s);
	for (int i = 0, sig[4] = { a, b, c, d }; i < 4; i++)
		if (sig[i])
			sigaddset(&s, sig[i]);
	return s;
}

/* poll's revents for POLLIN after waiting up to ms. */
static int pollin(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

static int pending(int sig)
{
	sigset_t s;

	sigpending(&s);
	return sigismember(&s, sig);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* One record read from fd (non-blocking): its signo, code, and whether ssi_pid is ours. */
static void check_one(int fd, int signo, int code, const char *what)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	CHECK_EQ(n, (long)REC, "%s: read one 128-byte record", what);
	CHECK_EQ(si.ssi_signo, signo, "%s: ssi_signo", what);
	CHECK_EQ(si.ssi_code, code, "%s: ssi_code", what);
	CHECK(si.ssi_pid == (uint32_t)getpid() && si.ssi_uid == getuid(),
	      "%s: ssi_pid and ssi_uid are ours", what);
}

/* A reader thread: a blocking read of fd, with what came back. */
struct reader {
	int fd;
	int unblock; /* a signal it unblocks for itself (0: none; -1: waits on gate first) */
	volatile pid_t tid;
	volatile int done;
	ssize_t n;
	int err;
	struct signalfd_siginfo si;
};

static volatile sig_atomic_t handled;
static int gate[2]; /* a reader with unblock -1 waits for a byte here first */

static void on_usr2(int sig)
{
	(void)sig;
	handled++;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	if (r->unblock < 0) {
		char c;

		r->tid = gettid();
		read(gate[0], &c, 1);
	} else if (r->unblock) {
		sigset_t s = set_of(r->unblock, 0, 0, 0);

		pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	}
	r->tid = gettid();
	errno = 0;
	r->n = read(r->fd, &r->si, sizeof(r->si));
	r->err = errno;
	r->done = 1;
	return NULL;
}

static void reader_start(pthread_t *th, struct reader *r, int fd, int unblock)
{
	*r = (struct reader){ .fd = fd, .unblock = unblock };
	pthread_create(th, NULL, reader_main, r);
	while (!r->tid)
		sleep_ms(1);
	sleep_ms(50); /* (most likely asleep in its read by now; if not, the read finds it) */
}

static void *kill_later(void *arg)
{
	(void)arg;
	sleep_ms(50);
	kill(getpid(), SIGUSR1);
	return NULL;
}

static void test_errors(void)
{
	sigset_t m = set_of(SIGUSR1, 0, 0, 0);
	int p[2];

	CHECK_ERR(signalfd4_raw(-1, &m, 4, 0), EINVAL, "signalfd4 with a sizemask of 4: EINVAL");
	CHECK_ERR(signalfd4_raw(-1, &m, 16, 0), EINVAL, "signalfd4 with a sizemask of 16: EINVAL");
	CHECK_ERR(signalfd4_raw(-1, &m, 8, 1), EINVAL, "signalfd4 with an unknown flag: EINVAL");
	CHECK_ERR(signalfd4_raw(-1, &m, 8, O_APPEND), EINVAL, "O_APPEND as a flag: EINVAL");
	CHECK_ERR(signalfd4_raw(-1, NULL, 8, 0), EFAULT, "a NULL mask: EFAULT");
	pipe(p);
	CHECK_ERR(signalfd4_raw(p[0], &m, 8, 0), EINVAL, "a pipe's descriptor: EINVAL");
	CHECK_ERR(signalfd4_raw(STDIN_FILENO, &m, 8, 0), EINVAL, "/dev/null's descriptor: EINVAL");
	CHECK_ERR(signalfd4_raw(p[1] + 100, &m, 8, 0), EBADF, "a closed descriptor: EBADF");
	close(p[0]);
	close(p[1]);
}

/* raise, kill, sigqueue; a signal outside the mask; a new mask; several records at once. */
static void test_records(int fd)
{
	struct signalfd_siginfo si[4];
	union sigval v = { .sival_ptr = (void *)0x1234 };
	sigset_t m;
	ssize_t n;

	CHECK_EQ(pollin(fd, 0), 0, "nothing pending: not readable");
	CHECK_ERR(read(fd, si, sizeof(si)), EAGAIN, "nothing pending: read gives EAGAIN");
	raise(SIGUSR1);
	CHECK_EQ(pollin(fd, 0), POLLIN, "raise(SIGUSR1): readable");
	CHECK_ERR(read(fd, si, REC - 1), EINVAL, "a read of 127 bytes: EINVAL");
	CHECK(pending(SIGUSR1), "the EINVAL read left SIGUSR1 pending");
	check_one(fd, SIGUSR1, SI_TKILL, "raise");
	CHECK(!pending(SIGUSR1), "the read took SIGUSR1 off the pending set");
	CHECK_EQ(pollin(fd, 0), 0, "then not readable");

	kill(getpid(), SIGUSR1);
	check_one(fd, SIGUSR1, SI_USER, "kill");

	sigqueue(getpid(), SIGUSR1, v);
	n = read(fd, si, sizeof(si));
	CHECK_EQ(n, (long)REC, "sigqueue: one record");
	CHECK(si[0].ssi_signo == SIGUSR1 && si[0].ssi_code == SI_QUEUE,
	      "sigqueue: SIGUSR1, SI_QUEUE");
	CHECK(si[0].ssi_ptr == 0x1234 && si[0].ssi_int == 0x1234, "sigqueue: ssi_ptr and ssi_int");
	CHECK(si[0].ssi_pid == (uint32_t)getpid(), "sigqueue: ssi_pid is ours");

	kill(getpid(), SIGUSR2);
	CHECK_EQ(pollin(fd, 0), 0, "SIGUSR2, not in the mask: not readable");
	CHECK_ERR(read(fd, si, sizeof(si)), EAGAIN, "SIGUSR2, not in the mask: EAGAIN");
	CHECK(pending(SIGUSR2), "SIGUSR2 stays pending");
	m = set_of(SIGUSR1, SIGUSR2, SIGCHLD, SIGRTMIN);
	CHECK_EQ(signalfd(fd, &m, 0), fd, "signalfd on our descriptor returns it (new mask)");
	CHECK_EQ(pollin(fd, 0), POLLIN, "with SIGUSR2 in the new mask: readable");
	CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) && fcntl(fd, F_GETFD) == FD_CLOEXEC,
	      "the flags of a new mask are ignored: still non-blocking, close-on-exec");
	check_one(fd, SIGUSR2, SI_USER, "SIGUSR2 after the new mask");
	CHECK_EQ(syscall(SYS_signalfd, fd, &m, 8), fd, "signalfd (282) on our descriptor too");

	v.sival_int = 1;
	sigqueue(getpid(), SIGRTMIN, v);
	v.sival_int = 2;
	sigqueue(getpid(), SIGRTMIN, v);
	kill(getpid(), SIGUSR1);
	n = read(fd, si, sizeof(si));
	CHECK_EQ(n, (long)(3 * REC), "three pending: one read of 4 records returns 3");
	CHECK(si[0].ssi_signo == SIGUSR1 && si[0].ssi_code == SI_USER,
	      "the lowest signal first: SIGUSR1");
	CHECK(si[1].ssi_signo == (uint32_t)SIGRTMIN && si[1].ssi_int == 1 &&
		      si[2].ssi_signo == (uint32_t)SIGRTMIN && si[2].ssi_int == 2,
	      "then SIGRTMIN twice, in the order queued");
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR2);
	n = read(fd, si, REC + REC / 2);
	CHECK_EQ(n, (long)REC, "a buffer of 1.5 records takes one");
	check_one(fd, SIGUSR2, SI_USER, "the other one is left");

	m = set_of(SIGUSR1, SIGKILL, SIGSTOP, 0);
	n = signalfd(-1, &m, SFD_NONBLOCK);
	CHECK(n >= 0, "SIGKILL and SIGSTOP in a mask are no error");
	close((int)n);
}

static void test_child(int fd)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(7);
	CHECK_EQ(pollin(fd, 10000), POLLIN, "a child ends: readable (SIGCHLD)");
	CHECK_EQ(read(fd, &si, sizeof(si)), (long)REC, "SIGCHLD: one record");
	CHECK(si.ssi_signo == SIGCHLD && si.ssi_code == CLD_EXITED, "SIGCHLD, CLD_EXITED");
	CHECK(si.ssi_pid == (uint32_t)pid, "ssi_pid is the child's");
	CHECK_EQ(si.ssi_status, 7, "ssi_status is its exit status");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7,
	      "waitpid reaps it");

	/* The descriptor is shared; what a process reads is its own signals. */
	pid = fork();
	if (pid == 0) {
		ssize_t n;

		if (read(fd, &si, sizeof(si)) != -1 || errno != EAGAIN)
			_exit(1);
		kill(getpid(), SIGUSR1);
		n = read(fd, &si, sizeof(si));
		_exit(n == (ssize_t)REC && si.ssi_signo == SIGUSR1 &&
				      si.ssi_pid == (uint32_t)getpid()
			      ? 0
			      : 2);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "a child reads its own SIGUSR1 through the inherited descriptor");
	CHECK_EQ(read(fd, &si, sizeof(si)), (long)REC, "we read its SIGCHLD");
	CHECK(si.ssi_signo == SIGCHLD && si.ssi_pid == (uint32_t)pid && si.ssi_status == 0,
	      "SIGCHLD, its pid, status 0");
	CHECK_ERR(read(fd, &si, sizeof(si)), EAGAIN, "and nothing more: its SIGUSR1 was not ours");
}

static void test_multiplex(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 }, out[4];
	struct signalfd_siginfo si;
	pthread_t th;
	fd_set rs;
	int ep;

	FD_ZERO(&rs);
	FD_SET(fd, &rs);
	kill(getpid(), SIGUSR1);
	CHECK(select(fd + 1, &rs, NULL, NULL, NULL) == 1 && FD_ISSET(fd, &rs),
	      "select: readable with SIGUSR1 pending");
	CHECK_EQ(read(fd, &si, sizeof(si)), (long)REC, "read it");

	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0, "epoll_ctl ADD the signalfd");
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0, "epoll_wait: nothing yet");
	kill(getpid(), SIGUSR1);
	CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLIN && out[0].data.u32 == 7,
	      "epoll_wait: EPOLLIN once SIGUSR1 is pending");
	CHECK(epoll_wait(ep, out, 4, 0) == 1, "level-triggered: still ready until read");
	CHECK_EQ(read(fd, &si, sizeof(si)), (long)REC, "read it");
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0, "epoll_wait: nothing after the read");
	pthread_create(&th, NULL, kill_later, NULL);
	CHECK(epoll_wait(ep, out, 4, 10000) == 1 && out[0].events == EPOLLIN,
	      "epoll_wait asleep is woken by a kill from another thread");
	pthread_join(th, NULL);
	CHECK_EQ(read(fd, &si, sizeof(si)), (long)REC, "read it");
	pthread_create(&th, NULL, kill_later, NULL);
	CHECK_EQ(pollin(fd, 10000), POLLIN, "poll asleep is woken by a kill from another thread");
	pthread_join(th, NULL);
	CHECK_EQ(read(fd, &si, sizeof(si)), (long)REC, "read it");
	close(ep);
}

static void test_timer(int fd)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 1 };
	struct itimerspec its = { .it_value = { 0, 1000000 } };
	struct signalfd_siginfo si;
	sigset_t m = set_of(SIGUSR1, SIGCHLD, SIGRTMIN + 1, 0);
	timer_t t;

	sev.sigev_value.sival_int = 77;
	CHECK_EQ(signalfd(fd, &m, 0), fd, "a mask with SIGRTMIN+1");
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &sev, &t), 0, "timer_create SIGRTMIN+1");
	timer_settime(t, 0, &its, NULL);
	CHECK_EQ(pollin(fd, 10000), POLLIN, "the timer expires: readable");
	CHECK_EQ(read(fd, &si, sizeof(si)), (long)REC, "the timer's record");
	CHECK(si.ssi_signo == (uint32_t)SIGRTMIN + 1 && si.ssi_code == SI_TIMER,
	      "SIGRTMIN+1, SI_TIMER");
	CHECK(si.ssi_int == 77 && si.ssi_overrun == 0, "ssi_int is the timer's value, no overrun");
	timer_delete(t);
}

static void test_threads(int fd)
{
	sigset_t m = set_of(SIGUSR1, 0, 0, 0);
	struct sigaction sa = { .sa_handler = on_usr2 };
	struct signalfd_siginfo si;
	struct reader r;
	pthread_t th;
	int bfd;

	bfd = signalfd(-1, &m, SFD_CLOEXEC);
	CHECK(bfd >= 0 && !(fcntl(bfd, F_GETFL) & O_NONBLOCK), "a blocking signalfd for SIGUSR1");

	reader_start(&th, &r, bfd, 0);
	kill(getpid(), SIGUSR1);
	pthread_join(th, NULL);
	CHECK(r.n == (ssize_t)REC && r.si.ssi_signo == SIGUSR1 && r.si.ssi_code == SI_USER,
	      "a thread's blocking read is woken by kill from the main thread");

	reader_start(&th, &r, bfd, 0);
	syscall(SYS_tgkill, getpid(), r.tid, SIGUSR1);
	pthread_join(th, NULL);
	CHECK(r.n == (ssize_t)REC && r.si.ssi_signo == SIGUSR1 && r.si.ssi_code == SI_TKILL,
	      "... and by tgkill to that thread");

	/* A signal for another thread is not ours to read: the thread first waits on a pipe,
	 * then reads the (non-blocking) fd. */
	pipe(gate);
	reader_start(&th, &r, fd, -1);
	syscall(SYS_tgkill, getpid(), r.tid, SIGUSR1);
	CHECK_EQ(pollin(fd, 0), 0, "SIGUSR1 sent to another thread: not readable for us");
	CHECK_ERR(read(fd, &si, sizeof(si)), EAGAIN, "... and EAGAIN for us");
	write(gate[1], "", 1);
	pthread_join(th, NULL);
	CHECK(r.n == (ssize_t)REC && r.si.ssi_signo == SIGUSR1 && r.si.ssi_code == SI_TKILL,
	      "that thread reads it");
	close(gate[0]);
	close(gate[1]);

	sigaction(SIGUSR2, &sa, NULL); /* no SA_RESTART */
	handled = 0;
	reader_start(&th, &r, bfd, SIGUSR2);
	for (int i = 0; i < 500 && !r.done; i++) {
		pthread_kill(th, SIGUSR2);
		sleep_ms(20);
	}
	pthread_join(th, NULL);
	CHECK(r.n == -1 && r.err == EINTR && handled > 0,
	      "a handled signal interrupts a blocking read: EINTR");

	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
	handled = 0;
	reader_start(&th, &r, bfd, SIGUSR2);
	for (int i = 0; i < 500 && !handled; i++) {
		pthread_kill(th, SIGUSR2);
		sleep_ms(20);
	}
	sleep_ms(20);
	CHECK(!r.done, "with SA_RESTART the read goes on after the handler");
	kill(getpid(), SIGUSR1);
	pthread_join(th, NULL);
	CHECK(r.n == (ssize_t)REC && r.si.ssi_signo == SIGUSR1, "and returns the next SIGUSR1");
	signal(SIGUSR2, SIG_DFL);
	close(bfd);
}

/* A dnotify watch whose events come as a real-time signal (F_SETSIG), read through a
 * signalfd: si_fd and si_band are there, as for SIGIO. */
static void test_sigio_fields(void)
{
	sigset_t m = set_of(SIGRTMIN + 1, 0, 0, 0);
	struct signalfd_siginfo si;
	char dir[] = "/tmp/mote-sfd-XXXXXX", file[64];
	int sfd = signalfd(-1, &m, SFD_NONBLOCK), dfd, f;

	CHECK(sfd >= 0 && mkdtemp(dir), "a signalfd for SIGRTMIN+1 and a directory");
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && fcntl(dfd, F_SETSIG, SIGRTMIN + 1) == 0 &&
		      fcntl(dfd, F_NOTIFY, DN_CREATE) == 0,
	      "F_SETSIG SIGRTMIN+1, F_NOTIFY DN_CREATE on it");
	snprintf(file, sizeof(file), "%s/f", dir);
	f = open(file, O_CREAT | O_WRONLY, 0600);
	CHECK(f >= 0, "create a file in it");
	memset(&si, 0, sizeof(si));
	CHECK(read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == (uint32_t)SIGRTMIN + 1,
	      "the signalfd reads the signal");
	CHECK(si.ssi_code == POLL_MSG && si.ssi_fd == dfd &&
		      si.ssi_band == (POLLIN | POLLRDNORM | POLLMSG),
	      "ssi_code POLL_MSG, ssi_fd the directory, ssi_band POLLIN|POLLRDNORM|POLLMSG");
	close(f);
	unlink(file);
	close(dfd);
	rmdir(dir);
	close(sfd);
}

int main(void)
{
	sigset_t blocked = set_of(SIGUSR1, SIGUSR2, SIGCHLD, SIGRTMIN), m;
	char link[64], path[64];
	ssize_t n;
	int fd;

	check_start();
	sigaddset(&blocked, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	test_errors();

	m = set_of(SIGUSR1, SIGCHLD, 0, 0);
	fd = signalfd(-1, &m, SFD_CLOEXEC | SFD_NONBLOCK);
	CHECK(fd >= 0, "signalfd(-1, {SIGUSR1, SIGCHLD}, SFD_CLOEXEC | SFD_NONBLOCK)");
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC, "close-on-exec");
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "non-blocking");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(link, 0, sizeof(link));
	n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0 && strcmp(link, "anon_inode:[signalfd]") == 0,
	      "its /proc/self/fd link: anon_inode:[signalfd]");

	test_records(fd);
	test_child(fd);
	test_multiplex(fd);
	test_timer(fd);
	test_threads(fd);
	test_sigio_fields();
	CHECK(!pending(SIGUSR1) && !pending(SIGUSR2) && !pending(SIGCHLD), "nothing left pending");
	close(fd);
	return check_done();
}
