/* polling.c: what poll.c and epoll.c leave out: a thousand descriptors under poll, select and
 * epoll, ready lists longer than maxevents, the epoll_ctl errors (ELOOP depth, EPERM, misuse of
 * EPOLLEXCLUSIVE), items that live as long as the open file (not the descriptor), epoll_pwait2,
 * blocking eventfd reads and writes, the time select/pselect6/ppoll write back, and that a
 * waiting thread uses no CPU.
 * `polling idle MS` (tests/e2e/polling.sh) instead waits MS ms in each of epoll_wait, poll and
 * select, then measures wake-up latencies (a thread's eventfd write to epoll_wait's return). */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>

#define MANY 1000

static int efd[MANY];

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static long cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	nanosleep(&(struct timespec){ ms / 1000, ms % 1000 * 1000000 }, NULL);
}

static void post(int fd, uint64_t v)
{
	if (write(fd, &v, 8) != 8)
		printf("FAIL write to an eventfd: %s\n", strerror(errno));
}

struct later {
	int fd;
	long ms;
	uint64_t v;
	int read; /* read instead of write */
};

static void *do_later(void *arg)
{
	struct later *l = arg;
	uint64_t v;

	nap_ms(l->ms);
	if (l->read) {
		if (read(l->fd, &v, 8) != 8)
			printf("FAIL read from an eventfd: %s\n", strerror(errno));
	} else {
		post(l->fd, l->v);
	}
	return NULL;
}

static pthread_t later(struct later *l)
{
	pthread_t t;

	pthread_create(&t, NULL, do_later, l);
	return t;
}

static void many(void)
{
	struct pollfd *pf = calloc(MANY, sizeof(*pf));
	struct epoll_event ev, out[8];
	int ep = epoll_create1(0), ok = 1, got = 0, seen[10] = { 0 };
	struct later l = { 0, 20, 1, 0 };
	fd_set wr;
	uint64_t v;
	pthread_t t;
	long t0;

	for (int i = 0; i < MANY; i++) {
		efd[i] = eventfd(0, EFD_NONBLOCK);
		ok &= efd[i] >= 0;
	}
	CHECK(ok, "%d eventfds", MANY);
	for (int i = 0; i < MANY; i++) {
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = i };
		ok &= epoll_ctl(ep, EPOLL_CTL_ADD, efd[i], &ev) == 0;
	}
	CHECK(ok, "epoll_ctl ADD of all of them");
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "none ready");
	for (int i = 0; i < 10; i++)
		post(efd[i * 97], 1);
	for (int round = 0; round < 4; round++) {
		int n = epoll_wait(ep, out, 3, 0);

		for (int k = 0; k < n; k++)
			if (out[k].data.u32 % 97 == 0 && out[k].data.u32 / 97 < 10 &&
			    out[k].events == EPOLLIN && !seen[out[k].data.u32 / 97]++)
				got++;
	}
	CHECK_EQ(
		got, 10,
		"10 ready, 3 at a time: all 10 reported within 4 waits (level-triggered, round robin)");
	for (int i = 0; i < 10; i++)
		read(efd[i * 97], &v, 8);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "read: none ready again");
	l.fd = efd[MANY - 1];
	t = later(&l);
	CHECK(epoll_wait(ep, out, 8, 5000) == 1 && out[0].data.u32 == MANY - 1,
	      "a thread's write to the last of %d wakes epoll_wait", MANY);
	pthread_join(t, NULL);
	read(efd[MANY - 1], &v, 8);

	for (int i = 0; i < MANY; i++)
		pf[i] = (struct pollfd){ .fd = efd[i], .events = POLLIN };
	CHECK_EQ(poll(pf, MANY, 0), 0, "poll of %d: none readable", MANY);
	t0 = now_ms();
	t = later(&l);
	CHECK(poll(pf, MANY, 5000) == 1 && pf[MANY - 1].revents == POLLIN && now_ms() - t0 < 4000,
	      "poll of %d wakes for the last one", MANY);
	pthread_join(t, NULL);
	read(efd[MANY - 1], &v, 8);
	for (int i = 0; i < MANY; i++)
		pf[i].events = POLLOUT;
	CHECK_EQ(poll(pf, MANY, 0), MANY, "poll of %d: all writable", MANY);

	FD_ZERO(&wr);
	for (int i = 0; i < MANY; i++)
		if (efd[i] < FD_SETSIZE)
			FD_SET(efd[i], &wr);
	CHECK_EQ(select(efd[MANY - 1] + 1, NULL, &wr, NULL, &(struct timeval){ 0, 0 }), MANY,
		 "select of %d: all writable", MANY);

	for (int i = 0; i < MANY; i++)
		close(efd[i]);
	CHECK_EQ(epoll_wait(ep, out, 8, 0), 0, "all closed: the interest list is empty");
	close(ep);
	free(pf);
}

