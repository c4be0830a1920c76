/* scm.c: files along a byte stream (scm.h). */
#include "fs/scm.h"
#include "core/mm/heap.h"
#include "fs/file.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define END_UNKNOWN UINT64_MAX /* the write is still going on */

struct scm_chan {
	struct spinlock lock;
	uint64_t written, read;
	struct scm_batch *head, *tail;
	int refs;
};

struct scm_chan *scm_chan_new(void)
{
	struct scm_chan *c = kzalloc(sizeof(*c));

	if (c) {
		spin_init(&c->lock);
		c->refs = 2;
	}
	return c;
}

static void batch_free(struct scm_batch *b)
{
	for (int i = 0; i < b->n; i++)
		file_put(b->files[i]);
	kfree(b);
}

/* Under c->lock: take b (the head, or the tail when tail) off the queue. */
static void unlink_batch(struct scm_chan *c, struct scm_batch *b)
{
	struct scm_batch **p = &c->head;

	while (*p != b)
		p = &(*p)->next;
	*p = b->next;
	if (c->tail == b) {
		c->tail = NULL;
		for (struct scm_batch *q = c->head; q; q = q->next)
			c->tail = q;
	}
	b->next = NULL;
}

void scm_chan_put(struct scm_chan *c)
{
	if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL))
		return;
	while (c->head) {
		struct scm_batch *b = c->head;

		c->head = b->next;
		batch_free(b);
	}
	kfree(c);
}

void scm_wrote(struct scm_chan *c, size_t n)
{
	uint64_t f = spin_lock(&c->lock);

	c->written += n;
	spin_unlock(&c->lock, f);
}

void scm_read(struct scm_chan *c, size_t n)
{
	struct scm_batch *stale = NULL;
	uint64_t f = spin_lock(&c->lock);

	c->read += n;
	/* batches whose first byte a plain read took: their files are dropped */
	while (c->head && c->head->at < c->read) {
		struct scm_batch *b = c->head;

		unlink_batch(c, b);
		b->next = stale;
		stale = b;
	}
	spin_unlock(&c->lock, f);
	while (stale) {
		struct scm_batch *b = stale;

		stale = b->next;
		batch_free(b);
	}
}

void scm_attach(struct scm_chan *c, struct file **files, int n)
{
	struct scm_batch *b = kzalloc(sizeof(*b));
	uint64_t f;

	if (!b) { /* as a full receiver would: the files do not arrive */
		for (int i = 0; i < n; i++)
			file_put(files[i]);
		return;
	}
	b->n = n;
	memcpy(b->files, files, sizeof(*files) * (size_t)n);
	b->end = END_UNKNOWN;
	f = spin_lock(&c->lock);
	b->at = c->written;
	if (c->tail)
		c->tail->next = b;
	else
		c->head = b;
	c->tail = b;
	spin_unlock(&c->lock, f);
}

void scm_sent(struct scm_chan *c, size_t sent)
{
	struct scm_batch *b;
	uint64_t f = spin_lock(&c->lock);

	b = c->tail && c->tail->end == END_UNKNOWN ? c->tail : NULL;
	if (b && sent)
		b->end = b->at + sent;
	else if (b)
		unlink_batch(c, b);
	spin_unlock(&c->lock, f);
	if (b && !sent)
		batch_free(b);
}

struct scm_batch *scm_before_read(struct scm_chan *c, size_t *want)
{
	uint64_t f = spin_lock(&c->lock);
	struct scm_batch *b = c->head;

	if (b) {
		if (b->end != END_UNKNOWN) /* no further than the end of its write */
			*want = MIN(*want, (size_t)(b->end - c->read));
		b->from = c->read;
		unlink_batch(c, b);
	}
	spin_unlock(&c->lock, f);
	return b;
}

bool scm_after_read(struct scm_chan *c, struct scm_batch *b, ssize_t got)
{
	uint64_t f;

	if (got > 0 && b->from + (uint64_t)got > b->at)
		return true;
	f = spin_lock(&c->lock); /* not reached yet: back at the head of the queue */
	b->next = c->head;
	c->head = b;
	if (!c->tail)
		c->tail = b;
	spin_unlock(&c->lock, f);
	return false;
}
