/* lwip_port.h: what lwIP needs of the kernel (its arch/cc.h declares the hooks, lwIP's sys.h
 * sys_now); nothing else includes this. */
#ifndef MOTE_NET_LWIP_PORT_H
#define MOTE_NET_LWIP_PORT_H

#include "lib/types.h"

/* Milliseconds since boot, for lwIP's timers. */
uint32_t sys_now(void);

#endif /* MOTE_NET_LWIP_PORT_H */
