/* epoll.c: epoll_create1/ctl/wait/pwait and eventfd2: level and edge triggering, one-shot,
 * data cookies, hang-ups, timeouts, masks, wake-ups from a thread, nested epoll, the console, and
 * eventfd counter and semaphore semantics. */
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void eventfds(void)
{
	uint64_t v = 0, max = 0xfffffffffffffffeULL;
	int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), s;

	CHECK(e >= 0 && fcntl(e, F_GETFD) == FD_CLOEXEC, "eventfd2 EFD_NONBLOCK|EFD_CLOEXEC");
	CHECK_ERR(read(e, &v, 8), EAGAIN, "reading a zero counter: EAGAIN");
	v = 3;
	write(e, &v, 8);
	v = 4;
	write(e, &v, 8);
	CHECK(read(e, &v, 8) == 8 && v == 7, "writes 3 and 4, read gives 7 and resets");
	CHECK_ERR(read(e, &v, 4), EINVAL, "a 4-byte read: EINVAL");
	v = 0xffffffffffffffffULL;
	CHECK_ERR(write(e, &v, 8), EINVAL, "writing 2^64-1: EINVAL");
	CHECK(write(e, &max, 8) == 8, "the counter takes 2^64-2");
	v = 1;
	CHECK_ERR(write(e, &v, 8), EAGAIN, "and then would overflow: EAGAIN");
	close(e);
	s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(read(s, &v, 8) == 8 && v == 1 && read(s, &v, 8) == 8 && v == 1,
	      "EFD_SEMAPHORE: each read takes 1");
	CHECK_ERR(read(s, &v, 8), EAGAIN, "until the count is used up");
	close(s);
}

static int wake_fd;

static void *waker(void *arg)
{
	uint64_t one = 1;

	nanosleep(&(struct timespec){ 0, 30000000 }, NULL);
	write(wake_fd, &one, 8);
	return NULL;
}

static void epolls(void)
{
	struct epoll_event ev, out[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), p[2], inner;
	pthread_t t;
	uint64_t v;
	char c;
	long t0;

	CHECK(ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC, "epoll_create1 EPOLL_CLOEXEC");
	CHECK_ERR(epoll_create1(12345), EINVAL, "epoll_create1 with bad flags: EINVAL");
	pipe2(p, O_NONBLOCK);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0x1122334455667788ULL };
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0, "EPOLL_CTL_ADD the pipe's read end");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST, "adding it twice: EEXIST");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT,
		  "modifying an absent fd: ENOENT");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL,
		  "adding an epoll to itself: EINVAL");
	t0 = now_ms();
	CHECK(epoll_wait(ep, out, 4, 30) == 0 && now_ms() - t0 >= 29,
	      "epoll_wait times out: 30 ms");
	write(p[1], "ab", 2);
	CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLIN &&
		      out[0].data.u64 == 0x1122334455667788ULL,
	      "data: EPOLLIN with our 64-bit cookie");
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 1, "level-triggered: reported again");
	ev.events = EPOLLIN | EPOLLET;
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0, "EPOLL_CTL_MOD to edge-triggered");
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 1, "edge-triggered: reported once");
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0, "and not again without new data");
	write(p[1], "c", 1);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 1, "new data: a new edge");
	while (read(p[0], &c, 1) == 1)
		;
	ev.events = EPOLLIN | EPOLLONESHOT;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	write(p[1], "d", 1);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 1, "EPOLLONESHOT: one event");
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0, "then disabled though data remains");
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 1, "re-armed by EPOLL_CTL_MOD");
	ev.events = EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	close(p[1]);
	CHECK(epoll_wait(ep, out, 4, 0) == 1 && (out[0].events & EPOLLHUP),
	      "writer closed: EPOLLHUP");
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0, "EPOLL_CTL_DEL");
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0, "no events after DEL");
	close(p[0]);

	wake_fd = eventfd(0, 0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = wake_fd };
	epoll_ctl(ep, EPOLL_CTL_ADD, wake_fd, &ev);
	pthread_create(&t, NULL, waker, NULL);
	CHECK(epoll_wait(ep, out, 4, 5000) == 1 && out[0].data.fd == wake_fd,
	      "a thread's eventfd write wakes epoll_wait");
	pthread_join(t, NULL);
	CHECK(read(wake_fd, &v, 8) == 8 && v == 1, "and the eventfd reads 1");

	inner = epoll_create1(0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = inner };
	epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = wake_fd };
	epoll_ctl(inner, EPOLL_CTL_ADD, wake_fd, &ev);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0, "nested epoll: quiet while the eventfd is");
	v = 1;
	write(wake_fd, &v, 8);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 2,
		 "nested epoll: both the eventfd and the inner epoll");
	close(inner);
	close(wake_fd);
	close(ep);
}

static volatile int caught;

static void on_usr1(int sig)
{
	caught = 1;
}

static void pwait_and_console(void)
{
	struct epoll_event ev = { .events = EPOLLOUT }, out[2];
	int ep = epoll_create1(0), r;
	sigset_t block, empty;
	struct stat st;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	CHECK(epoll_pwait(ep, out, 2, 0, &block) == 0 && !caught, "epoll_pwait keeping the mask");
	CHECK_ERR(epoll_pwait(ep, out, 2, 1000, &empty), EINTR,
		  "epoll_pwait unmasking a pending signal: EINTR");
	CHECK(caught, "the handler ran");
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	/* The console is a terminal inside Mote (pollable) and a file natively (not: EPERM). */
	fstat(1, &st);
	r = epoll_ctl(ep, EPOLL_CTL_ADD, 1, &ev);
	CHECK(S_ISREG(st.st_mode)
		      ? r < 0 && errno == EPERM
		      : r == 0 && epoll_wait(ep, out, 2, 1000) == 1 && (out[0].events & EPOLLOUT),
	      "stdout: writable under epoll (a regular file is refused with EPERM)");
	CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL, "epoll_wait for 0 events: EINVAL");
	r = open("/dev/null", O_RDONLY);
	CHECK_ERR(epoll_wait(r, out, 1, 0), EINVAL, "epoll_wait on /dev/null: EINVAL");
	close(r);
	close(ep);
}

int main(void)
{
	check_start();
	eventfds();
	epolls();
	pwait_and_console();
	return check_done();
}
