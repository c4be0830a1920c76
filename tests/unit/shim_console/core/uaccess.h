/* uaccess.h (host-test shim): "user" memory is the test's own. */
#ifndef MOTE_CORE_UACCESS_H
#define MOTE_CORE_UACCESS_H

#include "lib/string.h"
#include "lib/types.h"

static inline int copy_to_user(void *udst, const void *src, size_t n)
{
	memcpy(udst, src, n);
	return 0;
}

static inline int copy_from_user(void *dst, const void *usrc, size_t n)
{
	memcpy(dst, usrc, n);
	return 0;
}

#endif
