/* rtnl.c: NETLINK_ROUTE requests (rtnl.h): the dispatch, links, acknowledgements and errors,
 * in the order and shapes Linux's rtnetlink gives them. */
#include "linux/rtnl.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/nlmsg.h"
#include "net/ifinfo.h"

#define RTM_BASE 16
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_GETADDR 22
#define RTM_GETROUTE 26
#define RTM_MAX 123
#define RTM_KIND_GET 2 /* (type - RTM_BASE) & 3: NEW, DEL, GET, SET */

#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN 2
#define IF_OPER_UP 6

enum {
	IFLA_ADDRESS = 1,
	IFLA_BROADCAST = 2,
	IFLA_IFNAME = 3,
	IFLA_MTU = 4,
	IFLA_QDISC = 6,
	IFLA_STATS = 7,
	IFLA_TXQLEN = 13,
	IFLA_OPERSTATE = 16,
	IFLA_LINKMODE = 17,
	IFLA_STATS64 = 23,
	IFLA_GROUP = 27,
	IFLA_PROMISCUITY = 30,
	IFLA_NUM_TX_QUEUES = 31,
	IFLA_NUM_RX_QUEUES = 32,
	IFLA_CARRIER = 33,
	IFLA_MIN_MTU = 50,
	IFLA_MAX_MTU = 51,
};

struct ifinfomsg_k {
	uint8_t family, pad;
	uint16_t type;
	int32_t index;
	uint32_t flags, change;
};

/* The leading counters of struct rtnl_link_stats64 / rtnl_link_stats (rx_packets,
 * tx_packets, rx_bytes, tx_bytes, then errors and drops, all 0 here). */
#define STATS64_FIELDS 25
#define STATS32_FIELDS 24

static void link_stats(struct nl_msg *m, const struct net_if *i)
{
	uint64_t s64[STATS64_FIELDS] = { i->rx_packets, i->tx_packets, i->rx_bytes, i->tx_bytes };
	uint32_t s32[STATS32_FIELDS];

	for (int k = 0; k < STATS32_FIELDS; k++)
		s32[k] = (uint32_t)s64[k];
	nl_attr(m, IFLA_STATS64, s64, sizeof(s64));
	nl_attr(m, IFLA_STATS, s32, sizeof(s32));
}

/* i's RTM_NEWLINK message, its attributes in Linux's order (rtnl_fill_ifinfo). */
static void link_msg(struct nl_msg *m, const struct net_if *i, uint16_t flags, uint32_t seq,
		     uint32_t pid)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct ifinfomsg_k ifi = {
		.type = i->hwtype,
		.index = i->index,
		.flags = i->flags,
	};

	nl_msg_start(m, RTM_NEWLINK, flags, seq, pid, &ifi, sizeof(ifi));
	nl_attr_str(m, IFLA_IFNAME, i->name);
	nl_attr_u32(m, IFLA_TXQLEN, 1000);
	nl_attr_u8(m, IFLA_OPERSTATE,
		   i->loopback	? IF_OPER_UNKNOWN
		   : i->running ? IF_OPER_UP
				: IF_OPER_DOWN);
	nl_attr_u8(m, IFLA_LINKMODE, 0);
	nl_attr_u32(m, IFLA_MTU, i->mtu);
	nl_attr_u32(m, IFLA_MIN_MTU, i->loopback ? 0 : 68);
	nl_attr_u32(m, IFLA_MAX_MTU, i->loopback ? 0 : 65535);
	nl_attr_u32(m, IFLA_GROUP, 0);
	nl_attr_u32(m, IFLA_PROMISCUITY, 0);
	nl_attr_u32(m, IFLA_NUM_TX_QUEUES, 1);
	nl_attr_u32(m, IFLA_NUM_RX_QUEUES, 1);
	nl_attr_u8(m, IFLA_CARRIER, i->running);
	nl_attr_str(m, IFLA_QDISC, i->loopback ? "noqueue" : "pfifo_fast");
	nl_attr(m, IFLA_ADDRESS, i->mac, sizeof(i->mac));
	nl_attr(m, IFLA_BROADCAST, i->loopback ? i->mac : bcast, sizeof(bcast));
	link_stats(m, i);
}

static void dump_links(struct nl_out *o, uint32_t seq, uint32_t pid)
{
	struct net_if all[NET_IF_MAX];
	int count = net_if_list(all);
	struct nl_msg m;

	for (int k = 0; k < count; k++) {
		link_msg(&m, &all[k], NLM_F_MULTI, seq, pid);
		nl_out_msg(o, &m);
	}
}

