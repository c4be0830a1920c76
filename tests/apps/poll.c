/* poll.c: poll, ppoll, select and pselect6 on pipes, /dev/null and the console (stdout/stderr):
 * readiness, hang-up and error events, timeouts, signal masks during the wait, bad descriptors. */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/select.h>
#include <time.h>

static volatile int caught;

static void on_usr1(int sig)
{
	caught++;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int late_writer_fd;

static void *late_writer(void *arg)
{
	nanosleep(&(struct timespec){ 0, 30000000 }, NULL);
	write(late_writer_fd, "L", 1);
	return NULL;
}

static void polls(void)
{
	struct pollfd pf[4];
	int p[2], q[2], null = open("/dev/null", O_RDWR);
	volatile nfds_t too_many = 1 << 30; /* volatile: keeps the compiler from objecting */
	pthread_t t;
	long t0;
	char c;

	pipe(p);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	CHECK(poll(pf, 2, 0) == 1 && pf[0].revents == 0 && pf[1].revents == POLLOUT,
	      "poll: an empty pipe is writable, not readable");
	write(p[1], "x", 1);
	CHECK(poll(pf, 1, 0) == 1 && pf[0].revents == POLLIN, "after a write: POLLIN");
	read(p[0], &c, 1);
	t0 = now_ms();
	CHECK(poll(pf, 1, 50) == 0 && now_ms() - t0 >= 49, "poll times out after 50 ms");
	late_writer_fd = p[1];
	pthread_create(&t, NULL, late_writer, NULL);
	CHECK(poll(pf, 1, 5000) == 1 && pf[0].revents == POLLIN, "poll wakes when a thread writes");
	pthread_join(t, NULL);
	read(p[0], &c, 1);
	close(p[1]);
	CHECK(poll(pf, 1, 0) == 1 && (pf[0].revents & POLLHUP), "writer closed: POLLHUP");
	pipe(q);
	close(q[0]);
	pf[0] = (struct pollfd){ .fd = q[1], .events = POLLOUT };
	CHECK(poll(pf, 1, 0) == 1 && (pf[0].revents & POLLERR), "reader closed: POLLERR");
	close(q[1]);
	pf[0] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 7 };
	pf[1] = (struct pollfd){ .fd = 999, .events = POLLIN };
	pf[2] = (struct pollfd){ .fd = null, .events = POLLIN | POLLOUT };
	pf[3] = (struct pollfd){ .fd = 1, .events = POLLOUT };
	CHECK(poll(pf, 4, 0) == 3 && pf[0].revents == 0, "a negative fd is skipped, revents 0");
	CHECK_EQ(pf[1].revents, POLLNVAL, "a closed fd: POLLNVAL");
	CHECK_EQ(pf[2].revents, POLLIN | POLLOUT, "/dev/null: POLLIN|POLLOUT");
	CHECK_EQ(pf[3].revents, POLLOUT, "the console (stdout): POLLOUT");
	CHECK_ERR(poll(pf, too_many, 0), EINVAL, "poll with more fds than RLIMIT_NOFILE: EINVAL");
	close(p[0]);
	close(null);
}

static void masked_waits(void)
{
	struct timespec zero = { 0, 0 }, ten_ms = { 0, 10000000 };
	sigset_t block, empty;
	struct pollfd pf;
	fd_set rd;
	int p[2];

	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pipe(p);
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	CHECK_EQ(ppoll(&pf, 1, &ten_ms, NULL), 0, "ppoll times out");
	raise(SIGUSR1);
	CHECK(ppoll(&pf, 1, &zero, &block) == 0 && caught == 0,
	      "ppoll with SIGUSR1 still masked: not delivered");
	CHECK_ERR(ppoll(&pf, 1, NULL, &empty), EINTR, "ppoll unmasking a pending signal: EINTR");
	CHECK_EQ(caught, 1, "the handler ran during ppoll");
	CHECK_EQ(ppoll(&pf, 1, &zero, &empty), 0, "ppoll with nothing pending returns 0");
	raise(SIGUSR1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	CHECK_ERR(pselect(p[0] + 1, &rd, NULL, NULL, NULL, &empty), EINTR,
		  "pselect unmasking a pending signal: EINTR");
	CHECK_EQ(caught, 2, "the handler ran during pselect");
	sigprocmask(SIG_BLOCK, NULL, &empty);
	CHECK(sigismember(&empty, SIGUSR1), "the old mask is back after both");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	close(p[0]);
	close(p[1]);
}

static void selects(void)
{
	struct timeval tv = { 0, 30000 };
	struct timespec ts = { 0, 10000000 };
	fd_set rd, wr, ex;
	int p[2];
	long t0;

	pipe(p);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	FD_SET(1, &wr);
	CHECK(select(p[1] + 1, &rd, &wr, NULL, &tv) == 2 && !FD_ISSET(p[0], &rd) &&
		      FD_ISSET(p[1], &wr) && FD_ISSET(1, &wr),
	      "select: pipe and console writable, pipe not readable");
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	t0 = now_ms();
	tv = (struct timeval){ 0, 30000 };
	CHECK(select(p[0] + 1, &rd, NULL, NULL, &tv) == 0 && now_ms() - t0 >= 29 &&
		      tv.tv_sec == 0 && tv.tv_usec == 0,
	      "select times out after 30 ms and zeroes the timeval");
	write(p[1], "ab", 2);
	FD_SET(p[0], &rd);
	FD_ZERO(&ex);
	FD_SET(p[0], &ex);
	CHECK(select(p[0] + 1, &rd, NULL, &ex, NULL) == 1 && FD_ISSET(p[0], &rd) &&
		      !FD_ISSET(p[0], &ex),
	      "data: readable, no exception");
	FD_SET(p[0], &rd);
	CHECK(pselect(p[0] + 1, &rd, NULL, NULL, &ts, NULL) == 1 && FD_ISSET(p[0], &rd),
	      "pselect sees it too");
	FD_ZERO(&rd);
	FD_SET(p[1] + 10, &rd);
	tv = (struct timeval){ 0, 0 };
	CHECK_ERR(select(p[1] + 11, &rd, NULL, NULL, &tv), EBADF, "select on a closed fd: EBADF");
	tv = (struct timeval){ 0, -1 };
	CHECK_ERR(select(0, NULL, NULL, NULL, &tv), EINVAL, "select with a bad timeval: EINVAL");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	check_start();
	polls();
	masked_waits();
	selects();
	return check_done();
}
