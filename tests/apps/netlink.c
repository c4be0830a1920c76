/* netlink.c: AF_NETLINK NETLINK_ROUTE sockets as Linux gives them: port ids (the process's id
 * first, then others), getsockname, options, RTM_GETLINK/RTM_GETADDR/RTM_GETROUTE dumps ended
 * by NLMSG_DONE, one link by index or by name, the route to 127.0.0.5, acknowledgements and errors (NLMSG_ERROR with
 * the request), MSG_PEEK|MSG_TRUNC, recvmsg's iovecs and source; then glibc's getifaddrs and
 * if_nameindex, the SIOCGIF* ioctls and /proc/net/dev. The machines differ in their other
 * interfaces, so only "lo" is looked at (index 1, 127.0.0.1/8, ::1/128, mtu 65536). */
#include "check.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define LO_FLAGS (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)
#define IFF_LOWER_UP 0x10000 /* linux/if.h's, which net/if.h cannot be included with */

static char buf[65536];
static unsigned seq = 100;

/* Send a request of type with flags and a body of len bytes. */
static int request(int s, int type, int flags, const void *body, size_t len)
{
	struct {
		struct nlmsghdr h;
		char body[256];
	} m = { .h = { .nlmsg_len = NLMSG_LENGTH(len),
		       .nlmsg_type = type,
		       .nlmsg_flags = NLM_F_REQUEST | flags,
		       .nlmsg_seq = ++seq } };

	memcpy(m.body, body, len);
	return send(s, &m, m.h.nlmsg_len, 0) == (ssize_t)m.h.nlmsg_len;
}

/* What a walk over one answer found. */
struct seen {
	int msgs, bad_header, done, done_err, error, ack_flags, first_v6_at, last_v4_at;
	int lo_link, lo_type, lo_flags, lo_mtu, lo_v4, lo_v6, lo_local_route, got_127_0_0_5;
	char lo_name[16];
};

static void link_msg(struct nlmsghdr *h, struct seen *s)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = IFLA_PAYLOAD(h);

	if (ifi->ifi_index != 1)
		return;
	s->lo_link++;
	s->lo_type = ifi->ifi_type;
	s->lo_flags = ifi->ifi_flags;
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME)
			snprintf(s->lo_name, sizeof(s->lo_name), "%s", (char *)RTA_DATA(a));
		if (a->rta_type == IFLA_MTU)
			s->lo_mtu = *(int *)RTA_DATA(a);
	}
}

static void addr_msg(struct nlmsghdr *h, struct seen *s)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = IFA_PAYLOAD(h);
	static const unsigned char v6lo[16] = { [15] = 1 };

	if (ifa->ifa_family == AF_INET6 && !s->first_v6_at)
		s->first_v6_at = s->msgs;
	if (ifa->ifa_family == AF_INET)
		s->last_v4_at = s->msgs;
	if (ifa->ifa_index != 1)
		return;
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != IFA_ADDRESS)
			continue;
		if (ifa->ifa_family == AF_INET && *(uint32_t *)RTA_DATA(a) == htonl(0x7f000001) &&
		    ifa->ifa_prefixlen == 8 && ifa->ifa_scope == RT_SCOPE_HOST)
			s->lo_v4++;
		if (ifa->ifa_family == AF_INET6 && !memcmp(RTA_DATA(a), v6lo, 16) &&
		    ifa->ifa_prefixlen == 128 && ifa->ifa_scope == RT_SCOPE_HOST)
			s->lo_v6++;
	}
}

static void route_msg(struct nlmsghdr *h, struct seen *s)
{
	struct rtmsg *rt = NLMSG_DATA(h);
	int len = RTM_PAYLOAD(h), oif = 0;
	uint32_t dst = 0;

	for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_DST)
			dst = *(uint32_t *)RTA_DATA(a);
		if (a->rta_type == RTA_OIF)
			oif = *(int *)RTA_DATA(a);
	}
	if (rt->rtm_family == AF_INET && rt->rtm_table == RT_TABLE_LOCAL &&
	    rt->rtm_type == RTN_LOCAL && rt->rtm_dst_len == 8 && dst == htonl(0x7f000000) &&
	    oif == 1)
		s->lo_local_route++;
	if (rt->rtm_family == AF_INET && rt->rtm_type == RTN_LOCAL && rt->rtm_dst_len == 32 &&
	    dst == htonl(0x7f000005) && oif == 1 && h->nlmsg_flags == 0)
		s->got_127_0_0_5++;
}

