/* sys_sockmsg.c: sendmsg, recvmsg, sendmmsg and recvmmsg on the sockets of sys_socket.c. A
 * stream moves its iovecs one after another (stopping at a short one, as writev does; a
 * receive waits only for the first); a datagram is gathered into one, or scattered from one,
 * with MSG_TRUNC when it did not fit. On AF_UNIX streams, SCM_RIGHTS passes files (fs/scm.c:
 * they travel with the first byte sent with them, and a receive stops short of bytes that
 * carry others); other control messages are -EINVAL, as is any on an AF_INET socket. */
#include "core/mm/heap.h"
#include "fs/file.h"
#include "fs/scm.h"
#include "fs/sockpair.h"
#include "fs/unixsock.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/socket_file.h"
#include "linux/syscall.h"
#include "core/uaccess.h"
#include "net/udp.h"

#define IOV_MAX 1024
#define MSG_WAITFORONE 0x10000
#define SOCKADDR_MAX 128   /* sizeof(struct sockaddr_storage) */
#define STREAM_CHUNK 65536 /* bytes gathered for one send on a stream */
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define MSG_CTRUNC 0x8
#define CONTROL_MAX 20480 /* Linux's net.core.optmem_max */

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

/* Receiving on a stream: each iovec in turn, until one gets less than its length. */
static ssize_t stream_recv(struct file *f, int kind, const struct iovec_k *iov, size_t cnt,
			   int flags)
{
	ssize_t total = 0, r = 0;

	for (size_t i = 0; i < cnt; i++) {
		if (!iov[i].len)
			continue;
		/* wait for the first bytes only, unless MSG_WAITALL */
		r = sock_recv(f, kind, iov[i].base, iov[i].len,
			      flags | (total && !(flags & MSG_WAITALL) ? MSG_DONTWAIT : 0), NULL,
			      NULL, NULL);
		if (r < 0)
			break;
		total += r;
		if ((size_t)r < iov[i].len)
			break;
	}
	return total ? total : r;
}

/* sock_send/sock_recv on kernel buffers. */
static ssize_t kernel_send(struct file *f, int kind, const void *buf, size_t n, int flags,
			   const void *name, uint32_t namelen)
{
	bool old = uaccess_kernel_begin();
	ssize_t r = sock_send(f, kind, buf, n, flags, name, namelen);

	uaccess_kernel_end(old);
	return r;
}

/* Gather iov[*i] from offset *off on into buf (n bytes at most): the bytes gathered, with *i
 * and *off advanced past them, or -EFAULT. */
static ssize_t gather(const struct iovec_k *iov, size_t cnt, size_t *i, size_t *off, uint8_t *buf,
		      size_t n)
{
	size_t done = 0;

	while (*i < cnt && done < n) {
		size_t k = MIN(n - done, iov[*i].len - *off);

		if (copy_from_user(buf + done, (uint8_t *)iov[*i].base + *off, k))
			return -EFAULT;
		done += k;
		*off += k;
		if (*off == iov[*i].len) {
			++*i;
			*off = 0;
		}
	}
	return (ssize_t)done;
}

/* Sending on a stream: the iovecs gathered, so that they leave as one write would. */
static ssize_t stream_send(struct file *f, int kind, const struct iovec_k *iov, size_t cnt,
			   size_t total, int flags)
{
	size_t i = 0, off = 0, chunk = MIN(total, (size_t)STREAM_CHUNK);
	ssize_t sent = 0, r = 0;
	uint8_t *buf;

	if (!total)
		return 0;
	buf = kmalloc(chunk);
	if (!buf)
		return -ENOMEM;
	while ((size_t)sent < total) {
		ssize_t k = gather(iov, cnt, &i, &off, buf, chunk);

		r = k < 0 ? k : kernel_send(f, kind, buf, (size_t)k, flags, NULL, 0);
		if (r <= 0)
			break;
		sent += r;
		if (r < k)
			break;
	}
	kfree(buf);
	return sent ? sent : r;
}

