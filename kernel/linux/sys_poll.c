/* sys_poll.c: poll, ppoll, select and pselect6. One loop serves all four: scan the files'
 * file_ops.poll (hooking an entry on each file's poll queue on the first scan), and if nothing
 * is ready sleep until a wake function fires, the deadline passes or a signal comes; then scan
 * again. ppoll and pselect6 wait under a temporary signal mask (signal_wait_mask_begin). */
#include "fs/file.h"
#include "fs/pollq.h"
#include "core/mm/heap.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "linux/time.h"
#include "core/uaccess.h"

/* What select counts as readable, writable, exceptional; what a file without poll reports. */
#define POLLRDBAND 0x080
#define POLLWRBAND 0x200
#define POLLIN_SET (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define POLLEX_SET POLLPRI
#define DEFAULT_MASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define RLIMIT_NOFILE 7
#define FDS_WORDS (FD_MAX / 64)

struct pollfd_k {
	int32_t fd;
	int16_t events, revents;
};

/* The sleeper: a wake function sets triggered and wakes it. */
struct sleeper {
	struct spinlock lock;
	struct waitq wq;
	bool triggered;
};

/* One descriptor being polled. */
struct pentry {
	struct file *f; /* a reference, or NULL (not open) */
	uint32_t want;	/* events that matter to this entry (the wake filter) */
	uint32_t ready; /* what the last scan found (poll: revents) */
	int fd;
	uint8_t sets; /* select: 1 read, 2 write, 4 except */
	struct pollq_entry pe;
};

struct pollset {
	struct sleeper s;
	struct pentry *e;
	int n;
	bool select; /* ready = events of the select sets, else of poll's events */
};

/* A timeout: deadline 0 = none; nowait = a zero timeout. */
struct timeout {
	uint64_t deadline;
	bool nowait;
};

static void entry_wake(struct pollq_entry *pe, uint32_t events)
{
	struct pentry *e = container_of(pe, struct pentry, pe);
	struct sleeper *s = pe->priv;

	if (events && !(events & e->want))
		return;
	spin_lock_raw(&s->lock);
	s->triggered = true;
	waitq_wake_all(&s->wq);
	spin_unlock_raw(&s->lock);
}

/* The events of e's file now. With reg, hook e on the file's poll queue first (then look
 * again: a change between the two still wakes us). */
static uint32_t entry_poll(struct pentry *e, struct sleeper *s, bool reg)
{
	const struct file_ops *ops = e->f->ops;
	struct pollq *pq = NULL;
	uint32_t ev;

	if (!ops || !ops->poll)
		return DEFAULT_MASK;
	ev = ops->poll(e->f, reg ? &pq : NULL);
	if (pq) {
		e->pe.wake = entry_wake;
		e->pe.priv = s;
		pollq_add(pq, &e->pe);
		ev = ops->poll(e->f, NULL);
	}
	return ev;
}

/* One pass over the set: the number of ready descriptors (poll) or set bits (select). */
static long scan(struct pollset *ps, bool reg)
{
	long count = 0;

	for (int i = 0; i < ps->n; i++) {
		struct pentry *e = &ps->e[i];
		uint32_t ev;

		e->ready = 0;
		if (e->fd < 0)
			continue;
		if (!e->f) {
			e->ready = POLLNVAL;
			count++;
			continue;
		}
		ev = entry_poll(e, &ps->s, reg && !count) & e->want;
		if (!ps->select) {
			e->ready = ev;
			count += !!ev;
			continue;
		}
		if ((e->sets & 1) && (ev & POLLIN_SET))
			e->ready |= 1;
		if ((e->sets & 2) && (ev & POLLOUT_SET))
			e->ready |= 2;
		if ((e->sets & 4) && (ev & POLLEX_SET))
			e->ready |= 4;
		count += (e->ready & 1) + (e->ready >> 1 & 1) + (e->ready >> 2 & 1);
	}
	return count;
}

/* Sleep until a wake, the deadline or a signal: 0, -ETIMEDOUT or -EINTR. */
static int sleep_once(struct sleeper *s, uint64_t deadline)
{
	uint64_t fl = spin_lock(&s->lock);
	int r = 0;

	while (!s->triggered && !r) {
		if (signal_pending())
			r = -EINTR;
		else if (deadline && time_ns() >= deadline)
			r = -ETIMEDOUT;
		else
			(void)waitq_sleep(&s->wq, &s->lock, deadline);
	}
	spin_unlock(&s->lock, fl);
	return r;
}

