/* sockets_unix.c: AF_UNIX stream sockets with names: a listener bound to a path (a socket
 * node), a client connecting by that path, bytes both ways, the names each end reports, the
 * errors Linux gives (EADDRINUSE, ENOENT, ECONNREFUSED, EAGAIN), SO_PEERCRED, poll on the
 * listener, the end of data after a close, files passed with SCM_RIGHTS, and the abstract
 * namespace. */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t unix_addr(struct sockaddr_un *a, const char *path, size_t abstract_len)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (abstract_len) { /* sun_path[0] stays 0 */
		memcpy(a->sun_path + 1, path, abstract_len);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + abstract_len);
	}
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static void named(const char *dir)
{
	char path[96], file[96], buf[16] = { 0 };
	struct sockaddr_un a, got;
	socklen_t len = unix_addr(&a, "", 0), glen;
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), c, s, l2, f;
	struct stat st;
	struct pollfd p;

	snprintf(path, sizeof(path), "%s/sock", dir);
	len = unix_addr(&a, path, 0);
	CHECK(l >= 0, "socket(AF_UNIX, SOCK_STREAM)");
	CHECK(bind(l, (struct sockaddr *)&a, len) == 0, "bind to a path");
	CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode), "the path is a socket node");
	CHECK(listen(l, 4) == 0, "listen");
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK(accept(l, NULL, NULL) == -1 && errno == EAGAIN,
	      "accept with nobody connecting, non-blocking: EAGAIN");
	fcntl(l, F_SETFL, 0);
	l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(l2, (struct sockaddr *)&a, len) == -1 && errno == EADDRINUSE,
	      "a second bind to the path: EADDRINUSE");
	close(l2);

	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, len) == 0, "connect by the path");
	p = (struct pollfd){ .fd = l, .events = POLLIN };
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "poll: the listener is readable");
	glen = sizeof(got);
	s = accept(l, (struct sockaddr *)&got, &glen);
	CHECK(s >= 0 && glen == offsetof(struct sockaddr_un, sun_path) && got.sun_family == AF_UNIX,
	      "accept: the client is unnamed");
	CHECK(write(c, "ping", 4) == 4 && read(s, buf, sizeof(buf)) == 4 && !strcmp(buf, "ping"),
	      "client to server");
	CHECK(send(s, "pong", 4, 0) == 4 && recv(c, buf, sizeof(buf), 0) == 4 &&
		      !memcmp(buf, "pong", 4),
	      "and back");
	{
		struct ucred cred = { 0 };
		socklen_t clen = sizeof(cred);

		CHECK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 &&
			      clen == sizeof(cred) && cred.pid == getpid() &&
			      cred.uid == getuid() && cred.gid == getgid(),
		      "SO_PEERCRED: this process, its uid and gid");
	}
	glen = sizeof(got);
	CHECK(getpeername(c, (struct sockaddr *)&got, &glen) == 0 && glen == len &&
		      !strcmp(got.sun_path, path),
	      "getpeername: the listener's path");
	glen = sizeof(got);
	CHECK(getsockname(s, (struct sockaddr *)&got, &glen) == 0 && !strcmp(got.sun_path, path),
	      "getsockname of the accepted socket: the path");
	close(s);
	CHECK(read(c, buf, sizeof(buf)) == 0, "the server closed: the client reads the end");
	close(c);
	close(l);

	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, len) == -1 && errno == ECONNREFUSED,
	      "connect to the node of a closed listener: ECONNREFUSED");
	snprintf(file, sizeof(file), "%s/missing", dir);
	len = unix_addr(&a, file, 0);
	CHECK(connect(c, (struct sockaddr *)&a, len) == -1 && errno == ENOENT,
	      "connect to a missing path: ENOENT");
	snprintf(file, sizeof(file), "%s/plain", dir);
	f = open(file, O_CREAT | O_WRONLY, 0600);
	close(f);
	len = unix_addr(&a, file, 0);
	CHECK(connect(c, (struct sockaddr *)&a, len) == -1 && errno == ECONNREFUSED,
	      "connect to a regular file: ECONNREFUSED");
	close(c);
	unlink(path);
}

/* sendmsg of n bytes with fd (-1: none) as SCM_RIGHTS. */
static ssize_t send_fd(int s, const char *data, size_t n, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec v = { (void *)data, n };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	}
	return sendmsg(s, &m, 0);
}

/* recvmsg into buf with room for ctl_room bytes of control: *fd the file received (-1: none),
 * *flags the message's flags. */
