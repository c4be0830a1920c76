/* netif.h: the kernel's network interface: lwIP (TCP/IP, from Debian's source package, built by
 * mk/lwip.mk) over the virtio-net device, run by one kernel thread, "net", which alone calls
 * into lwIP (NO_SYS). DHCP configures the address. */
#ifndef MOTE_NET_NETIF_H
#define MOTE_NET_NETIF_H

#include "lib/types.h"
#include "core/sched/sync.h"

/* Every call into lwIP is made holding it (NO_SYS: lwIP has no locking of its own). */
extern struct mutex net_lock;

/* Start the stack: lwIP with its loop interface (127.0.0.1), and on the virtio-net device if
 * there is one, the interface, DHCP and the net thread (frames in, timers). Once; later calls
 * do nothing. Thread context, net_lock not held. */
void net_init(void);
/* With net_lock held, after calls into lwIP: deliver what they sent to 127.0.0.1 (lwIP's loop
 * interface queues it; this runs it through, replies included). */
void net_poll_loopback(void);
/* Release net_lock after calls into lwIP (net_poll_loopback, then the unlock). */
void net_unlock(void);

/* Before the VM stops: wait until the deadline (time_ns) for what TCP still has to send to be
 * acknowledged and for the device to have taken every frame, as a kernel that lives on would
 * send them. Thread context, net_lock not held; at once without a device. */
void net_drain(uint64_t deadline);

/* Under net_lock: the frames and bytes the virtio-net interface received and sent. */
void net_counts_get(uint64_t *rxp, uint64_t *rxb, uint64_t *txp, uint64_t *txb);

/* True once the stack runs (net_init). */
bool net_started(void);

#define NET_DNS_MAX 3

/* Who learns DHCP's DNS servers (host order, n of them) once it has bound, in the net thread
 * with net_lock held (linux/: /etc/resolv.conf, unless --nameserver named some). Set before
 * net_init. */
extern void (*net_dns_learnt)(const uint32_t *servers, int n);
/* DHCP's DNS servers so far: how many, copied into out. */
int net_dns_servers(uint32_t out[NET_DNS_MAX]);

/* Wait until DHCP has given the interface an address (or the deadline, time_ns): the address
 * in host order, or 0. */
uint32_t net_wait_address(uint64_t deadline);

#endif /* MOTE_NET_NETIF_H */
