/* sockmsg.h: what sys_sockmsg.c shares with sys_unixmsg.c: the layouts of struct msghdr,
 * iovec and cmsghdr, and moving a message's iovecs to and from a socket. */
#ifndef MOTE_LINUX_SOCKMSG_H
#define MOTE_LINUX_SOCKMSG_H

#include "lib/types.h"

struct file;

#define SOCKADDR_MAX 128  /* sizeof(struct sockaddr_storage) */
#define CONTROL_MAX 20480 /* Linux's net.core.optmem_max */
#define MSG_CTRUNC 0x8
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2

struct iovec_k {
	void *base;
	size_t len;
};

struct msghdr_k {
	void *name;
	uint32_t namelen;
	struct iovec_k *iov;
	size_t iovlen;
	void *control;
	size_t controllen;
	int flags;
};

struct cmsghdr_k {
	uint64_t len;
	int level, type;
};

#define CMSG_ALIGN_K(n) (((n) + 7) & ~(size_t)7)

/* Sending on a stream: the iovecs (total bytes) gathered, so that they leave as one write
 * would. Bytes sent or -errno. */
ssize_t sockmsg_stream_send(struct file *f, int kind, const struct iovec_k *iov, size_t cnt,
			    size_t total, int flags);
/* Receiving on a stream: each iovec in turn, until one gets less than its length. */
ssize_t sockmsg_stream_recv(struct file *f, int kind, const struct iovec_k *iov, size_t cnt,
			    int flags);
/* sock_send, sock_recv on a kernel buffer. */
ssize_t sockmsg_kernel_send(struct file *f, int kind, const void *buf, size_t n, int flags,
			    const void *name, uint32_t namelen);
ssize_t sockmsg_kernel_recv(struct file *f, int kind, void *buf, size_t n, int flags, void *name,
			    uint32_t *namelen, size_t *full);
/* Gather iov[*i] from offset *off on into buf (n bytes at most): the bytes gathered, with *i
 * and *off advanced past them, or -EFAULT. */
ssize_t sockmsg_gather(const struct iovec_k *iov, size_t cnt, size_t *i, size_t *off, uint8_t *buf,
		       size_t n);
/* Scatter n bytes of buf over the iovecs: 0 or -EFAULT. */
int sockmsg_scatter(const struct iovec_k *iov, size_t cnt, const void *buf, size_t n);

/* sendmsg and recvmsg on an AF_UNIX socket (sys_unixmsg.c): bytes moved or -errno; a receive
 * sets m's namelen, controllen (ctl_room: what the caller gave) and flags. */
ssize_t unix_sendmsg(struct file *f, const struct msghdr_k *m, const struct iovec_k *iov,
		     size_t total, int flags);
ssize_t unix_recvmsg(struct file *f, struct msghdr_k *m, size_t ctl_room, const struct iovec_k *iov,
		     size_t total, int flags);

#endif /* MOTE_LINUX_SOCKMSG_H */
