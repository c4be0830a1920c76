/* sockets_errno.c: the errors and poll events Linux gives TCP sockets outside an established
 * connection, over 127.0.0.1 and ::1: never connected (recv, read, recvmsg: ENOTCONN; send,
 * write: EPIPE with SIGPIPE unless MSG_NOSIGNAL; getpeername, shutdown: ENOTCONN), listening,
 * a non-blocking connect (EINPROGRESS even on the loopback, then POLLOUT / EPOLLOUT, SO_ERROR 0,
 * a second connect 0, a third EISCONN), and a refused one (EINPROGRESS, then POLLERR|POLLHUP,
 * SO_ERROR ECONNREFUSED, and a new attempt on the same socket); SO_LINGER {1, 0}: a reset;
 * the two ends of a close, and shutdown(SHUT_RD / SHUT_RDWR) with data to come or to read. */
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	sigpipes++;
}

/* The loopback address of family fam, port port, in *a; its length. */
static socklen_t loopback(int fam, uint16_t port, struct sockaddr_storage *a)
{
	memset(a, 0, sizeof(*a));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)a;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		a6->sin6_addr = in6addr_loopback;
		return sizeof(*a6);
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)a;

	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*a4);
}

/* A listener on the loopback (an ephemeral port); its address in *a, length in *len. */
static int listener(int fam, struct sockaddr_storage *a, socklen_t *len)
{
	int l = socket(fam, SOCK_STREAM, 0);

	*len = loopback(fam, 0, a);
	if (l < 0 || bind(l, (struct sockaddr *)a, *len) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)a, len))
		return -1;
	return l;
}

/* The poll events of fd for events, waiting up to ms, as names ("POLLOUT|POLLHUP"). */
static const char *polled(int fd, short events, int ms)
{
	static const struct {
		short bit;
		const char *name;
	} names[] = { { POLLIN, "POLLIN" },	 { POLLPRI, "POLLPRI" }, { POLLOUT, "POLLOUT" },
		      { POLLERR, "POLLERR" },	 { POLLHUP, "POLLHUP" }, { POLLNVAL, "POLLNVAL" },
		      { POLLRDHUP, "POLLRDHUP" } };
	static char buf[128];
	struct pollfd p = { .fd = fd, .events = events };

	buf[0] = 0;
	if (poll(&p, 1, ms) < 0)
		return "poll failed";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (p.revents & names[i].bit)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? "|" : "", names[i].name);
	return buf[0] ? buf : "none";
}

static int so_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) ? -1 : err;
}

/* recv, read, recvmsg on fd: ENOTCONN; send, write: EPIPE (SIGPIPE unless MSG_NOSIGNAL). */
static void io_checks(int fd, const char *what)
{
	char buf[8];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int before = sigpipes;

	CHECK_ERR(recv(fd, buf, sizeof(buf), 0), ENOTCONN, "%s: recv: ENOTCONN", what);
	CHECK_ERR(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), ENOTCONN,
		  "%s: recv(MSG_DONTWAIT): ENOTCONN", what);
	CHECK_ERR(read(fd, buf, sizeof(buf)), ENOTCONN, "%s: read: ENOTCONN", what);
	CHECK_ERR(recvmsg(fd, &m, 0), ENOTCONN, "%s: recvmsg: ENOTCONN", what);
	CHECK_ERR(send(fd, "x", 1, 0), EPIPE, "%s: send: EPIPE", what);
	CHECK_EQ(sigpipes - before, 1, "%s: and a SIGPIPE", what);
	CHECK_ERR(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE, "%s: send(MSG_NOSIGNAL): EPIPE", what);
	CHECK_ERR(write(fd, "x", 1), EPIPE, "%s: write: EPIPE", what);
	CHECK_EQ(sigpipes - before, 2, "%s: a SIGPIPE for the write, none for MSG_NOSIGNAL", what);
}

