/* pty.c: Unix 98 pseudo-terminal pairs: /dev/ptmx makes one, /dev/pts/N is its slave. The
 * slave side is a struct ldisc; the master side is a byte queue of the slave's output, and
 * its writes are the ldisc's input. The ldisc's lock guards the whole pair. */
#include "fs/pty.h"
#include "fs/termios.h"
#include "fs/chrdev.h"
#include "fs/file.h"
#include "fs/fsctx.h"
#include "fs/ldisc.h"
#include "fs/ldisc_ioctl.h"
#include "fs/open.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "core/panic.h"
#include "core/uaccess.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define PTY_OUT 8192 /* the master's queue: the slave's output not yet read */

#define SIGINT 2
#define SIGQUIT 3
#define SIGTSTP 20

struct pty {
	struct ldisc ld; /* the slave's terminal; ld.lock guards the pair */
	uint8_t out[PTY_OUT];
	uint32_t out_head, out_tail; /* run free */
	struct waitq mrq, mwq;	     /* the master's readers, its writers waiting for input room */
	struct pollq mpq;	     /* the master's pollers */
	int index;
	int refs;	   /* the master's file, and each slave file (ptys_lock) */
	int slaves;	   /* slave files open */
	bool master_open;  /* false: the slave is hung up, its node gone */
	bool slave_closed; /* the slaves opened have all closed: the master reads EIO */
	bool locked;	   /* TIOCSPTLCK: the slave cannot be opened */
	uint32_t uid, gid; /* the node's owner */
};

static struct spinlock ptys_lock = SPINLOCK_INIT;
static struct pty *ptys[PTY_MAX];

static uint32_t out_count(struct pty *p)
{
	return p->out_head - p->out_tail;
}

/* --- the ldisc's sink: the master's queue --- */

static size_t out_room(struct ldisc *ld)
{
	struct pty *p = ld->priv;

	return PTY_OUT - out_count(p);
}

static void out_put(struct ldisc *ld, const uint8_t *buf, size_t n)
{
	struct pty *p = ld->priv;

	for (size_t i = 0; i < n; i++)
		p->out[p->out_head++ % PTY_OUT] = buf[i];
	waitq_wake_all(&p->mrq);
	pollq_wake(&p->mpq, POLLIN | POLLRDNORM);
}

static void input_room(struct ldisc *ld)
{
	struct pty *p = ld->priv;

	waitq_wake_all(&p->mwq);
	pollq_wake(&p->mpq, POLLOUT | POLLWRNORM);
}

static bool hungup(struct ldisc *ld)
{
	struct pty *p = ld->priv;

	return !p->master_open;
}

static const struct ldisc_ops pty_ldisc_ops = {
	.room = out_room,
	.put = out_put,
	.input_room = input_room,
	.hungup = hungup,
};

/* --- the pairs --- */

static void pty_put(struct pty *p)
{
	uint64_t fl = spin_lock(&ptys_lock);
	bool last = --p->refs == 0;

	if (last)
		ptys[p->index] = NULL;
	spin_unlock(&ptys_lock, fl);
	if (last)
		kfree(p);
}

int pty_next(int from)
{
	uint64_t fl = spin_lock(&ptys_lock);
	int n = MAX(from, 0);

	while (n < PTY_MAX && !(ptys[n] && ptys[n]->master_open))
		n++;
	spin_unlock(&ptys_lock, fl);
	return n < PTY_MAX ? n : -1;
}

bool pty_node(int n, uint32_t *uid, uint32_t *gid)
{
	uint64_t fl = spin_lock(&ptys_lock);
	struct pty *p = n >= 0 && n < PTY_MAX ? ptys[n] : NULL;
	bool there = p && p->master_open;

	if (there) {
		*uid = p->uid;
		*gid = p->gid;
	}
	spin_unlock(&ptys_lock, fl);
	return there;
}

/* --- the master --- */

static int ptmx_open(struct file *f)
{
	struct pty *p = kzalloc(sizeof(*p));
	uint64_t fl;
	int n;

	if (!p)
		return -ENOMEM;
	ldisc_init(&p->ld, &pty_ldisc_ops, p);
	waitq_init(&p->mrq);
	waitq_init(&p->mwq);
	pollq_init(&p->mpq);
	p->refs = 1;
	p->master_open = true;
	p->locked = true;
	(void)fsctx_ids(&p->uid, &p->gid);
	p->gid = 5; /* devpts's gid=5: the "tty" group */
	fl = spin_lock(&ptys_lock);
	for (n = 0; n < PTY_MAX && ptys[n]; n++)
		;
	if (n < PTY_MAX) {
		p->index = n;
		ptys[n] = p;
	}
	spin_unlock(&ptys_lock, fl);
	if (n == PTY_MAX) {
		kfree(p);
		return -ENOSPC;
	}
	f->priv = p;
	return 0;
}

