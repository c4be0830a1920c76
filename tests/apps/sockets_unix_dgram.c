/* sockets_unix_dgram.c: AF_UNIX datagram and seqpacket sockets: socketpairs, names (paths,
 * abstract, autobind), message boundaries, MSG_TRUNC and MSG_PEEK, the receive queue's limit
 * (EAGAIN, a sender that waits), the errors Linux gives (ECONNREFUSED, EPERM, EPROTOTYPE,
 * EPIPE), poll and epoll readiness, files passed with a datagram, the end of a seqpacket
 * connection, and credentials (SO_PASSCRED, SCM_CREDENTIALS, SO_PEERCRED). */
#include "check.h"

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#define PATH_OFF offsetof(struct sockaddr_un, sun_path)

static socklen_t path_addr(struct sockaddr_un *a, const char *dir, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
	return (socklen_t)(PATH_OFF + strlen(a->sun_path) + 1);
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return (socklen_t)(PATH_OFF + 1 + strlen(name));
}

/* Is (a, len) an autobound name: a NUL and five hex digits? */
static int autobound(const struct sockaddr_un *a, socklen_t len)
{
	if (len != PATH_OFF + 6 || a->sun_family != AF_UNIX || a->sun_path[0])
		return 0;
	for (int i = 1; i < 6; i++)
		if (!isxdigit((unsigned char)a->sun_path[i]) ||
		    isupper((unsigned char)a->sun_path[i]))
			return 0;
	return 1;
}

/* Has /proc/net/unix a line with cols (the flags, type and state columns) for path? */
static int proc_net_unix(const char *cols, const char *path)
{
	char line[256], tail[128];
	FILE *f = fopen("/proc/net/unix", "r");
	int found = 0;

	snprintf(tail, sizeof(tail), " %s\n", path);
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, cols) && strlen(line) > strlen(tail) &&
			!strcmp(line + strlen(line) - strlen(tail), tail);
	if (f)
		fclose(f);
	return found;
}

/* recvmsg into buf: the message's flags in *flags, the first control message's type in *ctl
 * (0: none) and its payload into ctl_data (up to 16 bytes). */
static ssize_t recv_msg(int s, void *buf, size_t n, int rflags, int *flags, int *ctl,
			void *ctl_data, size_t ctl_room)
{
	char cbuf[CMSG_SPACE(16)];
	struct iovec v = { buf, n };
	struct msghdr m = {
		.msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = ctl_room
	};
	ssize_t r = recvmsg(s, &m, rflags);
	struct cmsghdr *c = r >= 0 && m.msg_controllen ? CMSG_FIRSTHDR(&m) : NULL;

	*flags = m.msg_flags;
	*ctl = c && c->cmsg_level == SOL_SOCKET ? c->cmsg_type : 0;
	if (c && ctl_data) {
		size_t k = c->cmsg_len - CMSG_LEN(0);

		memcpy(ctl_data, CMSG_DATA(c), k < 16 ? k : 16);
	}
	return r;
}

/* sendmsg of n bytes with a control message of type (SCM_RIGHTS or SCM_CREDENTIALS) and
 * payload data of len bytes. */
static ssize_t send_ctl(int s, const void *buf, size_t n, int type, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(16)] = { 0 };
	struct iovec v = { (void *)buf, n };
	struct msghdr m = { .msg_iov = &v,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = CMSG_SPACE(len) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	return sendmsg(s, &m, MSG_NOSIGNAL);
}

static int sock_type(int s)
{
	int t = -1;
	socklen_t len = sizeof(t);

	return getsockopt(s, SOL_SOCKET, SO_TYPE, &t, &len) ? -1 : t;
}

