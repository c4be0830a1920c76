/* rtnl_route.c: RTM_GETROUTE (rtnl.h): the dump of the routes the stack uses (the main
 * table: the default routes and the subnets on the link; the local table: the addresses
 * themselves, 127/8 and the IPv4 broadcasts), IPv4 before IPv6; and one route looked up for a
 * destination (`ip route get`), in Linux's shapes. */
#include "linux/rtnl.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/nlmsg.h"
#include "net/ifinfo.h"

#define AF_INET 2
#define AF_INET6 10
#define RTM_NEWROUTE 24

enum {
	RTA_DST = 1,
	RTA_SRC = 2,
	RTA_OIF = 4,
	RTA_GATEWAY = 5,
	RTA_PRIORITY = 6,
	RTA_PREFSRC = 7,
	RTA_CACHEINFO = 12,
	RTA_TABLE = 15,
	RTA_PREF = 20,
	RTA_UID = 25,
};
#define RT_TABLE_MAIN 254
#define RT_TABLE_LOCAL 255
#define RTPROT_UNSPEC 0
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
#define RTM_F_CLONED 0x200
#define RTCF_LOCAL 0x80000000
#define LO_INDEX 1

struct rtmsg_k {
	uint8_t family, dst_len, src_len, tos, table, protocol, scope, type;
	uint32_t flags;
};

