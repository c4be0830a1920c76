/* sys_sockmsg.c: sendmsg, recvmsg, sendmmsg and recvmmsg on the sockets of sys_socket.c. A
 * stream moves its iovecs one after another (stopping at a short one, as writev does; a
 * receive waits only for the first); a datagram is gathered into one, or scattered from one,
 * with MSG_TRUNC when it did not fit (AF_NETLINK's too). AF_UNIX sockets, with their control messages, are
 * sys_unixmsg.c's; a control message on an AF_INET socket is -EINVAL. */
#include "core/mm/heap.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/socket_file.h"
#include "linux/sockmsg.h"
#include "linux/sockopts.h"
#include "linux/syscall.h"
#include "core/uaccess.h"
#include "net/udp.h"

#define IOV_MAX 1024
#define MSG_WAITFORONE 0x10000

struct mmsghdr_k {
	struct msghdr_k hdr;
	uint32_t len;
};

/* A message's iovecs in kernel memory (*out, kfree it), their total length in *total. */
static long get_iov(const struct msghdr_k *m, struct iovec_k **out, size_t *total)
{
	struct iovec_k *iov;

	if (m->iovlen > IOV_MAX)
		return -EMSGSIZE;
	iov = kmalloc(sizeof(*iov) * MAX(m->iovlen, (size_t)1));
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, m->iov, sizeof(*iov) * m->iovlen)) {
		kfree(iov);
		return -EFAULT;
	}
	*total = 0;
	for (size_t i = 0; i < m->iovlen; i++) {
		if (iov[i].len > INT32_MAX - *total || !user_range_ok(iov[i].base, iov[i].len)) {
			kfree(iov);
			return iov[i].len > INT32_MAX - *total ? -EINVAL : -EFAULT;
		}
		*total += iov[i].len;
	}
	*out = iov;
	return 0;
}

static ssize_t dgram_sendmsg(struct file *f, int kind, const struct msghdr_k *m,
			     const struct iovec_k *iov, size_t total, int flags)
{
	uint8_t name[SOCKADDR_MAX];
	size_t off = 0;
	void *buf;
	ssize_t r;

	if (total > (kind == SK_UDP ? UDP_PAYLOAD_MAX : BUF_MAX))
		return -EMSGSIZE;
	if (m->name && (m->namelen > sizeof(name) || copy_from_user(name, m->name, m->namelen)))
		return m->namelen > sizeof(name) ? -EINVAL : -EFAULT;
	buf = kmalloc(MAX(total, (size_t)1));
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < m->iovlen; off += iov[i++].len)
		if (copy_from_user((uint8_t *)buf + off, iov[i].base, iov[i].len)) {
			kfree(buf);
			return -EFAULT;
		}
	r = sockmsg_kernel_send(f, kind, buf, total, flags, m->name ? name : NULL, m->namelen);
	kfree(buf);
	return r;
}

