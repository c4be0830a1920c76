/* event.h: the VMM thread's event loop (epoll): device back ends, signals, stop requests. */
#ifndef MOTE_VMM_EVENT_H
#define MOTE_VMM_EVENT_H

#include <stdint.h>

/* One watched file descriptor; FN runs on the event loop's thread with the epoll events. */
struct event_handler {
	int fd;
	void (*fn)(struct event_handler *h, uint32_t events);
	void *opaque;
};

struct event_loop {
	int epfd;
};

/* 0 or -errno. */
int event_init(struct event_loop *loop);
/* Watches H->fd for EVENTS (EPOLLIN...). 0 or -errno (-EPERM: the fd cannot be polled). */
int event_add(struct event_loop *loop, struct event_handler *h, uint32_t events);
/* Changes the events watched (0 pauses the handler). 0 or -errno. */
int event_mod(struct event_loop *loop, struct event_handler *h, uint32_t events);
int event_del(struct event_loop *loop, struct event_handler *h);
/* Waits up to TIMEOUT_MS (-1: forever) and runs the handlers of ready fds. 0 or -errno. */
int event_wait(struct event_loop *loop, int timeout_ms);
void event_destroy(struct event_loop *loop);

#endif /* MOTE_VMM_EVENT_H */