static ssize_t kernel_recv(struct file *f, int kind, void *buf, size_t n, int flags, void *name,
			   uint32_t *namelen, size_t *full)
{
	bool old = uaccess_kernel_begin();
	ssize_t r = sock_recv(f, kind, buf, n, flags, name, namelen, full);

	uaccess_kernel_end(old);
	return r;
}

static ssize_t dgram_sendmsg(struct file *f, const struct msghdr_k *m, const struct iovec_k *iov,
			     size_t total, int flags)
{
	uint8_t name[SOCKADDR_MAX];
	size_t off = 0;
	void *buf;
	ssize_t r;

	if (total > UDP_PAYLOAD_MAX)
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
	r = kernel_send(f, SK_UDP, buf, total, flags, m->name ? name : NULL, m->namelen);
	kfree(buf);
	return r;
}

static ssize_t dgram_recvmsg(struct file *f, struct msghdr_k *m, const struct iovec_k *iov,
			     size_t total, int flags)
{
	uint8_t name[SOCKADDR_MAX];
	uint32_t namelen = sizeof(name);
	size_t full = 0, off = 0;
	void *buf;
	ssize_t r;

	total = MIN(total, (size_t)UDP_PAYLOAD_MAX);
	buf = kmalloc(MAX(total, (size_t)1));
	if (!buf)
		return -ENOMEM;
	r = kernel_recv(f, SK_UDP, buf, total, flags, name, &namelen, &full);
	for (size_t i = 0; r > 0 && i < m->iovlen && off < (size_t)r; off += iov[i++].len)
		if (copy_to_user(iov[i].base, (uint8_t *)buf + off,
				 MIN(iov[i].len, (size_t)r - off)))
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

/* The files of m's SCM_RIGHTS control messages, as references, into files: their count, or
 * -EINVAL (another kind of message, a bad length, too many), -EBADF, -EFAULT, -ENOBUFS. */
static int get_rights(const struct msghdr_k *m, struct file **files)
{
	struct cmsghdr_k h;
	uint8_t *buf;
	size_t off = 0;
	int n = 0, r = 0;

	if (m->controllen > CONTROL_MAX)
		return -ENOBUFS;
	buf = kmalloc(m->controllen);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, m->control, m->controllen))
		r = -EFAULT;
	while (!r && off + sizeof(h) <= m->controllen) {
		memcpy(&h, buf + off, sizeof(h));
		if (h.len < sizeof(h) || h.len > m->controllen - off || h.level != SOL_SOCKET ||
		    h.type != SCM_RIGHTS)
			r = -EINVAL; /* SCM_CREDENTIALS and the like: not yet */
		for (size_t i = 0; !r && i < (h.len - sizeof(h)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, buf + off + sizeof(h) + i * sizeof(int), sizeof(fd));
			if (n == SCM_MAX_FDS)
				r = -EINVAL;
			else if (!(files[n] = fd_get(fd)))
				r = -EBADF;
			else
				n++;
		}
		off += CMSG_ALIGN_K(h.len);
	}
	kfree(buf);
	if (r)
		while (n)
			file_put(files[--n]);
	return r ? r : n;
}

/* Install received files for the caller and describe them in m's control buffer; those that
 * do not fit are closed and MSG_CTRUNC set, as on Linux. */
static void put_rights(struct msghdr_k *m, size_t ctl_room, struct file **files, int n,
		       bool cloexec)
{
	size_t room = m->control && ctl_room > sizeof(struct cmsghdr_k)
			      ? (ctl_room - sizeof(struct cmsghdr_k)) / sizeof(int)
			      : 0;
	int fds[SCM_MAX_FDS], k = 0;

	for (int i = 0; i < n; i++) {
		int fd = (size_t)k < room ? fd_install(files[i], 0, cloexec) : -1;

		if (fd < 0)
			file_put(files[i]);
		else
			fds[k++] = fd;
	}
	if (k < n)
		m->flags |= MSG_CTRUNC;
	if (k) {
		struct cmsghdr_k h = { sizeof(h) + (size_t)k * sizeof(int), SOL_SOCKET,
				       SCM_RIGHTS };

		if (copy_to_user(m->control, &h, sizeof(h)) ||
		    copy_to_user((uint8_t *)m->control + sizeof(h), fds, (size_t)k * sizeof(int)))
			m->flags |= MSG_CTRUNC;
		m->controllen = MIN(ctl_room, CMSG_ALIGN_K(h.len));
	}
}

