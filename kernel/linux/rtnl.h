/* rtnl.h: NETLINK_ROUTE's kernel side, read-only: the requests a netlink socket sends are
 * answered from the interfaces' real state (net/ifinfo.h), as Linux answers them (rtnetlink(7)):
 * RTM_GETLINK (a dump, or one link by index or name), RTM_GETADDR and RTM_GETROUTE dumps
 * (AF_INET, AF_INET6 or both), the route to one destination, acknowledgements (NLM_F_ACK) and errors as NLMSG_ERROR. A
 * request that would change something (RTM_NEWADDR, RTM_SETLINK...) and a kind not kept here
 * are refused with -EOPNOTSUPP. */
#ifndef MOTE_LINUX_RTNL_H
#define MOTE_LINUX_RTNL_H

#include "lib/types.h"

struct nl_out;
struct nl_msg;
struct net_if;

/* Who asks and how the socket wants its answers. */
struct rtnl_req {
	uint32_t pid; /* the sender's port id: the replies carry it */
	bool cap_ack; /* NETLINK_CAP_ACK: errors without the request's payload */
	bool strict;  /* NETLINK_GET_STRICT_CHK: dump requests' filters apply */
};

/* Answer every request in buf (n bytes, one sendmsg's), appending the replies to out. */
void rtnl_input(const struct rtnl_req *r, const uint8_t *buf, size_t n, struct nl_out *out);

/* A dump of addresses (rtnl_addr.c): the RTM_NEWADDR messages of family (0: every family)
 * on interface index (0: all). */
void rtnl_dump_addr(struct nl_out *o, uint32_t seq, uint32_t pid, int family, int index);
/* A dump of routes (rtnl_route.c): RTM_NEWROUTE messages of family (0: every family). */
void rtnl_dump_route(struct nl_out *o, uint32_t seq, uint32_t pid, int family);
/* RTM_GETROUTE without NLM_F_DUMP (rtnl_route.c): the route to the request's RTA_DST (its
 * struct rtmsg and attributes: len bytes at body) as one RTM_NEWROUTE; 0, or -EINVAL (too
 * short, a family other than AF_INET and AF_INET6), -ENETUNREACH (no route). */
int rtnl_get_route(struct nl_out *o, uint32_t seq, uint32_t pid, const uint8_t *body, size_t len);
/* The prefix length of a netmask (network order: its bits counted, whatever their order). */
int rtnl_prefix_len4(uint32_t mask);

#endif /* MOTE_LINUX_RTNL_H */
