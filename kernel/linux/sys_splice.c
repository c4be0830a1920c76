/* sys_splice.c: copies between descriptors in the kernel: sendfile, splice, tee, vmsplice,
 * copy_file_range. No pages move (a copy through a kernel buffer does it); the results, the
 * offsets and the errors are Linux's. */
#include "fs/file.h"
#include "fs/pipe.h"
#include "core/mm/heap.h"
#include "core/uaccess.h"
#include "lib/errno.h"
#include "linux/file_rw.h"
#include "linux/syscall.h"

#define SPLICE_F_NONBLOCK 0x2
#define SPLICE_F_ALL 0xf /* MOVE, NONBLOCK, MORE, GIFT */
#define CHUNK 65536

/* Copy up to n bytes from in (at *inpos, or its offset) to out (its offset or *outpos). */
static long copy_between(int in, int64_t *inpos, int out, int64_t *outpos, size_t n)
{
	struct file *fi = fd_get(in), *fo = fd_get(out);
	char *buf = kmalloc(CHUNK);
	long total = 0, r = 0;

	if (!fi || !fo) {
		r = -EBADF;
		goto out;
	}
	if ((inpos && *inpos < 0) || (outpos && *outpos < 0)) {
		r = -EINVAL; /* (as Linux's rw_verify_area) */
		goto out;
	}
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	n = MIN(n, RW_MAX);
	while ((size_t)total < n) {
		size_t k = MIN(n - (size_t)total, CHUNK);
		long got, put;
		bool old = uaccess_kernel_begin();

		got = file_rw(fi, false, buf, k, inpos ? *inpos : -1);
		uaccess_kernel_end(old);
		if (got <= 0) {
			r = got;
			break;
		}
		if (inpos)
			*inpos += got;
		old = uaccess_kernel_begin();
		put = file_rw(fo, true, buf, (size_t)got, outpos ? *outpos : -1);
		uaccess_kernel_end(old);
		if (put < 0) {
			r = put;
			break;
		}
		if (outpos)
			*outpos += put;
		total += put;
		if (put < got || (size_t)got < k)
			break;
	}
out:
	kfree(buf);
	file_put(fi);
	file_put(fo);
	return total ? total : r;
}

SYSCALL_DEFINE4(sendfile, int, out, int, in, int64_t *, uoff, size_t, n)
{
	int64_t off;
	long r;

	if (!uoff)
		return copy_between(in, NULL, out, NULL, n);
	if (get_user(off, uoff))
		return -EFAULT;
	r = copy_between(in, &off, out, NULL, n);
	if (r >= 0 && put_user(off, uoff))
		return -EFAULT;
	return r;
}

static bool is_pipe(struct file *f)
{
	return f && pipe_get_size(f) > 0;
}

/* splice: a copy (no pages move) between a pipe and another file, or two pipes. A pipe end
 * takes no offset (ESPIPE). SPLICE_F_NONBLOCK is taken as a hint only: the pipe's own
 * O_NONBLOCK decides whether the copy waits. */
SYSCALL_DEFINE6(splice, int, in, int64_t *, uin, int, out, int64_t *, uout, size_t, n, uint32_t,
		flags)
{
	struct file *fi = fd_get(in), *fo = fd_get(out);
	bool pin = is_pipe(fi), pout = is_pipe(fo);
	int64_t a = 0, b = 0;
	long r;

	file_put(fi);
	file_put(fo);
	if (!fi || !fo)
		return -EBADF;
	if ((!pin && !pout) || (flags & ~SPLICE_F_ALL))
		return -EINVAL;
	if ((pin && uin) || (pout && uout))
		return -ESPIPE;
	if (!n)
		return 0;
	if ((uin && get_user(a, uin)) || (uout && get_user(b, uout)))
		return -EFAULT;
	r = copy_between(in, uin ? &a : NULL, out, uout ? &b : NULL, n);
	if (r >= 0 && ((uin && put_user(a, uin)) || (uout && put_user(b, uout))))
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE6(copy_file_range, int, in, int64_t *, uin, int, out, int64_t *, uout, size_t, n,
		uint32_t, flags)
{
	int64_t a = 0, b = 0;
	long r;

	if (flags)
		return -EINVAL;
	if ((uin && get_user(a, uin)) || (uout && get_user(b, uout)))
		return -EFAULT;
	if (in == out) { /* the same file: the ranges must not overlap */
		struct file *f = fd_get(in);
		int64_t ia = a, ob = b;

		if (f && !uin)
			ia = (int64_t)f->pos;
		if (f && !uout)
			ob = (int64_t)f->pos;
		file_put(f);
		if (ia < ob + (int64_t)n && ob < ia + (int64_t)n)
			return -EINVAL;
	}
	r = copy_between(in, uin ? &a : NULL, out, uout ? &b : NULL, n);
	if (r >= 0 && ((uin && put_user(a, uin)) || (uout && put_user(b, uout))))
		return -EFAULT;
	return r;
}

/* tee: what the pipe in holds, copied into the pipe out without being taken from in. Waits
 * for data in in unless SPLICE_F_NONBLOCK (EAGAIN); 0 once in is empty with no writer. What
 * out cannot take now it waits for, as a write does (out's own O_NONBLOCK decides). */
SYSCALL_DEFINE4(tee, int, in, int, out, size_t, n, uint32_t, flags)
{
	struct file *fi = fd_get(in), *fo = fd_get(out);
	char *buf = NULL;
	long r;

	if (!fi || !fo)
		r = -EBADF;
	else if (!is_pipe(fi) || !is_pipe(fo) || (flags & ~SPLICE_F_ALL) ||
		 (fi->flags & O_ACCMODE) == O_WRONLY || (fo->flags & O_ACCMODE) == O_RDONLY)
		r = -EINVAL;
	else if (fi->priv == fo->priv)
		r = -EINVAL; /* the same pipe */
	else if (!n)
		r = 0;
	else if (!(buf = kmalloc(CHUNK)))
		r = -ENOMEM;
	else
		r = pipe_peek(fi, buf, MIN(n, (size_t)CHUNK), flags & SPLICE_F_NONBLOCK);
	if (r > 0) {
		bool old = uaccess_kernel_begin();

		r = file_rw(fo, true, buf, (size_t)r, -1);
		uaccess_kernel_end(old);
	}
	kfree(buf);
	file_put(fi);
	file_put(fo);
	return r;
}

/* vmsplice: user memory into a pipe's write end (as writev), or out of its read end (as
 * readv); the pages are copied, never given (SPLICE_F_GIFT is a hint). */
SYSCALL_DEFINE4(vmsplice, int, fd, const void *, iov, size_t, cnt, uint32_t, flags)
{
	struct file *f = fd_get(fd);
	uint32_t acc = f ? f->flags & O_ACCMODE : 0;
	bool pipe = is_pipe(f);

	file_put(f);
	if (!f || !pipe)
		return -EBADF;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (cnt > 1024)
		return -EINVAL;
	return fd_rwv(fd, acc != O_RDONLY, iov, (int)cnt, -1);
}
