/* sys_futex.c: futex(2): wait, wake, requeue, compare-requeue, wake-op, the bitset forms,
 * timeouts (relative for WAIT, absolute for WAIT_BITSET). Waiters sleep on hashed wait
 * queues keyed by the futex address (one address space: no keys beyond it). */
#include "core/sched/wait.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "linux/futex.h"
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

static long futex_wait(uint32_t *uaddr, uint32_t val, uint32_t bits, uint64_t deadline)
{
	struct bucket *b = bucket_of((uint64_t)uaddr);
	uint32_t cur;
	uint64_t f;
	int r;

	if (!bits)
		return -EINVAL;
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
	r = waitq_sleep_bits(&b->wq, &b->lock, (uint64_t)uaddr, bits, deadline);
	spin_unlock(&b->lock, f);
	if (r == -ETIMEDOUT)
		return -ETIMEDOUT;
	return 0;
}

static long futex_wake(uint32_t *uaddr, int n, uint32_t bits)
{
	struct bucket *b = bucket_of((uint64_t)uaddr);
	uint64_t f;
	int r;

	if (!bits)
		return -EINVAL;
	f = spin_lock(&b->lock);
	r = waitq_wake_bits(&b->wq, (uint64_t)uaddr, bits, n);
	spin_unlock(&b->lock, f);
	return r;
}

long ufutex_wake(uint32_t *uaddr, int n)
{
	return futex_wake(uaddr, n, FUTEX_BITSET_ANY);
}

static long futex_requeue(uint32_t *uaddr, int nwake, int nmove, uint32_t *uaddr2, bool cmp,
			  uint32_t val)
{
	struct bucket *a = bucket_of((uint64_t)uaddr), *b = bucket_of((uint64_t)uaddr2);
	uint64_t f;
	uint32_t cur;
	long woken, moved;

	if (nwake < 0 || nmove < 0)
		return -EINVAL;
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
	woken = waitq_wake_bits(&a->wq, (uint64_t)uaddr, FUTEX_BITSET_ANY, nwake);
	moved = waitq_requeue(&a->wq, (uint64_t)uaddr, &b->wq, &b->lock, (uint64_t)uaddr2, nmove);
	unlock_two(a, b);
	arch_irq_restore(f);
	return woken + moved;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake n on uaddr, and n2 on uaddr2 if the
 * old value passes the comparison. */
static long futex_wake_op(uint32_t *uaddr, int n, uint32_t *uaddr2, int n2, uint32_t op3)
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
	r = futex_wake(uaddr, n, FUTEX_BITSET_ANY);
	if (hit)
		r += futex_wake(uaddr2, n2, FUTEX_BITSET_ANY);
	return r;
}

SYSCALL_DEFINE6(futex, uint32_t *, uaddr, int, op, uint32_t, val, uint64_t, utime, uint32_t *,
		uaddr2, uint32_t, val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	uint64_t deadline = 0;
	struct timespec_k ts;

	if ((uint64_t)uaddr & 3)
		return -EINVAL;
	if ((cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && utime) {
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
		return futex_wait(uaddr, val, FUTEX_BITSET_ANY, deadline);
	case FUTEX_WAIT_BITSET:
		return futex_wait(uaddr, val, val3, deadline);
	case FUTEX_WAKE:
		return futex_wake(uaddr, (int)val, FUTEX_BITSET_ANY);
	case FUTEX_WAKE_BITSET:
		return futex_wake(uaddr, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, (int)val, (int)utime, uaddr2, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, (int)val, (int)utime, uaddr2, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, (int)val, uaddr2, (int)utime, val3);
	default:
		return -ENOSYS;
	}
}
