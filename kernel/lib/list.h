/* list.h: intrusive circular doubly linked lists (the Linux shape). */
#ifndef MOTE_LIB_LIST_H
#define MOTE_LIB_LIST_H

#include "lib/types.h"

struct list {
	struct list *next, *prev;
};

#define LIST_INIT(name)          \
	{                        \
		&(name), &(name) \
	}

static inline void list_init(struct list *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool list_empty(const struct list *l)
{
	return l->next == l;
}

static inline void list_insert(struct list *prev, struct list *next, struct list *n)
{
	n->next = next;
	n->prev = prev;
	prev->next = n;
	next->prev = n;
}

/* Add n at the tail of head. */
static inline void list_add_tail(struct list *head, struct list *n)
{
	list_insert(head->prev, head, n);
}

/* Add n right after head. */
static inline void list_add(struct list *head, struct list *n)
{
	list_insert(head, head->next, n);
}

static inline void list_del(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

#define list_entry(p, type, member) container_of(p, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)

#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)

#endif /* MOTE_LIB_LIST_H */
