/* string.h for lwIP's sources (built -nostdinc): the kernel's own string functions. */
#ifndef MOTE_NET_LWIP_LIBC_STRING_H
#define MOTE_NET_LWIP_LIBC_STRING_H
#include "lib/string.h"
#endif
