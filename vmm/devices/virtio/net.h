/* net.h: virtio-net (virtio 1.x, 5.1) for Firecracker's "network-interfaces", on a TAP device
 * or passt's socket (netbe.h): one receive and one transmit queue, the guest's MAC and MTU in
 * the configuration space, checksum and TSO offloads passed through to a TAP. */
#ifndef MOTE_VMM_DEVICES_VIRTIO_NET_H
#define MOTE_VMM_DEVICES_VIRTIO_NET_H

#include <stdint.h>

#include "devices/virtio/mmio.h"
#include "devices/virtio/netbe.h"
#include "event.h"

struct net_config;

/* Firecracker's per-interface net metrics. */
struct virtio_net_stats {
	uint64_t rx_bytes, rx_packets, rx_fails, rx_queue_events, rx_tap_events;
	uint64_t tx_bytes, tx_packets, tx_fails, tx_queue_events;
};

struct virtio_net {
	struct virtio_dev dev;
	char name[64];	   /* "net eth0" */
	char iface_id[64]; /* "eth0" */
	uint8_t mac[6];
	uint16_t mtu; /* 0: not announced */
	struct net_backend *be;
	struct event_handler be_ev;
	bool rx_wanted;	  /* the driver has receive buffers posted */
	bool tx_blocked;  /* the back end holds a frame back: wait for it to be writable */
	bool be_dead;	  /* the back end failed for good (and is off the event loop) */
	uint32_t watched; /* the epoll events asked for */
	/* MRG_RXBUF: the frame being spread over receive buffers (frame_len 0: none) */
	uint8_t frame[NETBE_HDR_LEN + 65550];
	uint64_t frame_len;
	uint8_t *num_buffers_at;
	uint16_t spread_heads[VQ_SIZE_MAX];
	uint32_t spread_lens[VQ_SIZE_MAX];
	struct virtio_net_stats stats;
	struct virtio_net_stats reported; /* at the last metrics line */
};

/* Creates the device for CFG in SLOT on back end BE (which it owns from then on, even on
 * failure). NULL after logging. */
struct virtio_net *virtio_net_create(const struct virtio_env *env, unsigned slot,
				     const struct net_config *cfg, struct net_backend *be);
void virtio_net_destroy(struct virtio_net *n);
/* The counters since the last call (for a metrics line), also added to SUM. Any thread. */
struct virtio_net_stats virtio_net_stats_since(struct virtio_net *n, struct virtio_net_stats *sum);

#endif /* MOTE_VMM_DEVICES_VIRTIO_NET_H */
