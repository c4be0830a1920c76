/* stdlib.h for lwIP's sources (built -nostdinc): what they use of it (net/lwip_port.c). */
#ifndef MOTE_NET_LWIP_LIBC_STDLIB_H
#define MOTE_NET_LWIP_LIBC_STDLIB_H
#include "lib/types.h"

int atoi(const char *s);
#endif
