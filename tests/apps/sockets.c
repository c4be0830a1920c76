/* sockets.c: TCP over 127.0.0.1 (in Mote: lwIP's loop interface): a listener on an ephemeral
 * port, a thread that echoes, a client sending 256 KiB and reading it back after its
 * shutdown, non-blocking accept and connect, names of both ends, and the errors Linux gives
 * (EADDRINUSE, ECONNREFUSED, ENOTCONN); two ends that both write until their windows close,
 * then read. Then socketpair(AF_UNIX, SOCK_STREAM) (what asyncio's event loop wakes itself
 * with): both ways, poll, shutdown, the peer's close. */
#include "check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>

#define BIG (256 * 1024) /* many windows */

static int listener;
static long echoed;

static void *echo(void *arg)
{
	int c = accept(listener, NULL, NULL);
	char buf[8192];
	ssize_t n;

	while (c >= 0 && (n = read(c, buf, sizeof(buf))) > 0)
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(c, buf + done, (size_t)(n - done));

			if (w <= 0)
				return NULL;
			done += w;
			echoed += w;
		}
	close(c);
	return NULL;
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* Write to fd (non-blocking) until it would block; the bytes written. */
static long fill(int fd)
{
	static char junk[4 * 1460]; /* whole segments of lwIP's MSS: the windows close exactly */
	long total = 0;
	ssize_t n;

	while ((n = write(fd, junk, sizeof(junk))) > 0)
		total += n;
	return total;
}

/* Read what is there on fd (non-blocking) into *got; false at the end of data or an error. */
static bool drain(int fd, long *got)
{
	static char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*got += n;
	return n < 0 && errno == EAGAIN;
}

/* Both ends write until neither can (both receive windows closed: each ACK then carries a
 * zero window), then both read everything. lwIP 2.1.3 answered such ACKs with ACKs for ever
 * (tools/lwip-patches/zero-window-ack.patch). */
static void closed_windows_checks(struct sockaddr_in *a)
{
	int c = socket(AF_INET, SOCK_STREAM, 0), s;
	long sent_c = 0, sent_s = 0, got_c = 0, got_s = 0;
	bool ok = true;

	CHECK(connect(c, (struct sockaddr *)a, sizeof(*a)) == 0, "connect for the closed windows");
	s = accept(listener, NULL, NULL);
	CHECK(s >= 0, "accept it");
	fcntl(c, F_SETFL, O_NONBLOCK);
	fcntl(s, F_SETFL, O_NONBLOCK);
	for (int round = 0; round < 3; round++) { /* the first ACKs open a little room more */
		sent_c += fill(c);
		sent_s += fill(s);
	}
	CHECK(sent_c > 0 && sent_s > 0, "both ends wrote until they could not");
	for (int i = 0; i < 2000 && ok && (got_c < sent_s || got_s < sent_c); i++) {
		struct pollfd p[2] = { { .fd = c, .events = POLLIN },
				       { .fd = s, .events = POLLIN } };

		ok = poll(p, 2, 5000) > 0 && drain(c, &got_c) && drain(s, &got_s);
	}
	CHECK(got_c == sent_s && got_s == sent_c, "then each read all the other wrote");
	close(c);
	close(s);
}

static void socketpair_checks(void)
{
	int sv[2], type = 0;
	char buf[16];
	struct sockaddr_storage name;
	socklen_t len = sizeof(type);
	struct pollfd p;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair(AF_UNIX)");
	CHECK(write(sv[0], "ping", 4) == 4 && read(sv[1], buf, sizeof(buf)) == 4 &&
		      !memcmp(buf, "ping", 4),
	      "one way");
	CHECK(send(sv[1], "pong", 4, 0) == 4 && recv(sv[0], buf, sizeof(buf), 0) == 4 &&
		      !memcmp(buf, "pong", 4),
	      "and back (send, recv)");
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM,
	      "SO_TYPE: SOCK_STREAM");
	len = sizeof(name);
	CHECK(getsockname(sv[0], (struct sockaddr *)&name, &len) == 0 && name.ss_family == AF_UNIX,
	      "getsockname: AF_UNIX, unnamed");
	p = (struct pollfd){ .fd = sv[1], .events = POLLIN };
	CHECK(poll(&p, 1, 0) == 0, "poll: nothing to read yet");
	write(sv[0], "x", 1);
	CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN), "poll: readable after a write");
	read(sv[1], buf, 1);
	CHECK(shutdown(sv[0], SHUT_WR) == 0 && read(sv[1], buf, sizeof(buf)) == 0,
	      "shutdown(SHUT_WR): the peer reads the end of data");
	close(sv[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(sv[1], "y", 1) == -1 && errno == EPIPE, "writing to a closed peer: EPIPE");
	close(sv[1]);
}

