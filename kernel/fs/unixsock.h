/* unixsock.h: AF_UNIX stream sockets with names. bind makes a socket node at a path (or takes
 * a name in the abstract namespace: one starting with a NUL byte), listen queues incoming
 * connections, connect finds the listener by its node or abstract name, and each connection
 * is a socketpair (sockpair.h): one end for the connecting socket, one for the accepted one,
 * to which reading, writing, poll and shutdown go. Names are at most UNIX_PATH_MAX bytes. */
#ifndef MOTE_FS_UNIXSOCK_H
#define MOTE_FS_UNIXSOCK_H

#include "lib/types.h"

#define UNIX_PATH_MAX 108

struct file;
struct dentry;

/* A name as sockaddr_un carries it: a path (NUL-terminated within len), or an abstract name
 * (name[0] == 0, len bytes in all). */
struct unix_name {
	char name[UNIX_PATH_MAX];
	size_t len; /* 0: unnamed */
};

/* A new unbound socket (flags: O_NONBLOCK). 0 or -ENOMEM. */
int usock_create(uint32_t flags, struct file **out) __must_check;
bool usock_is(const struct file *f);
/* Bind to n: a path (relative to start) gets a socket node (mode: its permission bits);
 * -EADDRINUSE if the node or abstract name exists, -EINVAL if already bound. */
int usock_bind(struct file *f, struct dentry *start, const struct unix_name *n,
	       uint32_t mode) __must_check;
int usock_listen(struct file *f, int backlog) __must_check;
/* The next connection, as a new socket file (*out), waiting for one unless nonblock. */
int usock_accept(struct file *f, bool nonblock, bool (*interrupted)(void),
		 struct file **out) __must_check;
/* Connect to the listener named n (a path relative to start): -ENOENT if there is no such
 * node, -ECONNREFUSED if nobody listens on it, -EAGAIN if its queue is full, -EISCONN. */
int usock_connect(struct file *f, struct dentry *start, const struct unix_name *n) __must_check;
/* The socket's own name, or its peer's (-ENOTCONN when not connected). */
int usock_name(struct file *f, bool peer, struct unix_name *n) __must_check;
/* The connection's end (a socketpair end: sockpair.h), or NULL before one. */
struct file *usock_conn(struct file *f);
/* shutdown(2) on a connection: -ENOTCONN before one. */
int usock_shutdown(struct file *f, int how) __must_check;

#endif /* MOTE_FS_UNIXSOCK_H */
