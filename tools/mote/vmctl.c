/* vmctl.c: a detached VM's control socket (vmctl.h). Each exchange is bounded in time: a
 * VMM that does not answer within a few seconds is reported, not waited for. */
#include "vmctl.h"
#include "errmsg.h"
#include "vmstate.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define TIMEOUT_S 3

static int connect_to(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return errmsg(err, errlen, -ENAMETOOLONG, "%s: path too long for a socket", path);
	memcpy(a.sun_path, path, strlen(path) + 1); /* (fits: checked above) */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg(err, errlen, -errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;

		close(fd);
		return errmsg(err, errlen, -e, "%s: %s", path, strerror(e));
	}
	return fd;
}

static int send_all(int fd, const char *s)
{
	for (size_t n = strlen(s), k; n; n -= k, s += k) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		k = (size_t)w;
	}
	return 0;
}

/* Read until buf holds `want` (or the time, the room or the peer ends): true if it does. */
static bool read_until(int fd, char *buf, size_t size, size_t *len, const char *want)
{
	while (!strstr(buf, want)) {
		ssize_t k;

		if (*len + 1 >= size)
			return false;
		k = recv(fd, buf + *len, size - 1 - *len, 0);
		if (k <= 0)
			return false;
		*len += (size_t)k;
		buf[*len] = '\0';
	}
	return true;
}

static int qmp(int fd, char *err, size_t errlen)
{
	char buf[8192] = "";
	size_t len = 0;

	/* the greeting, the capabilities handshake, then the keys (each answered by a return) */
	if (!read_until(fd, buf, sizeof(buf), &len, "\"QMP\"") ||
	    send_all(fd, "{\"execute\":\"qmp_capabilities\"}\n") < 0 ||
	    !read_until(fd, buf, sizeof(buf), &len, "\"return\"") ||
	    (len = 0, buf[0] = '\0',
	     send_all(fd, "{\"execute\":\"send-key\",\"arguments\":{\"keys\":["
			  "{\"type\":\"qcode\",\"data\":\"ctrl\"},"
			  "{\"type\":\"qcode\",\"data\":\"alt\"},"
			  "{\"type\":\"qcode\",\"data\":\"delete\"}]}}\n") < 0) ||
	    !read_until(fd, buf, sizeof(buf), &len, "\"return\""))
		return errmsg(err, errlen, -EPROTO, "QEMU's QMP did not take send-key%s%.200s",
			      len ? ": " : "", buf);
	return 0;
}

static int api(int fd, char *err, size_t errlen)
{
	static const char body[] = "{\"action_type\":\"SendCtrlAltDel\"}";
	char req[256], buf[4096] = "";
	size_t len = 0;

	snprintf(req, sizeof(req),
		 "PUT /actions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\n\r\n%s",
		 sizeof(body) - 1, body);
	if (send_all(fd, req) < 0 || !read_until(fd, buf, sizeof(buf), &len, "\r\n"))
		return errmsg(err, errlen, -EPROTO, "motevm's API did not answer");
	if (strncmp(buf, "HTTP/1.1 204", 12) && strncmp(buf, "HTTP/1.1 200", 12))
		return errmsg(err, errlen, -EPROTO, "motevm's API refused SendCtrlAltDel: %.120s",
			      buf);
	return 0;
}

int vmctl_ctrl_alt_del(const struct vmstate *s, char *err, size_t errlen)
{
	bool is_qemu = !strcmp(s->vmm, "qemu");
	char path[VMSTATE_PATH_MAX];
	int fd, r;

	vmstate_path(s, is_qemu ? "qmp.sock" : "api.sock", path, sizeof(path));
	fd = connect_to(path, err, errlen);
	if (fd < 0)
		return fd;
	r = is_qemu ? qmp(fd, err, errlen) : api(fd, err, errlen);
	close(fd);
	return r;
}
