/* sockets_v6.c: AF_INET6 sockets over ::1, and dual-stack ones as Linux has them by default: a
 * listener on [::] takes an IPv4 client, named ::ffff:127.0.0.1; IPV6_V6ONLY keeps IPv4 out;
 * UDP both ways, with the sources' names. (Linux: net.ipv6.bindv6only = 0, ::1 on lo.) */
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static struct sockaddr_in6 v6addr(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

static const char *name(const struct sockaddr_in6 *a)
{
	static char buf[INET6_ADDRSTRLEN];

	return inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf));
}

/* A listener bound to [ip]:0 (after IPV6_V6ONLY = v6only); its port in *port. */
static int listener(const char *ip, int v6only, uint16_t *port)
{
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a = v6addr(ip, 0);
	socklen_t len = sizeof(a);

	setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin6_port);
	return l;
}

static void tcp_loopback6(void)
{
	uint16_t port;
	int l = listener("::1", 0, &port), c = socket(AF_INET6, SOCK_STREAM, 0), s, dom = 0;
	struct sockaddr_in6 a = v6addr("::1", port), peer;
	socklen_t len = sizeof(peer);
	char buf[8] = { 0 };

	CHECK(l >= 0 && port != 0, "listen on [::1] and an ephemeral port");
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect to [::1]");
	s = accept(l, (struct sockaddr *)&peer, &len);
	CHECK(s >= 0 && len == sizeof(peer) && peer.sin6_family == AF_INET6 &&
		      !strcmp(name(&peer), "::1"),
	      "accept: the peer is ::1");
	CHECK(write(c, "six", 3) == 3 && read(s, buf, sizeof(buf)) == 3 && !strcmp(buf, "six"),
	      "bytes over ::1");
	len = sizeof(peer);
	CHECK(getpeername(c, (struct sockaddr *)&peer, &len) == 0 &&
		      ntohs(peer.sin6_port) == port && !strcmp(name(&peer), "::1"),
	      "getpeername: [::1] and the port");
	len = sizeof(dom);
	CHECK(getsockopt(c, SOL_SOCKET, SO_DOMAIN, &dom, &len) == 0 && dom == AF_INET6,
	      "SO_DOMAIN: AF_INET6");
	close(c);
	close(s);
	close(l);
}

static void dual_stack(void)
{
	uint16_t port;
	int l = listener("::", 0, &port), c = socket(AF_INET, SOCK_STREAM, 0), s, v = -1;
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_in6 peer, local;
	socklen_t len = sizeof(peer);

	CHECK(l >= 0, "listen on [::] (dual stack)");
	len = sizeof(v);
	CHECK(getsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len) == 0 && v == 0,
	      "IPV6_V6ONLY reads 0");
	len = sizeof(local);
	CHECK(getsockname(l, (struct sockaddr *)&local, &len) == 0 && !strcmp(name(&local), "::"),
	      "getsockname: [::]");
	a4.sin_port = htons(port);
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(c, (struct sockaddr *)&a4, sizeof(a4)) == 0,
	      "an IPv4 client connects to it at 127.0.0.1");
	len = sizeof(peer);
	s = accept(l, (struct sockaddr *)&peer, &len);
	CHECK(s >= 0 && peer.sin6_family == AF_INET6 && !strcmp(name(&peer), "::ffff:127.0.0.1"),
	      "accepted: the peer is ::ffff:127.0.0.1");
	close(c);
	close(s);
	close(l);

	l = listener("::", 1, &port);
	CHECK(l >= 0, "listen on [::] with IPV6_V6ONLY");
	c = socket(AF_INET, SOCK_STREAM, 0);
	a4.sin_port = htons(port);
	CHECK(connect(c, (struct sockaddr *)&a4, sizeof(a4)) == -1 && errno == ECONNREFUSED,
	      "an IPv4 client is refused there");
	close(c);
	/* what redis does: 0.0.0.0 and [::] (IPv6 only) on one port */
	c = socket(AF_INET, SOCK_STREAM, 0);
	a4.sin_addr.s_addr = htonl(INADDR_ANY);
	CHECK(bind(c, (struct sockaddr *)&a4, sizeof(a4)) == 0 && listen(c, 4) == 0,
	      "beside it, an IPv4 listener on 0.0.0.0 and the same port");
	s = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(bind(s,
		   (struct sockaddr *)&(struct sockaddr_in6){ .sin6_family = AF_INET6,
							      .sin6_port = htons(port) },
		   sizeof(struct sockaddr_in6)) == -1 &&
		      errno == EADDRINUSE,
	      "a dual-stack [::] on that port now: EADDRINUSE");
	close(s);
	close(c);
	close(l);
}

static void udp6(void)
{
	int u = socket(AF_INET6, SOCK_DGRAM, 0), v = socket(AF_INET6, SOCK_DGRAM, 0);
	int w = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in6 a = v6addr("::", 0), from;
	struct sockaddr_in b = { .sin_family = AF_INET }, from4;
	socklen_t len = sizeof(a);
	char buf[16] = { 0 };

	CHECK(bind(u, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		      getsockname(u, (struct sockaddr *)&a, &len) == 0,
	      "UDP: bind [::]:0");
	a = v6addr("::1", ntohs(a.sin6_port));
	CHECK(sendto(v, "hi6", 3, 0, (struct sockaddr *)&a, sizeof(a)) == 3, "sendto [::1]");
	len = sizeof(from);
	CHECK(recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 3 &&
		      !strcmp(buf, "hi6") && !strcmp(name(&from), "::1"),
	      "recvfrom: the datagram, from ::1");
	b.sin_port = a.sin6_port;
	b.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(sendto(w, "hi4", 3, 0, (struct sockaddr *)&b, sizeof(b)) == 3,
	      "an IPv4 socket sends to 127.0.0.1");
	len = sizeof(from);
	CHECK(recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 3 &&
		      !strcmp(buf, "hi4") && !strcmp(name(&from), "::ffff:127.0.0.1"),
	      "the dual socket receives it from ::ffff:127.0.0.1");
	len = sizeof(b);
	getsockname(w, (struct sockaddr *)&b, &len);
	from = v6addr("::ffff:127.0.0.1", ntohs(b.sin_port));
	CHECK(sendto(u, "back", 4, 0, (struct sockaddr *)&from, sizeof(from)) == 4,
	      "and answers to ::ffff:127.0.0.1");
	len = sizeof(from4);
	memset(buf, 0, sizeof(buf));
	CHECK(recvfrom(w, buf, sizeof(buf), 0, (struct sockaddr *)&from4, &len) == 4 &&
		      !strcmp(buf, "back") && from4.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "which the IPv4 socket gets from 127.0.0.1");
	close(u);
	close(v);
	close(w);
}

int main(void)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof(a);
	int s;

	check_start();
	s = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(s >= 0, "socket(AF_INET6, SOCK_STREAM)");
	CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0 && len == sizeof(a) &&
		      a.sin6_family == AF_INET6 && a.sin6_port == 0 && !strcmp(name(&a), "::"),
	      "unbound: [::]:0");
	close(s);
	tcp_loopback6();
	dual_stack();
	udp6();
	return check_done();
}
