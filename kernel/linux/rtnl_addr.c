/* rtnl_addr.c: the RTM_GETADDR and RTM_GETROUTE dumps (rtnl.h): each interface's IPv4 and
 * IPv6 addresses, and the routes the stack uses (the main table: the default routes and the
 * subnets on the link; the local table: the addresses themselves and IPv4 broadcasts), in
 * Linux's shapes and order: IPv4 before IPv6. */
#include "linux/rtnl.h"
#include "lib/string.h"
#include "linux/nlmsg.h"
#include "net/ifinfo.h"

#define AF_UNSPEC 0
#define AF_INET 2
#define AF_INET6 10
#define RTM_NEWADDR 20
#define RTM_NEWROUTE 24

enum { IFA_ADDRESS = 1, IFA_LOCAL, IFA_LABEL, IFA_BROADCAST, IFA_CACHEINFO = 6, IFA_FLAGS = 8 };
#define IFA_F_TENTATIVE 0x40
#define IFA_F_PERMANENT 0x80

enum {
	RTA_DST = 1,
	RTA_OIF = 4,
	RTA_GATEWAY = 5,
	RTA_PRIORITY = 6,
	RTA_PREFSRC = 7,
	RTA_CACHEINFO = 12,
	RTA_TABLE = 15,
	RTA_PREF = 20,
};
#define RT_TABLE_MAIN 254
#define RT_TABLE_LOCAL 255
#define RTPROT_KERNEL 2
#define RTPROT_BOOT 3
#define RTPROT_RA 9
#define RTPROT_DHCP 16
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define RTN_UNICAST 1
#define RTN_LOCAL 2
#define RTN_BROADCAST 3

struct ifaddrmsg_k {
	uint8_t family, prefixlen, flags, scope;
	uint32_t index;
};

struct ifa_cacheinfo_k {
	uint32_t prefered, valid, cstamp, tstamp;
};

struct rtmsg_k {
	uint8_t family, dst_len, src_len, tos, table, protocol, scope, type;
	uint32_t flags;
};

/* What one dump writes its messages with. */
struct dump {
	struct nl_out *o;
	uint32_t seq, pid;
	struct nl_msg m;
};

