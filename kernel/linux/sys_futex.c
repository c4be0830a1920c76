/* sys_futex.c: futex(2): wait, wake, requeue, compare-requeue, wake-op, the bitset forms,
 * timeouts (relative for WAIT, absolute for WAIT_BITSET). Waiters sleep on hashed wait
 * queues by the futex's key: its address space and address, or for a shared futex in a
 * MAP_SHARED mapping its physical address (futex_key.h). */
#include "core/sched/wait.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "linux/futex.h"
#include "linux/futex_key.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "linux/time.h"
#include "core/uaccess.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_ANY 0xffffffffu
#define NBUCKETS 256

struct bucket {
	struct spinlock lock;
	struct waitq wq;
} __aligned(64);

static struct bucket buckets[NBUCKETS];
static bool ready;

static struct bucket *bucket_of(uint64_t addr)
{
	uint64_t h = addr >> 2;

	if (!ready) {
		for (int i = 0; i < NBUCKETS; i++)
			waitq_init(&buckets[i].wq);
		ready = true;
	}
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15UL;
	return &buckets[h >> 56];
}

static void lock_two(struct bucket *a, struct bucket *b)
{
	if (a == b) {
		spin_lock_raw(&a->lock);
	} else if (a < b) {
		spin_lock_raw(&a->lock);
		spin_lock_raw(&b->lock);
	} else {
		spin_lock_raw(&b->lock);
		spin_lock_raw(&a->lock);
	}
}

static void unlock_two(struct bucket *a, struct bucket *b)
{
	spin_unlock_raw(&a->lock);
	if (a != b)
		spin_unlock_raw(&b->lock);
}

/* Read the futex word with the bucket locked: no sleeping fault allowed there, so a word
 * that is not mapped yet fails and the caller faults it in unlocked and retries. */
static int read_word(uint32_t *uaddr, uint32_t *val)
{
	struct task *t = current_task();
	int r;

	t->pagefault_disabled = true;
	r = get_user(*val, uaddr);
	t->pagefault_disabled = false;
	return r;
}

static long futex_wait(uint32_t *uaddr, bool priv, uint32_t val, uint32_t bits, uint64_t deadline)
{
	struct bucket *b;
	uint32_t cur;
	uint64_t f, key;
	int r;

	if (!bits)
		return -EINVAL;
	if (futex_key((uint64_t)uaddr, priv, &key))
		return -EFAULT;
	b = bucket_of(key);
	for (;;) {
		if (get_user(cur, uaddr))
			return -EFAULT;
		f = spin_lock(&b->lock);
		if (!read_word(uaddr, &cur))
			break;
		spin_unlock(&b->lock, f);
	}
	if (cur != val) {
		spin_unlock(&b->lock, f);
		return -EAGAIN;
	}
	if (signal_pending()) {
		spin_unlock(&b->lock, f);
		return -EINTR;
	}
	r = waitq_sleep_bits(&b->wq, &b->lock, key, bits, deadline);
	spin_unlock(&b->lock, f);
	/* a signal ended the sleep: -EINTR, which signal delivery restarts under SA_RESTART (as
	 * Linux's futex does since 2.6.22); a spurious 0 made glibc wait again, through it */
	if (r == -ETIMEDOUT || r == -EINTR)
		return r;
	return 0;
}

static long futex_wake(uint32_t *uaddr, bool priv, int n, uint32_t bits)
{
	struct bucket *b;
	uint64_t f, key;
	int r;

	if (!bits)
		return -EINVAL;
	if (futex_key((uint64_t)uaddr, priv, &key))
		return -EFAULT;
	b = bucket_of(key);
	f = spin_lock(&b->lock);
	r = waitq_wake_bits(&b->wq, key, bits, n);
	spin_unlock(&b->lock, f);
	return r;
}

long ufutex_wake(uint32_t *uaddr, int n)
{
	return futex_wake(uaddr, false, n, FUTEX_BITSET_ANY);
}

