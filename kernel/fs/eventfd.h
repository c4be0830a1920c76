/* eventfd.h: eventfd objects: a 64-bit counter that write adds to and read takes (all of it,
 * or 1 with EFD_SEMAPHORE), blocking on 0 and on overflow past 2^64-2. */
#ifndef MOTE_FS_EVENTFD_H
#define MOTE_FS_EVENTFD_H

#include "lib/types.h"

struct file;

#define EFD_SEMAPHORE 1
#define EFD_NONBLOCK 00004000 /* O_NONBLOCK */
#define EFD_CLOEXEC 02000000  /* O_CLOEXEC */

/* A new eventfd file with counter initval; flags: EFD_SEMAPHORE | EFD_NONBLOCK (EFD_CLOEXEC
 * is the caller's, for fd_install). Returns 0 and *out (refs 1), or -EINVAL / -ENOMEM. */
int eventfd_create(uint64_t initval, uint32_t flags, struct file **out) __must_check;

#endif /* MOTE_FS_EVENTFD_H */