/* The prefix length of a netmask (network order: its bits counted, whatever their order). */
static int prefix_len4(uint32_t mask)
{
	int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static void addr_end(struct dump *d, uint32_t flags)
{
	/* permanent addresses: valid and preferred for ever */
	struct ifa_cacheinfo_k ci = { 0xffffffff, 0xffffffff, 0, 0 };

	nl_attr_u32(&d->m, IFA_FLAGS, flags);
	nl_attr(&d->m, IFA_CACHEINFO, &ci, sizeof(ci));
	nl_out_msg(d->o, &d->m);
}

static void addr4(struct dump *d, const struct net_if *i)
{
	struct ifaddrmsg_k a = { AF_INET, (uint8_t)prefix_len4(i->mask4), IFA_F_PERMANENT,
				 i->loopback ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE,
				 (uint32_t)i->index };
	uint32_t bcast = i->ip4 | ~i->mask4;

	if (!i->ip4)
		return;
	nl_msg_start(&d->m, RTM_NEWADDR, NLM_F_MULTI, d->seq, d->pid, &a, sizeof(a));
	nl_attr(&d->m, IFA_ADDRESS, &i->ip4, 4);
	nl_attr(&d->m, IFA_LOCAL, &i->ip4, 4);
	if (!i->loopback && a.prefixlen < 31)
		nl_attr(&d->m, IFA_BROADCAST, &bcast, 4);
	nl_attr_str(&d->m, IFA_LABEL, i->name);
	addr_end(d, IFA_F_PERMANENT);
}

static void addr6(struct dump *d, const struct net_if *i, const struct net_if_addr6 *x)
{
	uint32_t flags = (x->autoconf ? 0 : IFA_F_PERMANENT) | (x->tentative ? IFA_F_TENTATIVE : 0);
	struct ifaddrmsg_k a = { AF_INET6, x->prefix_len, (uint8_t)flags,
				 i->loopback   ? RT_SCOPE_HOST
				 : x->autoconf ? RT_SCOPE_UNIVERSE
					       : RT_SCOPE_LINK,
				 (uint32_t)i->index };

	nl_msg_start(&d->m, RTM_NEWADDR, NLM_F_MULTI, d->seq, d->pid, &a, sizeof(a));
	nl_attr(&d->m, IFA_ADDRESS, x->ip, 16);
	addr_end(d, flags);
}

void rtnl_dump_addr(struct nl_out *o, uint32_t seq, uint32_t pid, int family, int index)
{
	struct dump d = { .o = o, .seq = seq, .pid = pid };
	struct net_if all[NET_IF_MAX];
	int count = net_if_list(all);
	bool v4 = family != AF_INET6, v6 = family != AF_INET;

	for (int k = 0; v4 && k < count; k++)
		if (!index || all[k].index == index)
			addr4(&d, &all[k]);
	for (int k = 0; v6 && k < count; k++)
		for (int n = 0; n < all[k].naddr6 && (!index || all[k].index == index); n++)
			addr6(&d, &all[k], &all[k].addr6[n]);
}

/* One route: the header, then its attributes in Linux's order (fib_dump_info,
 * rt6_fill_node). dst, gw, src: NULL when none; v6 routes carry a metric. */
static void route(struct dump *d, const struct rtmsg_k *rt, const void *dst, const void *gw,
		  const void *src, int oif, uint32_t metric)
{
	size_t alen = rt->family == AF_INET6 ? 16 : 4;
	uint8_t cacheinfo[32] = { 0 }; /* struct rta_cacheinfo: no use, no expiry */

	nl_msg_start(&d->m, RTM_NEWROUTE, NLM_F_MULTI, d->seq, d->pid, rt, sizeof(*rt));
	nl_attr_u32(&d->m, RTA_TABLE, rt->table);
	if (dst)
		nl_attr(&d->m, RTA_DST, dst, alen);
	if (rt->family == AF_INET6)
		nl_attr_u32(&d->m, RTA_PRIORITY, metric);
	if (gw)
		nl_attr(&d->m, RTA_GATEWAY, gw, alen);
	if (src)
		nl_attr(&d->m, RTA_PREFSRC, src, alen);
	nl_attr_u32(&d->m, RTA_OIF, (uint32_t)oif);
	if (rt->family == AF_INET6) {
		nl_attr(&d->m, RTA_CACHEINFO, cacheinfo, sizeof(cacheinfo));
		nl_attr_u8(&d->m, RTA_PREF, 0); /* medium */
	}
	nl_out_msg(d->o, &d->m);
}

/* IPv4: the default route and the subnet (main table); the addresses, 127/8 and the
 * broadcasts (local table). */
static void routes4(struct dump *d, const struct net_if *all, int count)
{
	for (int k = 0; k < count; k++) {
		const struct net_if *i = &all[k];
		uint8_t plen = (uint8_t)prefix_len4(i->mask4);
		uint32_t net = i->ip4 & i->mask4;
		struct rtmsg_k rt = { AF_INET,
				      0,
				      0,
				      0,
				      RT_TABLE_MAIN,
				      i->dhcp ? RTPROT_DHCP : RTPROT_BOOT,
				      RT_SCOPE_UNIVERSE,
				      RTN_UNICAST,
				      0 };

		if (!i->ip4 || i->loopback)
			continue;
		if (i->gw4)
			route(d, &rt, NULL, &i->gw4, NULL, i->index, 0);
		rt = (struct rtmsg_k){ AF_INET,	      plen,	     0,		  0, RT_TABLE_MAIN,
				       RTPROT_KERNEL, RT_SCOPE_LINK, RTN_UNICAST, 0 };
		route(d, &rt, &net, NULL, &i->ip4, i->index, 0);
	}
	for (int k = 0; k < count; k++) {
		const struct net_if *i = &all[k];
		uint32_t net = i->ip4 & i->mask4, bcast = i->ip4 | ~i->mask4;
		struct rtmsg_k rt = { AF_INET,
				      (uint8_t)prefix_len4(i->mask4),
				      0,
				      0,
				      RT_TABLE_LOCAL,
				      RTPROT_KERNEL,
				      RT_SCOPE_HOST,
				      RTN_LOCAL,
				      0 };

		if (!i->ip4)
			continue;
		if (i->loopback) /* 127.0.0.0/8 is local as a whole */
			route(d, &rt, &net, NULL, &i->ip4, i->index, 0);
		rt.dst_len = 32;
		route(d, &rt, &i->ip4, NULL, &i->ip4, i->index, 0);
		if (prefix_len4(i->mask4) < 31) {
			rt.type = RTN_BROADCAST;
			rt.scope = RT_SCOPE_LINK;
			route(d, &rt, &bcast, NULL, &i->ip4, i->index, 0);
		}
	}
}

/* IPv6: the prefixes on the link and the default router (main table), the addresses
 * (local table). */
static void routes6(struct dump *d, const struct net_if *all, int count)
{
	struct rtmsg_k rt = { AF_INET6,		 64,	      0, 0, RT_TABLE_MAIN, RTPROT_KERNEL,
			      RT_SCOPE_UNIVERSE, RTN_UNICAST, 0 };

	for (int k = 0; k < count; k++) {
		const struct net_if *i = &all[k];

		for (int n = 0; n < i->naddr6 && !i->loopback; n++) {
			uint8_t net[16] = { 0 };
			bool seen = false;

			for (int e = 0; e < n; e++) /* one route per /64 */
				seen |= !memcmp(i->addr6[e].ip, i->addr6[n].ip, 8);
			memcpy(net, i->addr6[n].ip, 8);
			if (!seen)
				route(d, &rt, net, NULL, NULL, i->index, 256);
		}
		if (i->has_router6) {
			struct rtmsg_k def = {
				AF_INET6,	   0,		0, 0, RT_TABLE_MAIN, RTPROT_RA,
				RT_SCOPE_UNIVERSE, RTN_UNICAST, 0
			};

			route(d, &def, NULL, i->router6, NULL, i->index, 1024);
		}
	}
	rt = (struct rtmsg_k){ AF_INET6,	  128,	     0, 0, RT_TABLE_LOCAL, RTPROT_KERNEL,
			       RT_SCOPE_UNIVERSE, RTN_LOCAL, 0 };
	for (int k = 0; k < count; k++)
		for (int n = 0; n < all[k].naddr6; n++)
			route(d, &rt, all[k].addr6[n].ip, NULL, NULL, all[k].index, 0);
}

void rtnl_dump_route(struct nl_out *o, uint32_t seq, uint32_t pid, int family)
{
	struct dump d = { .o = o, .seq = seq, .pid = pid };
	struct net_if all[NET_IF_MAX];
	int count = net_if_list(all);

	if (family != AF_INET6)
		routes4(&d, all, count);
	if (family != AF_INET)
		routes6(&d, all, count);
}
