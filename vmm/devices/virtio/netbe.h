/* netbe.h: virtio-net's back ends, where the guest's frames go and come from: a TAP (tap.c),
 * or a Unix stream socket speaking QEMU's "-netdev stream" framing, as passt does (stream.c,
 * user-mode networking). Every call is non-blocking. */
#ifndef MOTE_VMM_DEVICES_VIRTIO_NETBE_H
#define MOTE_VMM_DEVICES_VIRTIO_NETBE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#define NETBE_HDR_LEN 12 /* struct virtio_net_hdr_v1, num_buffers included */

struct net_backend;

struct net_backend_ops {
	/*
	 * The next frame into IOV (N buffers). With vnet_hdr the 12-byte virtio-net header comes
	 * first, else only the Ethernet frame. Its length; -EAGAIN if none is there; -EMSGSIZE
	 * if it did not fit (it is dropped); another -errno if the back end failed.
	 */
	ssize_t (*recv)(struct net_backend *be, const struct iovec *iov, int n);
	/* Sends one frame from IOV (laid out as recv's). 0; -EAGAIN if the back end cannot take
	 * it now (wait for writable, then call again); another -errno: dropped. */
	int (*send)(struct net_backend *be, const struct iovec *iov, int n);
	/* After the fd polled writable: pushes out what was held back. True once nothing is. */
	bool (*flush)(struct net_backend *be);
	/* Which receive offloads the guest takes (virtio-net feature bits); vnet_hdr only. */
	int (*set_offload)(struct net_backend *be, unsigned long long guest_features);
	void (*close)(struct net_backend *be);
};

struct net_backend {
	const struct net_backend_ops *ops;
	int fd;		  /* to poll: readable means a frame may be there */
	bool vnet_hdr;	  /* frames carry the virtio-net header, so offloads can pass */
	const char *what; /* "tap NAME", "socket PATH", for messages */
};

/* Attaches to (or, with CAP_NET_ADMIN, creates) TAP device NAME. A back end, or NULL with
 * ERR set (Firecracker's words). */
struct net_backend *tap_backend_open(const char *name, char *err, size_t size);
/* Connects to a Unix stream socket at PATH with QEMU's stream framing (each frame after its
 * length, 4 bytes big-endian), e.g. passt's; "/dev/fd/N" is a connected stream socket motevm
 * inherited instead (one end of a socketpair whose other end is passt's --fd). NULL with ERR
 * set. */
struct net_backend *stream_backend_open(const char *path, char *err, size_t size);

#endif /* MOTE_VMM_DEVICES_VIRTIO_NETBE_H */
