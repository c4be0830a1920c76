/* sockaddr.c: struct sockaddr_in and sockaddr_in6 from and to the net layer's net_addr. An
 * AF_INET6 socket names IPv4 peers as IPv4-mapped addresses (::ffff:a.b.c.d), as Linux's
 * dual-stack sockets do. */
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/socket_file.h"
#include "core/uaccess.h"
#include "fs/unixname.h"
#include "net/addr.h"

struct sockaddr_in_k {
	uint16_t family;
	uint16_t port; /* network order */
	uint32_t addr; /* network order */
	uint8_t zero[8];
};

struct sockaddr_in6_k {
	uint16_t family;
	uint16_t port; /* network order */
	uint32_t flowinfo;
	uint8_t addr[16];
	uint32_t scope_id;
};

struct sockaddr_un_k {
	uint16_t family;
	char path[UNIX_PATH_MAX];
};

#define SIN6_LEN_MIN 24 /* RFC 2133's, without scope_id: Linux takes it */

static const uint8_t mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int sock_get_addr(const void *uaddr, uint32_t len, bool v6, struct net_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!v6) {
		struct sockaddr_in_k s;

		if (len < sizeof(s))
			return -EINVAL;
		if (copy_from_user(&s, uaddr, sizeof(s)))
			return -EFAULT;
		if (s.family != AF_INET)
			return -EAFNOSUPPORT;
		a->port = s.port;
		memcpy(a->ip, &s.addr, sizeof(s.addr));
		return 0;
	}
	struct sockaddr_in6_k s6 = { 0 };

	if (len < SIN6_LEN_MIN)
		return -EINVAL;
	if (copy_from_user(&s6, uaddr, MIN(len, (uint32_t)sizeof(s6))))
		return -EFAULT;
	if (s6.family != AF_INET6)
		return -EAFNOSUPPORT;
	a->port = s6.port;
	if (!memcmp(s6.addr, mapped_prefix, sizeof(mapped_prefix))) {
		memcpy(a->ip, s6.addr + 12, 4); /* an IPv4 peer */
	} else {
		a->v6 = true;
		memcpy(a->ip, s6.addr, sizeof(s6.addr));
	}
	return 0;
}

int sock_put_addr(void *uaddr, uint32_t *ulen, bool v6, const struct net_addr *a)
{
	struct sockaddr_in_k s = { .family = AF_INET, .port = a->port };
	struct sockaddr_in6_k s6 = { .family = AF_INET6, .port = a->port };
	const void *src = &s;
	uint32_t len, size = sizeof(s);

	if (!uaddr)
		return 0;
	if (v6) {
		if (a->v6) {
			memcpy(s6.addr, a->ip, sizeof(s6.addr));
		} else {
			memcpy(s6.addr, mapped_prefix, sizeof(mapped_prefix));
			memcpy(s6.addr + 12, a->ip, 4);
		}
		src = &s6;
		size = sizeof(s6);
	} else {
		memcpy(&s.addr, a->ip, sizeof(s.addr));
	}
	if (get_user(len, ulen))
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	/* as Linux: cut to the buffer, *ulen the full size */
	if (copy_to_user(uaddr, src, MIN(len, size)))
		return -EFAULT;
	return put_user(size, ulen);
}

int sock_get_unix(const void *uaddr, uint32_t len, struct unix_name *n)
{
	struct sockaddr_un_k s;
	size_t plen;

	if (len < sizeof(s.family) || len > sizeof(s))
		return -EINVAL;
	if (copy_from_user(&s, uaddr, len))
		return -EFAULT;
	if (s.family != AF_UNIX)
		return -EINVAL;
	plen = len - sizeof(s.family);
	memset(n, 0, sizeof(*n));
	if (!plen) /* just the family: bind's autobind (n->len 0), an error elsewhere */
		return 0;
	if (s.path[0] == 0) { /* abstract: every byte counts */
		memcpy(n->name, s.path, plen);
		n->len = plen;
		return 0;
	}
	n->len = strnlen(s.path, plen);
	if (n->len == UNIX_PATH_MAX)
		return -EINVAL; /* no room for the NUL */
	memcpy(n->name, s.path, n->len);
	return 0;
}

int sock_put_unix(void *uaddr, uint32_t *ulen, const struct unix_name *n)
{
	struct sockaddr_un_k s = { .family = AF_UNIX };
	uint32_t len, size;

	if (!uaddr)
		return 0;
	memcpy(s.path, n->name, n->len);
	/* Linux's length: the family, the name, and a path's NUL */
	size = (uint32_t)(sizeof(s.family) + n->len + (n->len && n->name[0] ? 1 : 0));
	if (get_user(len, ulen))
		return -EFAULT;
	if ((int32_t)len < 0)
		return -EINVAL;
	if (copy_to_user(uaddr, &s, MIN(len, size)))
		return -EFAULT;
	return put_user(size, ulen);
}
