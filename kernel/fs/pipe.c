/* pipe.c: pipes: a ring of 64 KiB, or what F_SETPIPE_SZ makes it. One reader and one writer
 * at a time copy (each holds its side's mutex, so the bytes it copies cannot move); the spin
 * lock guards the indices, the ring itself (a resize waits until no copy is under way), the
 * counts of open ends and the wait queues. */
#include "fs/pipe.h"
#include "fs/file.h"
#include "fs/fsctx.h"
#include "fs/pollq.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/sched/sched.h"
#include "core/sched/wait.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "core/uaccess.h"

struct pipe {
	struct spinlock lock;
	uint8_t *buf;
	uint32_t size;	     /* of buf: a power of two of pages */
	int copying;	     /* copies to or from buf under way (without the spin lock) */
	uint64_t head, tail; /* bytes written / read so far */
	int readers, writers;
	int refs; /* ends open (files) + the FIFO inode's */
	struct waitq rq, wq;
	struct pollq pq;
	struct mutex rmutex, wmutex;
};

static int order_of(uint32_t size)
{
	return __builtin_ctz(size / PAGE_SIZE);
}

static struct pipe *pipe_new(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->size = PIPE_SIZE;
	p->buf = page_alloc(order_of(PIPE_SIZE));
	if (!p->buf) {
		kfree(p);
		return NULL;
	}
	waitq_init(&p->rq);
	waitq_init(&p->wq);
	pollq_init(&p->pq);
	mutex_init(&p->rmutex);
	mutex_init(&p->wmutex);
	return p;
}

static void pipe_unref(struct pipe *p)
{
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL))
		return;
	page_free(p->buf, order_of(p->size));
	kfree(p);
}

/* Wait, p->lock held, until the pipe holds something: 1; 0 when it is empty with no writer
 * left (the end), -EAGAIN (nonblock) or -EINTR (a signal). */
static int wait_data(struct pipe *p, bool nonblock)
{
	while (p->head == p->tail) {
		if (!p->writers)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (waitq_interrupted())
			return -EINTR;
		(void)waitq_sleep(&p->rq, &p->lock, 0);
	}
	return 1;
}

static ssize_t pipe_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	uint64_t fl;
	int r = 0;

	if (!n)
		return 0;
	mutex_lock(&p->rmutex);
	fl = spin_lock(&p->lock);
	r = wait_data(p, f->flags & O_NONBLOCK);
	if (r <= 0)
		goto out;
	r = 0;
	while (done < n && p->tail + done < p->head) {
		uint64_t at = (p->tail + done) % p->size;
		size_t k = MIN(n - done, MIN(p->head - p->tail - done, p->size - at));

		p->copying++;
		spin_unlock(&p->lock, fl);
		r = copy_to_user((char *)ubuf + done, p->buf + at, k);
		fl = spin_lock(&p->lock);
		p->copying--;
		if (r)
			break;
		done += k;
	}
	p->tail += done;
	if (done) {
		waitq_wake_all(&p->wq);
		pollq_wake(&p->pq, POLLOUT);
	}
out:
	spin_unlock(&p->lock, fl);
	mutex_unlock(&p->rmutex);
	return done ? (ssize_t)done : r;
}

static ssize_t pipe_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	uint64_t fl;
	int r = 0;

	mutex_lock(&p->wmutex);
	fl = spin_lock(&p->lock);
	while (done < n) {
		size_t room = p->size - (size_t)(p->head - p->tail), k;
		uint64_t at = p->head % p->size;

		if (!p->readers) {
			r = -EPIPE;
			break;
		}
		/* Up to PIPE_BUF bytes go in one piece. */
		if (!room || (n - done <= PIPE_BUF && room < n - done && !done)) {
			if (f->flags & O_NONBLOCK) {
				r = -EAGAIN;
				break;
			}
			if (waitq_interrupted()) {
				r = -EINTR;
				break;
			}
			(void)waitq_sleep(&p->wq, &p->lock, 0);
			continue;
		}
		k = MIN(n - done, MIN(room, p->size - at));
		p->copying++;
		spin_unlock(&p->lock, fl);
		r = copy_from_user(p->buf + at, (const char *)ubuf + done, k);
		fl = spin_lock(&p->lock);
		p->copying--;
		if (r)
			break;
		p->head += k;
		done += k;
		waitq_wake_all(&p->rq);
		pollq_wake(&p->pq, POLLIN);
	}
	spin_unlock(&p->lock, fl);
	mutex_unlock(&p->wmutex);
	if (r == -EPIPE && !done)
		fsctx_sigpipe();
	return done ? (ssize_t)done : r;
}