/* Scan until something is ready (the count), the timeout (0) or a signal (-EINTR). */
static long wait_loop(struct pollset *ps, const struct timeout *to)
{
	bool reg = !to->nowait, timed_out = to->nowait;
	uint64_t fl;
	long n;

	for (;;) {
		fl = spin_lock(&ps->s.lock);
		ps->s.triggered = false;
		spin_unlock(&ps->s.lock, fl);
		n = scan(ps, reg);
		reg = false;
		if (n)
			return n;
		if (signal_pending()) /* checked before the timeout, as Linux does */
			return -EINTR;
		if (timed_out)
			return 0;
		n = sleep_once(&ps->s, to->deadline);
		if (n == -EINTR)
			return n;
		timed_out = n == -ETIMEDOUT;
	}
}

static void pollset_init(struct pollset *ps, struct pentry *e, int n, bool select)
{
	spin_init(&ps->s.lock);
	waitq_init(&ps->s.wq);
	ps->s.triggered = false;
	ps->e = e;
	ps->n = n;
	ps->select = select;
}

static void pollset_free(struct pollset *ps)
{
	for (int i = 0; i < ps->n; i++) {
		pollq_del(&ps->e[i].pe);
		file_put(ps->e[i].f);
	}
	kfree(ps->e);
}

/* A deadline sec.nsec from now (0: none, for a timeout too far away to matter). */
static struct timeout timeout_after(uint64_t sec, uint64_t nsec)
{
	struct timeout to = { 0, !sec && !nsec };

	if (sec < 1000000000UL) /* ~31 years */
		to.deadline = time_ns() + sec * NSEC_PER_SEC + nsec;
	return to;
}

