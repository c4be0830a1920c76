/* futex_key.h: what identifies a futex word, for the futex queues (sys_futex.c). */
#ifndef MOTE_LINUX_FUTEX_KEY_H
#define MOTE_LINUX_FUTEX_KEY_H

#include "lib/types.h"

/*
 * The key of the futex word at user address uaddr of the calling process. A private futex
 * (FUTEX_PRIVATE_FLAG, or any word in private memory) is its address space's and address's:
 * the address-space id in bits 47-62 above the address, so that the same address in two
 * processes after fork is two futexes, and a copy-on-write break in between does not change
 * it. A shared one in a MAP_SHARED mapping is the physical address of the word, bit 63 set,
 * the same in every process that maps the page. Returns 0, or -EFAULT if uaddr is not
 * mapped (a shared page not yet present is faulted in).
 */
int futex_key(uint64_t uaddr, bool private, uint64_t *key);

#endif /* MOTE_LINUX_FUTEX_KEY_H */
