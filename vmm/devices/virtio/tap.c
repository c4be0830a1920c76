/* tap.c: TAP devices (see tap.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/virtio/tap.h"

int tap_open(const char *name, char *err, size_t size)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = TAP_VNET_HDR_LEN, fd, r;

	if (strlen(name) >= IFNAMSIZ) {
		snprintf(err, size, "Invalid interface name: `%.64s`", name);
		return -EINVAL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, size, "Open tap device failed: /dev/net/tun: %s", strerror(errno));
		return r;
	}
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		snprintf(err, size, "Open tap device failed: %s: %s%s", name, strerror(errno),
			 errno == EPERM ? " (create it first with `ip tuntap add`, or run as root)"
					: "");
		close(fd);
		return r;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 || tap_set_offload(fd, 0)) {
		r = -errno;
		snprintf(err, size, "Setting the virtio-net header of tap %s failed: %s", name,
			 strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

int tap_set_offload(int fd, unsigned tun_flags)
{
	return ioctl(fd, TUNSETOFFLOAD, (unsigned long)tun_flags) < 0 ? -errno : 0;
}