/* RTM_GETLINK without NLM_F_DUMP: the link named by index, else by IFLA_IFNAME. */
static int get_link(struct nl_out *o, const struct nlmsghdr_k *h, const uint8_t *body, size_t len,
		    uint32_t pid)
{
	char name[NET_IFNAME_MAX] = "";
	struct ifinfomsg_k ifi;
	struct net_if i;
	const char *a;
	size_t alen;
	struct nl_msg m;

	if (len < sizeof(ifi))
		return -EINVAL;
	memcpy(&ifi, body, sizeof(ifi));
	a = nl_attr_find(body + sizeof(ifi), len - sizeof(ifi), IFLA_IFNAME, &alen);
	if (a)
		memcpy(name, a, MIN(alen, sizeof(name) - 1));
	if (ifi.index <= 0 && !a)
		return -EINVAL;
	if (net_if_find(ifi.index > 0 ? ifi.index : 0, name, &i))
		return -ENODEV;
	link_msg(&m, &i, 0, h->seq, pid);
	nl_out_msg(o, &m);
	return 0;
}

/* A dump's end: NLMSG_DONE with its error (0), in a datagram of its own. */
static void done(struct nl_out *o, uint32_t seq, uint32_t pid)
{
	int32_t zero = 0;
	struct nl_msg m;

	nl_msg_start(&m, NLMSG_DONE, NLM_F_MULTI, seq, pid, &zero, sizeof(zero));
	nl_out_close(o);
	nl_out_msg(o, &m);
}

/* One request (type >= NLMSG_MIN_TYPE) of len bytes after its header: 0 or -errno;
 * *dumped when it was answered by a dump, which is never acknowledged. */
static int request(const struct rtnl_req *r, const struct nlmsghdr_k *h, const uint8_t *body,
		   size_t len, struct nl_out *o, bool *dumped)
{
	int family, index = 0;

	if (h->type > RTM_MAX)
		return -EOPNOTSUPP;
	if (len < 1) /* no struct rtgenmsg: ignored, as Linux does */
		return 0;
	family = body[0];
	if (((h->type - RTM_BASE) & 3) != RTM_KIND_GET)
		return -EOPNOTSUPP; /* the interfaces are read-only here */
	if (!(h->flags & NLM_F_DUMP))
		return h->type == RTM_GETLINK	 ? get_link(o, h, body, len, r->pid)
		       : h->type == RTM_GETROUTE ? rtnl_get_route(o, h->seq, r->pid, body, len)
						 : -EOPNOTSUPP;
	if (h->type == RTM_GETLINK)
		dump_links(o, h->seq, r->pid);
	else if (h->type == RTM_GETADDR) {
		if (r->strict && len >= 8) /* struct ifaddrmsg's ifa_index */
			memcpy(&index, body + 4, sizeof(index));
		rtnl_dump_addr(o, h->seq, r->pid, family, index);
	} else if (h->type == RTM_GETROUTE)
		rtnl_dump_route(o, h->seq, r->pid, family);
	else
		return -EOPNOTSUPP;
	done(o, h->seq, r->pid);
	*dumped = true;
	return 0;
}

/* NLMSG_ERROR for the request at req: err 0 is an acknowledgement (header only, flagged
 * NLM_F_CAPPED); an error carries the whole request unless NETLINK_CAP_ACK (or it is larger
 * than a message here). */
static void ack(const struct rtnl_req *r, const uint8_t *req, const struct nlmsghdr_k *h, int err,
		struct nl_out *o)
{
	bool capped = !err || r->cap_ack || sizeof(int32_t) + h->len > NL_MSG_MAX - NLMSG_HDRLEN;
	struct nl_msg m;

	nl_msg_start(&m, NLMSG_ERROR, capped ? NLM_F_CAPPED : 0, h->seq, r->pid, &err,
		     sizeof(int32_t));
	/* the length is Linux's, unpadded: an answer is alone in its datagram */
	memcpy(m.buf + m.len, req, capped ? NLMSG_HDRLEN : h->len);
	m.len += capped ? NLMSG_HDRLEN : h->len;
	nl_out_msg(o, &m);
}

void rtnl_input(const struct rtnl_req *r, const uint8_t *buf, size_t n, struct nl_out *out)
{
	size_t off = 0;

	while (n - off >= NLMSG_HDRLEN) {
		struct nlmsghdr_k h;
		bool dumped = false;
		int err = 0;

		memcpy(&h, buf + off, sizeof(h));
		if (h.len < NLMSG_HDRLEN || h.len > n - off)
			return;
		nl_out_close(out); /* each answer in datagrams of its own */
		/* only requests are answered; control messages are acknowledged at most */
		if ((h.flags & NLM_F_REQUEST) && h.type >= NLMSG_MIN_TYPE)
			err = request(r, &h, buf + off + NLMSG_HDRLEN, h.len - NLMSG_HDRLEN, out,
				      &dumped);
		if (!dumped && (err || (h.flags & NLM_F_ACK))) {
			nl_out_close(out);
			ack(r, buf + off, &h, err, out);
		}
		off += MIN((size_t)NLMSG_ALIGN(h.len), n - off);
	}
}
