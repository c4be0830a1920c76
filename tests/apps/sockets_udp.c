/* sockets_udp.c: UDP over 127.0.0.1 (in Mote: lwIP's loop interface): datagrams and their
 * boundaries, the sender's address, a datagram cut to a short buffer (the rest dropped),
 * connect to a default peer and AF_UNSPEC to dissolve it, poll, MSG_DONTWAIT, and the errors
 * Linux gives (EDESTADDRREQ, ENOTCONN, EAGAIN). */
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

static struct sockaddr_in name_of(int s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	getsockname(s, (struct sockaddr *)&a, &len);
	return a;
}

int main(void)
{
	struct sockaddr_in any = { .sin_family = AF_INET }, a, b, from, peer;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	socklen_t len = sizeof(from);
	char buf[256], big[100];
	int s = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_DGRAM, 0), type = 0;
	struct pollfd p = { .fd = s, .events = POLLIN };

	check_start();
	any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(s >= 0 && t >= 0, "two UDP sockets");
	len = sizeof(type);
	CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM,
	      "SO_TYPE: SOCK_DGRAM");
	CHECK(bind(s, (struct sockaddr *)&any, sizeof(any)) == 0, "bind 127.0.0.1:0");
	a = name_of(s);
	CHECK(ntohs(a.sin_port) != 0, "an ephemeral port");
	CHECK(recv(s, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN,
	      "nothing yet: EAGAIN");
	CHECK(send(t, "x", 1, 0) == -1 && errno == EDESTADDRREQ,
	      "send without an address or a peer: EDESTADDRREQ");
	CHECK(sendto(t, "hello", 5, 0, (struct sockaddr *)&a, sizeof(a)) == 5, "sendto: 5 bytes");
	CHECK(sendto(t, "two", 3, 0, (struct sockaddr *)&a, sizeof(a)) == 3, "and 3 more");
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "poll: readable");
	b = name_of(t);
	len = sizeof(from);
	CHECK(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 5 &&
		      !memcmp(buf, "hello", 5),
	      "recvfrom: the first datagram whole");
	CHECK(len == sizeof(from) && from.sin_port == b.sin_port &&
		      from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "from the sender's address and port");
	CHECK(recv(s, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "two", 3),
	      "the second one, its boundary kept");

	memset(big, 'b', sizeof(big));
	sendto(t, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a));
	sendto(t, "next", 4, 0, (struct sockaddr *)&a, sizeof(a));
	CHECK(recv(s, buf, 10, 0) == 10, "a 100-byte datagram read into 10 bytes: 10");
	CHECK(recv(s, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "next", 4),
	      "its rest dropped: the next read is the next datagram");

	CHECK(connect(t, (struct sockaddr *)&a, sizeof(a)) == 0, "connect to a default peer");
	len = sizeof(peer);
	CHECK(getpeername(t, (struct sockaddr *)&peer, &len) == 0 && peer.sin_port == a.sin_port,
	      "getpeername: the peer");
	CHECK(send(t, "conn", 4, 0) == 4 && recv(s, buf, sizeof(buf), 0) == 4 &&
		      !memcmp(buf, "conn", 4),
	      "send without an address goes to it");
	CHECK(write(t, "w", 1) == 1 && read(s, buf, sizeof(buf)) == 1 && buf[0] == 'w',
	      "write and read as on a file");
	CHECK(connect(t, &unspec, sizeof(unspec)) == 0, "connect(AF_UNSPEC) dissolves it");
	len = sizeof(peer);
	CHECK(getpeername(t, (struct sockaddr *)&peer, &len) == -1 && errno == ENOTCONN,
	      "getpeername then: ENOTCONN");
	close(s);
	close(t);
	return check_done();
}