/* The connection end of an AF_UNIX stream socket (itself for a pair's end), or NULL. */
static struct file *unix_end(struct file *f)
{
	return sockpair_is(f) ? f : usock_conn(f);
}

/* sendmsg on an AF_UNIX stream with SCM_RIGHTS: the files go with the data's first byte. */
static ssize_t unix_send_rights(struct file *f, const struct msghdr_k *m, const struct iovec_k *iov,
				size_t total, int flags)
{
	struct file *end = unix_end(f), **files;
	ssize_t r;
	int n;

	if (!end)
		return -ENOTCONN;
	files = kmalloc(sizeof(*files) * SCM_MAX_FDS);
	if (!files)
		return -ENOMEM;
	n = get_rights(m, files);
	if (n > 0)
		scm_attach(sockpair_chan(end, true), files, n);
	r = n < 0 ? n : stream_send(f, SK_UNIX, iov, m->iovlen, total, flags);
	if (n > 0)
		scm_sent(sockpair_chan(end, true), r > 0 ? (size_t)r : 0);
	kfree(files);
	return r;
}

/* recvmsg on an AF_UNIX stream: as on any stream, except that a receive goes no further than
 * the end of a write that carried files, and takes them if it reads its first byte. */
static ssize_t unix_recv_rights(struct file *f, struct msghdr_k *m, size_t ctl_room,
				const struct iovec_k *iov, size_t total, int flags)
{
	struct file *end = unix_end(f);
	struct scm_chan *in;
	struct scm_batch *b;
	size_t want = MIN(total, (size_t)STREAM_CHUNK), off = 0;
	ssize_t r;
	void *buf;

	if (!end || !total)
		return stream_recv(f, SK_UNIX, iov, m->iovlen, flags);
	in = sockpair_chan(end, false);
	b = scm_before_read(in, &want);
	if (!b) /* no files on the way: a plain stream receive */
		return stream_recv(f, SK_UNIX, iov, m->iovlen, flags);
	buf = kmalloc(MAX(want, (size_t)1));
	r = !buf ? -ENOMEM : kernel_recv(f, SK_UNIX, buf, want, flags, NULL, NULL, NULL);
	for (size_t i = 0; r > 0 && i < m->iovlen && off < (size_t)r; off += iov[i++].len)
		if (copy_to_user(iov[i].base, (uint8_t *)buf + off,
				 MIN(iov[i].len, (size_t)r - off)))
			r = -EFAULT;
	kfree(buf);
	if (scm_after_read(in, b, r)) {
		put_rights(m, ctl_room, b->files, b->n, flags & MSG_CMSG_CLOEXEC);
		kfree(b);
	}
	return r;
}

/* One message on f (of kind): bytes moved or -errno; *m's namelen, controllen and flags set
 * for a receive. */
static ssize_t one_msg(struct file *f, int kind, bool send, struct msghdr_k *m, int flags)
{
	struct iovec_k *iov;
	size_t total, ctl_room = m->controllen; /* a receive's: what the caller gave */
	ssize_t r;

	if (send && m->control && m->controllen && kind != SK_UNIX)
		return -EINVAL; /* control messages on AF_INET: not taken */
	r = get_iov(m, &iov, &total);
	if (r)
		return r;
	if (!send) {
		m->controllen = 0;
		m->flags = 0;
	}
	if (kind == SK_UDP)
		r = send ? dgram_sendmsg(f, m, iov, total, flags)
			 : dgram_recvmsg(f, m, iov, total, flags);
	else if (kind == SK_UNIX && (send ? m->control && m->controllen : true)) {
		r = send ? unix_send_rights(f, m, iov, total, flags)
			 : unix_recv_rights(f, m, ctl_room, iov, total, flags);
		if (!send)
			m->namelen = 0;
	} else {
		r = send ? stream_send(f, kind, iov, m->iovlen, total, flags)
			 : stream_recv(f, kind, iov, m->iovlen, flags);
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