static ssize_t recv_fd(int s, char *buf, size_t n, size_t ctl_room, int rflags, int *fd, int *flags)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec v = { buf, n };
	struct msghdr m = {
		.msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = ctl_room
	};
	ssize_t r = recvmsg(s, &m, rflags);
	struct cmsghdr *c = r >= 0 && m.msg_controllen ? CMSG_FIRSTHDR(&m) : NULL;

	*fd = -1;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(*fd));
	*flags = m.msg_flags;
	return r;
}

/* SCM_RIGHTS: a file passed along the stream arrives as a new descriptor of the same open
 * file, with the first byte sent with it; a receive stops at the end of that write. */
static void rights(const char *dir)
{
	char path[96], buf[16] = { 0 };
	int sv[2], file, got = -1, flags = 0, bad;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/passed", dir);
	file = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(file >= 0 && write(file, "secret", 6) == 6, "a file to pass");
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	CHECK(write(sv[0], "ab", 2) == 2 && send_fd(sv[0], "c", 1, file) == 1 &&
		      write(sv[0], "d", 1) == 1,
	      "sent: ab, then c with the file, then d");
	n = recv_fd(sv[1], buf, sizeof(buf), CMSG_SPACE(sizeof(int)), MSG_CMSG_CLOEXEC, &got,
		    &flags);
	CHECK(n == 3 && !memcmp(buf, "abc", 3) && got >= 0 && got != file && !(flags & MSG_CTRUNC),
	      "the first receive: abc (not d) and a new descriptor");
	CHECK(pread(got, buf, 6, 0) == 6 && !memcmp(buf, "secret", 6),
	      "which reads the passed file");
	CHECK(fcntl(got, F_GETFD) & FD_CLOEXEC, "MSG_CMSG_CLOEXEC: close-on-exec");
	close(got);
	n = recv_fd(sv[1], buf, sizeof(buf), CMSG_SPACE(sizeof(int)), 0, &got, &flags);
	CHECK(n == 1 && buf[0] == 'd' && got == -1, "the second: d, no file");

	CHECK(send_fd(sv[0], "x", 1, file) == 1 && read(sv[1], buf, 1) == 1 && buf[0] == 'x',
	      "a plain read takes the byte a file came with");
	CHECK(write(sv[0], "y", 1) == 1 &&
		      recv_fd(sv[1], buf, sizeof(buf), CMSG_SPACE(sizeof(int)), 0, &got, &flags) ==
			      1 &&
		      buf[0] == 'y' && got == -1,
	      "and the file is gone with it");
	CHECK(send_fd(sv[0], "z", 1, file) == 1 &&
		      recv_fd(sv[1], buf, sizeof(buf), sizeof(struct cmsghdr), 0, &got, &flags) ==
			      1 &&
		      got == -1 && (flags & MSG_CTRUNC),
	      "no room for the descriptor: MSG_CTRUNC, no file");
	bad = open(path, O_RDONLY);
	close(bad);
	CHECK(send_fd(sv[0], "w", 1, bad) == -1 && errno == EBADF, "a closed descriptor: EBADF");
	close(sv[0]);
	close(sv[1]);
	close(file);
}

static void abstract(void)
{
	char name[32], buf[8] = { 0 };
	struct sockaddr_un a, got;
	socklen_t len, glen = sizeof(got);
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0), s = -1;

	snprintf(name, sizeof(name), "mote-test-%d", (int)getpid());
	len = unix_addr(&a, name, strlen(name));
	CHECK(bind(l, (struct sockaddr *)&a, len) == 0 && listen(l, 1) == 0,
	      "bind and listen in the abstract namespace");
	CHECK(getsockname(l, (struct sockaddr *)&got, &glen) == 0 && glen == len &&
		      got.sun_path[0] == 0 && !memcmp(got.sun_path + 1, name, strlen(name)),
	      "getsockname: the abstract name, its length exact");
	CHECK(connect(c, (struct sockaddr *)&a, len) == 0 && (s = accept(l, NULL, NULL)) >= 0,
	      "connect and accept by it");
	CHECK(write(s, "abc", 3) == 3 && read(c, buf, sizeof(buf)) == 3 && !strcmp(buf, "abc"),
	      "bytes through it");
	CHECK(shutdown(c, SHUT_WR) == 0 && read(s, buf, sizeof(buf)) == 0,
	      "shutdown(SHUT_WR): the server reads the end");
	close(s);
	close(c);
	close(l);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, len) == -1 && errno == ECONNREFUSED,
	      "once closed, the name is free: ECONNREFUSED");
	close(c);
}

int main(void)
{
	const char *dir;

	check_start();
	dir = check_tmpdir();
	named(dir);
	rights(dir);
	abstract();
	check_rmtree(dir);
	return check_done();
}
