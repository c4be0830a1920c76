/* test_net.c: the virtio-net driver against a real peer, with raw frames: a DHCP DISCOVER
 * broadcast from the device's MAC must bring back a DHCP OFFER for it (QEMU's user-mode
 * network answers one: 10.0.2.15); the same while the receiver sleeps, by the device's
 * interrupt; a burst of frames with few notifications and no interrupts. Then lwIP over the
 * device. Not default tests: the VM must have the device (tests/e2e/virtio_net.sh). */
#include "core/selftest.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "core/stats.h"
#include "core/time.h"
#include "drivers/virtio/net.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "net/netif.h"

#define ETH_HDR 14
#define IP_HDR 20
#define UDP_HDR 8
#define BOOTP_LEN 240 /* BOOTP fixed part with the magic cookie */
#define OPT_LEN 8     /* message type DISCOVER, end, padding */
#define DHCP_XID 0x6d6f7465u
#define LATE_XID 0x6d6f7466u   /* the DISCOVER sent while the receiver sleeps */
#define LATE_MS 50	       /* how long after the receiver starts waiting */
#define BURST 256	       /* frames sent back to back */
#define BURST_NOTIFY_MAX 9     /* at most one notification every 32 frames, and the flush */
#define BURST_ETHERTYPE 0x88b5 /* IEEE 802 local experimental: dropped by the peer */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A DHCP DISCOVER (transaction xid) from mac, broadcast: Ethernet, IPv4 0.0.0.0 ->
 * 255.255.255.255, UDP 68 -> 67, BOOTP with the cookie and option 53 = 1. Returns its
 * length. */
static size_t discover(uint8_t *f, const uint8_t mac[6], uint32_t xid)
{
	uint8_t *ip = f + ETH_HDR, *udp = ip + IP_HDR, *b = udp + UDP_HDR;
	size_t dlen = BOOTP_LEN + OPT_LEN;

	memset(f, 0, ETH_HDR + IP_HDR + UDP_HDR + dlen);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP_HDR + UDP_HDR + dlen));
	ip[8] = 64;
	ip[9] = 17; /* UDP */
	memset(ip + 16, 0xff, 4);
	put16(ip + 10, ip_checksum(ip, IP_HDR));
	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, (uint16_t)(UDP_HDR + dlen)); /* checksum 0: none (IPv4) */
	b[0] = 1;				    /* BOOTREQUEST */
	b[1] = 1;				    /* Ethernet */
	b[2] = 6;
	b[4] = (uint8_t)(xid >> 24);
	b[5] = (uint8_t)(xid >> 16);
	b[6] = (uint8_t)(xid >> 8);
	b[7] = (uint8_t)xid;
	put16(b + 10, 0x8000); /* broadcast the reply */
	memcpy(b + 28, mac, 6);
	memcpy(b + 236, (const uint8_t[]){ 99, 130, 83, 99 }, 4);
	memcpy(b + 240, (const uint8_t[]){ 53, 1, 1, 255 }, 4);
	return ETH_HDR + IP_HDR + UDP_HDR + dlen;
}

/* The offered address if f is a DHCP OFFER for xid (0 otherwise). */
static uint32_t offer(const uint8_t *f, long n, uint32_t xid)
{
	const uint8_t *ip = f + ETH_HDR, *b = ip + IP_HDR + UDP_HDR;

	if (n < ETH_HDR + IP_HDR + UDP_HDR + BOOTP_LEN + 3 || get16(f + 12) != 0x0800 ||
	    ip[9] != 17 || get16(ip + IP_HDR + 2) != 68 || b[0] != 2 ||
	    (uint32_t)(b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7]) != xid ||
	    memcmp(b + 236, (const uint8_t[]){ 99, 130, 83, 99 }, 4) || b[240] != 53 || b[242] != 2)
		return 0;
	return (uint32_t)(b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19]);
}

int test_virtio_net(struct st *st)
{
	static uint8_t f[2048];
	uint8_t mac[6];
	uint64_t deadline;
	uint32_t yiaddr = 0;
	int frames = 0, r;

	if (!virtio_net_mac(mac))
		return st_fail(st,
			       "no virtio-net device (virtio_mmio.device= on the command line)");
	r = virtio_net_send(f, discover(f, mac, DHCP_XID));
	if (r)
		return st_fail(st, "sending the DISCOVER: %d", r);
	virtio_net_flush();
	deadline = time_ns() + 2000 * NSEC_PER_MSEC;
	while (!yiaddr) {
		long n = virtio_net_recv(f, sizeof(f), deadline);

		if (n == -EAGAIN)
			return st_fail(st, "no DHCP OFFER in 2 s (%d other frames)", frames);
		if (n < 0)
			return st_fail(st, "receiving: %ld", n);
		frames++;
		yiaddr = offer(f, n, DHCP_XID);
	}
	return st_ok(st, "MAC %02x:%02x:%02x:%02x:%02x:%02x, DHCP OFFER %u.%u.%u.%u, %d frames",
		     mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], yiaddr >> 24,
		     (yiaddr >> 16) & 0xff, (yiaddr >> 8) & 0xff, yiaddr & 0xff, frames);
}

