/* epoll.c: epoll instances: interest lists, ready lists fed by poll-queue wake functions,
 * waiting, nesting and the release rules (the model is in epoll.h). */
#include "fs/epoll.h"
#include "fs/file.h"
#include "fs/pollq.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "core/sched/sync.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "core/uaccess.h"

/* Flags of an item that are not events (kept when a one-shot item is disabled). */
#define PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
/* What EPOLLEXCLUSIVE may be combined with. */
#define EXCLUSIVE_OK \
	(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

struct epitem {
	struct list hnode;  /* in ep->buckets[] */
	struct list rdlink; /* in ep->ready, or a scan's own list, while on_ready */
	struct list flink;  /* in file->epoll_items */
	struct list snode;  /* in ep->nested if the file is an epoll */
	struct epoll *ep;
	struct file *file; /* no reference: the item goes when the file's last one does */
	int fd;
	uint32_t events; /* interest (with EPOLLERR | EPOLLHUP) and PRIVATE_BITS */
	uint64_t data;
	bool on_ready; /* on a ready list (ep->lock) */
	struct pollq_entry pe;
};

struct epoll {
	struct mutex mtx;     /* the items, the hash; held by scans */
	struct spinlock lock; /* ready, on_ready, wq */
	struct list ready;
	struct waitq wq; /* epoll_wait callers */
	struct pollq pq; /* poll/select/outer epolls watching this one */
	struct list *buckets;
	uint32_t nbuckets, nitems;
	struct list nested; /* items whose file is an epoll (ep_graph) */
	struct file *file;
	uint32_t gen, depth; /* the depth memo of one loop check (ep_graph) */
};

static struct mutex ep_graph = MUTEX_INIT(ep_graph);
static uint32_t check_gen;

static void list_move_all(struct list *from, struct list *to_tail)
{
	while (!list_empty(from)) {
		struct list *n = from->next;

		list_del(n);
		list_add_tail(to_tail, n);
	}
}

static uint32_t hash(const struct file *f, int fd, uint32_t nbuckets)
{
	uint64_t h = ((uint64_t)f >> 4) * 0x9e3779b97f4a7c15UL + (uint32_t)fd;

	return (uint32_t)(h >> 32) & (nbuckets - 1);
}

static struct epitem *lookup(struct epoll *ep, const struct file *f, int fd)
{
	struct list *b = &ep->buckets[hash(f, fd, ep->nbuckets)], *pos;

	list_for_each (pos, b) {
		struct epitem *it = list_entry(pos, struct epitem, hnode);

		if (it->file == f && it->fd == fd)
			return it;
	}
	return NULL;
}

/* Double the hash table when it gets crowded (a failed allocation keeps the old one). */
static void maybe_grow(struct epoll *ep)
{
	uint32_t n = ep->nbuckets * 2;
	struct list *nb;

	if (ep->nitems <= 2 * ep->nbuckets)
		return;
	nb = kmalloc(n * sizeof(*nb));
	if (!nb)
		return;
	for (uint32_t i = 0; i < n; i++)
		list_init(&nb[i]);
	for (uint32_t i = 0; i < ep->nbuckets; i++) {
		while (!list_empty(&ep->buckets[i])) {
			struct epitem *it = list_first_entry(&ep->buckets[i], struct epitem, hnode);

			list_del(&it->hnode);
			list_add_tail(&nb[hash(it->file, it->fd, n)], &it->hnode);
		}
	}
	kfree(ep->buckets);
	ep->buckets = nb;
	ep->nbuckets = n;
}

/* Put it on the ready list and wake a waiter (ep->lock held). */
static void make_ready(struct epoll *ep, struct epitem *it)
{
	if (!it->on_ready) {
		list_add_tail(&ep->ready, &it->rdlink);
		it->on_ready = true;
	}
	waitq_wake_one(&ep->wq);
}

/* The item's file may have become ready (its poll queue's lock held, interrupts off). */
static void item_wake(struct pollq_entry *pe, uint32_t events)
{
	struct epitem *it = pe->priv;
	struct epoll *ep = it->ep;
	bool wake;

	spin_lock_raw(&ep->lock);
	/* Not for a one-shot that fired (disabled), nor for events it does not ask for. */
	wake = (it->events & ~PRIVATE_BITS) && (!events || (events & it->events));
	if (wake)
		make_ready(ep, it);
	spin_unlock_raw(&ep->lock);
	if (wake)
		pollq_wake(&ep->pq, EPOLLIN);
}

/* The events of it's file now, among those it asks for. */
static uint32_t item_poll(const struct epitem *it)
{
	return it->file->ops->poll(it->file, NULL) & it->events & ~PRIVATE_BITS;
}

/* Unhook it from its file and lists and free it (ep_graph and ep->mtx held). */
static void item_free(struct epoll *ep, struct epitem *it)
{
	uint64_t fl;

	pollq_del(&it->pe); /* after this no wake function runs on it */
	fl = spin_lock(&ep->lock);
	if (it->on_ready)
		list_del(&it->rdlink);
	spin_unlock(&ep->lock, fl);
	list_del(&it->flink);
	list_del(&it->hnode);
	if (epoll_is(it->file))
		list_del(&it->snode);
	ep->nitems--;
	kfree(it);
}

/* Instances on the deepest path of nested epolls from ep down, ep included; -ELOOP if target
 * is among them (ep_graph held). Memoized per check: the graph may share instances. */
static int depth_down(struct epoll *ep, const struct epoll *target, int level)
{
	struct list *pos;
	int d = 1;

	if (ep == target || level > EPOLL_MAX_DEPTH)
		return -ELOOP;
	if (ep->gen == check_gen)
		return (int)ep->depth;
	list_for_each (pos, &ep->nested) {
		struct epitem *it = list_entry(pos, struct epitem, snode);
		int k = depth_down(it->file->priv, target, level + 1);

		if (k < 0)
			return k;
		d = MAX(d, k + 1);
	}
	ep->gen = check_gen;
	ep->depth = (uint32_t)d;
	return d;
}

/* Instances on the deepest path of epolls watching ep, ep included (ep_graph held). */
static int depth_up(struct epoll *ep, int level)
{
	struct list *pos;
	int d = 1;

	if (level > EPOLL_MAX_DEPTH)
		return level;
	list_for_each (pos, &ep->file->epoll_items) {
		struct epitem *it = list_entry(pos, struct epitem, flink);

		d = MAX(d, depth_up(it->ep, level + 1) + 1);
	}
	return d;
}

/* May ep watch the epoll file tf? 0 or -ELOOP (ep_graph held). */
static int loop_check(struct epoll *ep, struct file *tf)
{
	int down, up;

	check_gen++;
	down = depth_down(tf->priv, ep, 1);
	if (down < 0)
		return down;
	up = depth_up(ep, 1);
	return up + down > EPOLL_MAX_DEPTH ? -ELOOP : 0;
}

static int item_add(struct epoll *ep, struct file *tf, int fd, const struct epoll_event_k *ev)
{
	struct epitem *it = kzalloc(sizeof(*it));
	struct pollq *pq = NULL;
	uint64_t fl;

	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = tf;
	it->fd = fd;
	it->events = ev->events;
	it->data = ev->data;
	it->pe.wake = item_wake;
	it->pe.priv = it;
	list_add_tail(&ep->buckets[hash(tf, fd, ep->nbuckets)], &it->hnode);
	list_add_tail(&tf->epoll_items, &it->flink);
	if (epoll_is(tf))
		list_add_tail(&ep->nested, &it->snode);
	ep->nitems++;
	maybe_grow(ep);
	/* Hook on first, then look: a change in between still wakes the item. */
	(void)tf->ops->poll(tf, &pq);
	if (pq)
		pollq_add(pq, &it->pe);
	if (item_poll(it)) {
		fl = spin_lock(&ep->lock);
		make_ready(ep, it);
		spin_unlock(&ep->lock, fl);
		pollq_wake(&ep->pq, EPOLLIN);
	}
	return 0;
}

static void item_mod(struct epoll *ep, struct epitem *it, const struct epoll_event_k *ev)
{
	uint64_t fl;

	fl = spin_lock(&ep->lock); /* the wake function reads events */
	it->events = ev->events;
	it->data = ev->data;
	spin_unlock(&ep->lock, fl);
	if (item_poll(it)) {
		fl = spin_lock(&ep->lock);
		make_ready(ep, it);
		spin_unlock(&ep->lock, fl);
		pollq_wake(&ep->pq, EPOLLIN);
	}
}

int epoll_ctl(struct file *epf, int op, int fd, struct file *tf, const struct epoll_event_k *ev)
{
	struct epoll_event_k e = { 0, 0 };
	struct epoll *ep;
	struct epitem *it;
	bool graph = op != EPOLL_CTL_MOD;
	int r = 0;

	if (!tf->ops || !tf->ops->poll)
		return -EPERM;
	if (epf == tf || !epoll_is(epf))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL) {
		e = *ev;
		e.events &= ~EPOLLWAKEUP; /* no suspend to block here */
		e.events |= EPOLLERR | EPOLLHUP;
	}
	if (e.events & EPOLLEXCLUSIVE) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD && (epoll_is(tf) || (e.events & ~EXCLUSIVE_OK)))
			return -EINVAL;
	}
	ep = epf->priv;
	if (graph)
		mutex_lock(&ep_graph);
	mutex_lock(&ep->mtx);
	it = lookup(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it)
			r = -EEXIST;
		else if (epoll_is(tf))
			r = loop_check(ep, tf);
		if (!r)
			r = item_add(ep, tf, fd, &e);
		break;
	case EPOLL_CTL_MOD:
		if (!it)
			r = -ENOENT;
		else if (it->events & EPOLLEXCLUSIVE)
			r = -EINVAL;
		else
			item_mod(ep, it, &e);
		break;
	case EPOLL_CTL_DEL:
		if (!it)
			r = -ENOENT;
		else
			item_free(ep, it);
		break;
	default:
		r = -EINVAL;
	}
	mutex_unlock(&ep->mtx);
	if (graph)
		mutex_unlock(&ep_graph);
	return r;
}

