/* sockets_msg.c: the socket calls beyond send and recv, over 127.0.0.1: sendmsg/recvmsg with
 * several iovecs on TCP and UDP (source address, MSG_TRUNC), sendmmsg/recvmmsg, MSG_PEEK,
 * MSG_WAITALL, FIONREAD; and socket options as Linux keeps them: what setsockopt sets,
 * getsockopt reports (buffer sizes doubled), an accepted connection takes its listener's, and
 * bad values and unknown options fail as Linux fails them. */
#include "check.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* Does the file at path have a line containing needle? */
static bool has_line(const char *path, const char *needle)
{
	char line[256];
	FILE *f = fopen(path, "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* /proc/net/tcp and udp list a listener and a bound datagram socket, in Linux's columns. */
static void procnet_checks(int l)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof(a);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	char needle[64];

	getsockname(l, (struct sockaddr *)&a, &len);
	snprintf(needle, sizeof(needle), ": 0100007F:%04X 00000000:0000 0A ", ntohs(a.sin_port));
	CHECK(has_line("/proc/net/tcp", needle), "/proc/net/tcp: the listener, state 0A");
	a = loopback(0);
	bind(u, (struct sockaddr *)&a, sizeof(a));
	len = sizeof(a);
	getsockname(u, (struct sockaddr *)&a, &len);
	snprintf(needle, sizeof(needle), ": 0100007F:%04X 00000000:0000 07 ", ntohs(a.sin_port));
	CHECK(has_line("/proc/net/udp", needle), "/proc/net/udp: the bound socket, state 07");
	CHECK(has_line("/proc/net/tcp", "local_address rem_address   st tx_queue rx_queue"),
	      "/proc/net/tcp: Linux's heading");
	close(u);
}

static int getint(int fd, int level, int opt)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, opt, &v, &len) != 0 || len != sizeof(v))
		return -12345;
	return v;
}

static int setint(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v));
}

/* A connected pair of TCP sockets through a listener on an ephemeral port. */
static void tcp_pair(int l, int *c, int *s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	getsockname(l, (struct sockaddr *)&a, &len);
	*c = socket(AF_INET, SOCK_STREAM, 0);
	connect(*c, (struct sockaddr *)&a, sizeof(a));
	*s = accept(l, NULL, NULL);
}

static void tcp_messages(int c, int s)
{
	char a[] = "hello, ", b[] = "world", out[64] = { 0 }, x[4] = { 0 }, y[64] = { 0 };
	struct iovec wv[2] = { { a, 7 }, { b, 5 } }, rv[2] = { { x, 4 }, { y, 8 } };
	struct msghdr m = { .msg_iov = wv, .msg_iovlen = 2 };
	struct sockaddr_in from;
	int n = -1;
	ssize_t r;

	CHECK(sendmsg(c, &m, 0) == 12, "TCP sendmsg of two iovecs: 12 bytes");
	CHECK(recv(s, out, 5, MSG_PEEK | MSG_WAITALL) == 5 && !memcmp(out, "hello", 5),
	      "MSG_PEEK: the first bytes, left in place");
	CHECK(ioctl(s, FIONREAD, &n) == 0 && n == 12, "FIONREAD: 12 bytes waiting");
	m = (struct msghdr){
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = rv, .msg_iovlen = 2
	};
	r = recvmsg(s, &m, MSG_WAITALL);
	CHECK(r == 12 && !memcmp(x, "hell", 4) && !memcmp(y, "o, world", 8),
	      "TCP recvmsg scatters 12 bytes over two iovecs");
	CHECK(m.msg_namelen == 0 && m.msg_controllen == 0 && m.msg_flags == 0,
	      "recvmsg on a stream: no name, no control, no flags");
	CHECK(send(c, "abcdef", 6, 0) == 6 && send(c, "gh", 2, 0) == 2, "two sends");
	memset(out, 0, sizeof(out));
	CHECK(recv(s, out, 8, MSG_WAITALL) == 8 && !memcmp(out, "abcdefgh", 8),
	      "MSG_WAITALL: all 8 bytes in one call");
	CHECK(ioctl(s, FIONREAD, &n) == 0 && n == 0, "FIONREAD: nothing left");
	{
		struct tcp_info ti = { 0 };
		socklen_t len = sizeof(ti);

		CHECK(getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
			      len >= offsetof(struct tcp_info, tcpi_total_retrans) + 4 &&
			      ti.tcpi_state == TCP_ESTABLISHED && ti.tcpi_snd_mss > 0 &&
			      ti.tcpi_snd_cwnd > 0,
		      "TCP_INFO: established, an MSS and a congestion window");
	}
}