static uint32_t pipe_poll(struct file *f, struct pollq **pq)
{
	struct pipe *p = f->priv;
	uint64_t fl = spin_lock(&p->lock);
	uint32_t ev = 0, acc = f->flags & O_ACCMODE;

	if (acc != O_WRONLY) {
		if (p->head != p->tail)
			ev |= POLLIN | POLLRDNORM;
		if (!p->writers)
			ev |= POLLHUP;
	}
	if (acc != O_RDONLY) {
		if (p->head - p->tail < p->size)
			ev |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			ev |= POLLERR;
	}
	spin_unlock(&p->lock, fl);
	if (pq)
		*pq = &p->pq;
	return ev;
}

static long pipe_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct pipe *p = f->priv;

	if (cmd == 0x541b) { /* FIONREAD */
		int n = (int)(p->head - p->tail);

		return copy_to_user((void *)arg, &n, sizeof(n));
	}
	return -ENOTTY;
}

static void end_open(struct pipe *p, uint32_t acc)
{
	uint64_t fl = spin_lock(&p->lock);

	if (acc != O_WRONLY)
		p->readers++;
	if (acc != O_RDONLY)
		p->writers++;
	p->refs++;
	spin_unlock(&p->lock, fl);
}

static int pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	uint32_t acc = f->flags & O_ACCMODE;
	uint64_t fl = spin_lock(&p->lock);

	if (acc != O_WRONLY)
		p->readers--;
	if (acc != O_RDONLY)
		p->writers--;
	waitq_wake_all(&p->rq);
	waitq_wake_all(&p->wq);
	pollq_wake(&p->pq, POLLHUP | POLLERR);
	spin_unlock(&p->lock, fl);
	pipe_unref(p);
	return 0;
}

static int fifo_release(struct file *f);

/* A pipe's inode holds it as a FIFO's does, so that /proc/self/fd/N reopens it (fifo_open). */
static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = fifo_release,
};

int pipe_create(uint32_t flags, struct file **rd, struct file **wr)
{
	struct pipe *p = pipe_new();
	struct inode *ino;

	if (!p)
		return -ENOMEM;
	ino = vfs_anon_inode(S_IFIFO | 0600, &pipe_fops);
	if (!ino) {
		pipe_unref(p);
		return -ENOMEM;
	}
	*rd = file_alloc(ino, NULL, &pipe_fops, O_RDONLY | (flags & O_NONBLOCK));
	*wr = file_alloc(ino, NULL, &pipe_fops, O_WRONLY | (flags & O_NONBLOCK));
	vfs_inode_put(ino);
	if (!*rd || !*wr) {
		kfree(*rd); /* never opened: nothing to release */
		kfree(*wr);
		pipe_unref(p);
		return -ENOMEM;
	}
	(*rd)->priv = (*wr)->priv = ino->priv = p;
	p->refs = 1; /* pipe_new's, handed to the read end below */
	end_open(p, O_RDONLY);
	end_open(p, O_WRONLY);
	pipe_unref(p);
	return 0;
}

static struct pipe *pipe_of(struct file *f)
{
	return f->ops == &pipe_fops || f->ops == &fifo_fops ? f->priv : NULL;
}