static void ctl_errors(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int e[6], a = epoll_create1(0), b = epoll_create1(0), x = eventfd(0, 0), y = eventfd(0, 0);
	const char *dir = check_tmpdir();
	char path[256];
	int reg, r = 0;

	for (int i = 0; i < 6; i++)
		e[i] = epoll_create1(0);
	for (int i = 1; i < 5; i++)
		r |= epoll_ctl(e[i], EPOLL_CTL_ADD, e[i - 1], &ev);
	CHECK_EQ(r, 0, "a chain of 5 nested epolls");
	CHECK_ERR(epoll_ctl(e[5], EPOLL_CTL_ADD, e[4], &ev), ELOOP, "a 6th level: ELOOP");
	CHECK_EQ(epoll_ctl(b, EPOLL_CTL_ADD, a, &ev), 0, "a inside b");
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_ADD, b, &ev), ELOOP, "b inside a too: ELOOP (a cycle)");
	r = dup(a);
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_ADD, r, &ev), EINVAL,
		  "an epoll inside itself via dup: EINVAL");
	close(r);
	CHECK_ERR(epoll_ctl(a, 99, x, &ev), EINVAL, "an unknown op: EINVAL");
	CHECK_ERR(epoll_ctl(x, EPOLL_CTL_ADD, a, &ev), EINVAL, "epfd not an epoll: EINVAL");
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_ADD, 999, &ev), EBADF, "a closed target fd: EBADF");
	CHECK_ERR(epoll_ctl(999, EPOLL_CTL_ADD, x, &ev), EBADF, "a closed epfd: EBADF");
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_DEL, x, NULL), ENOENT, "DEL of an absent fd: ENOENT");
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_ADD, x, (void *)8), EFAULT, "a bad event pointer: EFAULT");
	snprintf(path, sizeof(path), "%s/f", dir);
	reg = open(path, O_RDWR | O_CREAT, 0600);
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_ADD, reg, &ev), EPERM, "a regular file: EPERM");
	close(reg);
	reg = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_ADD, reg, &ev), EPERM, "a directory: EPERM");
	close(reg);
	unlink(path);
	rmdir(dir);

	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK_EQ(epoll_ctl(a, EPOLL_CTL_ADD, x, &ev), 0, "EPOLLEXCLUSIVE accepted with ADD");
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_MOD, x, &ev), EINVAL, "and refused with MOD: EINVAL");
	ev.events = EPOLLIN;
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_MOD, x, &ev), EINVAL,
		  "an exclusive item cannot be modified");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	CHECK_ERR(epoll_ctl(a, EPOLL_CTL_ADD, y, &ev), EINVAL,
		  "EPOLLEXCLUSIVE | EPOLLONESHOT: EINVAL");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK_ERR(epoll_ctl(b, EPOLL_CTL_ADD, e[0], &ev), EINVAL,
		  "EPOLLEXCLUSIVE on an epoll: EINVAL");
	CHECK_EQ(epoll_ctl(b, EPOLL_CTL_ADD, x, &ev), 0, "a second exclusive watcher of x");
	post(x, 1);
	CHECK(epoll_wait(a, &ev, 1, 1000) == 1 && ev.events == EPOLLIN,
	      "an exclusive watcher reports the event");
	for (int i = 0; i < 6; i++)
		close(e[i]);
	close(a);
	close(b);
	close(x);
	close(y);
}