static void unconnected_checks(int fam)
{
	int s = socket(fam, SOCK_STREAM, 0);
	struct sockaddr_storage a, peer;
	socklen_t len = sizeof(peer);
	char buf[8];

	CHECK_STR(polled(s, POLLIN | POLLOUT, 0), "POLLOUT|POLLHUP", "new socket: poll");
	io_checks(s, "new socket");
	CHECK_ERR(getpeername(s, (struct sockaddr *)&peer, &len), ENOTCONN,
		  "new socket: getpeername: ENOTCONN");
	CHECK_ERR(shutdown(s, SHUT_WR), ENOTCONN, "new socket: shutdown(SHUT_WR): ENOTCONN");
	CHECK_ERR(shutdown(s, SHUT_RDWR), ENOTCONN, "new socket: shutdown(SHUT_RDWR): ENOTCONN");
	CHECK_STR(polled(s, POLLIN | POLLOUT, 0), "POLLIN|POLLOUT|POLLHUP",
		  "new socket: poll after the shutdowns");
	CHECK_EQ(recv(s, buf, sizeof(buf), 0), 0, "new socket: recv after them: 0");
	close(s);

	s = socket(fam, SOCK_STREAM, 0);
	len = loopback(fam, 0, &a);
	CHECK(bind(s, (struct sockaddr *)&a, len) == 0, "bind to the loopback");
	io_checks(s, "bound socket");
	CHECK_ERR(shutdown(s, SHUT_RD), ENOTCONN, "bound socket: shutdown(SHUT_RD): ENOTCONN");
	close(s);
}

static void listener_checks(int l)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);

	CHECK_STR(polled(l, POLLIN | POLLOUT, 0), "none", "listener: poll");
	io_checks(l, "listener");
	CHECK_ERR(getpeername(l, (struct sockaddr *)&peer, &len), ENOTCONN,
		  "listener: getpeername: ENOTCONN");
}

/* As CPython's test_epoll: a non-blocking connect, the accept, then both ends in an epoll. */
static void nonblocking_connect_checks(int fam, int l, struct sockaddr_storage *a, socklen_t len)
{
	int c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0), s, ep = epoll_create1(0), n;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET }, got[4];
	char buf[8];

	CHECK_ERR(connect(c, (struct sockaddr *)a, len), EINPROGRESS,
		  "non-blocking connect: EINPROGRESS");
	s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept it");
	ev.data.fd = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
	ev.data.fd = s;
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	n = epoll_wait(ep, got, 4, 10000);
	CHECK(n == 2 && got[0].events == EPOLLOUT && got[1].events == EPOLLOUT,
	      "epoll: EPOLLOUT, and only that, for both ends");
	close(ep);
	CHECK_STR(polled(c, POLLIN | POLLOUT, 10000), "POLLOUT", "poll: POLLOUT once connected");
	CHECK_EQ(so_error(c), 0, "SO_ERROR: 0");
	CHECK_EQ(connect(c, (struct sockaddr *)a, len), 0, "a second connect: 0");
	CHECK_ERR(connect(c, (struct sockaddr *)a, len), EISCONN, "a third: EISCONN");
	CHECK(send(c, "hi", 2, 0) == 2 && recv(s, buf, sizeof(buf), 0) == 2, "bytes go through");
	CHECK(shutdown(c, SHUT_WR) == 0, "shutdown(SHUT_WR)");
	CHECK_STR(polled(c, POLLIN | POLLOUT, 0), "POLLOUT", "poll: still POLLOUT after it");
	CHECK_EQ(recv(s, buf, sizeof(buf), 0), 0, "the peer reads the end of data");
	close(s);
	close(c);
}

/* SO_LINGER on with a time of 0: close resets the connection. The peer can still read what
 * came before (CPython's ssl checks for it), then gets ECONNRESET; getpeername: ENOTCONN. */
static void reset_checks(int fam, int l, struct sockaddr_storage *a, socklen_t len)
{
	int c = socket(fam, SOCK_STREAM, 0), s = -1;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[8];
	static const char reset[] = "POLLIN|POLLOUT|POLLERR|POLLHUP|POLLRDHUP";
	bool seen = false;

	CHECK(connect(c, (struct sockaddr *)a, len) == 0 && (s = accept(l, NULL, NULL)) >= 0,
	      "a connection for SO_LINGER");
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0, "SO_LINGER {1, 0}");
	CHECK(send(c, "data", 4, 0) == 4, "send 4 bytes, then close");
	close(c);
	/* (the reset may take a moment to come: until poll shows it, 10 s at most) */
	for (int i = 0; i < 1000 && !seen; i++, usleep(1000))
		seen = !strcmp(polled(s, POLLIN | POLLOUT | POLLRDHUP, 10), reset);
	CHECK(seen, "the peer: poll after the reset: %s", reset);
	CHECK_ERR(getpeername(s, (struct sockaddr *)&peer, &plen), ENOTCONN,
		  "the peer: getpeername: ENOTCONN");
	CHECK_EQ(recv(s, buf, sizeof(buf), 0), 4, "the peer: recv: the 4 bytes");
	CHECK_ERR(recv(s, buf, sizeof(buf), 0), ECONNRESET, "the peer: then ECONNRESET");
	CHECK_EQ(recv(s, buf, sizeof(buf), 0), 0, "the peer: then 0");
	close(s);
}

