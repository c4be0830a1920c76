/* epoll.h: epoll instances: an interest list of (file, fd) items, each hooked on its file's
 * poll queue (fs/pollq.h) by a wake function that puts the item on the instance's ready list.
 * epoll_wait only looks at the ready list: a wait costs the ready items, never the whole
 * interest list. Level-triggered items go back on the ready list after being reported (and
 * drop off once their file says they are not ready); EPOLLET items wait for the next wake;
 * EPOLLONESHOT items are disabled until EPOLL_CTL_MOD. An item lives until EPOLL_CTL_DEL, the
 * release of the epoll, or the release of its file (the last reference to the open file,
 * not the close of one descriptor: file_put calls epoll_file_release).
 *
 * Locking: ep_graph (epoll.c, one mutex) orders every change of the item graph: ADD, DEL, and
 * the release of files and epolls. Each instance has a mutex (its items; held while scanning,
 * so an item's file cannot go away under a scan) and a spin lock (its ready list and waiters:
 * the wake functions take it with interrupts off). Order: ep_graph, outer instance mutex,
 * inner instance mutex (nested epolls), spin locks.
 */
#ifndef MOTE_FS_EPOLL_H
#define MOTE_FS_EPOLL_H

#include "lib/types.h"

struct file;

#define EPOLLIN 0x001
#define EPOLLPRI 0x002
#define EPOLLOUT 0x004
#define EPOLLERR 0x008
#define EPOLLHUP 0x010
#define EPOLLRDNORM 0x040
#define EPOLLRDBAND 0x080
#define EPOLLWRNORM 0x100
#define EPOLLWRBAND 0x200
#define EPOLLMSG 0x400
#define EPOLLRDHUP 0x2000
#define EPOLLEXCLUSIVE (1U << 28)
#define EPOLLWAKEUP (1U << 29)
#define EPOLLONESHOT (1U << 30)
#define EPOLLET (1U << 31)

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

/* The most epoll instances on one path of nested epolls (epoll_ctl: ELOOP beyond). */
#define EPOLL_MAX_DEPTH 5

/* struct epoll_event of x86-64: packed, 12 bytes. */
struct epoll_event_k {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

/* A new epoll file (refs 1) in *out; 0 or -ENOMEM. */
int epoll_create(struct file **out) __must_check;
/* True if f is an epoll file. */
bool epoll_is(const struct file *f);
/*
 * EPOLL_CTL_ADD/MOD/DEL of (tf, fd) on the epoll file epf (ev: unused for DEL). The caller
 * holds references on both files. Returns 0, -EPERM (tf cannot be polled), -EINVAL (epf is
 * not an epoll, tf is epf, a bad op or EPOLLEXCLUSIVE misuse), -EEXIST, -ENOENT, -ELOOP
 * (a cycle or more than EPOLL_MAX_DEPTH nested instances), -ENOMEM.
 */
int epoll_ctl(struct file *epf, int op, int fd, struct file *tf,
	      const struct epoll_event_k *ev) __must_check;
/*
 * Wait on epoll file epf for up to max (> 0) events, copied to the application's uev.
 * deadline: a time_ns() value, 0 for none; nowait: do not sleep at all. Returns the number of
 * events (0 on timeout), -EINVAL (not an epoll), -EINTR (a signal), -EFAULT.
 */
long epoll_wait(struct file *epf, struct epoll_event_k *uev, int max, uint64_t deadline,
		bool nowait) __must_check;
/* The last reference to f is going (file_put): drop every epoll item watching it. */
void epoll_file_release(struct file *f);

#endif /* MOTE_FS_EPOLL_H */
