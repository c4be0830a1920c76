/* event.c: the epoll event loop (see event.h). */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "event.h"

#define MAX_EVENTS 16

int event_init(struct event_loop *loop)
{
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epfd < 0 ? -errno : 0;
}

static int ctl(struct event_loop *loop, int op, struct event_handler *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(loop->epfd, op, h->fd, &ev) < 0 ? -errno : 0;
}

int event_add(struct event_loop *loop, struct event_handler *h, uint32_t events)
{
	return ctl(loop, EPOLL_CTL_ADD, h, events);
}

int event_mod(struct event_loop *loop, struct event_handler *h, uint32_t events)
{
	return ctl(loop, EPOLL_CTL_MOD, h, events);
}

int event_del(struct event_loop *loop, struct event_handler *h)
{
	return ctl(loop, EPOLL_CTL_DEL, h, 0);
}

int event_wait(struct event_loop *loop, int timeout_ms)
{
	struct epoll_event ev[MAX_EVENTS];
	int n = epoll_wait(loop->epfd, ev, MAX_EVENTS, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct event_handler *h = ev[i].data.ptr;

		h->fn(h, ev[i].events);
	}
	return 0;
}

void event_destroy(struct event_loop *loop)
{
	if (loop->epfd >= 0)
		close(loop->epfd);
	loop->epfd = -1;
}