/* Read the answer to the last request until NLMSG_DONE or NLMSG_ERROR. */
static struct seen answer(int s, unsigned pid)
{
	struct seen r = { 0 };

	for (;;) {
		ssize_t n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
		int len = (int)n;

		if (n <= 0)
			return r;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			r.msgs++;
			if (h->nlmsg_seq != seq || h->nlmsg_pid != pid)
				r.bad_header++;
			if (h->nlmsg_type == NLMSG_DONE) {
				r.done = h->nlmsg_flags == NLM_F_MULTI ? 1 : -1;
				r.done_err = *(int *)NLMSG_DATA(h);
				return r;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				r.error = e->error;
				r.ack_flags = h->nlmsg_flags;
				if (e->error &&
				    h->nlmsg_len != NLMSG_LENGTH(sizeof(int)) + e->msg.nlmsg_len)
					r.bad_header++; /* an error carries the whole request */
				return r;
			}
			if (h->nlmsg_type == RTM_NEWLINK)
				link_msg(h, &r);
			if (h->nlmsg_type == RTM_NEWADDR)
				addr_msg(h, &r);
			if (h->nlmsg_type == RTM_NEWROUTE)
				route_msg(h, &r);
		}
	}
}

static void sockets(int *out, unsigned *pid)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK }, b;
	socklen_t len = sizeof(b);
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), t, v = 0;

	CHECK(s >= 0, "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)");
	CHECK_ERR(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT,
		  "SOCK_STREAM: ESOCKTNOSUPPORT");
	CHECK(getsockname(s, (struct sockaddr *)&b, &len) == 0 && len == sizeof(b) &&
		      b.nl_family == AF_NETLINK && b.nl_pid == 0,
	      "getsockname before bind: port id 0");
	CHECK_ERR(bind(s, (struct sockaddr *)&a, 4), EINVAL, "bind with a short address: EINVAL");
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "bind to port id 0");
	len = sizeof(b);
	CHECK(getsockname(s, (struct sockaddr *)&b, &len) == 0 && b.nl_pid == (unsigned)getpid(),
	      "the first socket's port id is the process id");
	*pid = b.nl_pid;
	t = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
	a.nl_pid = *pid;
	CHECK_ERR(bind(t, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE,
		  "bind to a port id in use: EADDRINUSE");
	a.nl_pid = 0;
	len = sizeof(b);
	CHECK(bind(t, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		      getsockname(t, (struct sockaddr *)&b, &len) == 0 && b.nl_pid != 0 &&
		      b.nl_pid != *pid,
	      "a second socket gets another port id");
	close(t);
	len = sizeof(v);
	CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_RAW, "SO_TYPE");
	CHECK(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 && v == AF_NETLINK, "SO_DOMAIN");
	CHECK(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 && v == NETLINK_ROUTE,
	      "SO_PROTOCOL");
	v = 32768;
	CHECK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0, "SO_SNDBUF");
	v = 1 << 20;
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0, "SO_RCVBUF");
	v = 1;
	CHECK(setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof(v)) == 0, "NETLINK_EXT_ACK");
	v = 0;
	len = sizeof(v);
	CHECK(getsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &v, &len) == 0 && v == 1,
	      "NETLINK_EXT_ACK reads back 1");
	CHECK_ERR(setsockopt(s, SOL_NETLINK, 999, &v, sizeof(v)), ENOPROTOOPT,
		  "an unknown SOL_NETLINK option: ENOPROTOOPT");
	*out = s;
}

