/* sys_unixmsg.c: sendmsg and recvmsg on AF_UNIX sockets (sockmsg.h), with their control
 * messages. SCM_RIGHTS passes files: along a stream they travel with the first byte sent with
 * them (fs/scm.c: a receive stops short of bytes that carry others), on a message socket with
 * the message. SCM_CREDENTIALS names the sender, checked as Linux checks it for a caller with
 * every capability (this process is root): its own pid (another is -ESRCH: there is no other
 * process), any valid uid and gid (-1 is -EINVAL). A receiver with SO_PASSCRED gets the
 * sender's credentials in SCM_CREDENTIALS, ahead of any SCM_RIGHTS, as on Linux; on a stream
 * they are this process's (the only writer there can be). Other control messages: -EINVAL. */
#include "core/mm/heap.h"
#include "fs/file.h"
#include "fs/scm.h"
#include "fs/sockpair.h"
#include "fs/unixdgram.h"
#include "fs/unixsock.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/socket_file.h"
#include "linux/sockmsg.h"
#include "linux/sockopts.h"
#include "core/uaccess.h"

#define STREAM_CHUNK 65536 /* the most a stream receive that carries files reads */

/* A receive's control buffer as it is filled. */
struct cmsg_out {
	uint8_t *base; /* the caller's */
	size_t room, used;
	int *flags; /* the message's: MSG_CTRUNC */
};

/* SCM_CREDENTIALS as given: 0, -EINVAL or -ESRCH. */
static int check_cred(const struct unix_cred *c)
{
	if (c->uid == (uint32_t)-1 || c->gid == (uint32_t)-1)
		return -EINVAL;
	return c->pid == unix_own_cred().pid ? 0 : -ESRCH;
}

/* m's control messages: the files of SCM_RIGHTS as references into files (their count is
 * returned), SCM_CREDENTIALS into *cred. -EINVAL (another kind of message, a bad length, too
 * many files), -EBADF, -EFAULT, -ENOBUFS, -ESRCH. */
