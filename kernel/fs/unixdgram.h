/* unixdgram.h: AF_UNIX sockets that keep messages whole: datagram sockets (SOCK_DGRAM:
 * bound to a name or not, sending to a name or to the peer connect set) and the two ends of a
 * seqpacket connection (socketpair, or made by unixsock.c's connect). A message goes straight
 * into its receiver's queue with its sender's name, credentials and files (SCM_RIGHTS); it
 * charges its sender's send buffer until received, and a receiver that is not connected back
 * to the sender queues at most Linux's net.unix.max_dgram_qlen + 1 of them: a sender beyond
 * either limit waits, or gets -EAGAIN when non-blocking or at its SO_SNDTIMEO. */
#ifndef MOTE_FS_UNIXDGRAM_H
#define MOTE_FS_UNIXDGRAM_H

#include "lib/types.h"
#include "fs/unixname.h"

#define UDGRAM_MSG_MAX (212992 - 32) /* the longest message: Linux's with its default buffer */

struct file;
struct dentry;

/* struct ucred: who sent a message. */
struct unix_cred {
	int32_t pid;
	uint32_t uid, gid;
};

/* What travels with a message's bytes. */
struct udgram_meta {
	struct unix_cred cred; /* send: the sender's (checked by the caller); pid 0 when not
				* known here (write(2)): the receiver takes its process's */
	struct file **files;   /* send: references taken over; receive: an array of
				* SCM_MAX_FDS (scm.h) given the message's, the caller's to keep
				* (NULL: they are closed, or left with a peeked message) */
	int nfiles;
	bool got;	       /* receive: a message was taken (not the end of data) */
	struct unix_name from; /* receive: the sender's name when it sent */
	size_t full;	       /* receive: the message's whole length */
};

/* A new socket of type (UNIX_DGRAM or UNIX_SEQPACKET; flags: O_NONBLOCK). 0 or -ENOMEM. */
int udgram_create(enum unix_type type, uint32_t flags, struct file **out) __must_check;
/* Two sockets connected to each other (socketpair; a seqpacket connection's ends). */
int udgram_pair(enum unix_type type, uint32_t flags, struct file **a, struct file **b) __must_check;
bool udgram_is(const struct file *f);
enum unix_type udgram_type(const struct file *f);
/* Bind to n (unixname_bind: n->len == 0 autobinds). */
int udgram_bind(struct file *f, struct dentry *start, const struct unix_name *n,
		uint32_t mode) __must_check;
/* Set the default peer to the datagram socket named n (NULL: none): -ENOENT,
 * -ECONNREFUSED, -EPROTOTYPE (another type), -EPERM (it is connected to another). */
int udgram_connect(struct file *f, struct dentry *start, const struct unix_name *to) __must_check;
/* Send n bytes from ubuf to the socket named to (NULL: the peer) with m's credentials and
 * files (whatever happens, the files are taken over): n, or -ENOTCONN, -EMSGSIZE, -EAGAIN,
 * -EINTR, -EFAULT, -ECONNREFUSED (the peer is gone; the socket is then unconnected), -EPERM,
 * -EPIPE (shut down, or a seqpacket peer gone), -ECONNRESET, and udgram_connect's. */
ssize_t udgram_send(struct file *f, struct dentry *start, const struct unix_name *to,
		    const void *ubuf, size_t n, struct udgram_meta *m, bool nonblock);
/* Receive the next message (peek: leave it queued) into ubuf, cut to n; m (if not NULL) gets
 * its sender, credentials, files and length. The bytes copied, 0 at the end of a seqpacket
 * connection, or -EAGAIN, -EINTR, -EFAULT, -ECONNRESET. */
ssize_t udgram_recv(struct file *f, void *ubuf, size_t n, bool peek, bool nonblock,
		    struct udgram_meta *m);
/* The socket's own name, or its peer's (-ENOTCONN without one). */
int udgram_name(struct file *f, bool peer, struct unix_name *n) __must_check;
/* shutdown(2): how 0, 1 or 2 (-EINVAL otherwise); a seqpacket peer sees it from its side. */
int udgram_shutdown(struct file *f, int how) __must_check;
/* Under the registry's lock (unixname_lock): a seqpacket end's name without binding it: the
 * name of the socket it is the end of, which its messages carry. */
void udgram_label(struct file *f, const struct unix_name *n);
/* SO_RCVTIMEO and SO_SNDTIMEO in ns (0: none). */
void udgram_timeouts(struct file *f, uint64_t rcv_ns, uint64_t snd_ns);

#endif /* MOTE_FS_UNIXDGRAM_H */