/*
 * Report up to max ready items to uev (ep->mtx held). Each item leaves the ready list before
 * its file is polled, so a wake during the poll puts it back; a level-triggered item that was
 * reported goes back at the tail (after the others: fairness). Returns the count or -EFAULT.
 */
static int scan(struct epoll *ep, struct epoll_event_k *uev, int max)
{
	struct list todo, again;
	struct epitem *it;
	uint64_t fl;
	int n = 0;

	list_init(&todo);
	list_init(&again);
	fl = spin_lock(&ep->lock);
	list_move_all(&ep->ready, &todo);
	spin_unlock(&ep->lock, fl);
	while (n < max) {
		struct epoll_event_k out;

		fl = spin_lock(&ep->lock);
		if (list_empty(&todo)) {
			spin_unlock(&ep->lock, fl);
			break;
		}
		it = list_first_entry(&todo, struct epitem, rdlink);
		list_del(&it->rdlink);
		it->on_ready = false;
		spin_unlock(&ep->lock, fl);
		out.events = item_poll(it);
		if (!out.events)
			continue;
		out.data = it->data;
		if (copy_to_user(&uev[n], &out, sizeof(out))) {
			fl = spin_lock(&ep->lock);
			if (!it->on_ready) {
				list_add(&todo, &it->rdlink);
				it->on_ready = true;
			}
			spin_unlock(&ep->lock, fl);
			if (!n)
				n = -EFAULT;
			break;
		}
		n++;
		fl = spin_lock(&ep->lock);
		if (it->events & EPOLLONESHOT) {
			it->events &= PRIVATE_BITS;
		} else if (!(it->events & EPOLLET) && !it->on_ready) {
			list_add_tail(&again, &it->rdlink);
			it->on_ready = true;
		}
		spin_unlock(&ep->lock, fl);
	}
	fl = spin_lock(&ep->lock);
	/* Not looked at: ahead of what arrived meanwhile. */
	list_move_all(&ep->ready, &todo);
	list_move_all(&todo, &ep->ready);
	list_move_all(&again, &ep->ready);
	spin_unlock(&ep->lock, fl);
	return n;
}