long pipe_get_size(struct file *f)
{
	struct pipe *p = pipe_of(f);

	return p ? (long)READ_ONCE(p->size) : -EBADF;
}

long pipe_peek(struct file *f, void *kbuf, size_t n, bool nonblock)
{
	struct pipe *p = pipe_of(f);
	size_t done = 0;
	uint64_t fl;
	long r = 0;

	if (!p)
		return -EINVAL;
	mutex_lock(&p->rmutex); /* (no reader takes the bytes meanwhile) */
	fl = spin_lock(&p->lock);
	r = n ? wait_data(p, nonblock) : 0;
	if (r <= 0)
		goto out;
	r = 0;
	/* the ring is stable: the writer only adds past head, a resize waits for copying */
	while (done < n && p->tail + done < p->head) {
		uint64_t at = (p->tail + done) % p->size;
		size_t k = MIN(n - done, MIN(p->head - p->tail - done, p->size - at));

		memcpy((uint8_t *)kbuf + done, p->buf + at, k);
		done += k;
	}
out:
	spin_unlock(&p->lock, fl);
	mutex_unlock(&p->rmutex);
	return done ? (long)done : r;
}

long pipe_set_size(struct file *f, uint64_t want)
{
	struct pipe *p = pipe_of(f);
	uint32_t size = PAGE_SIZE, old_size;
	uint8_t *buf, *old;
	uint64_t fl;

	if (!p)
		return -EBADF;
	if (want > PIPE_MAX_SIZE)
		return -EPERM;
	while (size < want)
		size *= 2;
	buf = page_alloc(order_of(size));
	if (!buf)
		return -ENOMEM;
	for (;;) {
		fl = spin_lock(&p->lock);
		if (!p->copying)
			break;
		spin_unlock(&p->lock, fl);
		sched_yield();
	}
	if (p->head - p->tail > size) {
		spin_unlock(&p->lock, fl);
		page_free(buf, order_of(size));
		return -EBUSY;
	}
	/* the bytes keep their indices: each goes where index % size says */
	for (uint64_t i = p->tail; i < p->head;) {
		uint32_t from = (uint32_t)(i % p->size), to = (uint32_t)(i % size);
		uint64_t k = MIN(p->head - i, MIN(p->size - from, size - to));

		memcpy(buf + to, p->buf + from, k);
		i += k;
	}
	old = p->buf;
	old_size = p->size;
	p->buf = buf;
	p->size = size;
	if (size > old_size) {
		waitq_wake_all(&p->wq);
		pollq_wake(&p->pq, POLLOUT);
	}
	spin_unlock(&p->lock, fl);
	page_free(old, order_of(old_size));
	return size;
}

/* A FIFO keeps its pipe in the inode while any end is open. */
static struct spinlock fifo_lock = SPINLOCK_INIT;

static int fifo_open(struct file *f)
{
	struct inode *ino = f->inode;
	struct pipe *p, *fresh = NULL;
	uint64_t fl;

	for (;;) {
		fl = spin_lock(&fifo_lock);
		p = ino->priv;
		if (!p && fresh) {
			ino->priv = p = fresh;
			fresh = NULL;
		}
		if (p) {
			end_open(p, f->flags & O_ACCMODE);
			spin_unlock(&fifo_lock, fl);
			break;
		}
		spin_unlock(&fifo_lock, fl);
		fresh = pipe_new();
		if (!fresh)
			return -ENOMEM;
	}
	if (fresh) {
		fresh->refs = 1;
		pipe_unref(fresh);
	}
	f->priv = p;
	return 0;
}

static int fifo_release(struct file *f)
{
	struct pipe *p = f->priv;
	uint64_t fl = spin_lock(&fifo_lock);

	if (p->refs == 1)
		f->inode->priv = NULL;
	spin_unlock(&fifo_lock, fl);
	return pipe_release(f);
}

const struct file_ops fifo_fops = {
	.open = fifo_open,
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = fifo_release,
};
