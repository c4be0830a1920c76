/* futex.c: hashed futex buckets; the value check and the enqueue happen under the bucket
 * lock, so a wake between them cannot be lost. */
#include "core/sched/futex.h"
#include "core/sched/wait.h"
#include "lib/errno.h"
#include "lib/spinlock.h"

#define NBUCKETS 64

struct bucket {
	struct spinlock lock;
	struct waitq wq;
} __aligned(64);

static struct bucket buckets[NBUCKETS];

void futex_init(void)
{
	for (int i = 0; i < NBUCKETS; i++)
		waitq_init(&buckets[i].wq);
}

static struct bucket *bucket_of(const uint32_t *addr)
{
	uint64_t h = (uint64_t)addr >> 2;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15UL;
	return &buckets[h >> 58];
}

int futex_wait(const uint32_t *addr, uint32_t val, uint64_t deadline)
{
	struct bucket *b = bucket_of(addr);
	uint64_t f = spin_lock(&b->lock);
	int r = -EAGAIN;

	waitq_disarm_interrupt();
	if (READ_ONCE(*addr) == val)
		r = waitq_sleep_key(&b->wq, &b->lock, (uint64_t)addr, deadline);
	spin_unlock(&b->lock, f);
	return r;
}

int futex_wake(const uint32_t *addr, int n)
{
	struct bucket *b = bucket_of(addr);
	uint64_t f = spin_lock(&b->lock);
	int r = waitq_wake_key(&b->wq, (uint64_t)addr, n);

	spin_unlock(&b->lock, f);
	return r;
}