static short poll_one(int s, short events)
{
	struct pollfd p = { .fd = s, .events = events };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/* A datagram socketpair: boundaries, truncation, peeking, names, readiness, files. */
static void dgram_pair(const char *dir)
{
	char buf[64] = { 0 }, path[96];
	struct sockaddr_un a;
	socklen_t alen = sizeof(a);
	int sv[2], flags, ctl, n = 0, file, got = -1, ep;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out[2];

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair(AF_UNIX, SOCK_DGRAM)");
	CHECK_EQ(sock_type(sv[0]), SOCK_DGRAM, "SO_TYPE: SOCK_DGRAM");
	CHECK_EQ(poll_one(sv[1], POLLIN | POLLOUT), POLLOUT, "poll of an empty end: POLLOUT only");
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "recv of nothing: EAGAIN");
	CHECK(send(sv[0], "one", 3, 0) == 3 && send(sv[0], "three", 5, 0) == 5 &&
		      send(sv[0], "", 0, 0) == 0 && write(sv[0], "four", 4) == 4,
	      "four datagrams sent, one of them empty");
	CHECK_EQ(poll_one(sv[1], POLLIN | POLLOUT), POLLIN | POLLOUT, "poll: POLLIN and POLLOUT");
	CHECK(ioctl(sv[1], FIONREAD, &n) == 0 && n == 3, "FIONREAD: the first datagram's length");
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 3, "MSG_PEEK: the first datagram");
	CHECK_EQ(recvfrom(sv[1], buf, sizeof(buf), 0, (struct sockaddr *)&a, &alen), 3,
		 "recvfrom: the same datagram again, whole");
	CHECK(!memcmp(buf, "one", 3), "its bytes: one");
	CHECK_EQ(alen, 0, "recvfrom: an unnamed sender, no address");
	CHECK_EQ(recv_msg(sv[1], buf, 2, 0, &flags, &ctl, NULL, 0), 2,
		 "a receive into 2 bytes of a 5-byte datagram: 2");
	CHECK(flags & MSG_TRUNC, "with MSG_TRUNC in its flags");
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), 0), 0, "the rest is gone: next, the empty one");
	CHECK_EQ(recv(sv[1], buf, 1, MSG_TRUNC), 4, "recv with MSG_TRUNC: the full length, 4");
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "all read: EAGAIN");
	alen = sizeof(a);
	CHECK(getsockname(sv[0], (struct sockaddr *)&a, &alen) == 0 && alen == sizeof(sa_family_t),
	      "getsockname of a pair's end: unnamed");
	alen = sizeof(a);
	CHECK(getpeername(sv[0], (struct sockaddr *)&a, &alen) == 0 && alen == sizeof(sa_family_t),
	      "getpeername: an unnamed peer");

	ep = epoll_create1(0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev) == 0 && epoll_wait(ep, out, 2, 0) == 1 &&
		      out[0].events == EPOLLOUT,
	      "epoll: EPOLLOUT only, at first");
	CHECK(send(sv[0], "x", 1, 0) == 1 && epoll_wait(ep, out, 2, 1000) == 1 &&
		      out[0].events == (EPOLLIN | EPOLLOUT),
	      "a datagram: EPOLLIN too");
	recv(sv[1], buf, sizeof(buf), 0);
	close(ep);

	/* filling the pair: the sender's own buffer is the limit (how many depends on it) */
	memset(buf, 'f', sizeof(buf));
	n = 0;
	while (n < 100000 && send(sv[0], buf, sizeof(buf), MSG_DONTWAIT) == sizeof(buf))
		n++;
	CHECK(n > 10 && n < 100000 && errno == EAGAIN, "a full pair: EAGAIN");
	CHECK_EQ(poll_one(sv[0], POLLOUT), 0, "and the sender is not writable");
	while (n && recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT) == sizeof(buf))
		n--;
	CHECK_EQ(n, 0, "every datagram read back");
	CHECK_EQ(poll_one(sv[0], POLLOUT), POLLOUT, "then writable again");
	memset(buf, 0, sizeof(buf));
	CHECK_ERR(send(sv[0], buf, 300000, 0), EMSGSIZE, "a datagram over the buffer: EMSGSIZE");

	snprintf(path, sizeof(path), "%s/passed", dir);
	file = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(file >= 0 && write(file, "secret", 6) == 6, "a file to pass");
	CHECK_EQ(send_ctl(sv[0], "f", 1, SCM_RIGHTS, &file, sizeof(file)), 1,
		 "SCM_RIGHTS with a datagram");
	CHECK_EQ(recv_msg(sv[1], buf, sizeof(buf), 0, &flags, &ctl, &got, CMSG_SPACE(sizeof(int))),
		 1, "received with it");
	CHECK(ctl == SCM_RIGHTS && got >= 0 && got != file && pread(got, buf, 6, 0) == 6 &&
		      !memcmp(buf, "secret", 6),
	      "a new descriptor of the passed file");
	close(got);
	CHECK(send_ctl(sv[0], "g", 1, SCM_RIGHTS, &file, sizeof(file)) == 1 &&
		      recv_msg(sv[1], buf, sizeof(buf), 0, &flags, &ctl, NULL, 0) == 1 &&
		      (flags & MSG_CTRUNC) && !ctl,
	      "no room for it: MSG_CTRUNC");
	close(file);

	CHECK(send(sv[0], "last", 4, 0) == 4, "a datagram, then the sender closes");
	close(sv[0]);
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 4, "what was queued still arrives");
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "then nothing: EAGAIN");
	CHECK_ERR(send(sv[1], "x", 1, 0), ECONNREFUSED, "a send to the closed peer: ECONNREFUSED");
	CHECK_ERR(send(sv[1], "x", 1, 0), ENOTCONN, "and after that: ENOTCONN");
	close(sv[1]);
}