long epoll_wait(struct file *epf, struct epoll_event_k *uev, int max, uint64_t deadline,
		bool nowait)
{
	struct epoll *ep;
	uint64_t fl;
	long n;

	if (!epoll_is(epf))
		return -EINVAL;
	ep = epf->priv;
	for (;;) {
		int r = 0;

		mutex_lock(&ep->mtx);
		n = scan(ep, uev, max);
		mutex_unlock(&ep->mtx);
		if (n || nowait)
			break;
		fl = spin_lock(&ep->lock);
		while (list_empty(&ep->ready) && !r) {
			if (waitq_interrupted())
				r = -EINTR;
			else if (deadline && time_ns() >= deadline)
				r = -ETIMEDOUT;
			else
				(void)waitq_sleep(&ep->wq, &ep->lock, deadline);
		}
		spin_unlock(&ep->lock, fl);
		if (r == -EINTR) {
			n = -EINTR;
			break;
		}
		nowait = r == -ETIMEDOUT; /* one last look */
	}
	/* Waiters are woken one per event: pass on what this one leaves. */
	fl = spin_lock(&ep->lock);
	if (!list_empty(&ep->ready))
		waitq_wake_one(&ep->wq);
	spin_unlock(&ep->lock, fl);
	return n;
}

/* An epoll is readable when one of its ready items really is ready. */
static uint32_t epoll_fpoll(struct file *f, struct pollq **pq)
{
	struct epoll *ep = f->priv;
	struct list *pos;
	uint32_t ev = 0;
	uint64_t fl;

	if (pq)
		*pq = &ep->pq;
	mutex_lock(&ep->mtx); /* items stay on the ready list (they only leave under it) */
	fl = spin_lock(&ep->lock);
	pos = ep->ready.next;
	spin_unlock(&ep->lock, fl);
	while (pos != &ep->ready) {
		if (item_poll(list_entry(pos, struct epitem, rdlink))) {
			ev = EPOLLIN | EPOLLRDNORM;
			break;
		}
		fl = spin_lock(&ep->lock);
		pos = pos->next;
		spin_unlock(&ep->lock, fl);
	}
	mutex_unlock(&ep->mtx);
	return ev;
}