static void udp_messages(void)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0), v = socket(AF_INET, SOCK_DGRAM, 0), n = -1;
	struct sockaddr_in a = loopback(0), from = { 0 };
	socklen_t len = sizeof(a);
	char p1[] = "data", p2[] = "gram", big[100], in[8] = { 0 }, in2[8] = { 0 };
	struct iovec wv[2] = { { p1, 4 }, { p2, 4 } }, rv[2] = { { in, 3 }, { in2, 8 } };
	struct msghdr m = { .msg_iov = wv, .msg_iovlen = 2 };
	struct mmsghdr mm[3];
	struct iovec mv[3];
	char bufs[3][16];

	bind(u, (struct sockaddr *)&a, sizeof(a));
	getsockname(u, (struct sockaddr *)&a, &len);
	m.msg_name = &a;
	m.msg_namelen = sizeof(a);
	CHECK(sendmsg(v, &m, 0) == 8, "UDP sendmsg: one datagram of two iovecs");
	CHECK(ioctl(u, FIONREAD, &n) == 0 && n == 8, "FIONREAD on UDP: the next datagram's length");
	CHECK(recv(u, in, sizeof(in), MSG_PEEK) == 8 && !memcmp(in, "datagram", 8),
	      "MSG_PEEK on UDP: the datagram, still queued");
	memset(in, 0, sizeof(in));
	m = (struct msghdr){
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = rv, .msg_iovlen = 2
	};
	CHECK(recvmsg(u, &m, 0) == 8 && !memcmp(in, "dat", 3) && !memcmp(in2, "agram", 5),
	      "UDP recvmsg scatters it");
	CHECK(m.msg_namelen == sizeof(from) && from.sin_family == AF_INET &&
		      from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && !(m.msg_flags & MSG_TRUNC),
	      "with its source, not truncated");

	memset(big, 'z', sizeof(big));
	sendto(v, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a));
	rv[0].iov_len = sizeof(in);
	m = (struct msghdr){ .msg_iov = rv, .msg_iovlen = 1 };
	CHECK(recvmsg(u, &m, 0) == 8 && (m.msg_flags & MSG_TRUNC),
	      "a 100-byte datagram into 8 bytes: 8, MSG_TRUNC");
	sendto(v, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a));
	CHECK(recv(u, in, sizeof(in), MSG_TRUNC) == 100, "recv(MSG_TRUNC): the real length, 100");

	for (int i = 0; i < 3; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "msg%d", i);
		mv[i] = (struct iovec){ bufs[i], 4 };
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &a,
						       .msg_namelen = sizeof(a),
						       .msg_iov = &mv[i],
						       .msg_iovlen = 1 } };
	}
	CHECK(sendmmsg(v, mm, 3, 0) == 3 && mm[2].msg_len == 4, "sendmmsg: 3 datagrams");
	memset(bufs, 0, sizeof(bufs));
	for (int i = 0; i < 3; i++) {
		mv[i].iov_len = sizeof(bufs[i]);
		mm[i].msg_hdr.msg_name = NULL;
		mm[i].msg_hdr.msg_namelen = 0;
	}
	n = recvmmsg(u, mm, 3, MSG_WAITFORONE, NULL);
	CHECK(n >= 1 && !strcmp(bufs[0], "msg0") && mm[0].msg_len == 4,
	      "recvmmsg(MSG_WAITFORONE): the first at least, in order");
	while (n < 3 && recv(u, bufs[n], sizeof(bufs[n]), 0) == 4)
		n++;
	CHECK(n == 3 && !strcmp(bufs[2], "msg2"), "and all three arrived");
	close(u);
	close(v);
}