struct blocked_send {
	int s;
	ssize_t r;
};

static void *send_blocking(void *arg)
{
	struct blocked_send *b = arg;

	b->r = send(b->s, "late", 4, 0);
	return NULL;
}

/* Datagrams by name: bind, sendto, recvfrom, connect, the queue's limit, errors. */
static void dgram_named(const char *dir)
{
	struct sockaddr_un sa, ca, a;
	socklen_t slen = path_addr(&sa, dir, "server"), clen = path_addr(&ca, dir, "client"), alen;
	int srv = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0),
	    cl = socket(AF_UNIX, SOCK_DGRAM, 0);
	int anon = socket(AF_UNIX, SOCK_DGRAM, 0), other, n;
	struct timeval tv = { 0, 100000 };
	struct blocked_send b;
	pthread_t t;
	struct stat st;
	char buf[64] = { 0 };

	CHECK(bind(srv, (struct sockaddr *)&sa, slen) == 0, "bind a datagram socket to a path");
	CHECK(stat(sa.sun_path, &st) == 0 && S_ISSOCK(st.st_mode), "the path is a socket node");
	other = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(bind(other, (struct sockaddr *)&sa, slen), EADDRINUSE,
		  "a second bind to it: EADDRINUSE");
	close(other);
	CHECK(proc_net_unix(" 00000000 0002 01 ", sa.sun_path),
	      "/proc/net/unix: the bound datagram socket and its path");
	CHECK(bind(cl, (struct sockaddr *)&ca, clen) == 0, "bind the client to another");
	CHECK_EQ(sendto(cl, "hello", 5, 0, (struct sockaddr *)&sa, slen), 5, "sendto the server");
	alen = sizeof(a);
	CHECK_EQ(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&a, &alen), 5,
		 "recvfrom: the datagram");
	CHECK(alen == clen && !strcmp(a.sun_path, ca.sun_path), "from the client's path");
	CHECK(sendto(srv, "back", 4, 0, (struct sockaddr *)&a, alen) == 4 &&
		      recv(cl, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "back", 4),
	      "a reply to that address");
	CHECK_EQ(sendto(anon, "anon", 4, 0, (struct sockaddr *)&sa, slen), 4,
		 "sendto from an unbound socket");
	alen = sizeof(a);
	CHECK_EQ(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&a, &alen), 4, "received");
	CHECK_EQ(alen, 0, "recvfrom: an unnamed sender gives no address");
	CHECK_ERR(send(anon, "x", 1, 0), ENOTCONN, "send without a peer: ENOTCONN");

	CHECK(connect(cl, (struct sockaddr *)&sa, slen) == 0, "connect: a default peer");
	alen = sizeof(a);
	CHECK(getpeername(cl, (struct sockaddr *)&a, &alen) == 0 && alen == slen &&
		      !strcmp(a.sun_path, sa.sun_path),
	      "getpeername: the server's path");
	CHECK(send(cl, "conn", 4, 0) == 4 && recv(srv, buf, sizeof(buf), 0) == 4 &&
		      !memcmp(buf, "conn", 4),
	      "send to it");

	/* the server's queue: 10 (net.unix.max_dgram_qlen) + 1 datagrams from others */
	n = 0;
	while (n < 100 && sendto(anon, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&sa, slen) == 1)
		n++;
	CHECK_EQ(n, 11, "datagrams queued until EAGAIN");
	CHECK_ERR(sendto(anon, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&sa, slen), EAGAIN,
		  "the full queue: EAGAIN");
	CHECK_EQ(poll_one(cl, POLLOUT), 0, "a socket connected to it is not writable");
	CHECK(setsockopt(anon, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0, "SO_SNDTIMEO");
	CHECK_ERR(sendto(anon, "q", 1, 0, (struct sockaddr *)&sa, slen), EAGAIN,
		  "a blocking send waits its timeout: EAGAIN");
	b = (struct blocked_send){ .s = cl, .r = -2 };
	CHECK(pthread_create(&t, NULL, send_blocking, &b) == 0, "a thread sends, blocking");
	usleep(50000);
	CHECK_EQ(b.r, -2, "it waits for room");
	CHECK(recv(srv, buf, sizeof(buf), 0) == 1, "a receive makes room");
	pthread_join(t, NULL);
	CHECK_EQ(b.r, 4, "and the blocked send completes");
	n = 0;
	while (recv(srv, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	CHECK_EQ(n, 11, "the queue drained");
	CHECK_EQ(poll_one(cl, POLLOUT), POLLOUT, "the connected socket writable again");

	/* a socket connected to another takes datagrams from that one only */
	CHECK(connect(srv, (struct sockaddr *)&ca, clen) == 0, "the server connects to the client");
	CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&sa, slen), EPERM,
		  "a third socket's datagram to it: EPERM");
	a = (struct sockaddr_un){ .sun_family = AF_UNSPEC };
	CHECK(connect(srv, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0,
	      "connect(AF_UNSPEC) dissolves the association");
	CHECK_ERR(send(srv, "x", 1, 0), ENOTCONN, "then send: ENOTCONN");
	CHECK_EQ(sendto(anon, "x", 1, 0, (struct sockaddr *)&sa, slen), 1,
		 "and the third socket gets through");
	recv(srv, buf, sizeof(buf), 0);

	path_addr(&a, dir, "nowhere");
	CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&a, slen), ENOENT,
		  "sendto a missing path: ENOENT");
	other = socket(AF_UNIX, SOCK_STREAM, 0);
	alen = path_addr(&a, dir, "stream");
	CHECK(bind(other, (struct sockaddr *)&a, alen) == 0 && listen(other, 1) == 0,
	      "a stream listener");
	CHECK(proc_net_unix(" 00010000 0001 01 ", a.sun_path),
	      "/proc/net/unix: a listening stream socket");
	CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&a, alen), EPROTOTYPE,
		  "sendto a stream socket's path: EPROTOTYPE");
	CHECK_ERR(connect(anon, (struct sockaddr *)&a, alen), EPROTOTYPE,
		  "connect to it: EPROTOTYPE");
	close(other);
	CHECK_ERR(sendto(anon, "x", 1, 0, (struct sockaddr *)&a, alen), ECONNREFUSED,
		  "sendto a path whose socket is gone: ECONNREFUSED");

	close(srv);
	CHECK_ERR(send(cl, "x", 1, 0), ECONNREFUSED, "the server closed: ECONNREFUSED");
	CHECK_ERR(send(cl, "x", 1, 0), ENOTCONN, "then ENOTCONN");
	close(cl);
	close(anon);
}

