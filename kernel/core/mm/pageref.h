/* pageref.h: sharing counts of physical frames, for the copy-on-write pages that fork leaves
 * in two address spaces. A frame nobody counted has one owner; the counts (of the owners
 * beyond the first) live in tables made on first use, one per GiB of RAM. */
#ifndef MOTE_CORE_MM_PAGEREF_H
#define MOTE_CORE_MM_PAGEREF_H

#include "lib/types.h"

/* One more owner of the frame at physical address pa. 0, or -ENOMEM (no table could be
 * had: the caller copies the frame instead). */
int pageref_get(uint64_t pa) __must_check;
/* One owner fewer; true if the caller was the last one (it frees the frame). */
bool pageref_put(uint64_t pa);
/* Has the frame more than one owner? */
bool pageref_shared(uint64_t pa);

#endif /* MOTE_CORE_MM_PAGEREF_H */
