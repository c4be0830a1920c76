/* sockmsg_io.c: moving a message's bytes between iovecs and a socket (sockmsg.h): the stream
 * and buffer helpers sendmsg/recvmsg use for every family (sys_sockmsg.c, sys_unixmsg.c). */
#include "core/mm/heap.h"
#include "core/uaccess.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/socket_file.h"
#include "linux/sockmsg.h"

#define STREAM_CHUNK 65536 /* bytes gathered for one send on a stream */

ssize_t sockmsg_stream_recv(struct file *f, int kind, const struct iovec_k *iov, size_t cnt,
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

/* sock_send on kernel buffers. */
ssize_t sockmsg_kernel_send(struct file *f, int kind, const void *buf, size_t n, int flags,
			    const void *name, uint32_t namelen)
{
	bool old = uaccess_kernel_begin();
	ssize_t r = sock_send(f, kind, buf, n, flags, name, namelen);

	uaccess_kernel_end(old);
	return r;
}

ssize_t sockmsg_gather(const struct iovec_k *iov, size_t cnt, size_t *i, size_t *off, uint8_t *buf,
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

ssize_t sockmsg_stream_send(struct file *f, int kind, const struct iovec_k *iov, size_t cnt,
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
		ssize_t k = sockmsg_gather(iov, cnt, &i, &off, buf, chunk);

		r = k < 0 ? k : sockmsg_kernel_send(f, kind, buf, (size_t)k, flags, NULL, 0);
		if (r <= 0)
			break;
		sent += r;
		if (r < k)
			break;
	}
	kfree(buf);
	return sent ? sent : r;
}

ssize_t sockmsg_kernel_recv(struct file *f, int kind, void *buf, size_t n, int flags, void *name,
			    uint32_t *namelen, size_t *full)
{
	bool old = uaccess_kernel_begin();
	ssize_t r = sock_recv(f, kind, buf, n, flags, name, namelen, full);

	uaccess_kernel_end(old);
	return r;
}

int sockmsg_scatter(const struct iovec_k *iov, size_t cnt, const void *buf, size_t n)
{
	size_t off = 0;

	for (size_t i = 0; i < cnt && off < n; off += iov[i++].len)
		if (copy_to_user(iov[i].base, (const uint8_t *)buf + off, MIN(iov[i].len, n - off)))
			return -EFAULT;
	return 0;
}