/* Abstract names and autobind. */
static void dgram_abstract(void)
{
	char name[32], buf[16];
	struct sockaddr_un sa, a, me;
	socklen_t slen, alen = sizeof(a), mlen = sizeof(me);
	int srv = socket(AF_UNIX, SOCK_DGRAM, 0), cl = socket(AF_UNIX, SOCK_DGRAM, 0);
	int st = socket(AF_UNIX, SOCK_STREAM, 0), pc = socket(AF_UNIX, SOCK_DGRAM, 0), on = 1;

	snprintf(name, sizeof(name), "mote-dgram-%d", (int)getpid());
	slen = abstract_addr(&sa, name);
	CHECK(bind(srv, (struct sockaddr *)&sa, slen) == 0, "bind in the abstract namespace");
	a = (struct sockaddr_un){ .sun_family = AF_UNIX };
	CHECK(bind(cl, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0,
	      "bind with just the family: autobind");
	CHECK(getsockname(cl, (struct sockaddr *)&me, &mlen) == 0 && autobound(&me, mlen),
	      "getsockname: a NUL and five hex digits");
	alen = sizeof(a);
	CHECK(bind(cl, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0 &&
		      getsockname(cl, (struct sockaddr *)&a, &alen) == 0 && alen == mlen &&
		      !memcmp(&a, &me, mlen),
	      "a second autobind: 0, the name unchanged");
	CHECK_ERR(bind(cl, (struct sockaddr *)&sa, slen), EINVAL, "a bind to a name then: EINVAL");
	alen = sizeof(a);
	CHECK_EQ(sendto(cl, "abs", 3, 0, (struct sockaddr *)&sa, slen), 3,
		 "sendto the abstract name");
	CHECK(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&a, &alen) == 3 &&
		      alen == mlen && !memcmp(&a, &me, mlen),
	      "recvfrom: the autobound name");
	CHECK_EQ(sendto(srv, "rep", 3, 0, (struct sockaddr *)&a, alen), 3,
		 "a reply to the autobound name");
	CHECK_EQ(recv(cl, buf, sizeof(buf), 0), 3, "arrives");
	a = (struct sockaddr_un){ .sun_family = AF_UNIX };
	alen = sizeof(a);
	CHECK(bind(st, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0 &&
		      getsockname(st, (struct sockaddr *)&a, &alen) == 0 && autobound(&a, alen),
	      "autobind of a stream socket");
	CHECK(setsockopt(pc, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0 &&
		      sendto(pc, "pc", 2, 0, (struct sockaddr *)&sa, slen) == 2,
	      "an unbound socket with SO_PASSCRED sends");
	alen = sizeof(a);
	CHECK(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&a, &alen) == 2 &&
		      autobound(&a, alen),
	      "it was autobound by the send");
	close(pc);
	close(st);
	close(cl);
	close(srv);
	cl = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(sendto(cl, "x", 1, 0, (struct sockaddr *)&sa, slen), ECONNREFUSED,
		  "once closed, the name is free: ECONNREFUSED");
	close(cl);
}

/* Seqpacket: records over a connection, from a pair and by name. */
static void seqpacket(const char *dir)
{
	struct sockaddr_un sa, a;
	socklen_t slen = path_addr(&sa, dir, "seq"), alen;
	int sv[2], l = socket(AF_UNIX, SOCK_SEQPACKET, 0), c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	int s = -1, flags, ctl, d;
	char buf[64] = { 0 };

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0,
	      "socketpair(AF_UNIX, SOCK_SEQPACKET)");
	CHECK_EQ(sock_type(sv[0]), SOCK_SEQPACKET, "SO_TYPE: SOCK_SEQPACKET");
	CHECK(send(sv[0], "abc", 3, 0) == 3 && write(sv[0], "defgh", 5) == 5, "two records sent");
	CHECK_EQ(read(sv[1], buf, sizeof(buf)), 3, "a read takes one record");
	CHECK_EQ(recv_msg(sv[1], buf, 2, 0, &flags, &ctl, NULL, 0), 2, "a short receive: 2 bytes");
	CHECK(flags & MSG_TRUNC, "MSG_TRUNC: the record was cut");
	CHECK_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "the rest is gone");
	close(sv[0]);
	CHECK_EQ(poll_one(sv[1], POLLIN | POLLOUT | POLLRDHUP) & (POLLIN | POLLHUP | POLLRDHUP),
		 POLLIN | POLLHUP | POLLRDHUP, "the peer closed: POLLIN, POLLHUP, POLLRDHUP");
	CHECK_EQ(recv(sv[1], buf, sizeof(buf), 0), 0, "and a receive reads the end: 0");
	CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE, "a send: EPIPE");
	close(sv[1]);

	CHECK(bind(l, (struct sockaddr *)&sa, slen) == 0 && listen(l, 2) == 0,
	      "a seqpacket listener on a path");
	d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(connect(d, (struct sockaddr *)&sa, slen), EPROTOTYPE,
		  "a datagram socket connecting to it: EPROTOTYPE");
	close(d);
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), ENOTCONN, "send before connect: ENOTCONN");
	CHECK(connect(c, (struct sockaddr *)&sa, slen) == 0, "connect");
	alen = sizeof(a);
	s = accept(l, (struct sockaddr *)&a, &alen);
	CHECK(s >= 0 && alen == sizeof(sa_family_t), "accept: an unnamed client");
	CHECK_EQ(sock_type(s), SOCK_SEQPACKET, "the accepted socket: SOCK_SEQPACKET");
	alen = sizeof(a);
	CHECK(getpeername(c, (struct sockaddr *)&a, &alen) == 0 && alen == slen &&
		      !strcmp(a.sun_path, sa.sun_path),
	      "getpeername: the listener's path");
	CHECK(send(c, "one", 3, 0) == 3 && send(c, "two", 3, 0) == 3, "two records to the server");
	CHECK_EQ(recv(s, buf, sizeof(buf), MSG_PEEK), 3, "MSG_PEEK: the first");
	CHECK(recv(s, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "one", 3), "then read: one");
	CHECK(recv(s, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "two", 3), "then: two");
	CHECK(send(s, "reply", 5, 0) == 5 && recv(c, buf, sizeof(buf), 0) == 5, "and back");
	CHECK(shutdown(c, SHUT_WR) == 0 && recv(s, buf, sizeof(buf), 0) == 0,
	      "shutdown(SHUT_WR): the server reads the end");
	close(s);
	CHECK_EQ(recv(c, buf, sizeof(buf), 0), 0, "the server closed: the client reads the end");
	close(c);
	close(l);
	unlink(sa.sun_path);
}