static void lifetimes(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 }, out[2];
	int ep = epoll_create1(0), x = eventfd(1, 0), d = dup(x), inner = epoll_create1(0);
	struct pollfd pf = { .fd = inner, .events = POLLIN };

	epoll_ctl(ep, EPOLL_CTL_ADD, x, &ev);
	close(x);
	CHECK(epoll_wait(ep, out, 2, 0) == 1 && out[0].data.u64 == 42,
	      "closing one descriptor of a dup'd file keeps its item");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, x, NULL), EBADF, "DEL by the closed number: EBADF");
	close(d);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0, "closing the last one removes it");

	x = eventfd(0, 0);
	ev.events = EPOLLIN;
	epoll_ctl(inner, EPOLL_CTL_ADD, x, &ev);
	CHECK_EQ(poll(&pf, 1, 0), 0, "poll on an epoll: not readable while it has nothing");
	post(x, 1);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "readable once it has an event");
	ev.events = EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev);
	close(inner);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 0, "a closed inner epoll leaves the outer one");
	close(x);
	close(ep);
}

static void fd_names(void)
{
	int fds[2] = { eventfd(0, 0), epoll_create1(0) };
	char link[2][64] = { "", "" }, path[64];

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		if (readlink(path, link[i], sizeof(link[i]) - 1) < 0)
			strcpy(link[i], strerror(errno));
		close(fds[i]);
	}
	CHECK_STR(link[0], "anon_inode:[eventfd]", "/proc/self/fd of an eventfd");
	CHECK_STR(link[1], "anon_inode:[eventpoll]", "/proc/self/fd of an epoll");
}

static void edges_and_timeouts(void)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLET, .data.u32 = 7 }, out[2];
	int ep = epoll_create1(0), p[2], n = 0;
	struct timespec ts = { 0, 20000000 };
	char buf[4096] = { 0 };
	long t0;

	pipe2(p, O_NONBLOCK);
	epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
	CHECK_EQ(epoll_wait(ep, out, 2, 0), 1, "EPOLLET|EPOLLOUT: an empty pipe is writable once");
	while (write(p[1], buf, sizeof(buf)) > 0)
		n++;
	CHECK(n > 0 && epoll_wait(ep, out, 2, 0) == 0, "full: no event");
	read(p[0], buf, sizeof(buf));
	CHECK(epoll_wait(ep, out, 2, 0) == 1 && out[0].events == EPOLLOUT && out[0].data.u32 == 7,
	      "a read makes room: a new EPOLLOUT edge");
	t0 = now_ms();
	CHECK(syscall(SYS_epoll_pwait2, ep, out, 2, &ts, NULL, 8) == 0 && now_ms() - t0 >= 19,
	      "epoll_pwait2 times out after 20 ms");
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 2, &(struct timespec){ 0, -1 }, NULL, 8),
		  EINVAL, "epoll_pwait2 with a bad timespec: EINVAL");
	CHECK_ERR(syscall(SYS_epoll_wait, ep, 0xffff800000000000UL, 2, 0), EFAULT,
		  "epoll_wait into a kernel address: EFAULT");
	epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
	n = eventfd(1, 0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 8 };
	epoll_ctl(ep, EPOLL_CTL_ADD, n, &ev);
	CHECK_ERR(syscall(SYS_epoll_wait, ep, 8UL, 2, 0), EFAULT,
		  "an event to copy to an unmapped page: EFAULT");
	CHECK(epoll_wait(ep, out, 2, 0) == 1 && out[0].data.u32 == 8, "the event is still there");
	CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 2, 0, &(uint64_t){ 0 }, 4), EINVAL,
		  "epoll_pwait with a 4-byte sigset: EINVAL");
	close(n);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void eventfd_blocking(void)
{
	int e = eventfd(0, 0), s = eventfd(0, EFD_SEMAPHORE);
	struct later l = { e, 20, 5, 0 };
	struct pollfd pf = { .fd = e, .events = POLLIN | POLLOUT };
	uint64_t v = 0, big[2];
	pthread_t t;

	t = later(&l);
	CHECK(read(e, &v, 8) == 8 && v == 5, "a blocking read waits for a thread's write of 5");
	pthread_join(t, NULL);
	post(e, 0xfffffffffffffffdULL);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == (POLLIN | POLLOUT), "near the top: in and out");
	post(e, 1);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "at 2^64-2: not writable");
	l = (struct later){ e, 20, 0, 1 };
	t = later(&l);
	v = 7;
	CHECK(write(e, &v, 8) == 8, "a blocking write waits for a thread's read to make room");
	pthread_join(t, NULL);
	CHECK(read(e, big, sizeof(big)) == 8 && big[0] == 7, "a 16-byte read returns 8 bytes: 7");
	CHECK_ERR(eventfd(0, 0x40), EINVAL, "eventfd2 with an unknown flag: EINVAL");
	CHECK_EQ(fcntl(e, F_GETFL) & O_ACCMODE, O_RDWR, "an eventfd is open read-write");
	post(s, 2);
	pf = (struct pollfd){ .fd = s, .events = POLLIN };
	CHECK(read(s, &v, 8) == 8 && v == 1 && poll(&pf, 1, 0) == 1, "semaphore: 1 taken, 1 left");
	CHECK(read(s, &v, 8) == 8 && v == 1 && poll(&pf, 1, 0) == 0, "then none left");
	close(e);
	close(s);
}