int main(void)
{
	static unsigned char out[BIG], in[BIG];
	struct sockaddr_in a = loopback(0), b, peer;
	socklen_t len = sizeof(a);
	pthread_t t;
	int c, d, one = 1, err = -1;
	long got = 0;
	ssize_t n;

	check_start();
	listener = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(listener >= 0, "socket(AF_INET, SOCK_STREAM)");
	CHECK(setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0,
	      "SO_REUSEADDR");
	CHECK(bind(listener, (struct sockaddr *)&a, sizeof(a)) == 0, "bind 127.0.0.1:0");
	CHECK(listen(listener, 4) == 0, "listen");
	CHECK(getsockname(listener, (struct sockaddr *)&a, &len) == 0 && ntohs(a.sin_port) != 0 &&
		      a.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "getsockname: 127.0.0.1 and an ephemeral port");

	d = socket(AF_INET, SOCK_STREAM, 0);
	b = loopback(ntohs(a.sin_port));
	CHECK(bind(d, (struct sockaddr *)&b, sizeof(b)) == -1 && errno == EADDRINUSE,
	      "a second bind to the listener's port: EADDRINUSE");
	close(d);

	fcntl(listener, F_SETFL, O_NONBLOCK);
	CHECK(accept(listener, NULL, NULL) == -1 && errno == EAGAIN,
	      "accept with nothing pending, non-blocking: EAGAIN");
	fcntl(listener, F_SETFL, 0);
	pthread_create(&t, NULL, echo, NULL);

	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(getpeername(c, (struct sockaddr *)&peer, &len) == -1 && errno == ENOTCONN,
	      "getpeername before connect: ENOTCONN");
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EINPROGRESS,
	      "non-blocking connect: done or EINPROGRESS");
	{
		struct pollfd p = { .fd = c, .events = POLLOUT };

		CHECK(poll(&p, 1, 10000) == 1 && (p.revents & POLLOUT),
		      "poll: writable once connected");
	}
	len = sizeof(err);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR: 0");
	fcntl(c, F_SETFL, 0);
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0, "TCP_NODELAY");
	len = sizeof(peer);
	CHECK(getpeername(c, (struct sockaddr *)&peer, &len) == 0 && peer.sin_port == a.sin_port,
	      "getpeername: the listener's port");

	for (int i = 0; i < BIG; i++)
		out[i] = (unsigned char)(i * 31 + i / 4096);
	/* write and read as each side is ready (non-blocking, poll): a blocking write could wait
	 * for an echo that waits for this side to read, whatever the buffers' sizes */
	fcntl(c, F_SETFL, O_NONBLOCK);
	for (long sent = 0; sent < BIG;) {
		struct pollfd p = { .fd = c, .events = POLLIN | POLLOUT };

		if (poll(&p, 1, 10000) != 1)
			break;
		if ((p.revents & POLLIN) && (n = read(c, in + got, BIG - got)) > 0)
			got += n;
		if ((p.revents & POLLOUT) && (n = write(c, out + sent, BIG - sent)) > 0)
			sent += n;
	}
	fcntl(c, F_SETFL, 0);
	CHECK(shutdown(c, SHUT_WR) == 0, "shutdown(SHUT_WR) after 256 KiB");
	while (got < BIG && (n = read(c, in + got, BIG - got)) > 0)
		got += n;
	CHECK(got == BIG && !memcmp(in, out, BIG), "256 KiB echoed back, byte for byte");
	CHECK(read(c, in, 1) == 0, "then the end of data (the echo thread closed)");
	pthread_join(t, NULL);
	CHECK(echoed == BIG, "the echo thread wrote 256 KiB");
	close(c);
	closed_windows_checks(&a);
	close(listener);

	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == ECONNREFUSED,
	      "connect to a closed port: ECONNREFUSED");
	close(c);
	socketpair_checks();
	return check_done();
}