/* Credentials: SO_PEERCRED, SO_PASSCRED, SCM_CREDENTIALS both ways. */
static void credentials(void)
{
	struct ucred me = { getpid(), getuid(), getgid() }, got, peer;
	socklen_t len = sizeof(peer);
	int sv[2], st[2], on = 1, v = 0, flags, ctl, tv_ok;
	struct timeval tv = { 0, 50000 };
	char buf[16];

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "a datagram pair");
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 && len == sizeof(peer) &&
		      peer.pid == me.pid && peer.uid == me.uid && peer.gid == me.gid,
	      "SO_PEERCRED: this process");
	CHECK(send(sv[0], "a", 1, 0) == 1 &&
		      recv_msg(sv[1], buf, sizeof(buf), 0, &flags, &ctl, NULL, CMSG_SPACE(16)) ==
			      1 &&
		      !ctl,
	      "without SO_PASSCRED: no control message");
	len = sizeof(v);
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0 &&
		      getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &len) == 0 && v == 1,
	      "SO_PASSCRED set and read back");
	memset(&got, 0xff, sizeof(got));
	CHECK(send(sv[0], "b", 1, 0) == 1 &&
		      recv_msg(sv[1], buf, sizeof(buf), 0, &flags, &ctl, &got, CMSG_SPACE(16)) == 1,
	      "a datagram received with SO_PASSCRED");
	CHECK(ctl == SCM_CREDENTIALS && got.pid == me.pid && got.uid == me.uid && got.gid == me.gid,
	      "SCM_CREDENTIALS: the sender's pid, uid and gid");
	memset(&got, 0xff, sizeof(got));
	CHECK(write(sv[0], "w", 1) == 1 &&
		      recv_msg(sv[1], buf, sizeof(buf), 0, &flags, &ctl, &got, CMSG_SPACE(16)) ==
			      1 &&
		      ctl == SCM_CREDENTIALS && got.pid == me.pid && got.uid == me.uid,
	      "a plain write: the same credentials");
	tv_ok = setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0;
	CHECK(tv_ok && recv(sv[1], buf, sizeof(buf), 0) == -1 && errno == EAGAIN,
	      "SO_RCVTIMEO: a receive of nothing ends with EAGAIN");
	CHECK_EQ(send_ctl(sv[0], "c", 1, SCM_CREDENTIALS, &me, sizeof(me)), 1,
		 "sending SCM_CREDENTIALS with one's own");
	CHECK(recv_msg(sv[1], buf, sizeof(buf), 0, &flags, &ctl, &got, CMSG_SPACE(16)) == 1 &&
		      ctl == SCM_CREDENTIALS && got.pid == me.pid,
	      "received as sent");
	peer = me;
	peer.pid = 0x7ffffff0;
	CHECK_ERR(send_ctl(sv[0], "d", 1, SCM_CREDENTIALS, &peer, sizeof(peer)), ESRCH,
		  "a process that does not exist: ESRCH");
	peer = me;
	peer.uid = (uid_t)-1;
	CHECK_ERR(send_ctl(sv[0], "d", 1, SCM_CREDENTIALS, &peer, sizeof(peer)), EINVAL,
		  "an invalid uid: EINVAL");
	peer = me;
	peer.uid = 1234;
	errno = 0;
	{
		ssize_t r = send_ctl(sv[0], "e", 1, SCM_CREDENTIALS, &peer, sizeof(peer));

		/* root may name another uid; anyone else is refused */
		CHECK(geteuid() == 0 ? r == 1 : r == -1 && errno == EPERM,
		      "another uid: as the caller's privilege allows");
		if (r == 1)
			recv(sv[1], buf, sizeof(buf), 0);
	}
	close(sv[0]);
	close(sv[1]);

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, st) == 0 &&
		      setsockopt(st[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0,
	      "a stream pair with SO_PASSCRED");
	CHECK(write(st[0], "s", 1) == 1 &&
		      recv_msg(st[1], buf, sizeof(buf), 0, &flags, &ctl, &got, CMSG_SPACE(16)) ==
			      1 &&
		      ctl == SCM_CREDENTIALS && got.pid == me.pid && got.uid == me.uid,
	      "its bytes come with SCM_CREDENTIALS");
	close(st[0]);
	close(st[1]);
}

int main(void)
{
	const char *dir;

	check_start();
	dir = check_tmpdir();
	dgram_pair(dir);
	dgram_named(dir);
	dgram_abstract();
	seqpacket(dir);
	credentials();
	check_rmtree(dir);
	return check_done();
}