/* The late DISCOVER, from a thread of its own once the receiver sleeps. */
static void send_late(void *unused)
{
	static uint8_t f[1024];
	uint8_t mac[6];

	sleep_ns(LATE_MS * NSEC_PER_MSEC);
	(void)virtio_net_mac(mac);
	if (!virtio_net_send(f, discover(f, mac, LATE_XID)))
		virtio_net_flush();
}

/* Wait for the OFFER to the late DISCOVER: 0, or -1 with st failed. */
static int offer_by_interrupt(struct st *st, struct cpu_stats *before, struct cpu_stats *after)
{
	static uint8_t f[2048];
	struct thread *t = thread_create("late", send_late, NULL, THREAD_ANY_CPU);
	uint64_t deadline = time_ns() + 2000 * NSEC_PER_MSEC;
	long n = 0;

	if (!t)
		return st_fail(st, "out of memory for a thread");
	stats_sum(before);
	while (n >= 0 && !offer(f, n, LATE_XID))
		n = virtio_net_recv(f, sizeof(f), deadline);
	stats_sum(after);
	(void)thread_join(t);
	if (n < 0)
		return st_fail(st, "no OFFER to a DISCOVER sent while the receiver slept: %ld", n);
	if (after->dev_irqs == before->dev_irqs)
		return st_fail(st, "the OFFER to the late DISCOVER came without an interrupt");
	return 0;
}

/* BURST frames back to back, one flush, time for the device to take them: few notifications
 * (the device is told once a batch, and not while it is still taking frames), and no
 * interrupts (nothing waits for transmit buffers). */
int test_virtio_net_batch(struct st *st)
{
	static uint8_t f[1024];
	struct cpu_stats s0, s1, s2;
	uint64_t t0 = time_ns(), late_ms, notifies, irqs;
	uint8_t mac[6];

	if (!virtio_net_mac(mac))
		return st_fail(st,
			       "no virtio-net device (virtio_mmio.device= on the command line)");
	if (offer_by_interrupt(st, &s0, &s1))
		return -1;
	late_ms = (time_ns() - t0) / NSEC_PER_MSEC;
	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, BURST_ETHERTYPE);
	stats_sum(&s1);
	for (int i = 0; i < BURST; i++) {
		put16(f + ETH_HDR, (uint16_t)i);
		if (virtio_net_send(f, 60))
			return st_fail(st, "frame %d of the burst not sent", i);
	}
	virtio_net_flush();
	sleep_ns(100 * NSEC_PER_MSEC);
	stats_sum(&s2);
	notifies = s2.virtio_notifies - s1.virtio_notifies;
	irqs = s2.dev_irqs - s1.dev_irqs;
	if (notifies > BURST_NOTIFY_MAX || irqs > 1)
		return st_fail(st, "%d frames: %lu notifications (at most %d), %lu interrupts",
			       BURST, notifies, BURST_NOTIFY_MAX, irqs);
	return st_ok(st,
		     "EVENT_IDX %s; OFFER by interrupt in %lu ms (%lu interrupts); %d frames: %lu "
		     "notifications, %lu interrupts",
		     virtio_net_features() & VIRTIO_F_EVENT_IDX ? "on" : "off", late_ms,
		     s1.dev_irqs - s0.dev_irqs, BURST, notifies, irqs);
}

/* lwIP over the same device: DHCP must bind the address QEMU's user network offers. */
int test_net_dhcp(struct st *st)
{
	uint32_t a, dns[NET_DNS_MAX];
	uint8_t mac[6];

	if (!virtio_net_mac(mac))
		return st_fail(st,
			       "no virtio-net device (virtio_mmio.device= on the command line)");
	net_init();
	a = net_wait_address(time_ns() + 5000 * NSEC_PER_MSEC);
	if (!a)
		return st_fail(st, "no address by DHCP in 5 s");
	if (!net_dns_servers(dns))
		return st_fail(st, "DHCP gave no DNS server");
	return st_ok(st, "lwIP bound %u.%u.%u.%u by DHCP, DNS %u.%u.%u.%u", a >> 24,
		     (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, dns[0] >> 24,
		     (dns[0] >> 16) & 0xff, (dns[0] >> 8) & 0xff, dns[0] & 0xff);
}
