/* tap.c: the TAP back end (see netbe.h): frames carry the 12-byte virtio-net header
 * (IFF_VNET_HDR), so offloads pass between the guest and the host's stack untouched. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/virtio/netbe.h"

#define NET_F_GUEST_CSUM (1ull << 1)
#define NET_F_GUEST_TSO4 (1ull << 7)
#define NET_F_GUEST_TSO6 (1ull << 8)

struct tap {
	struct net_backend be;
	char what[IFNAMSIZ + 8];
};

static ssize_t tap_recv(struct net_backend *be, const struct iovec *iov, int n)
{
	ssize_t r = readv(be->fd, iov, n);

	return r < 0 ? (errno == EINTR ? -EAGAIN : -errno) : r;
}

static int tap_send(struct net_backend *be, const struct iovec *iov, int n)
{
	/* a TAP takes a frame whole or not at all: a refused one is dropped, as a NIC would */
	return writev(be->fd, iov, n) < 0 ? (errno == EAGAIN ? -ENOBUFS : -errno) : 0;
}

static bool tap_flush(struct net_backend *be)
{
	return true;
}

static int tap_set_offload(struct net_backend *be, unsigned long long f)
{
	unsigned tun = 0;

	if (f & NET_F_GUEST_CSUM)
		tun |= TUN_F_CSUM;
	if (f & NET_F_GUEST_TSO4)
		tun |= TUN_F_TSO4;
	if (f & NET_F_GUEST_TSO6)
		tun |= TUN_F_TSO6;
	return ioctl(be->fd, TUNSETOFFLOAD, (unsigned long)tun) < 0 ? -errno : 0;
}

static void tap_close(struct net_backend *be)
{
	close(be->fd);
	free(be);
}

static const struct net_backend_ops tap_ops = {
	.recv = tap_recv,
	.send = tap_send,
	.flush = tap_flush,
	.set_offload = tap_set_offload,
	.close = tap_close,
};

struct net_backend *tap_backend_open(const char *name, char *err, size_t size)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = NETBE_HDR_LEN, fd;
	struct tap *t;

	if (strlen(name) >= IFNAMSIZ) {
		snprintf(err, size, "Invalid interface name: `%.64s`", name);
		return NULL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, size, "Open tap device failed: /dev/net/tun: %s", strerror(errno));
		return NULL;
	}
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, size, "Open tap device failed: %s: %s%s", name, strerror(errno),
			 errno == EPERM ? " (create it first with `ip tuntap add`, or run as root)"
					: "");
		close(fd);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t || ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, (unsigned long)0) < 0) {
		snprintf(err, size, "Setting up tap %s failed: %s", name, strerror(errno));
		free(t);
		close(fd);
		return NULL;
	}
	snprintf(t->what, sizeof(t->what), "tap %s", name);
	t->be = (struct net_backend){
		.ops = &tap_ops, .fd = fd, .vnet_hdr = true, .what = t->what
	};
	return &t->be;
}
