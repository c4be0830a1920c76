/* ifinfo.h: what the network interfaces are, as the Linux interfaces that report them read it
 * (rtnetlink, the SIOCGIF* ioctls, /proc/net/dev): lwIP's loop interface as "lo" (index 1) and
 * the virtio-net interface as "eth0" (index 2), with their link state, addresses and routes. */
#ifndef MOTE_NET_IFINFO_H
#define MOTE_NET_IFINFO_H

#include "lib/types.h"

#define NET_IF_MAX 2	   /* lo, eth0 */
#define NET_IF_ADDR6_MAX 3 /* lwIP's LWIP_IPV6_NUM_ADDRESSES */
#define NET_IFNAME_MAX 16  /* IFNAMSIZ, with the NUL */

#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000
#define IFF_LOWER_UP 0x10000
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

/* An IPv6 address of an interface. */
struct net_if_addr6 {
	uint8_t ip[16];
	uint8_t prefix_len; /* 128 for ::1, else 64 (lwIP keeps no prefix lengths) */
	bool tentative;	    /* duplicate address detection still running */
	bool autoconf;	    /* from a router's advert (SLAAC), not a link-local one */
};

/* One interface, a snapshot. Addresses in network order; 0 or none when not set. */
struct net_if {
	int index;
	char name[NET_IFNAME_MAX];
	bool loopback;
	bool up, running;
	uint32_t flags;	 /* Linux's IFF_* (SIOCGIFFLAGS: the low 16 bits) */
	uint16_t hwtype; /* ARPHRD_LOOPBACK or ARPHRD_ETHER */
	uint32_t mtu;
	uint8_t mac[6];
	uint32_t ip4, mask4, gw4;
	bool dhcp; /* the IPv4 address came from DHCP */
	int naddr6;
	struct net_if_addr6 addr6[NET_IF_ADDR6_MAX];
	bool has_router6; /* an IPv6 default router learnt from adverts */
	uint8_t router6[16];
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

/* Fill out with the interfaces in index order: how many (0 before net_init). Takes net_lock. */
int net_if_list(struct net_if out[NET_IF_MAX]);
/* The interface of index (name: by name when index is 0) into *out: 0, or -ENODEV. */
int net_if_find(int index, const char *name, struct net_if *out);

#endif /* MOTE_NET_IFINFO_H */