static ssize_t ptmx_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	struct pty *p = f->priv;
	uint8_t kbuf[256];
	size_t done = 0;
	uint64_t fl;
	int r = 0;

	fl = spin_lock(&p->ld.lock);
	while (done < n) {
		size_t k = 0;

		if (!out_count(p)) {
			if (done)
				break;
			if (p->slave_closed) {
				r = -EIO;
				break;
			}
			if (f->flags & O_NONBLOCK) {
				r = -EAGAIN;
				break;
			}
			if (waitq_interrupted()) {
				r = -EINTR;
				break;
			}
			(void)waitq_sleep(&p->mrq, &p->ld.lock, 0);
			continue;
		}
		while (k < MIN(n - done, sizeof(kbuf)) && out_count(p))
			kbuf[k++] = p->out[p->out_tail++ % PTY_OUT];
		waitq_wake_all(&p->ld.wq);
		pollq_wake(&p->ld.pq, POLLOUT | POLLWRNORM);
		spin_unlock(&p->ld.lock, fl);
		r = copy_to_user((char *)ubuf + done, kbuf, k);
		fl = spin_lock(&p->ld.lock);
		if (r)
			break;
		done += k;
	}
	spin_unlock(&p->ld.lock, fl);
	return done ? (ssize_t)done : r;
}

static ssize_t ptmx_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct pty *p = f->priv;
	uint8_t kbuf[256];
	size_t done = 0;
	uint64_t fl;
	int r = 0, sig = 0;

	while (done < n && !r) {
		size_t k = MIN(n - done, sizeof(kbuf)), i = 0;

		if (copy_from_user(kbuf, (const char *)ubuf + done, k)) {
			r = -EFAULT;
			break;
		}
		fl = spin_lock(&p->ld.lock);
		while (i < k) {
			i += ldisc_receive(&p->ld, kbuf + i, k - i, &sig);
			if (sig) {
				/* the signal goes now, without the lock; the rest follows it */
				spin_unlock(&p->ld.lock, fl);
				ldisc_signal(&p->ld, sig);
				fl = spin_lock(&p->ld.lock);
				continue;
			}
			if (i == k)
				break;
			if (f->flags & O_NONBLOCK) {
				r = -EAGAIN;
				break;
			}
			if (waitq_interrupted()) {
				r = -EINTR;
				break;
			}
			(void)waitq_sleep(&p->mwq, &p->ld.lock, 0);
		}
		spin_unlock(&p->ld.lock, fl);
		done += i;
	}
	return done ? (ssize_t)done : r;
}

static uint32_t ptmx_poll(struct file *f, struct pollq **pq)
{
	struct pty *p = f->priv;
	uint64_t fl = spin_lock(&p->ld.lock);
	uint32_t ev = 0;

	if (out_count(p))
		ev |= POLLIN | POLLRDNORM;
	if (p->ld.read_head - p->ld.read_tail < LDISC_BUF - 1)
		ev |= POLLOUT | POLLWRNORM;
	if (p->slave_closed)
		ev |= POLLHUP;
	spin_unlock(&p->ld.lock, fl);
	if (pq)
		*pq = &p->mpq;
	return ev;
}