static void select_times(void)
{
	struct later l = { 0, 30, 1, 0 };
	struct timeval tv = { 2, 0 };
	struct timespec ts = { 2, 0 };
	struct pollfd pf;
	fd_set rd;
	pthread_t t;
	uint64_t v;
	long t0;
	int e = eventfd(0, 0);

	l.fd = e;
	FD_ZERO(&rd);
	FD_SET(e, &rd);
	t = later(&l);
	CHECK(select(e + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(e, &rd), "select wakes");
	pthread_join(t, NULL);
	CHECK(tv.tv_sec == 1 && tv.tv_usec > 0, "select leaves the time left in the timeval");
	read(e, &v, 8);
	t = later(&l);
	CHECK(syscall(SYS_pselect6, e + 1, &rd, NULL, NULL, &ts, NULL) == 1,
	      "pselect6 (the system call) wakes");
	pthread_join(t, NULL);
	CHECK(ts.tv_sec == 1 && ts.tv_nsec > 0, "and leaves the time left in the timespec");
	read(e, &v, 8);
	ts = (struct timespec){ 2, 0 };
	pf = (struct pollfd){ .fd = e, .events = POLLIN };
	t = later(&l);
	CHECK(syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8) == 1 && ts.tv_sec == 1,
	      "ppoll (the system call) too");
	pthread_join(t, NULL);
	read(e, &v, 8);
	t0 = now_ms();
	CHECK(select(0, NULL, NULL, NULL, &(struct timeval){ 0, 20000 }) == 0 &&
		      now_ms() - t0 >= 19,
	      "select with no sets sleeps 20 ms");
	t0 = now_ms();
	CHECK(poll(NULL, 0, 20) == 0 && now_ms() - t0 >= 19, "poll of nothing sleeps 20 ms");
	pf = (struct pollfd){ .fd = e, .events = 0 };
	CHECK_EQ(poll(&pf, 1, 0), 0, "events 0: nothing to report");
	close(e);
}

/* A thread blocked in poll, select or epoll_wait for 300 ms costs (almost) no CPU time. */
static void idle_waits(void)
{
	int ep = epoll_create1(0), e = eventfd(0, 0);
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct pollfd pf = { .fd = e, .events = POLLIN };
	fd_set rd;
	long c0, t0;

	epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
	c0 = cpu_ms();
	t0 = now_ms();
	CHECK(epoll_wait(ep, &out, 1, 300) == 0 && now_ms() - t0 >= 299, "epoll_wait 300 ms");
	CHECK(cpu_ms() - c0 < 30, "cost less than 30 ms of CPU");
	c0 = cpu_ms();
	CHECK_EQ(poll(&pf, 1, 300), 0, "poll 300 ms");
	CHECK(cpu_ms() - c0 < 30, "cost less than 30 ms of CPU");
	FD_ZERO(&rd);
	FD_SET(e, &rd);
	c0 = cpu_ms();
	CHECK_EQ(select(e + 1, &rd, NULL, NULL, &(struct timeval){ 0, 300000 }), 0,
		 "select 300 ms");
	CHECK(cpu_ms() - c0 < 30, "cost less than 30 ms of CPU");
	close(e);
	close(ep);
}

/* Two waiters on one epoll, two writers, one thread churning ADD/DEL/close: every posted
 * count is read exactly once. */
#define STRESS_FDS 16
#define STRESS_POSTS 5000

static int stress_ep, stress_fd[STRESS_FDS];
static volatile int stress_done;
static long stress_read[2];