/* A connected pair over listener l: the client in *c, the accepted end returned. */
static int pair(int fam, int l, struct sockaddr_storage *a, socklen_t len, int *c)
{
	*c = socket(fam, SOCK_STREAM, 0);
	if (connect(*c, (struct sockaddr *)a, len))
		return -1;
	return accept(l, NULL, NULL);
}

/* Wait (up to 10 s) until getpeername on fd fails: the connection is over. */
static bool wait_unnamed(int fd)
{
	struct sockaddr_storage peer;

	for (int i = 0; i < 10000; i++, usleep(1000)) {
		socklen_t len = sizeof(peer);

		if (getpeername(fd, (struct sockaddr *)&peer, &len))
			return true;
	}
	return false;
}

/* The ends of a connection, closed by one side then the other, and shut down halfway. */
static void close_checks(int fam, int l, struct sockaddr_storage *a, socklen_t len)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char buf[8];
	int c, s = pair(fam, l, a, len, &c), n = 0;

	CHECK(s >= 0, "a connection to close");
	close(c);
	CHECK_EQ(read(s, buf, sizeof(buf)), 0, "the peer closed: read 0");
	CHECK_STR(polled(s, POLLIN | POLLOUT | POLLRDHUP, 0), "POLLIN|POLLOUT|POLLRDHUP",
		  "the peer closed: poll");
	CHECK(shutdown(s, SHUT_WR) == 0, "then shutdown(SHUT_WR)");
	CHECK(wait_unnamed(s) && errno == ENOTCONN, "once acknowledged, getpeername: ENOTCONN");
	CHECK_STR(polled(s, POLLIN | POLLOUT | POLLRDHUP, 0), "POLLIN|POLLOUT|POLLHUP|POLLRDHUP",
		  "closed both ways: poll");
	CHECK_EQ(recv(s, buf, sizeof(buf), 0), 0, "closed both ways: recv 0");
	CHECK_ERR(send(s, "x", 1, MSG_NOSIGNAL), EPIPE, "closed both ways: send: EPIPE");
	CHECK_ERR(shutdown(s, SHUT_WR), ENOTCONN, "closed both ways: shutdown: ENOTCONN");
	close(s);

	s = pair(fam, l, a, len, &c);
	CHECK(shutdown(c, SHUT_WR) == 0 && read(s, buf, sizeof(buf)) == 0,
	      "shutdown(SHUT_WR) first: the peer reads 0");
	close(s);
	CHECK_EQ(read(c, buf, sizeof(buf)), 0, "and closes: read 0");
	CHECK_STR(polled(c, POLLIN | POLLOUT | POLLRDHUP, 0), "POLLIN|POLLOUT|POLLHUP|POLLRDHUP",
		  "closed first: poll");
	CHECK_ERR(getpeername(c, (struct sockaddr *)&peer, &plen), ENOTCONN,
		  "closed first: getpeername: ENOTCONN");
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, "closed first: send: EPIPE");
	CHECK_ERR(shutdown(c, SHUT_RD), ENOTCONN, "closed first: shutdown: ENOTCONN");
	close(c);

	s = pair(fam, l, a, len, &c);
	CHECK(send(c, "abc", 3, 0) == 3 && !strcmp(polled(s, POLLIN, 10000), "POLLIN"),
	      "3 bytes sent, not read yet");
	CHECK(shutdown(s, SHUT_RDWR) == 0, "shutdown(SHUT_RDWR)");
	CHECK_STR(polled(s, POLLIN | POLLOUT | POLLRDHUP, 0), "POLLIN|POLLOUT|POLLHUP|POLLRDHUP",
		  "shut both ways: poll");
	plen = sizeof(peer);
	CHECK(getpeername(s, (struct sockaddr *)&peer, &plen) == 0, "getpeername still answers");
	CHECK(recv(s, buf, sizeof(buf), 0) == 3 && recv(s, buf, sizeof(buf), 0) == 0,
	      "recv: the 3 bytes, then 0");
	CHECK_EQ(read(c, buf, sizeof(buf)), 0, "the peer reads 0");
	close(s);
	close(c);

	s = pair(fam, l, a, len, &c);
	CHECK(shutdown(s, SHUT_RD) == 0, "shutdown(SHUT_RD)");
	CHECK_STR(polled(s, POLLIN | POLLOUT | POLLRDHUP, 0), "POLLIN|POLLOUT|POLLRDHUP",
		  "shut for reading: poll");
	CHECK_EQ(recv(s, buf, sizeof(buf), 0), 0, "shut for reading: recv 0");
	CHECK(send(c, "abc", 3, 0) == 3, "the peer sends 3 bytes");
	for (int i = 0; i < 10000 && n < 3; i++, usleep(1000))
		ioctl(s, FIONREAD, &n);
	CHECK(recv(s, buf, sizeof(buf), 0) == 3, "shut for reading, yet they come: recv 3");
	CHECK(send(s, "z", 1, 0) == 1 && read(c, buf, sizeof(buf)) == 1, "and it still sends");
	close(s);
	close(c);
}

