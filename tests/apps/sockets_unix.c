/* sockets_unix.c: AF_UNIX stream sockets with names: a listener bound to a path (a socket
 * node), a client connecting by that path, bytes both ways, the names each end reports, the
 * errors Linux gives (EADDRINUSE, ENOENT, ECONNREFUSED, EAGAIN), SO_PEERCRED, poll on the
 * listener, the end of data after a close, and the abstract namespace. */
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
	abstract();
	check_rmtree(dir);
	return check_done();
}