/* What one answer writes its messages with. */
struct dump {
	struct nl_out *o;
	uint32_t seq, pid;
	struct nl_msg m;
};

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
		uint8_t plen = (uint8_t)rtnl_prefix_len4(i->mask4);
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
				      (uint8_t)rtnl_prefix_len4(i->mask4),
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
		if (rtnl_prefix_len4(i->mask4) < 31) {
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

/* A route looked up for one destination. */
struct found {
	struct rtmsg_k rt;
	uint8_t dst[16], src[16], gw[16]; /* src: the preferred source address */
	bool has_gw;
	int oif;
	uint32_t metric;
};

/* IPv4: ours (through lo), on a subnet, else through the gateway. */
static int lookup4(const struct net_if *all, int count, struct found *f)
{
	uint32_t dst;

	memcpy(&dst, f->dst, 4);
	f->rt = (struct rtmsg_k){
		AF_INET,	   32,		0,	     0, RT_TABLE_MAIN, RTPROT_UNSPEC,
		RT_SCOPE_UNIVERSE, RTN_UNICAST, RTM_F_CLONED
	};
	for (int k = 0; k < count; k++) {
		const struct net_if *i = &all[k];

		if (i->ip4 && (dst == i->ip4 || (i->loopback && !((dst ^ i->ip4) & i->mask4)))) {
			f->rt.type = RTN_LOCAL;
			f->rt.flags |= RTCF_LOCAL;
			f->oif = LO_INDEX;
			memcpy(f->src, &i->ip4, 4);
			return 0;
		}
	}
	for (int pass = 0; pass < 2; pass++) /* the subnets first, then a gateway */
		for (int k = 0; k < count; k++) {
			const struct net_if *i = &all[k];

			if (!i->ip4 || i->loopback ||
			    (pass ? !i->gw4 : !!((dst ^ i->ip4) & i->mask4)))
				continue;
			f->oif = i->index;
			memcpy(f->src, &i->ip4, 4);
			f->has_gw = pass;
			memcpy(f->gw, &i->gw4, 4);
			return 0;
		}
	return -ENETUNREACH;
}

/* IPv6: ours (the local table, through lo), on a /64 of the link, else through the router. */
static int lookup6(const struct net_if *all, int count, struct found *f)
{
	f->rt = (struct rtmsg_k){
		AF_INET6,	   128,		128, 0, RT_TABLE_MAIN, RTPROT_KERNEL,
		RT_SCOPE_UNIVERSE, RTN_UNICAST, 0
	};
	for (int k = 0; k < count; k++)
		for (int n = 0; n < all[k].naddr6; n++)
			if (!memcmp(all[k].addr6[n].ip, f->dst, 16)) {
				f->rt.table = RT_TABLE_LOCAL;
				f->rt.type = RTN_LOCAL;
				f->oif = LO_INDEX;
				memcpy(f->src, f->dst, 16);
				return 0;
			}
	for (int k = 0; k < count; k++)
		for (int n = 0; n < all[k].naddr6 && !all[k].loopback; n++)
			if (!memcmp(all[k].addr6[n].ip, f->dst, 8)) {
				f->oif = all[k].index;
				f->metric = 256;
				memcpy(f->src, all[k].addr6[n].ip, 16);
				return 0;
			}
	for (int k = 0; k < count; k++) {
		const struct net_if *i = &all[k];

		if (!i->has_router6 || !i->naddr6)
			continue;
		f->rt.protocol = RTPROT_RA;
		f->oif = i->index;
		f->metric = 1024;
		f->has_gw = true;
		memcpy(f->gw, i->router6, 16);
		memcpy(f->src, i->addr6[0].ip, 16);
		for (int n = 0; n < i->naddr6; n++) /* a global source rather than link-local */
			if (i->addr6[n].autoconf) {
				memcpy(f->src, i->addr6[n].ip, 16);
				break;
			}
		return 0;
	}
	return -ENETUNREACH;
}

/* The answer, its attributes in Linux's order (rt_fill_info, rt6_fill_node). */
static void found_msg(struct dump *d, const struct found *f)
{
	bool v6 = f->rt.family == AF_INET6;
	size_t alen = v6 ? 16 : 4;
	uint8_t any[16] = { 0 }, cacheinfo[32] = { 0 };

	nl_msg_start(&d->m, RTM_NEWROUTE, 0, d->seq, d->pid, &f->rt, sizeof(f->rt));
	nl_attr_u32(&d->m, RTA_TABLE, f->rt.table);
	nl_attr(&d->m, RTA_DST, f->dst, alen);
	if (v6) {
		nl_attr(&d->m, RTA_SRC, any, alen);
		nl_attr(&d->m, RTA_PREFSRC, f->src, alen);
		if (f->has_gw)
			nl_attr(&d->m, RTA_GATEWAY, f->gw, alen);
		nl_attr_u32(&d->m, RTA_PRIORITY, f->metric);
		nl_attr_u32(&d->m, RTA_OIF, (uint32_t)f->oif);
	} else {
		nl_attr_u32(&d->m, RTA_OIF, (uint32_t)f->oif);
		nl_attr(&d->m, RTA_PREFSRC, f->src, alen);
		if (f->has_gw)
			nl_attr(&d->m, RTA_GATEWAY, f->gw, alen);
		nl_attr_u32(&d->m, RTA_UID, 0);
	}
	nl_attr(&d->m, RTA_CACHEINFO, cacheinfo, sizeof(cacheinfo));
	if (v6)
		nl_attr_u8(&d->m, RTA_PREF, 0);
	nl_out_msg(d->o, &d->m);
}

int rtnl_get_route(struct nl_out *o, uint32_t seq, uint32_t pid, const uint8_t *body, size_t len)
{
	struct dump d = { .o = o, .seq = seq, .pid = pid };
	struct found f = { 0 };
	struct net_if all[NET_IF_MAX];
	const void *dst;
	size_t alen = 0;
	int count, r;

	if (len < sizeof(struct rtmsg_k))
		return -EINVAL;
	if (body[0] != AF_INET && body[0] != AF_INET6)
		return -EOPNOTSUPP;
	dst = nl_attr_find(body + sizeof(struct rtmsg_k), len - sizeof(struct rtmsg_k), RTA_DST,
			   &alen);
	if (dst && alen != (body[0] == AF_INET6 ? 16u : 4u))
		return -EINVAL;
	if (dst) /* none: the any address, which the default route takes */
		memcpy(f.dst, dst, alen);
	count = net_if_list(all);
	r = body[0] == AF_INET ? lookup4(all, count, &f) : lookup6(all, count, &f);
	if (!r)
		found_msg(&d, &f);
	return r;
}