/* SO_REUSEADDR as Linux has it: a port held by a closed connection (TIME_WAIT) can be bound
 * again with it and not without it; beside a live listener, not even with it. */
static void reuse_checks(void)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), l2, c, s, b;

	setint(l, SOL_SOCKET, SO_REUSEADDR, 1);
	bind(l, (struct sockaddr *)&a, sizeof(a));
	listen(l, 4);
	getsockname(l, (struct sockaddr *)&a, &len);
	l2 = socket(AF_INET, SOCK_STREAM, 0);
	setint(l2, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK(bind(l2, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EADDRINUSE,
	      "SO_REUSEADDR beside a listener on the port: EADDRINUSE");
	close(l2);
	tcp_pair(l, &c, &s);
	close(s); /* the server's side closes first: its end waits in TIME_WAIT */
	CHECK(read(c, &b, 1) == 0, "the client reads the end");
	close(c);
	close(l);
	b = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(bind(b, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EADDRINUSE,
	      "the port in TIME_WAIT, without SO_REUSEADDR: EADDRINUSE");
	close(b);
	b = socket(AF_INET, SOCK_STREAM, 0);
	setint(b, SOL_SOCKET, SO_REUSEADDR, 1);
	CHECK(bind(b, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(b, 4) == 0,
	      "with SO_REUSEADDR: bound and listening again");
	close(b);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* SO_RCVTIMEO: a receive with nothing to take waits that long, then EAGAIN. */
static void timeout_checks(int l)
{
	struct timeval tv = { 0, 200000 }, got = { 0 }, bad = { 0, 1000000 };
	socklen_t len = sizeof(got);
	int c, s, u = socket(AF_INET, SOCK_DGRAM, 0);
	char b;
	double t;
	ssize_t r;

	tcp_pair(l, &c, &s);
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
		      getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0 &&
		      len == sizeof(got) && got.tv_sec == 0 && got.tv_usec == 200000,
	      "SO_RCVTIMEO 0.2 s reads back");
	CHECK(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &bad, sizeof(bad)) == -1 && errno == EDOM,
	      "SO_SNDTIMEO with 1000000 microseconds: EDOM");
	t = now();
	r = recv(s, &b, 1, 0);
	t = now() - t;
	CHECK(r == -1 && errno == EAGAIN && t >= 0.15 && t < 5,
	      "TCP recv with nothing sent: EAGAIN after about 0.2 s");
	CHECK(send(c, "x", 1, 0) == 1 && recv(s, &b, 1, 0) == 1 && b == 'x',
	      "and a byte sent is still received");
	setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	t = now();
	r = recv(u, &b, 1, 0);
	t = now() - t;
	CHECK(r == -1 && errno == EAGAIN && t >= 0.15 && t < 5,
	      "UDP recv with nothing sent: EAGAIN after about 0.2 s");
	close(c);
	close(s);
	close(u);
}

static void options(int l)
{
	int t = socket(AF_INET, SOCK_STREAM, 0), d = socket(AF_INET, SOCK_DGRAM, 0), c, s;
	struct linger lg = { 1, 7 }, lg2 = { 0, 0 };
	socklen_t len = sizeof(lg2);
	char small[2] = { 0 };

	CHECK(getint(t, SOL_SOCKET, SO_KEEPALIVE) == 0 && getint(t, IPPROTO_TCP, TCP_NODELAY) == 0,
	      "defaults: SO_KEEPALIVE and TCP_NODELAY off");
	CHECK(setint(t, SOL_SOCKET, SO_SNDBUF, 65536) == 0 &&
		      getint(t, SOL_SOCKET, SO_SNDBUF) == 131072,
	      "SO_SNDBUF 65536 reads back doubled: 131072");
	CHECK(setint(t, SOL_SOCKET, SO_RCVBUF, 1) == 0 && getint(t, SOL_SOCKET, SO_RCVBUF) == 2304,
	      "SO_RCVBUF 1 reads back as Linux's least, 2304");
	CHECK(setint(t, SOL_SOCKET, SO_KEEPALIVE, 1) == 0 &&
		      getint(t, SOL_SOCKET, SO_KEEPALIVE) == 1,
	      "SO_KEEPALIVE on");
	CHECK(setint(t, IPPROTO_TCP, TCP_KEEPIDLE, 30) == 0 &&
		      getint(t, IPPROTO_TCP, TCP_KEEPIDLE) == 30 &&
		      setint(t, IPPROTO_TCP, TCP_KEEPINTVL, 5) == 0 &&
		      getint(t, IPPROTO_TCP, TCP_KEEPINTVL) == 5 &&
		      setint(t, IPPROTO_TCP, TCP_KEEPCNT, 3) == 0 &&
		      getint(t, IPPROTO_TCP, TCP_KEEPCNT) == 3,
	      "TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT read back");
	CHECK(setint(t, IPPROTO_TCP, TCP_KEEPCNT, 0) == -1 && errno == EINVAL,
	      "TCP_KEEPCNT 0: EINVAL");
	CHECK(setint(t, IPPROTO_TCP, TCP_NODELAY, 1) == 0 &&
		      getint(t, IPPROTO_TCP, TCP_NODELAY) == 1,
	      "TCP_NODELAY on");
	CHECK(setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0 &&
		      getsockopt(t, SOL_SOCKET, SO_LINGER, &lg2, &len) == 0 && len == sizeof(lg2) &&
		      lg2.l_onoff == 1 && lg2.l_linger == 7,
	      "SO_LINGER reads back");
	CHECK(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, small, sizeof(small)) == -1 &&
		      errno == EINVAL,
	      "an option shorter than an int: EINVAL");
	CHECK(setint(t, SOL_SOCKET, 12345, 1) == -1 && errno == ENOPROTOOPT,
	      "an unknown option: ENOPROTOOPT");
	CHECK(setint(d, IPPROTO_IP, IP_RECVERR, 1) == 0 && getint(d, IPPROTO_IP, IP_RECVERR) == 1,
	      "IP_RECVERR on UDP (glibc's resolver sets it)");
	CHECK(setint(d, IPPROTO_TCP, TCP_NODELAY, 1) == -1 && errno == ENOPROTOOPT,
	      "TCP_NODELAY on a UDP socket: ENOPROTOOPT");
	CHECK(getint(d, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM &&
		      getint(d, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_UDP &&
		      getint(t, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP &&
		      getint(t, SOL_SOCKET, SO_DOMAIN) == AF_INET,
	      "SO_TYPE, SO_PROTOCOL, SO_DOMAIN");
	CHECK(getint(l, SOL_SOCKET, SO_ACCEPTCONN) == 1 &&
		      getint(t, SOL_SOCKET, SO_ACCEPTCONN) == 0,
	      "SO_ACCEPTCONN: the listener only");
	{
		struct tcp_info ti = { 0 };
		socklen_t tl = sizeof(ti);

		CHECK(getsockopt(l, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 &&
			      ti.tcpi_state == TCP_LISTEN,
		      "TCP_INFO of the listener: TCP_LISTEN");
	}
	CHECK(setint(l, SOL_SOCKET, SO_KEEPALIVE, 1) == 0, "SO_KEEPALIVE on the listener");
	tcp_pair(l, &c, &s);
	CHECK(getint(s, SOL_SOCKET, SO_KEEPALIVE) == 1 && getint(c, SOL_SOCKET, SO_KEEPALIVE) == 0,
	      "an accepted connection takes the listener's SO_KEEPALIVE");
	close(c);
	close(s);
	close(t);
	close(d);
}

int main(void)
{
	struct sockaddr_in a = loopback(0);
	int l, c, s;

	check_start();
	l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 8) == 0,
	      "a listener on 127.0.0.1");
	tcp_pair(l, &c, &s);
	CHECK(c >= 0 && s >= 0, "a TCP connection to it");
	tcp_messages(c, s);
	close(c);
	close(s);
	udp_messages();
	options(l);
	timeout_checks(l);
	procnet_checks(l);
	close(l);
	reuse_checks();
	return check_done();
}
