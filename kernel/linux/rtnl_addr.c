/* rtnl_addr.c: the RTM_GETADDR dump (rtnl.h): each interface's IPv4 and IPv6 addresses, in
 * Linux's shapes and order: IPv4 before IPv6. */
#include "linux/rtnl.h"
#include "lib/string.h"
#include "linux/nlmsg.h"
#include "net/ifinfo.h"

#define AF_INET 2
#define AF_INET6 10
#define RTM_NEWADDR 20

enum { IFA_ADDRESS = 1, IFA_LOCAL, IFA_LABEL, IFA_BROADCAST, IFA_CACHEINFO = 6, IFA_FLAGS = 8 };
#define IFA_F_TENTATIVE 0x40
#define IFA_F_PERMANENT 0x80

#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254

struct ifaddrmsg_k {
	uint8_t family, prefixlen, flags, scope;
	uint32_t index;
};

struct ifa_cacheinfo_k {
	uint32_t prefered, valid, cstamp, tstamp;
};

/* What the dump writes its messages with. */
struct dump {
	struct nl_out *o;
	uint32_t seq, pid;
	struct nl_msg m;
};

int rtnl_prefix_len4(uint32_t mask)
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
	struct ifaddrmsg_k a = { AF_INET, (uint8_t)rtnl_prefix_len4(i->mask4), IFA_F_PERMANENT,
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
