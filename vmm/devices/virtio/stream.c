/* stream.c: the stream back end (see netbe.h): frames over a Unix stream socket, each after its
 * length (4 bytes, big-endian), as QEMU's "-netdev stream" and passt speak them. No virtio-net
 * header crosses it, so no offloads. A frame the socket takes only in part is held back and
 * finished before the next one goes. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/virtio/netbe.h"
#include "inherit.h"

#define FRAME_MAX (65535 + 14) /* passt's largest MTU (65520) fits */
#define LEN_BYTES 4

struct stream {
	struct net_backend be;
	uint8_t rx[2 * (LEN_BYTES + FRAME_MAX)];
	size_t rx_start, rx_end; /* received bytes not yet handed out */
	uint8_t tx[LEN_BYTES + FRAME_MAX];
	size_t tx_off, tx_len; /* a frame's rest, held back */
	char what[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Copies LEN bytes of SRC into IOV; false if they do not fit. */
static bool to_iov(const struct iovec *iov, int n, const uint8_t *src, size_t len)
{
	for (int i = 0; i < n && len; i++) {
		size_t k = iov[i].iov_len < len ? iov[i].iov_len : len;

		memcpy(iov[i].iov_base, src, k);
		src += k;
		len -= k;
	}
	return len == 0;
}

static ssize_t stream_recv(struct net_backend *be, const struct iovec *iov, int n)
{
	struct stream *s = (struct stream *)be;

	for (;;) {
		size_t have = s->rx_end - s->rx_start;
		ssize_t r;

		if (have >= LEN_BYTES) {
			uint32_t len = be32(s->rx + s->rx_start);

			if (len > FRAME_MAX || len == 0)
				return -EPROTO; /* not the framing we speak: stop */
			if (have >= LEN_BYTES + len) {
				bool fits = to_iov(iov, n, s->rx + s->rx_start + LEN_BYTES, len);

				s->rx_start += LEN_BYTES + len;
				return fits ? (ssize_t)len : -EMSGSIZE;
			}
		}
		/* room for at least one whole frame after what is there */
		if (s->rx_start + LEN_BYTES + FRAME_MAX > sizeof(s->rx)) {
			memmove(s->rx, s->rx + s->rx_start, have);
			s->rx_start = 0;
			s->rx_end = have;
		}
		r = read(be->fd, s->rx + s->rx_end, sizeof(s->rx) - s->rx_end);
		if (r == 0)
			return -EPIPE;
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
		s->rx_end += (size_t)r;
	}
}

static int stream_send(struct net_backend *be, const struct iovec *iov, int n)
{
	struct stream *s = (struct stream *)be;
	struct iovec v[1 + 256];
	uint8_t len4[LEN_BYTES];
	size_t total = 0, off = 0;
	ssize_t w;

	if (s->tx_off < s->tx_len)
		return -EAGAIN;
	if (n > 256)
		return -EMSGSIZE;
	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (total > FRAME_MAX || total == 0)
		return -EMSGSIZE;
	len4[0] = (uint8_t)(total >> 24), len4[1] = (uint8_t)(total >> 16);
	len4[2] = (uint8_t)(total >> 8), len4[3] = (uint8_t)total;
	v[0] = (struct iovec){ .iov_base = len4, .iov_len = LEN_BYTES };
	memcpy(v + 1, iov, (size_t)n * sizeof(*iov));
	w = sendmsg(be->fd, &(struct msghdr){ .msg_iov = v, .msg_iovlen = (size_t)n + 1 },
		    MSG_NOSIGNAL); /* a peer gone is an error here, not a signal */
	if (w < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	if ((size_t)w == LEN_BYTES + total)
		return 0;
	/* part of it went: the rest must follow before anything else */
	memcpy(s->tx, len4, LEN_BYTES);
	for (int i = 0; i < n; i++) {
		memcpy(s->tx + LEN_BYTES + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	s->tx_off = (size_t)w;
	s->tx_len = LEN_BYTES + total;
	return 0;
}

static bool stream_flush(struct net_backend *be)
{
	struct stream *s = (struct stream *)be;

	while (s->tx_off < s->tx_len) {
		ssize_t w = send(be->fd, s->tx + s->tx_off, s->tx_len - s->tx_off, MSG_NOSIGNAL);

		if (w < 0)
			return errno != EAGAIN &&
			       errno != EINTR; /* a dead peer holds nothing back */
		s->tx_off += (size_t)w;
	}
	return true;
}

static int stream_set_offload(struct net_backend *be, unsigned long long f)
{
	return 0;
}

static void stream_close(struct net_backend *be)
{
	close(be->fd);
	free(be);
}

static const struct net_backend_ops stream_ops = {
	.recv = stream_recv,
	.send = stream_send,
	.flush = stream_flush,
	.set_offload = stream_set_offload,
	.close = stream_close,
};

/* "/dev/fd/N" (inherit.h): an inherited connected stream socket (mote passes one end of a socketpair
 * whose other end is passt's --fd). The fd, or -1 with ERR set. */
static int inherited(const char *path, char *err, size_t size)
{
	int fd = inherit_fd_of(path), type = 0;
	socklen_t len = sizeof(type);

	if (!inherit_is(fd)) {
		snprintf(err, size, "%s was not open when motevm started", path);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM) {
		snprintf(err, size, "%s is not an open stream socket", path);
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(err, size, "%s: %s", path, strerror(errno));
		return -1;
	}
	return fd;
}

struct net_backend *stream_backend_open(const char *path, char *err, size_t size)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stream *s;
	int fd;

	if (strncmp(path, "/dev/fd/", strlen("/dev/fd/")) == 0) {
		fd = inherited(path, err, size);
		if (fd < 0)
			return NULL;
		goto have_fd;
	}
	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, size, "socket path too long (at most %zu bytes): %.64s",
			 sizeof(a.sun_path) - 1, path);
		return NULL;
	}
	memcpy(a.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		snprintf(err, size, "Cannot connect to the network socket %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
have_fd:
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, size, "out of memory");
		close(fd);
		return NULL;
	}
	snprintf(s->what, sizeof(s->what), "socket %s", path);
	s->be = (struct net_backend){
		.ops = &stream_ops, .fd = fd, .vnet_hdr = false, .what = s->what
	};
	return &s->be;
}
