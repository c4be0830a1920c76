/* addr.c: net_addr to and from lwIP's addresses (addr_lwip.h). */
#include "net/addr_lwip.h"
#include "lib/string.h"

bool net_addr_is_any6(const struct net_addr *a)
{
	static const uint8_t zero[16];

	return a->v6 && !memcmp(a->ip, zero, sizeof(zero));
}

void net_addr_to_lwip(const struct net_addr *a, bool dual, ip_addr_t *ip)
{
	if (!a->v6) {
		uint32_t v4;

		memcpy(&v4, a->ip, sizeof(v4));
		ip_addr_set_ip4_u32_val(*ip, v4);
	} else if (dual && net_addr_is_any6(a)) {
		ip_addr_copy(*ip, *IP_ANY_TYPE);
	} else {
		uint32_t w[4];

		memcpy(w, a->ip, sizeof(w));
		IP_ADDR6(ip, w[0], w[1], w[2], w[3]);
	}
}

void net_addr_from_lwip(const ip_addr_t *ip, u16_t port, struct net_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->port = lwip_htons(port);
	if (IP_IS_V4(ip)) {
		uint32_t v4 = ip4_addr_get_u32(ip_2_ip4(ip));

		memcpy(a->ip, &v4, sizeof(v4));
	} else { /* IPv6, or both (IP_ANY_TYPE): :: */
		a->v6 = true;
		if (IP_IS_V6(ip))
			memcpy(a->ip, ip_2_ip6(ip)->addr, sizeof(a->ip));
	}
}