static int get_control(const struct msghdr_k *m, struct file **files, struct unix_cred *cred)
{
	struct cmsghdr_k h;
	uint8_t *buf;
	size_t off = 0;
	int n = 0, r = 0;

	if (m->controllen > CONTROL_MAX)
		return -ENOBUFS;
	buf = kmalloc(MAX(m->controllen, (size_t)1));
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, m->control, m->controllen))
		r = -EFAULT;
	while (!r && off + sizeof(h) <= m->controllen) {
		memcpy(&h, buf + off, sizeof(h));
		if (h.len < sizeof(h) || h.len > m->controllen - off || h.level != SOL_SOCKET ||
		    (h.type != SCM_RIGHTS && h.type != SCM_CREDENTIALS))
			r = -EINVAL;
		else if (h.type == SCM_CREDENTIALS && h.len != sizeof(h) + sizeof(*cred))
			r = -EINVAL;
		else if (h.type == SCM_CREDENTIALS) {
			memcpy(cred, buf + off + sizeof(h), sizeof(*cred));
			r = check_cred(cred);
		}
		for (size_t i = 0;
		     !r && h.type == SCM_RIGHTS && i < (h.len - sizeof(h)) / sizeof(int); i++) {
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

/* One control message of len bytes of data into o: MSG_CTRUNC if it does not fit. */
static void put_cmsg(struct cmsg_out *o, int type, const void *data, size_t len)
{
	struct cmsghdr_k h = { sizeof(h) + len, SOL_SOCKET, type };

	if (!o->base || o->room - o->used < h.len ||
	    copy_to_user(o->base + o->used, &h, sizeof(h)) ||
	    copy_to_user(o->base + o->used + sizeof(h), data, len)) {
		*o->flags |= MSG_CTRUNC;
		return;
	}
	o->used = MIN(o->room, o->used + CMSG_ALIGN_K(h.len));
}

/* Install received files for the caller and describe them in an SCM_RIGHTS message; those
 * that do not fit are closed and MSG_CTRUNC set, as on Linux. */
static void put_rights(struct cmsg_out *o, struct file **files, int n, bool cloexec)
{
	size_t left = o->room - o->used;
	size_t room = o->base && left > sizeof(struct cmsghdr_k)
			      ? (left - sizeof(struct cmsghdr_k)) / sizeof(int)
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
		*o->flags |= MSG_CTRUNC;
	if (k)
		put_cmsg(o, SCM_RIGHTS, fds, (size_t)k * sizeof(int));
}

/* SCM_CREDENTIALS for a receiver that asked with SO_PASSCRED; a message written without them
 * (write(2), pid 0) came from this process, the only one. */
static void put_cred(struct cmsg_out *o, struct file *f, const struct unix_cred *c)
{
	struct unix_cred me = unix_own_cred();

	if (unix_passcred(f))
		put_cmsg(o, SCM_CREDENTIALS, c->pid ? c : &me, sizeof(*c));
}

/* The connection end of an AF_UNIX stream socket (itself for a pair's end), or NULL. */
static struct file *stream_end(struct file *f)
{
	return sockpair_is(f) ? f : usock_conn(f);
}

/* A stream send whose files go with the data's first byte. */
static ssize_t stream_send(struct file *f, const struct iovec_k *iov, size_t cnt, size_t total,
			   int flags, struct file **files, int n)
{
	struct file *end = stream_end(f);
	ssize_t r;

	if (!n)
		return sockmsg_stream_send(f, SK_UNIX, iov, cnt, total, flags);
	if (!end) {
		while (n)
			file_put(files[--n]);
		return -ENOTCONN;
	}
	scm_attach(sockpair_chan(end, true), files, n);
	r = sockmsg_stream_send(f, SK_UNIX, iov, cnt, total, flags);
	scm_sent(sockpair_chan(end, true), r > 0 ? (size_t)r : 0);
	return r;
}

/* A message: the iovecs gathered into one, sent with its control messages' contents. */
static ssize_t msg_send(struct file *f, const struct msghdr_k *m, const struct iovec_k *iov,
			size_t total, int flags, struct udgram_meta *meta)
{
	uint8_t name[SOCKADDR_MAX];
	size_t i = 0, off = 0;
	uint8_t *buf = NULL;
	ssize_t r = 0;
	bool old;

	if (total > UDGRAM_MSG_MAX)
		r = -EMSGSIZE;
	else if (m->name && m->namelen > sizeof(name))
		r = -EINVAL;
	else if (m->name && copy_from_user(name, m->name, m->namelen))
		r = -EFAULT;
	else if (!(buf = kmalloc(MAX(total, (size_t)1))))
		r = -ENOMEM;
	else if ((r = sockmsg_gather(iov, m->iovlen, &i, &off, buf, total)) >= 0)
		r = 0;
	if (r) {
		for (int k = 0; k < meta->nfiles; k++)
			file_put(meta->files[k]);
		kfree(buf);
		return r;
	}
	old = uaccess_kernel_begin();
	r = unix_msg_send(f, buf, total, flags, m->name ? name : NULL, m->namelen, meta);
	uaccess_kernel_end(old);
	kfree(buf);
	return r;
}

ssize_t unix_sendmsg(struct file *f, const struct msghdr_k *m, const struct iovec_k *iov,
		     size_t total, int flags)
{
	struct udgram_meta meta = { .cred = unix_own_cred() };
	struct file **files = kmalloc(sizeof(*files) * SCM_MAX_FDS);
	ssize_t r;
	int n;

	if (!files)
		return -ENOMEM;
	n = m->control && m->controllen ? get_control(m, files, &meta.cred) : 0;
	if (n < 0)
		r = n;
	else if (unix_is_msg(f)) {
		meta.files = files;
		meta.nfiles = n;
		r = msg_send(f, m, iov, total, flags, &meta);
	} else
		r = stream_send(f, iov, m->iovlen, total, flags, files, n);
	kfree(files);
	return r;
}

/* recvmsg on a stream: as on any stream, except that a receive goes no further than the end
 * of a write that carried files, and takes them if it reads its first byte. */
static ssize_t stream_recv(struct file *f, struct cmsg_out *o, const struct iovec_k *iov,
			   size_t cnt, size_t total, int flags)
{
	struct file *end = stream_end(f);
	struct unix_cred me = unix_own_cred();
	size_t want = MIN(total, (size_t)STREAM_CHUNK);
	struct scm_batch *b =
		end && total ? scm_before_read(sockpair_chan(end, false), &want) : NULL;
	ssize_t r;
	void *buf;

	if (!b) { /* no files on the way: a plain stream receive */
		r = sockmsg_stream_recv(f, SK_UNIX, iov, cnt, flags);
		if (r > 0)
			put_cred(o, f, &me);
		return r;
	}
	buf = kmalloc(MAX(want, (size_t)1));
	r = !buf ? -ENOMEM : sockmsg_kernel_recv(f, SK_UNIX, buf, want, flags, NULL, NULL, NULL);
	if (r > 0 && sockmsg_scatter(iov, cnt, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	if (r > 0)
		put_cred(o, f, &me);
	if (scm_after_read(sockpair_chan(end, false), b, r)) {
		put_rights(o, b->files, b->n, flags & MSG_CMSG_CLOEXEC);
		kfree(b);
	}
	return r;
}

/* recvmsg on a message socket: one message, its sender's name, credentials and files. */
static ssize_t msg_recv(struct file *f, struct msghdr_k *m, struct cmsg_out *o,
			const struct iovec_k *iov, size_t total, int flags)
{
	uint8_t name[SOCKADDR_MAX];
	uint32_t namelen = sizeof(name);
	struct file **files = kmalloc(sizeof(*files) * SCM_MAX_FDS);
	size_t want = MIN(total, (size_t)UDGRAM_MSG_MAX);
	void *buf = kmalloc(MAX(want, (size_t)1));
	struct udgram_meta meta = { .files = files };
	ssize_t r = -ENOMEM;
	bool old;

	if (buf && files) {
		old = uaccess_kernel_begin();
		r = unix_msg_recv(f, buf, want, flags, &meta);
		if (r >= 0 && unix_put_from(name, &namelen, &meta))
			r = -EFAULT;
		uaccess_kernel_end(old);
	}
	if (r > 0 && sockmsg_scatter(iov, m->iovlen, buf, (size_t)r))
		r = -EFAULT;
	if (r >= 0 && m->name && copy_to_user(m->name, name, MIN(m->namelen, namelen)))
		r = -EFAULT;
	if (r >= 0) {
		m->namelen = m->name ? namelen : 0;
		if (meta.got && meta.full > (size_t)r)
			m->flags |= MSG_TRUNC;
		if (meta.got)
			put_cred(o, f, &meta.cred);
	}
	if (r >= 0)
		put_rights(o, files, meta.nfiles, flags & MSG_CMSG_CLOEXEC);
	else
		while (meta.nfiles)
			file_put(files[--meta.nfiles]);
	kfree(buf);
	kfree(files);
	return r >= 0 && (flags & MSG_TRUNC) && meta.got ? (ssize_t)meta.full : r;
}

ssize_t unix_recvmsg(struct file *f, struct msghdr_k *m, size_t ctl_room, const struct iovec_k *iov,
		     size_t total, int flags)
{
	struct cmsg_out o = { .base = m->control, .room = ctl_room, .flags = &m->flags };
	ssize_t r;

	if (unix_is_msg(f))
		r = msg_recv(f, m, &o, iov, total, flags);
	else {
		r = stream_recv(f, &o, iov, m->iovlen, total, flags);
		m->namelen = 0; /* as Linux for an unnamed peer */
	}
	m->controllen = o.used;
	return r;
}