static void dumps(int s, unsigned pid)
{
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct seen r;
	ssize_t n;

	CHECK(poll(&p, 1, 0) == 0, "nothing to read before a request");
	CHECK_ERR(recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "recv: EAGAIN");
	CHECK(request(s, RTM_GETLINK, NLM_F_DUMP, &g, sizeof(g)), "RTM_GETLINK dump sent");
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "then POLLIN");
	n = recv(s, NULL, 0, MSG_PEEK | MSG_TRUNC);
	CHECK(n > (ssize_t)NLMSG_HDRLEN, "MSG_PEEK|MSG_TRUNC gives the datagram's length");
	r = answer(s, pid);
	CHECK(r.done == 1 && r.done_err == 0 && !r.bad_header,
	      "links: NLMSG_DONE (NLM_F_MULTI, error 0), every message with our seq and pid");
	CHECK(r.lo_link == 1 && !strcmp(r.lo_name, "lo") && r.lo_type == ARPHRD_LOOPBACK &&
		      (r.lo_flags & (LO_FLAGS | IFF_LOWER_UP)) == (LO_FLAGS | IFF_LOWER_UP) &&
		      r.lo_mtu == 65536,
	      "link 1: lo, ARPHRD_LOOPBACK, UP LOOPBACK RUNNING LOWER_UP, mtu 65536");

	CHECK(request(s, RTM_GETADDR, NLM_F_DUMP, &g, sizeof(g)), "RTM_GETADDR dump sent");
	r = answer(s, pid);
	CHECK(r.done == 1 && !r.bad_header && r.lo_v4 == 1 && r.lo_v6 == 1,
	      "addresses: lo has 127.0.0.1/8 and ::1/128, scope host");
	CHECK(r.first_v6_at > r.last_v4_at, "IPv4 addresses come before IPv6 ones");
	g.rtgen_family = AF_INET6;
	CHECK(request(s, RTM_GETADDR, NLM_F_DUMP, &g, sizeof(g)), "RTM_GETADDR AF_INET6 sent");
	r = answer(s, pid);
	CHECK(r.done == 1 && r.lo_v4 == 0 && r.lo_v6 == 1 && !r.last_v4_at,
	      "AF_INET6 only: ::1 and no IPv4 address");
	g.rtgen_family = AF_INET;
	CHECK(request(s, RTM_GETROUTE, NLM_F_DUMP, &g, sizeof(g)), "RTM_GETROUTE AF_INET sent");
	r = answer(s, pid);
	CHECK(r.done == 1 && r.lo_local_route == 1,
	      "routes: local 127.0.0.0/8 dev lo, table local");
}

