/* addr.h: a socket address as the net layer takes it, IPv4 or IPv6 (its conversions to and
 * from lwIP's: addr_lwip.h, for net/ only). */
#ifndef MOTE_NET_ADDR_H
#define MOTE_NET_ADDR_H

#include "lib/types.h"

struct net_addr {
	bool v6;
	uint8_t ip[16]; /* IPv4: the first 4 bytes; network order */
	uint16_t port;	/* network order */
};

/* True if a is IPv6's unspecified address (::). */
bool net_addr_is_any6(const struct net_addr *a);

#endif /* MOTE_NET_ADDR_H */
