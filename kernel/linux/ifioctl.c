/* ifioctl.c: the SIOCGIF* ioctls (ifioctl.h), as net-tools' ifconfig asks them. */
#include "linux/ifioctl.h"
#include "core/uaccess.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/socket_file.h"
#include "net/ifinfo.h"

#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCGIFADDR 0x8915
#define SIOCGIFDSTADDR 0x8917
#define SIOCGIFBRDADDR 0x8919
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMETRIC 0x891d
#define SIOCGIFMTU 0x8921
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933
#define SIOCGIFTXQLEN 0x8942
#define SIOCGIFMAP 0x8970
#define TXQLEN 1000

struct sockaddr_in_k {
	uint16_t family, port;
	uint32_t addr;
	uint8_t zero[8];
};

/* struct ifreq: a name, then one of these */
struct ifreq_k {
	char name[NET_IFNAME_MAX];
	union {
		struct sockaddr_in_k in;
		struct {
			uint16_t family;
			uint8_t data[14];
		} hw;
		int16_t flags;
		int32_t ivalue;
		uint8_t pad[24];
	} u;
};

struct ifconf_k {
	int32_t len, pad;
	uint64_t buf;
};

static void put_in(struct ifreq_k *r, uint32_t addr)
{
	memset(&r->u, 0, sizeof(r->u));
	r->u.in.family = AF_INET;
	r->u.in.addr = addr;
}

/* SIOCGIFCONF: an ifreq (name, IPv4 address) per interface with an address, as many as fit;
 * with no buffer, the length they need. */
static long ifconf(struct ifconf_k *uc)
{
	struct net_if all[NET_IF_MAX];
	int count = net_if_list(all), done = 0;
	struct ifconf_k c;

	if (copy_from_user(&c, uc, sizeof(c)))
		return -EFAULT;
	for (int k = 0; k < count; k++) {
		struct ifreq_k r = { 0 };

		if (!all[k].ip4)
			continue;
		if (c.buf) {
			if (done + (int)sizeof(r) > c.len)
				break;
			memcpy(r.name, all[k].name, sizeof(r.name));
			put_in(&r, all[k].ip4);
			if (copy_to_user((void *)(c.buf + (uint64_t)done), &r, sizeof(r)))
				return -EFAULT;
		}
		done += (int)sizeof(r);
	}
	return put_user(done, &uc->len);
}

/* A SIOCGIF* request about the interface i, answered into r. */
static long answer(unsigned cmd, const struct net_if *i, struct ifreq_k *r)
{
	uint32_t bcast = i->loopback ? 0 : i->ip4 | ~i->mask4;

	memset(&r->u, 0, sizeof(r->u));
	switch (cmd) {
	case SIOCGIFFLAGS:
		r->u.flags = (int16_t)(i->flags & 0xffff);
		return 0;
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFBRDADDR:
	case SIOCGIFNETMASK:
		if (!i->ip4)
			return -EADDRNOTAVAIL;
		put_in(r, cmd == SIOCGIFNETMASK	  ? i->mask4
			  : cmd == SIOCGIFBRDADDR ? (i->ip4 ? bcast : 0)
						  : i->ip4);
		return 0;
	case SIOCGIFMETRIC:
		return 0;
	case SIOCGIFMTU:
		r->u.ivalue = (int32_t)i->mtu;
		return 0;
	case SIOCGIFHWADDR:
		r->u.hw.family = i->hwtype;
		memcpy(r->u.hw.data, i->mac, sizeof(i->mac));
		return 0;
	case SIOCGIFINDEX:
		r->u.ivalue = i->index;
		return 0;
	case SIOCGIFTXQLEN:
		r->u.ivalue = TXQLEN;
		return 0;
	case SIOCGIFMAP: /* no memory, port or interrupt of its own to show */
		return 0;
	default:
		return -ENOTTY;
	}
}

/* A SIOCSIF* request, which would change an interface. */
static bool is_change(unsigned cmd)
{
	static const uint16_t sets[] = { 0x8914, 0x8916, 0x8918, 0x891a, 0x891c, 0x891e,
					 0x8922, 0x8923, 0x8924, 0x8943, 0x8971 };

	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
		if (cmd == sets[k])
			return true;
	return false;
}

static bool known(unsigned cmd)
{
	switch (cmd) {
	case SIOCGIFFLAGS:
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFBRDADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFMETRIC:
	case SIOCGIFMTU:
	case SIOCGIFHWADDR:
	case SIOCGIFINDEX:
	case SIOCGIFTXQLEN:
	case SIOCGIFMAP:
		return true;
	default:
		return false;
	}
}

long ifioctl(unsigned cmd, uint64_t arg)
{
	struct ifreq_k r;
	struct net_if i;
	long err;

	if (cmd == SIOCGIFCONF)
		return ifconf((struct ifconf_k *)arg);
	if (is_change(cmd))
		return -EOPNOTSUPP; /* the interfaces are read-only here */
	if (cmd != SIOCGIFNAME && !known(cmd))
		return -ENOTTY;
	if (copy_from_user(&r, (void *)arg, sizeof(r)))
		return -EFAULT;
	r.name[sizeof(r.name) - 1] = 0;
	if (cmd == SIOCGIFNAME) {
		if (net_if_find(r.u.ivalue > 0 ? r.u.ivalue : -1, NULL, &i))
			return -ENODEV;
		memcpy(r.name, i.name, sizeof(r.name));
	} else {
		if (net_if_find(0, r.name, &i))
			return -ENODEV;
		err = answer(cmd, &i, &r);
		if (err)
			return err;
	}
	return copy_to_user((void *)arg, &r, sizeof(r)) ? -EFAULT : 0;
}