static long futex_requeue(uint32_t *uaddr, bool priv, int nwake, int nmove, uint32_t *uaddr2,
			  bool cmp, uint32_t val)
{
	struct bucket *a, *b;
	uint64_t f, k1, k2;
	uint32_t cur;
	long woken, moved;

	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	if (futex_key((uint64_t)uaddr, priv, &k1) || futex_key((uint64_t)uaddr2, priv, &k2))
		return -EFAULT;
	a = bucket_of(k1);
	b = bucket_of(k2);
	for (;;) {
		if (cmp && get_user(cur, uaddr))
			return -EFAULT;
		f = arch_irq_save();
		lock_two(a, b);
		if (!cmp || !read_word(uaddr, &cur))
			break;
		unlock_two(a, b);
		arch_irq_restore(f);
	}
	if (cmp && cur != val) {
		unlock_two(a, b);
		arch_irq_restore(f);
		return -EAGAIN;
	}
	woken = waitq_wake_bits(&a->wq, k1, FUTEX_BITSET_ANY, nwake);
	moved = waitq_requeue(&a->wq, k1, &b->wq, &b->lock, k2, nmove);
	unlock_two(a, b);
	arch_irq_restore(f);
	return woken + moved;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake n on uaddr, and n2 on uaddr2 if the
 * old value passes the comparison. */
static long futex_wake_op(uint32_t *uaddr, bool priv, int n, uint32_t *uaddr2, int n2, uint32_t op3)
{
	uint32_t op = (op3 >> 28) & 7, cmp = (op3 >> 24) & 15;
	uint32_t oparg = (op3 >> 12) & 0xfff, cmparg = op3 & 0xfff, old, nv;
	long r;
	bool hit;

	if (op3 & (8u << 28))
		oparg = 1u << (oparg & 31);
	for (;;) {
		if (get_user(old, uaddr2))
			return -EFAULT;
		switch (op) {
		case 0:
			nv = oparg;
			break;
		case 1:
			nv = old + oparg;
			break;
		case 2:
			nv = old | oparg;
			break;
		case 3:
			nv = old & ~oparg;
			break;
		case 4:
			nv = old ^ oparg;
			break;
		default:
			return -ENOSYS;
		}
		{
			uint32_t seen = old;

			if (arch_cmpxchg_user32(uaddr2, &seen, nv))
				return -EFAULT;
			if (seen == old)
				break;
		}
	}
	switch (cmp) {
	case 0:
		hit = old == cmparg;
		break;
	case 1:
		hit = old != cmparg;
		break;
	case 2:
		hit = (int32_t)old < (int32_t)cmparg;
		break;
	case 3:
		hit = (int32_t)old <= (int32_t)cmparg;
		break;
	case 4:
		hit = (int32_t)old > (int32_t)cmparg;
		break;
	case 5:
		hit = (int32_t)old >= (int32_t)cmparg;
		break;
	default:
		return -ENOSYS;
	}
	r = futex_wake(uaddr, priv, n, FUTEX_BITSET_ANY);
	if (hit && r >= 0) {
		long r2 = futex_wake(uaddr2, priv, n2, FUTEX_BITSET_ANY);

		r = r2 < 0 ? r2 : r + r2;
	}
	return r;
}

bool futex_is_timed_wait(uint64_t op, uint64_t timeout)
{
	uint64_t cmd = op & ~(uint64_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);

	return (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && timeout;
}

SYSCALL_DEFINE6(futex, uint32_t *, uaddr, int, op, uint32_t, val, uint64_t, utime, uint32_t *,
		uaddr2, uint32_t, val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool priv = op & FUTEX_PRIVATE_FLAG;
	uint64_t deadline = 0;
	struct timespec_k ts;

	if ((uint64_t)uaddr & 3)
		return -EINVAL;
	if (futex_is_timed_wait((uint32_t)op, utime)) {
		if (copy_from_user(&ts, (void *)utime, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		if (cmd == FUTEX_WAIT)
			deadline = time_ns() + timespec_to_ns(&ts);
		else
			deadline = clock_abs_to_mono((op & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME
										 : CLOCK_MONOTONIC,
						     &ts);
		if (!deadline)
			deadline = 1;
	}
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, priv, val, FUTEX_BITSET_ANY, deadline);
	case FUTEX_WAIT_BITSET:
		return futex_wait(uaddr, priv, val, val3, deadline);
	case FUTEX_WAKE:
		return futex_wake(uaddr, priv, (int)val, FUTEX_BITSET_ANY);
	case FUTEX_WAKE_BITSET:
		return futex_wake(uaddr, priv, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, priv, (int)val, (int)utime, uaddr2, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, priv, (int)val, (int)utime, uaddr2, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, priv, (int)val, uaddr2, (int)utime, val3);
	default:
		return -ENOSYS;
	}
}