static void single(int s, unsigned pid)
{
	struct {
		struct ifinfomsg ifi;
		struct rtattr a;
		char name[4];
	} q = { .ifi = { .ifi_index = 1 } };
	struct {
		struct rtmsg rt;
		struct rtattr a;
		uint32_t dst;
	} rq = { .rt = { .rtm_family = AF_INET, .rtm_dst_len = 32 },
		 .a = { .rta_len = RTA_LENGTH(4), .rta_type = RTA_DST },
		 .dst = htonl(0x7f000005) };
	struct rtgenmsg g = { .rtgen_family = AF_INET };
	struct seen r;

	CHECK(request(s, RTM_GETLINK, NLM_F_ACK, &q.ifi, sizeof(q.ifi)), "RTM_GETLINK index 1");
	r = answer(s, pid);
	CHECK(r.lo_link == 1 && !strcmp(r.lo_name, "lo") && r.msgs == 2, "one RTM_NEWLINK: lo");
	CHECK(r.error == 0 && r.ack_flags == NLM_F_CAPPED, "then the ACK (error 0, NLM_F_CAPPED)");
	q.ifi.ifi_index = 0;
	q.a = (struct rtattr){ .rta_len = RTA_LENGTH(3), .rta_type = IFLA_IFNAME };
	memcpy(q.name, "lo", 3);
	CHECK(request(s, RTM_GETLINK, 0, &q, sizeof(q)), "RTM_GETLINK by IFLA_IFNAME lo");
	r = answer(s, pid);
	CHECK(r.lo_link == 1 && r.msgs == 1 && !r.bad_header, "... link 1, no ACK unasked");
	q.ifi.ifi_index = 99999;
	CHECK(request(s, RTM_GETLINK, 0, &q.ifi, sizeof(q.ifi)), "RTM_GETLINK index 99999");
	r = answer(s, pid);
	CHECK(r.error == -ENODEV && !r.bad_header, "NLMSG_ERROR -ENODEV with the request");
	q.ifi.ifi_index = 0;
	CHECK(request(s, RTM_GETLINK, 0, &q.ifi, sizeof(q.ifi)), "RTM_GETLINK with no index");
	CHECK(answer(s, pid).error == -EINVAL, "NLMSG_ERROR -EINVAL");
	CHECK(request(s, RTM_GETADDR, 0, &g, sizeof(g)), "RTM_GETADDR AF_INET without a dump");
	CHECK(answer(s, pid).error == -EOPNOTSUPP, "NLMSG_ERROR -EOPNOTSUPP");
	CHECK(request(s, 200, NLM_F_DUMP, &g, sizeof(g)), "message type 200");
	CHECK(answer(s, pid).error == -EOPNOTSUPP, "NLMSG_ERROR -EOPNOTSUPP");
	CHECK(request(s, RTM_GETROUTE, 0, &g, sizeof(g)), "RTM_GETROUTE with a short request");
	CHECK(answer(s, pid).error == -EINVAL, "NLMSG_ERROR -EINVAL");
	CHECK(request(s, RTM_GETROUTE, 0, &rq, sizeof(rq)), "RTM_GETROUTE to 127.0.0.5");
	r = answer(s, pid);
	CHECK(r.got_127_0_0_5 == 1 && r.msgs == 1 && !r.bad_header,
	      "one RTM_NEWROUTE: local 127.0.0.5/32 dev lo");
	CHECK(request(s, NLMSG_NOOP, NLM_F_ACK, &g, sizeof(g)), "NLMSG_NOOP with NLM_F_ACK");
	r = answer(s, pid);
	CHECK(r.error == 0 && r.msgs == 1, "an ACK");
}