/* Read a timespec timeout (NULL: none); -EINVAL if out of range. */
static int timeout_from_timespec(const struct timespec_k *uts, struct timeout *to)
{
	struct timespec_k ts;

	*to = (struct timeout){ 0, false };
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	*to = timeout_after((uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec);
	return 0;
}

/* Linux writes the time left back (select's timeval, ppoll's and pselect6's timespec) unless
 * the timeout was zero or absent; a fault doing so is ignored. */
static void write_back_left(void *utime, bool timeval, const struct timeout *to)
{
	uint64_t now = time_ns(), left;

	if (!utime || to->nowait || !to->deadline)
		return;
	left = to->deadline > now ? to->deadline - now : 0;
	if (timeval) {
		struct timeval_k tv = { (int64_t)(left / NSEC_PER_SEC),
					(int64_t)(left % NSEC_PER_SEC / NSEC_PER_USEC) };

		if (copy_to_user(utime, &tv, sizeof(tv)))
			return;
	} else {
		struct timespec_k ts = ns_to_timespec(left);

		if (copy_to_user(utime, &ts, sizeof(ts)))
			return;
	}
}

/* Install the temporary mask of ppoll/pselect6 (umask NULL: none); 0 or -errno. */
static int mask_begin(const uint64_t *umask, size_t size, bool *on)
{
	uint64_t mask;

	*on = false;
	if (!umask)
		return 0;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_wait_mask_begin(mask);
	*on = true;
	return 0;
}

static long do_poll(struct pollfd_k *ufds, uint32_t nfds, const struct timeout *to)
{
	struct pollfd_k *fds = NULL;
	struct pollset ps;
	struct pentry *e = NULL;
	long n;

	if (nfds > current_process()->rlim[RLIMIT_NOFILE].cur)
		return -EINVAL;
	if (nfds) {
		fds = kmalloc(nfds * sizeof(*fds));
		e = kzalloc(nfds * sizeof(*e));
		if (!fds || !e) {
			kfree(fds);
			kfree(e);
			return -ENOMEM;
		}
		if (copy_from_user(fds, ufds, nfds * sizeof(*fds))) {
			kfree(fds);
			kfree(e);
			return -EFAULT;
		}
	}
	for (uint32_t i = 0; i < nfds; i++) {
		e[i].fd = fds[i].fd;
		e[i].want = (uint16_t)fds[i].events | POLLERR | POLLHUP;
		e[i].f = fds[i].fd >= 0 ? fd_get(fds[i].fd) : NULL;
	}
	pollset_init(&ps, e, (int)nfds, false);
	n = wait_loop(&ps, to);
	for (uint32_t i = 0; i < nfds; i++) {
		int16_t rev = (int16_t)e[i].ready;

		if (put_user(rev, &ufds[i].revents)) {
			n = -EFAULT;
			break;
		}
	}
	pollset_free(&ps);
	kfree(fds);
	return n;
}

SYSCALL_DEFINE3(poll, struct pollfd_k *, ufds, uint32_t, nfds, int, timeout_ms)
{
	struct timeout to = { 0, timeout_ms == 0 };

	if (timeout_ms > 0)
		to = timeout_after((uint64_t)timeout_ms / 1000,
				   (uint64_t)timeout_ms % 1000 * NSEC_PER_MSEC);
	return do_poll(ufds, nfds, &to);
}

SYSCALL_DEFINE5(ppoll, struct pollfd_k *, ufds, uint32_t, nfds, struct timespec_k *, uts,
		const uint64_t *, umask, size_t, masksize)
{
	struct timeout to;
	bool masked;
	long r = timeout_from_timespec(uts, &to);

	if (r)
		return r;
	r = mask_begin(umask, masksize, &masked);
	if (r)
		return r;
	r = do_poll(ufds, nfds, &to);
	if (masked)
		signal_wait_mask_end(r == -EINTR);
	write_back_left(uts, false, &to);
	return r;
}

/* Read one fd_set of words words (NULL: empty). */
static int get_set(const uint64_t *uset, uint64_t *set, int words)
{
	memset(set, 0, FDS_WORDS * sizeof(*set));
	if (!uset)
		return 0;
	return copy_from_user(set, uset, (size_t)words * sizeof(*set));
}

static long do_select(int nfds, uint64_t *uin, uint64_t *uout, uint64_t *uex,
		      const struct timeout *to)
{
	uint64_t sets[3][FDS_WORDS];
	uint64_t *usets[3] = { uin, uout, uex };
	static const uint32_t want[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };
	struct pollset ps;
	struct pentry *e;
	int words, n = 0, k = 0;
	long r;

	if (nfds < 0)
		return -EINVAL;
	nfds = MIN(nfds, FD_MAX);
	words = (nfds + 63) / 64;
	for (int j = 0; j < 3; j++)
		if (get_set(usets[j], sets[j], words))
			return -EFAULT;
	for (int fd = 0; fd < nfds; fd++)
		for (int j = 0; j < 3; j++)
			if (sets[j][fd / 64] & (1UL << (fd % 64))) {
				n++;
				break;
			}
	e = n ? kzalloc((size_t)n * sizeof(*e)) : NULL;
	if (n && !e)
		return -ENOMEM;
	pollset_init(&ps, e, 0, true);
	for (int fd = 0; fd < nfds && k < n; fd++) {
		uint8_t bits = 0;

		for (int j = 0; j < 3; j++)
			if (sets[j][fd / 64] & (1UL << (fd % 64)))
				bits |= (uint8_t)(1 << j);
		if (!bits)
			continue;
		e[k].fd = fd;
		e[k].sets = bits;
		for (int j = 0; j < 3; j++)
			if (bits & (1 << j))
				e[k].want |= want[j];
		e[k].f = fd_get(fd);
		ps.n = ++k;
		if (!e[k - 1].f) {
			pollset_free(&ps);
			return -EBADF;
		}
	}
	r = wait_loop(&ps, to);
	if (r >= 0) {
		memset(sets, 0, sizeof(sets));
		for (int i = 0; i < ps.n; i++)
			for (int j = 0; j < 3; j++)
				if (e[i].ready & (1 << j))
					sets[j][e[i].fd / 64] |= 1UL << (e[i].fd % 64);
		for (int j = 0; j < 3; j++)
			if (usets[j] &&
			    copy_to_user(usets[j], sets[j], (size_t)words * sizeof(uint64_t)))
				r = -EFAULT;
	}
	pollset_free(&ps);
	return r;
}

SYSCALL_DEFINE5(select, int, nfds, uint64_t *, uin, uint64_t *, uout, uint64_t *, uex,
		struct timeval_k *, utv)
{
	struct timeout to = { 0, false };
	struct timeval_k tv;
	long r;

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		to = timeout_after((uint64_t)tv.tv_sec, (uint64_t)tv.tv_usec * NSEC_PER_USEC);
	}
	r = do_select(nfds, uin, uout, uex, &to);
	write_back_left(utv, true, &to);
	return r;
}

/* pselect6's sixth argument. */
struct sigset_arg {
	const uint64_t *set;
	size_t size;
};

SYSCALL_DEFINE6(pselect6, int, nfds, uint64_t *, uin, uint64_t *, uout, uint64_t *, uex,
		struct timespec_k *, uts, const struct sigset_arg *, usig)
{
	struct sigset_arg sig = { NULL, 0 };
	struct timeout to;
	bool masked;
	long r = timeout_from_timespec(uts, &to);

	if (r)
		return r;
	if (usig && copy_from_user(&sig, usig, sizeof(sig)))
		return -EFAULT;
	r = mask_begin(sig.set, sig.size, &masked);
	if (r)
		return r;
	r = do_select(nfds, uin, uout, uex, &to);
	if (masked)
		signal_wait_mask_end(r == -EINTR);
	write_back_left(uts, false, &to);
	return r;
}
