/* heap.h: the kernel heap: size classes for small objects, whole pages for large ones. */
#ifndef MOTE_CORE_MM_HEAP_H
#define MOTE_CORE_MM_HEAP_H

#include "lib/types.h"

/* Allocate size bytes (16-byte aligned; page-aligned above 1 KiB). NULL when out of memory
 * (page.c reports it). SMP- and interrupt-safe. */
void *kmalloc(size_t size) __must_check;
/* Same, zero-filled. */
void *kzalloc(size_t size) __must_check;
/* Free what kmalloc returned (NULL is ignored). */
void kfree(void *p);
/* Bytes currently allocated through kmalloc (by class size, for the self-tests). */
uint64_t heap_in_use(void);

#endif /* MOTE_CORE_MM_HEAP_H */
