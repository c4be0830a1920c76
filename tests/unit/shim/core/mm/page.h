/* page.h (host-test shim): pages of the test's guest RAM for the kernel's virtqueue.c. */
#ifndef MOTE_TEST_SHIM_PAGE_H
#define MOTE_TEST_SHIM_PAGE_H

#include "lib/types.h"

#define PAGE_SIZE 4096ul
void *page_alloc_zeroed(unsigned order);
void *page_alloc(unsigned order);
void page_free(void *p, unsigned order);

#endif
