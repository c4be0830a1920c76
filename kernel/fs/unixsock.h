/* unixsock.h: AF_UNIX stream and seqpacket sockets with names. bind makes a socket node at a
 * path (or takes a name in the abstract namespace: unixname.h), listen queues incoming
 * connections, connect finds the listener of the same type by its node or abstract name, and
 * each connection is a socketpair (sockpair.h; seqpacket: a pair of unixdgram.h's ends): one
 * end for the connecting socket, one for the accepted one, to which reading, writing, poll
 * and shutdown go. */
#ifndef MOTE_FS_UNIXSOCK_H
#define MOTE_FS_UNIXSOCK_H

#include "lib/types.h"
#include "fs/unixname.h"

struct file;
struct dentry;

/* A new unbound socket of type (UNIX_STREAM or UNIX_SEQPACKET; flags: O_NONBLOCK). 0 or
 * -ENOMEM. */
int usock_create(enum unix_type type, uint32_t flags, struct file **out) __must_check;
bool usock_is(const struct file *f);
enum unix_type usock_type(const struct file *f);
/* Bind to n (unixname_bind: a path relative to start gets a socket node with mode's
 * permission bits; n->len == 0 autobinds): -EADDRINUSE, -EINVAL if already bound. */
int usock_bind(struct file *f, struct dentry *start, const struct unix_name *n,
	       uint32_t mode) __must_check;
int usock_listen(struct file *f, int backlog) __must_check;
/* The next connection, as a new socket file (*out), waiting for one unless nonblock. */
int usock_accept(struct file *f, bool nonblock, bool (*interrupted)(void),
		 struct file **out) __must_check;
/* Connect to the listener named n (a path relative to start): -ENOENT if there is no such
 * node, -ECONNREFUSED if nobody listens on it, -EPROTOTYPE if it is of another type, -EAGAIN
 * if its queue is full, -EISCONN. */
int usock_connect(struct file *f, struct dentry *start, const struct unix_name *n) __must_check;
/* The socket's own name, or its peer's (-ENOTCONN when not connected). */
int usock_name(struct file *f, bool peer, struct unix_name *n) __must_check;
/* The connection's end (a socketpair end: sockpair.h; a unixdgram.h end for seqpacket), or
 * NULL before one. */
struct file *usock_conn(struct file *f);
/* shutdown(2) on a connection: -ENOTCONN before one. */
int usock_shutdown(struct file *f, int how) __must_check;

#endif /* MOTE_FS_UNIXSOCK_H */