/* A non-blocking connect to port (nothing listening), reported by poll as refused. */
static int refused_connect(int fam, struct sockaddr_storage *a, socklen_t len, const char *what)
{
	int c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);

	CHECK_ERR(connect(c, (struct sockaddr *)a, len), EINPROGRESS, "%s: EINPROGRESS", what);
	CHECK_STR(polled(c, POLLOUT, 10000), "POLLOUT|POLLERR|POLLHUP", "%s: poll(POLLOUT)", what);
	return c;
}

static void refused_checks(int fam, struct sockaddr_storage *a, socklen_t len)
{
	int c = refused_connect(fam, a, len, "refused connect");
	char buf[8];

	CHECK_STR(polled(c, POLLIN | POLLOUT | POLLRDHUP, 0),
		  "POLLIN|POLLOUT|POLLERR|POLLHUP|POLLRDHUP", "refused: poll(all)");
	CHECK_ERR(connect(c, (struct sockaddr *)a, len), ECONNREFUSED,
		  "refused: the next connect: ECONNREFUSED");
	CHECK_ERR(connect(c, (struct sockaddr *)a, len), EINPROGRESS,
		  "refused: then a new attempt: EINPROGRESS");
	CHECK_STR(polled(c, POLLOUT, 10000), "POLLOUT|POLLERR|POLLHUP", "refused again: poll");
	CHECK_EQ(so_error(c), ECONNREFUSED, "refused again: SO_ERROR ECONNREFUSED");
	CHECK_STR(polled(c, POLLIN | POLLOUT | POLLRDHUP, 0), "POLLIN|POLLOUT|POLLHUP|POLLRDHUP",
		  "refused: poll after SO_ERROR (no POLLERR)");
	CHECK_ERR(connect(c, (struct sockaddr *)a, len), ECONNABORTED,
		  "refused: the next connect, SO_ERROR having taken the error: ECONNABORTED");
	close(c);

	c = refused_connect(fam, a, len, "refused once more");
	CHECK_EQ(so_error(c), ECONNREFUSED, "SO_ERROR ECONNREFUSED");
	CHECK_EQ(recv(c, buf, sizeof(buf), 0), 0, "then recv: 0");
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, "send: EPIPE");
	CHECK_ERR(shutdown(c, SHUT_RDWR), ENOTCONN, "shutdown: ENOTCONN");
	close(c);

	c = socket(fam, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)a, len), ECONNREFUSED,
		  "blocking connect: ECONNREFUSED");
	CHECK_ERR(connect(c, (struct sockaddr *)a, len), ECONNREFUSED,
		  "blocking connect again: ECONNREFUSED");
	close(c);
}

static void family_checks(int fam)
{
	struct sockaddr_storage a;
	socklen_t len;
	int l = listener(fam, &a, &len);

	printf("-- %s\n", fam == AF_INET ? "127.0.0.1" : "::1");
	CHECK(l >= 0, "a listener on the loopback");
	unconnected_checks(fam);
	listener_checks(l);
	nonblocking_connect_checks(fam, l, &a, len);
	reset_checks(fam, l, &a, len);
	close_checks(fam, l, &a, len);
	close(l); /* its port is free now: connects to it are refused */
	refused_checks(fam, &a, len);
}

int main(void)
{
	check_start();
	signal(SIGPIPE, on_sigpipe);
	family_checks(AF_INET);
	family_checks(AF_INET6);
	return check_done();
}