static void *stress_writer(void *arg)
{
	long k = (long)arg;

	for (int i = 0; i < STRESS_POSTS; i++)
		post(stress_fd[(i * 7 + k) % STRESS_FDS], 1);
	return NULL;
}

static void *stress_waiter(void *arg)
{
	long k = (long)arg;
	struct epoll_event out[4];
	uint64_t v;

	while (!stress_done || epoll_wait(stress_ep, out, 4, 0) > 0) {
		int n = epoll_wait(stress_ep, out, 4, 20);

		for (int i = 0; i < n; i++)
			if (out[i].data.u32 < STRESS_FDS &&
			    read(stress_fd[out[i].data.u32], &v, 8) == 8)
				stress_read[k] += (long)v;
	}
	return NULL;
}

static void *stress_churn(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u32 = STRESS_FDS };
	int p[2];

	for (int i = 0; i < 300; i++) {
		pipe(p);
		epoll_ctl(stress_ep, EPOLL_CTL_ADD, p[1], &ev);
		if (i % 2)
			epoll_ctl(stress_ep, EPOLL_CTL_DEL, p[1], NULL);
		close(p[0]);
		close(p[1]);
	}
	return NULL;
}

static void stress(void)
{
	pthread_t w[2], p[2], c;
	struct epoll_event ev;
	int ok = 1;

	stress_ep = epoll_create1(0);
	for (int i = 0; i < STRESS_FDS; i++) {
		stress_fd[i] = eventfd(0, EFD_NONBLOCK);
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = i };
		ok &= epoll_ctl(stress_ep, EPOLL_CTL_ADD, stress_fd[i], &ev) == 0;
	}
	for (long k = 0; k < 2; k++)
		pthread_create(&w[k], NULL, stress_waiter, (void *)k);
	pthread_create(&c, NULL, stress_churn, NULL);
	for (long k = 0; k < 2; k++)
		pthread_create(&p[k], NULL, stress_writer, (void *)k);
	for (int k = 0; k < 2; k++)
		pthread_join(p[k], NULL);
	pthread_join(c, NULL);
	stress_done = 1;
	for (int k = 0; k < 2; k++)
		pthread_join(w[k], NULL);
	CHECK(ok && stress_read[0] + stress_read[1] == 2 * STRESS_POSTS,
	      "stress: 2 waiters, 2 writers, ADD/DEL/close churn: every count read once");
	for (int i = 0; i < STRESS_FDS; i++)
		close(stress_fd[i]);
	close(stress_ep);
}

static int cmp_long(const void *a, const void *b)
{
	return (int)(*(const long *)a - *(const long *)b);
}

static long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static long written_us;

static void *write_soon(void *arg)
{
	nap_ms(5);
	written_us = now_us();
	post(*(int *)arg, 1);
	return NULL;
}

static int idle(long ms)
{
	int ep = epoll_create1(0), e = eventfd(0, 0);
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct pollfd pf = { .fd = e, .events = POLLIN };
	long lat[21], c0, t0;
	pthread_t t;
	uint64_t v;
	fd_set rd;

	epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
	nap_ms(1); /* Mote counts a thread's CPU time when it is switched out */
	c0 = cpu_ms();
	t0 = now_ms();
	epoll_wait(ep, &out, 1, (int)ms);
	poll(&pf, 1, (int)ms);
	FD_ZERO(&rd);
	FD_SET(e, &rd);
	select(e + 1, &rd, NULL, NULL, &(struct timeval){ ms / 1000, ms % 1000 * 1000 });
	printf("idle: waited %ld ms, used %ld ms of CPU\n", now_ms() - t0, cpu_ms() - c0);
	for (int i = 0; i < 21; i++) {
		pthread_create(&t, NULL, write_soon, &e);
		epoll_wait(ep, &out, 1, 5000);
		lat[i] = now_us() - written_us;
		pthread_join(t, NULL);
		read(e, &v, 8);
	}
	qsort(lat, 21, sizeof(lat[0]), cmp_long);
	printf("wake-up latency: median %ld us, max %ld us\n", lat[10], lat[20]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "idle"))
		return idle(atol(argv[2]));
	check_start();
	many();
	ctl_errors();
	lifetimes();
	fd_names();
	edges_and_timeouts();
	eventfd_blocking();
	select_times();
	idle_waits();
	stress();
	return check_done();
}