/* TIOCGPTPEER: the slave opened through its node, as if by path (the lock applies). */
static long open_peer(struct pty *p, uint64_t flags)
{
	uint32_t keep = O_ACCMODE | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	struct file *f;
	char path[32];
	int r;

	snprintf(path, sizeof(path), "/dev/pts/%d", p->index);
	r = vfs_open(vfs_root, path, (uint32_t)flags & keep, 0, &f);
	if (r)
		return r;
	r = fd_install(f, 0, flags & O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

static long ptmx_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct pty *p = f->priv;
	uint64_t fl;
	int v;

	switch (cmd) {
	case TIOCGPTN:
		return put_user(p->index, (int *)arg);
	case TIOCSPTLCK:
		if (get_user(v, (int *)arg))
			return -EFAULT;
		p->locked = v != 0;
		return 0;
	case TIOCGPTLCK:
		return put_user((int)p->locked, (int *)arg);
	case TIOCGPTPEER:
		return open_peer(p, arg);
	case TIOCSIG:
		if (arg != SIGINT && arg != SIGQUIT && arg != SIGTSTP)
			return -EINVAL;
		ldisc_signal(&p->ld, (int)arg);
		return 0;
	case FIONREAD:
		fl = spin_lock(&p->ld.lock);
		v = (int)out_count(p);
		spin_unlock(&p->ld.lock, fl);
		return put_user(v, (int *)arg);
	case TCFLSH:
		if (arg > 2)
			return -EINVAL;
		if (arg != 1) { /* TCIFLUSH, TCIOFLUSH: the slave's output not yet read */
			fl = spin_lock(&p->ld.lock);
			p->out_tail = p->out_head;
			waitq_wake_all(&p->ld.wq);
			pollq_wake(&p->ld.pq, POLLOUT | POLLWRNORM);
			spin_unlock(&p->ld.lock, fl);
		}
		return 0;
	default:
		return ldisc_ioctl(&p->ld, cmd, arg, true);
	}
}

static int ptmx_release(struct file *f)
{
	struct pty *p = f->priv;
	uint64_t fl;

	if (!p)
		return 0; /* its open failed */
	fl = spin_lock(&p->ld.lock);

	p->master_open = false;
	ldisc_wake_all(&p->ld);
	spin_unlock(&p->ld.lock, fl);
	ldisc_hangup(&p->ld);
	pty_put(p);
	return 0;
}

static const struct file_ops ptmx_fops = {
	.open = ptmx_open,
	.read = ptmx_read,
	.write = ptmx_write,
	.poll = ptmx_poll,
	.ioctl = ptmx_ioctl,
	.release = ptmx_release,
};

/* --- the slave --- */

static int pts_open(struct file *f)
{
	uint32_t n = MINOR(f->inode->rdev);
	uint64_t fl = spin_lock(&ptys_lock);
	struct pty *p = n < PTY_MAX ? ptys[n] : NULL;
	int r = 0;

	if (!p || !p->master_open)
		r = -EIO;
	else if (p->locked)
		r = -EIO;
	if (!r) {
		p->refs++;
		spin_unlock(&ptys_lock, fl);
		fl = spin_lock(&p->ld.lock);
		p->slaves++;
		p->slave_closed = false;
		spin_unlock(&p->ld.lock, fl);
		f->priv = p;
		return 0;
	}
	spin_unlock(&ptys_lock, fl);
	return r;
}

static ssize_t pts_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	struct pty *p = f->priv;

	return ldisc_read(&p->ld, ubuf, n, f->flags & O_NONBLOCK);
}

static ssize_t pts_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct pty *p = f->priv;

	return ldisc_write(&p->ld, ubuf, n, f->flags & O_NONBLOCK);
}

static uint32_t pts_poll(struct file *f, struct pollq **pq)
{
	struct pty *p = f->priv;
	uint64_t fl = spin_lock(&p->ld.lock);
	uint32_t ev;

	if (p->master_open)
		ev = ldisc_poll_events(&p->ld);
	else /* hung up: everything at once, as Linux's hung_up_tty_poll */
		ev = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
	spin_unlock(&p->ld.lock, fl);
	if (pq)
		*pq = &p->ld.pq;
	return ev;
}

static long pts_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct pty *p = f->priv;

	if (!__atomic_load_n(&p->master_open, __ATOMIC_ACQUIRE))
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	return ldisc_ioctl(&p->ld, cmd, arg, false);
}

static int pts_release(struct file *f)
{
	struct pty *p = f->priv;
	uint64_t fl;

	if (!p)
		return 0; /* its open failed (locked) */
	fl = spin_lock(&p->ld.lock);

	if (--p->slaves == 0) {
		p->slave_closed = true;
		waitq_wake_all(&p->mrq);
		pollq_wake(&p->mpq, POLLHUP);
	}
	spin_unlock(&p->ld.lock, fl);
	pty_put(p);
	return 0;
}

static const struct file_ops pts_fops = {
	.open = pts_open,
	.read = pts_read,
	.write = pts_write,
	.poll = pts_poll,
	.ioctl = pts_ioctl,
	.release = pts_release,
};

void pty_init(void)
{
	if (chrdev_register(MKDEV(5, 2), &ptmx_fops) ||
	    chrdev_register_range(MKDEV(PTY_SLAVE_MAJOR, 0), PTY_MAX, &pts_fops))
		panic("pty: cannot register the devices");
}