/* recvmsg: the source (the kernel: port id 0) and a datagram cut to a short buffer. */
static void messages(int s)
{
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct sockaddr_nl from;
	char a[8], b[8];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = iov, .msg_iovlen = 2
	};
	unsigned short type;
	ssize_t n;

	CHECK(request(s, RTM_GETLINK, NLM_F_DUMP, &g, sizeof(g)), "RTM_GETLINK dump");
	n = recvmsg(s, &m, 0);
	CHECK(n == 16 && (m.msg_flags & MSG_TRUNC) && m.msg_namelen == sizeof(from) &&
		      from.nl_family == AF_NETLINK && from.nl_pid == 0,
	      "recvmsg into 2 iovecs of 8 bytes: 16 bytes, MSG_TRUNC, from port id 0");
	memcpy(&type, a + offsetof(struct nlmsghdr, nlmsg_type), sizeof(type));
	CHECK(type == RTM_NEWLINK, "... a RTM_NEWLINK header");
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void libc(void)
{
	struct ifaddrs *all, *i;
	struct if_nameindex *names;
	int v4 = 0, v6 = 0, pkt = 0, lo = 0;
	char name[IF_NAMESIZE];

	CHECK(getifaddrs(&all) == 0, "getifaddrs");
	for (i = all; i; i = i->ifa_next) {
		if (strcmp(i->ifa_name, "lo") || !i->ifa_addr)
			continue;
		if ((i->ifa_flags & LO_FLAGS) != LO_FLAGS)
			continue;
		if (i->ifa_addr->sa_family == AF_PACKET)
			pkt++;
		if (i->ifa_addr->sa_family == AF_INET &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == htonl(0x7f000001) &&
		    ((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr == htonl(0xff000000))
			v4++;
		if (i->ifa_addr->sa_family == AF_INET6 &&
		    IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
			v6++;
	}
	freeifaddrs(all);
	CHECK(pkt == 1 && v4 == 1 && v6 == 1,
	      "getifaddrs: lo (UP LOOPBACK RUNNING) as AF_PACKET, 127.0.0.1/255.0.0.0 and ::1");
	names = if_nameindex();
	for (struct if_nameindex *n = names; n && n->if_index; n++)
		lo += n->if_index == 1 && !strcmp(n->if_name, "lo");
	if_freenameindex(names);
	CHECK(lo == 1, "if_nameindex: 1 lo");
	CHECK(if_nametoindex("lo") == 1, "if_nametoindex(lo) = 1");
	CHECK_STR(if_indextoname(1, name), "lo", "if_indextoname(1)");
	CHECK(if_nametoindex("nosuch0") == 0, "if_nametoindex(nosuch0) = 0");
}

static void ioctls(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), found = 0;
	struct ifreq r = { .ifr_name = "lo" }, list[16];
	struct ifconf c = { 0 };
	char line[256];
	FILE *f;

	CHECK(ioctl(s, SIOCGIFFLAGS, &r) == 0 && (r.ifr_flags & 0xffff) == LO_FLAGS,
	      "SIOCGIFFLAGS lo: UP LOOPBACK RUNNING");
	CHECK(ioctl(s, SIOCGIFMTU, &r) == 0 && r.ifr_mtu == 65536, "SIOCGIFMTU lo: 65536");
	CHECK(ioctl(s, SIOCGIFINDEX, &r) == 0 && r.ifr_ifindex == 1, "SIOCGIFINDEX lo: 1");
	CHECK(ioctl(s, SIOCGIFADDR, &r) == 0 &&
		      ((struct sockaddr_in *)&r.ifr_addr)->sin_addr.s_addr == htonl(0x7f000001),
	      "SIOCGIFADDR lo: 127.0.0.1");
	CHECK(ioctl(s, SIOCGIFNETMASK, &r) == 0 &&
		      ((struct sockaddr_in *)&r.ifr_netmask)->sin_addr.s_addr == htonl(0xff000000),
	      "SIOCGIFNETMASK lo: 255.0.0.0");
	CHECK(ioctl(s, SIOCGIFHWADDR, &r) == 0 && r.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK,
	      "SIOCGIFHWADDR lo: ARPHRD_LOOPBACK");
	memcpy(r.ifr_name, "nosuch0", 8);
	CHECK_ERR(ioctl(s, SIOCGIFFLAGS, &r), ENODEV, "SIOCGIFFLAGS nosuch0: ENODEV");
	CHECK(ioctl(s, SIOCGIFCONF, &c) == 0 && c.ifc_len > 0 && c.ifc_len % sizeof(r) == 0,
	      "SIOCGIFCONF without a buffer: the length needed, whole ifreqs");
	memset(list, 0, sizeof(list));
	c.ifc_len = sizeof(list);
	c.ifc_req = list;
	CHECK(ioctl(s, SIOCGIFCONF, &c) == 0, "SIOCGIFCONF");
	for (size_t k = 0; k < c.ifc_len / sizeof(r); k++)
		found += !strcmp(list[k].ifr_name, "lo") &&
			 ((struct sockaddr_in *)&list[k].ifr_addr)->sin_addr.s_addr ==
				 htonl(0x7f000001);
	CHECK(found == 1, "... lists lo with 127.0.0.1");
	close(s);
	f = fopen("/proc/net/dev", "r");
	found = 0;
	while (f && fgets(line, sizeof(line), f))
		found += !strncmp(line, "    lo:", 7);
	CHECK(f && found == 1, "/proc/net/dev has a line for lo");
	if (f)
		fclose(f);
}

int main(void)
{
	unsigned pid;
	int s;

	check_start();
	sockets(&s, &pid);
	dumps(s, pid);
	single(s, pid);
	messages(s);
	close(s);
	libc();
	ioctls();
	return check_done();
}
