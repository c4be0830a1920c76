/* net.h: the virtio network device's driver (virtio 1.x, 5.1): Ethernet frames in and out,
 * one receive and one transmit queue, no offloads yet. lwIP sits on top (net/netif.c); the
 * self-test speaks DHCP to the host's side with raw frames. */
#ifndef MOTE_DRIVERS_VIRTIO_NET_H
#define MOTE_DRIVERS_VIRTIO_NET_H

#include "lib/types.h"

#define NET_FRAME_MAX 1514 /* an Ethernet frame without its FCS */

struct virtio_dev;

/* The driver's probe (mmio.c's table): the queues, receive buffers posted, the MAC read. */
int virtio_net_probe(struct virtio_dev *d) __must_check;

/* The device's MAC address into mac; false if there is no device. */
bool virtio_net_mac(uint8_t mac[6]);

/* The feature bits negotiated with the device (0 if there is none). */
uint64_t virtio_net_features(void);

/* Send one frame (at most NET_FRAME_MAX bytes): copied, offered to the device and left to
 * it. 0, or -ENODEV, -EINVAL, -EIO (no transmit buffer came free in a second). Thread
 * context; sleeps only while every transmit buffer is the device's. The device may not look
 * at the frame before virtio_net_flush: call it after a burst of sends. */
int virtio_net_send(const void *frame, size_t len) __must_check;

/* Tell the device of the frames sent since the last flush: one notification at most, none
 * if it is still taking frames (it then finds these itself). Thread context. */
void virtio_net_flush(void);

/* Whether the device has taken every frame sent (told of them first). Thread context. */
bool virtio_net_sent(void);

/* Receive one frame into buf (cap bytes; a longer one is cut): its length, or -EAGAIN at the
 * deadline (time_ns), -ENODEV. Thread context. */
long virtio_net_recv(void *buf, size_t cap, uint64_t deadline);

#endif /* MOTE_DRIVERS_VIRTIO_NET_H */
