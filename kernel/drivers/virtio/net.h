/* net.h: the virtio network device's driver (virtio 1.x, 5.1): Ethernet frames in and out,
 * one receive and one transmit queue, no offloads yet. The TCP/IP stack sits on top
 * (issue 12); until then the self-test speaks DHCP to the host's side with raw frames. */
#ifndef MOTE_DRIVERS_VIRTIO_NET_H
#define MOTE_DRIVERS_VIRTIO_NET_H

#include "lib/types.h"

#define NET_FRAME_MAX 1514 /* an Ethernet frame without its FCS */

struct virtio_dev;

/* The driver's probe (mmio.c's table): the queues, receive buffers posted, the MAC read. */
int virtio_net_probe(struct virtio_dev *d) __must_check;

/* The device's MAC address into mac; false if there is no device. */
bool virtio_net_mac(uint8_t mac[6]);

/* Send one frame (at most NET_FRAME_MAX bytes). 0, or -ENODEV, -EINVAL, -EIO. Thread
 * context; waits until the device has taken it. */
int virtio_net_send(const void *frame, size_t len) __must_check;

/* Receive one frame into buf (cap bytes; a longer one is cut): its length, or -EAGAIN at the
 * deadline (time_ns), -ENODEV. Thread context. */
long virtio_net_recv(void *buf, size_t cap, uint64_t deadline);

#endif /* MOTE_DRIVERS_VIRTIO_NET_H */
