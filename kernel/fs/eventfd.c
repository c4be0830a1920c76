/* eventfd.c: eventfd objects. One spin lock guards the counter and both wait queues; readers
 * sleep while it is 0, writers while their value would take it past EVENTFD_MAX. */
#include "fs/eventfd.h"
#include "fs/file.h"
#include "fs/pollq.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "core/sched/wait.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "core/uaccess.h"

#define EVENTFD_MAX 0xfffffffffffffffeUL /* the largest value the counter holds */

struct eventfd {
	struct spinlock lock;
	uint64_t count;
	bool semaphore;
	struct waitq rq, wq; /* readers waiting for a count, writers for room */
	struct pollq pq;
};

/* Sleep on wq (lock held) until woken; -EAGAIN for a non-blocking file, -EINTR on a signal. */
static int wait_for(struct file *f, struct eventfd *e, struct waitq *wq)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (waitq_interrupted())
		return -EINTR;
	(void)waitq_sleep(wq, &e->lock, 0);
	return 0;
}

static ssize_t eventfd_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v, fl;
	int r = 0;

	if (n < sizeof(v))
		return -EINVAL;
	fl = spin_lock(&e->lock);
	while (!e->count && !r)
		r = wait_for(f, e, &e->rq);
	if (!r) {
		v = e->semaphore ? 1 : e->count;
		e->count -= v;
		waitq_wake_all(&e->wq);
		pollq_wake(&e->pq, POLLOUT);
	}
	spin_unlock(&e->lock, fl);
	if (r)
		return r;
	return copy_to_user(ubuf, &v, sizeof(v)) ? -EFAULT : (ssize_t)sizeof(v);
}

static ssize_t eventfd_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v, fl;
	int r = 0;

	if (n < sizeof(v))
		return -EINVAL;
	if (copy_from_user(&v, ubuf, sizeof(v)))
		return -EFAULT;
	if (v > EVENTFD_MAX)
		return -EINVAL;
	fl = spin_lock(&e->lock);
	while (EVENTFD_MAX - e->count < v && !r)
		r = wait_for(f, e, &e->wq);
	if (!r) {
		e->count += v;
		waitq_wake_all(&e->rq);
		pollq_wake(&e->pq, POLLIN);
	}
	spin_unlock(&e->lock, fl);
	return r ? r : (ssize_t)sizeof(v);
}

static uint32_t eventfd_poll(struct file *f, struct pollq **pq)
{
	struct eventfd *e = f->priv;
	uint64_t c = READ_ONCE(e->count);
	uint32_t ev = 0;

	if (c)
		ev |= POLLIN;
	if (c < EVENTFD_MAX)
		ev |= POLLOUT;
	if (pq)
		*pq = &e->pq;
	return ev;
}

static int eventfd_release(struct file *f)
{
	kfree(f->priv);
	return 0;
}

static const struct file_ops eventfd_fops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.release = eventfd_release,
	.anon_name = "[eventfd]",
};

int eventfd_create(uint64_t initval, uint32_t flags, struct file **out)
{
	struct eventfd *e;
	struct inode *ino;
	struct file *f;

	if (flags & ~(uint32_t)(EFD_SEMAPHORE | EFD_NONBLOCK))
		return -EINVAL;
	e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	spin_init(&e->lock);
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	waitq_init(&e->rq);
	waitq_init(&e->wq);
	pollq_init(&e->pq);
	ino = vfs_anon_inode(0600, &eventfd_fops);
	if (!ino) {
		kfree(e);
		return -ENOMEM;
	}
	f = file_alloc(ino, NULL, &eventfd_fops, O_RDWR | (flags & EFD_NONBLOCK));
	vfs_inode_put(ino);
	if (!f) {
		kfree(e);
		return -ENOMEM;
	}
	f->priv = e;
	*out = f;
	return 0;
}
