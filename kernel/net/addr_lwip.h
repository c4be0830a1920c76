/* addr_lwip.h: net_addr (addr.h) to and from lwIP's ip_addr_t, for the net layer's files. */
#ifndef MOTE_NET_ADDR_LWIP_H
#define MOTE_NET_ADDR_LWIP_H

#include "lwip/ip_addr.h"
#include "net/addr.h"

/* a as lwIP's address; dual: :: stands for both families (IP_ANY_TYPE). */
void net_addr_to_lwip(const struct net_addr *a, bool dual, ip_addr_t *ip);
/* lwIP's address and port (host order) as a net_addr. */
void net_addr_from_lwip(const ip_addr_t *ip, u16_t port, struct net_addr *a);

#endif /* MOTE_NET_ADDR_LWIP_H */