static int epoll_release(struct file *f)
{
	struct epoll *ep = f->priv;

	mutex_lock(&ep_graph);
	mutex_lock(&ep->mtx);
	for (uint32_t i = 0; i < ep->nbuckets; i++)
		while (!list_empty(&ep->buckets[i]))
			item_free(ep, list_first_entry(&ep->buckets[i], struct epitem, hnode));
	mutex_unlock(&ep->mtx);
	mutex_unlock(&ep_graph);
	kfree(ep->buckets);
	kfree(ep);
	return 0;
}

static const struct file_ops epoll_fops = {
	.poll = epoll_fpoll,
	.release = epoll_release,
	.anon_name = "[eventpoll]",
};

bool epoll_is(const struct file *f)
{
	return f->ops == &epoll_fops;
}

void epoll_file_release(struct file *f)
{
	if (list_empty(&f->epoll_items)) /* nothing can add one now */
		return;
	mutex_lock(&ep_graph);
	while (!list_empty(&f->epoll_items)) {
		struct epitem *it = list_first_entry(&f->epoll_items, struct epitem, flink);
		struct epoll *ep = it->ep;

		mutex_lock(&ep->mtx);
		item_free(ep, it);
		mutex_unlock(&ep->mtx);
	}
	mutex_unlock(&ep_graph);
}

int epoll_create(struct file **out)
{
	struct epoll *ep = kzalloc(sizeof(*ep));
	struct inode *ino;
	struct file *f;

	if (!ep)
		return -ENOMEM;
	ep->nbuckets = 8;
	ep->buckets = kmalloc(ep->nbuckets * sizeof(*ep->buckets));
	ino = ep->buckets ? vfs_anon_inode(0600, &epoll_fops) : NULL;
	if (!ino) {
		kfree(ep->buckets);
		kfree(ep);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < ep->nbuckets; i++)
		list_init(&ep->buckets[i]);
	mutex_init(&ep->mtx);
	spin_init(&ep->lock);
	list_init(&ep->ready);
	waitq_init(&ep->wq);
	pollq_init(&ep->pq);
	list_init(&ep->nested);
	f = file_alloc(ino, NULL, &epoll_fops, O_RDWR);
	vfs_inode_put(ino);
	if (!f) {
		kfree(ep->buckets);
		kfree(ep);
		return -ENOMEM;
	}
	ep->file = f;
	f->priv = ep;
	*out = f;
	return 0;
}