static ssize_t dgram_recvmsg(struct file *f, int kind, struct msghdr_k *m,
			     const struct iovec_k *iov, size_t total, int flags)
{
	uint8_t name[SOCKADDR_MAX];
	uint32_t namelen = sizeof(name);
	size_t full = 0;
	void *buf;
	ssize_t r;

	total = MIN(total, (size_t)(kind == SK_UDP ? UDP_PAYLOAD_MAX : BUF_MAX));
	buf = kmalloc(MAX(total, (size_t)1));
	if (!buf)
		return -ENOMEM;
	r = sockmsg_kernel_recv(f, kind, buf, total, flags, name, &namelen, &full);
	if (r > 0 && sockmsg_scatter(iov, m->iovlen, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	if (r < 0)
		return r;
	if (m->name && copy_to_user(m->name, name, MIN(m->namelen, namelen)))
		return -EFAULT;
	m->namelen = m->name ? namelen : 0;
	if (full > (size_t)r)
		m->flags |= MSG_TRUNC;
	return (flags & MSG_TRUNC) ? (ssize_t)full : r;
}

/* One message on f (of kind): bytes moved or -errno; *m's namelen, controllen and flags set
 * for a receive. */
static ssize_t one_msg(struct file *f, int kind, bool send, struct msghdr_k *m, int flags)
{
	struct iovec_k *iov;
	size_t total, ctl_room = m->controllen; /* a receive's: what the caller gave */
	ssize_t r;

	if (send && m->control && m->controllen && kind != SK_UNIX && kind != SK_NETLINK)
		return -EINVAL; /* control messages on AF_INET: not taken (netlink: ignored) */
	r = get_iov(m, &iov, &total);
	if (r)
		return r;
	if (!send) {
		m->controllen = 0;
		m->flags = 0;
	}
	if (kind == SK_UDP || kind == SK_NETLINK)
		r = send ? dgram_sendmsg(f, kind, m, iov, total, flags)
			 : dgram_recvmsg(f, kind, m, iov, total, flags);
	else if (kind == SK_UNIX)
		r = send ? unix_sendmsg(f, m, iov, total, flags)
			 : unix_recvmsg(f, m, ctl_room, iov, total, flags);
	else {
		r = send ? sockmsg_stream_send(f, kind, iov, m->iovlen, total, flags)
			 : sockmsg_stream_recv(f, kind, iov, m->iovlen, flags);
		if (!send)
			m->namelen = 0; /* as Linux: a stream names no source */
	}
	kfree(iov);
	return r;
}

/* Write back what a receive sets in the caller's msghdr. */
static int put_msg(struct msghdr_k *um, const struct msghdr_k *m)
{
	if (put_user(m->namelen, &um->namelen) || put_user(m->controllen, &um->controllen) ||
	    put_user(m->flags, &um->flags))
		return -EFAULT;
	return 0;
}

static long msg_call(int fd, struct msghdr_k *um, int flags, bool send)
{
	struct msghdr_k m;
	struct file *f;
	int kind;
	long r;

	if (copy_from_user(&m, um, sizeof(m)))
		return -EFAULT;
	kind = sock_kind_of(fd, &f);
	if (kind < 0)
		return kind;
	r = one_msg(f, kind, send, &m, flags);
	file_put(f);
	if (r >= 0 && !send && put_msg(um, &m))
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE3(sendmsg, int, fd, struct msghdr_k *, um, int, flags)
{
	return msg_call(fd, um, flags, true);
}

SYSCALL_DEFINE3(recvmsg, int, fd, struct msghdr_k *, um, int, flags)
{
	return msg_call(fd, um, flags, false);
}

/* sendmmsg/recvmmsg: up to vlen messages; the count done, or the first one's error. A
 * receive waits for the first message only when MSG_WAITFORONE or a timeout is given (the
 * timeout itself is not measured: later messages are taken only if already there). */
static long mmsg_call(int fd, struct mmsghdr_k *uv, uint32_t vlen, int flags, bool send,
		      bool timeout)
{
	struct file *f;
	int kind = sock_kind_of(fd, &f);
	uint32_t i;
	long r = 0;

	if (kind < 0)
		return kind;
	vlen = MIN(vlen, (uint32_t)IOV_MAX);
	for (i = 0; i < vlen; i++) {
		struct msghdr_k m;
		int fl = flags & ~MSG_WAITFORONE;

		if (!send && i && ((flags & MSG_WAITFORONE) || timeout))
			fl |= MSG_DONTWAIT;
		if (copy_from_user(&m, &uv[i].hdr, sizeof(m))) {
			r = -EFAULT;
			break;
		}
		r = one_msg(f, kind, send, &m, fl);
		if (r < 0)
			break;
		if ((!send && put_msg(&uv[i].hdr, &m)) || put_user((uint32_t)r, &uv[i].len)) {
			r = -EFAULT;
			break;
		}
	}
	file_put(f);
	return i ? (long)i : r;
}

SYSCALL_DEFINE4(sendmmsg, int, fd, struct mmsghdr_k *, uv, uint32_t, vlen, int, flags)
{
	return mmsg_call(fd, uv, vlen, flags, true, false);
}

SYSCALL_DEFINE5(recvmmsg, int, fd, struct mmsghdr_k *, uv, uint32_t, vlen, int, flags, void *,
		timeout)
{
	return mmsg_call(fd, uv, vlen, flags, false, timeout != NULL);
}
