/* tap.h: a TAP device as virtio-net's back end: frames carry the 12-byte virtio-net header
 * (IFF_VNET_HDR), so offloads pass between the guest and the host's stack untouched. */
#ifndef MOTE_VMM_DEVICES_VIRTIO_TAP_H
#define MOTE_VMM_DEVICES_VIRTIO_TAP_H

#include <stddef.h>

#define TAP_VNET_HDR_LEN 12 /* struct virtio_net_hdr_v1, num_buffers included */

/* Attaches to (or, with CAP_NET_ADMIN, creates) TAP device NAME, non-blocking, offloads off.
 * The fd, or -errno with ERR set to Firecracker-style words. */
int tap_open(const char *name, char *err, size_t size);
/* Which offloads the guest can take on receive (TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6). 0 or
 * -errno. */
int tap_set_offload(int fd, unsigned tun_flags);

#endif /* MOTE_VMM_DEVICES_VIRTIO_TAP_H */
