/* pollq.h: poll queues: how an fd-backed object tells poll/select/epoll that its readiness
 * may have changed. The object owns a struct pollq and calls pollq_wake(q, events) after
 * any change (data arrived, space freed, the other end closed); a poller adds an entry
 * whose wake function is called (with interrupts off, q's lock held: it must not sleep). */
#ifndef MOTE_FS_POLLQ_H
#define MOTE_FS_POLLQ_H

#include "lib/types.h"
#include "lib/list.h"
#include "lib/spinlock.h"

struct pollq_entry;

struct pollq {
	struct spinlock lock;
	struct list entries;
};

struct pollq_entry {
	struct list node;
	struct pollq *q;
	void (*wake)(struct pollq_entry *e, uint32_t events);
	void *priv;
};

static inline void pollq_init(struct pollq *q)
{
	spin_init(&q->lock);
	list_init(&q->entries);
}

/* Register e (with e->wake and e->priv set) on q / take it off again. */
void pollq_add(struct pollq *q, struct pollq_entry *e);
void pollq_del(struct pollq_entry *e);
/* Call every entry's wake function. Callable from interrupt handlers. */
void pollq_wake(struct pollq *q, uint32_t events);

#endif /* MOTE_FS_POLLQ_H */
