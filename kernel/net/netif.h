/* netif.h: the kernel's network interface: lwIP (TCP/IP, from Debian's source package, built by
 * mk/lwip.mk) over the virtio-net device, run by one kernel thread, "net", which alone calls
 * into lwIP (NO_SYS). DHCP configures the address. */
#ifndef MOTE_NET_NETIF_H
#define MOTE_NET_NETIF_H

#include "lib/types.h"
#include "core/sched/sync.h"

/* Every call into lwIP is made holding it (NO_SYS: lwIP has no locking of its own). */
extern struct mutex net_lock;

/* Start the stack on the virtio-net device, if there is one: lwIP, the interface, DHCP, the
 * net thread. Once; later calls do nothing. Thread context. */
void net_init(void);

/* True once the stack runs (there is a virtio-net device). */
bool net_started(void);

/* Wait until DHCP has given the interface an address (or the deadline, time_ns): the address
 * in host order, or 0. */
uint32_t net_wait_address(uint64_t deadline);

#endif /* MOTE_NET_NETIF_H */
