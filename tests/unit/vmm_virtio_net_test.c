/* vmm_virtio_net_test.c: motevm's virtio-net device (vmm/devices/virtio/net.c) on a real TAP,
 * with the host's own network stack as the second party: in a network namespace of its own
 * (unshare, so nothing leaves it), the test driver (the kernel's virtqueue code, see
 * virtio_driver.h) pings the TAP's address, exchanges UDP datagrams with a host socket (with
 * checksum offload both ways), runs out of receive buffers and recovers, and breaks the rules.
 * Needs root and /dev/net/tun; otherwise it skips. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "config/config.h"
#include "check.h"
#include "devices/bus.h"
#include "devices/virtio/net.h"
#include "devices/virtio/netbe.h"
#include "event.h"
#include "inherit.h"
#include "kvm/memory.h"
#include "virtio_driver.h"

#define RAM_SIZE (64ull << 20)
#define TAP "motet0"
#define HDR 12
#define BUF 2048
#define Q_RX 0
#define Q_TX 1
#define F_CSUM (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_MTU (1ull << 3)
#define F_MAC (1ull << 5)
#define F_MRG_RXBUF (1ull << 15)
#define PORT 7777

unsigned char *vdrv_ram;
unsigned long vdrv_ram_size;
static struct guest_mem mem;
static struct event_loop loop;
static struct bus mmio;
static struct virtio_net *net;
static unsigned char *rxbuf[64];
static const uint8_t guest_mac[6] = { 0x06, 0x00, 0xac, 0x10, 0x00, 0x02 };
static uint8_t host_mac[6]; /* the peer's: the TAP's, or passt's */
static uint8_t guest_ip[4] = { 10, 99, 0, 2 }, peer_ip[4] = { 10, 99, 0, 1 };
/* the guest's UDP port (passt keeps source ports: not the host socket's) */
static uint16_t guest_port = PORT;
static struct net_backend *tap;

unsigned vdrv_reg_read(unsigned long off)
{
	unsigned v = 0;

	CHECK(bus_read(&mmio, net->dev.base + off, (uint8_t *)&v, 4));
	return v;
}

void vdrv_reg_write(unsigned long off, unsigned v)
{
	CHECK(bus_write(&mmio, net->dev.base + off, (const uint8_t *)&v, 4));
}

static uint16_t csum(const void *p, size_t n, uint32_t sum)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv4 frame from the guest to the peer with protocol PROTO and payload L4 (L4LEN). */
static unsigned frame(uint8_t *f, uint8_t proto, const void *l4, unsigned l4len)
{
	uint8_t *ip = f + 14;
	uint16_t tot = (uint16_t)(20 + l4len), c;

	memcpy(f, host_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08, f[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45, ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot, ip[8] = 64, ip[9] = proto;
	memcpy(ip + 12, guest_ip, 4);
	memcpy(ip + 16, peer_ip, 4);
	c = csum(ip, 20, 0);
	ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
	memcpy(ip + 20, l4, l4len);
	return 14u + tot;
}

/* Queues one frame (header HDR0 first) on the transmit queue and notifies. */
static void send_frame(const uint8_t hdr0[HDR], const uint8_t *f, unsigned len)
{
	uint8_t *b = vdrv_alloc(HDR + len);
	unsigned l;

	memcpy(b, hdr0, HDR);
	memcpy(b + HDR, f, len);
	CHECK(vdrv_add(Q_TX, b, HDR + len, 0) >= 0);
	vdrv_notify(Q_TX);
	CHECK(event_wait(&loop, 0) == 0);
	while (vdrv_get(Q_TX, &l) >= 0)
		;
}

static void post_rx(int n)
{
	for (int i = 0; i < n; i++) {
		if (!rxbuf[i])
			rxbuf[i] = vdrv_alloc(BUF);
	}
	for (int i = 0; i < n; i++)
		CHECK(vdrv_add(Q_RX, rxbuf[i], BUF, 1) >= 0);
	vdrv_notify(Q_RX);
	CHECK(event_wait(&loop, 0) == 0);
}

/*
 * Waits (at most 2 s) for a received frame that MATCH accepts, giving every frame's buffer
 * back at once (IPv6 neighbour discovery and the like come too). Returns its length (header
 * included, copied into OUT), or 0.
 */
static unsigned receive(bool (*match)(const uint8_t *f, unsigned len), uint8_t *out)
{
	for (int t = 0; t < 100; t++) {
		unsigned len;
		int id;

		event_wait(&loop, 20);
		while ((id = vdrv_get(Q_RX, &len)) >= 0) {
			const uint8_t *b = rxbuf[id]; /* posted with descriptor id */
			bool ok;

			ok = len > HDR && match(b + HDR, len - HDR);
			if (ok)
				memcpy(out, b, len);
			CHECK(vdrv_add(Q_RX, rxbuf[id], BUF, 1) == id);
			vdrv_notify(Q_RX);
			if (ok)
				return len;
		}
	}
	return 0;
}

static bool is_echo_reply(const uint8_t *f, unsigned len)
{
	return len >= 42 && f[12] == 0x08 && f[13] == 0 && f[23] == 1 && f[34] == 0 &&
	       f[38] == 0x12 && f[39] == 0x34;
}

static bool is_udp_to_us(const uint8_t *f, unsigned len)
{
	return len >= 42 && f[12] == 0x08 && f[13] == 0 && f[23] == 17 &&
	       f[36] == guest_port >> 8 && f[37] == (guest_port & 0xff);
}

static void test_ping(void)
{
	uint8_t icmp[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1, 'm', 'o', 't', 'e', 'v', 'm', '!', 0 };
	uint8_t f[128], got[BUF], hdr0[HDR] = { 0 };
	uint16_t c = csum(icmp, sizeof(icmp), 0);
	unsigned len;

	icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
	len = frame(f, 1, icmp, sizeof(icmp));
	send_frame(hdr0, f, len);
	len = receive(is_echo_reply, got);
	CHECK(len == HDR + 14 + 20 + sizeof(icmp));
	CHECK(len && memcmp(got + HDR + 42, "motevm!", 7) == 0);
	CHECK(len && got[10] == 1 && got[11] == 0); /* num_buffers */
	CHECK(net->stats.tx_packets == 1 && net->stats.tx_fails == 0);
}

static int host_socket(const char *addr)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	inet_pton(AF_INET, addr, &a.sin_addr);
	CHECK(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	return s;
}

/* UDP the host's socket receives from the guest: plain, and with the checksum left to the
 * host (NEEDS_CSUM, csum_start/offset in the header: the host completes it). */
static void test_udp_out(int s, bool offload)
{
	const char *msg = offload ? "from the guest, checksum offloaded" : "from the guest";
	uint8_t udp[64] = { guest_port >> 8, guest_port & 0xff, PORT >> 8, PORT & 0xff }, f[128],
		hdr0[HDR] = { 0 };
	uint16_t ulen = (uint16_t)(8 + strlen(msg));
	char got[64] = { 0 };
	ssize_t n = -1;
	unsigned len;

	udp[4] = (uint8_t)(ulen >> 8), udp[5] = (uint8_t)ulen;
	memcpy(udp + 8, msg, strlen(msg));
	if (offload) {
		/* the pseudo-header's sum, not complemented, where the checksum goes */
		uint8_t ph[12] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 17, (uint8_t)(ulen >> 8), (uint8_t)ulen
		};
		uint16_t p;

		memcpy(ph, guest_ip, 4);
		memcpy(ph + 4, peer_ip, 4);
		p = (uint16_t)~csum(ph, sizeof(ph), 0);

		udp[6] = (uint8_t)(p >> 8), udp[7] = (uint8_t)p;
		hdr0[0] = 1;		   /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
		hdr0[6] = 34, hdr0[8] = 6; /* csum_start, csum_offset */
	}
	len = frame(f, 17, udp, ulen);
	send_frame(hdr0, f, len);
	for (int t = 0; t < 100 && n < 0; t++) {
		n = recv(s, got, sizeof(got) - 1, 0);
		if (n < 0)
			usleep(10000);
	}
	CHECK(n == (ssize_t)strlen(msg) && strcmp(got, msg) == 0);
}

/* UDP from the host's socket to the guest: with GUEST_CSUM negotiated the TAP may leave the
 * checksum to the guest (NEEDS_CSUM) and says so in the header. */
static void test_udp_in(int s)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	uint8_t got[BUF];
	unsigned len;

	inet_pton(AF_INET, "10.99.0.2", &to.sin_addr);
	CHECK(sendto(s, "to the guest", 12, 0, (struct sockaddr *)&to, sizeof(to)) == 12);
	len = receive(is_udp_to_us, got);
	CHECK(len == HDR + 42 + 12);
	CHECK(len && memcmp(got + HDR + 42, "to the guest", 12) == 0);
	printf("udp in: header flags %#x csum_start %u\n", got[0], got[6] | got[7] << 8);
	CHECK(!len || !(got[0] & 1) || (got[6] | got[7] << 8) == 34);
}

/* No receive buffers: the device stops reading the TAP (which queues the frames); buffers
 * posted later bring every frame in. */
static void test_backpressure(int s)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	unsigned len, got = 0;
	int id;

	inet_pton(AF_INET, "10.99.0.2", &to.sin_addr);
	/* take every buffer the device holds: let it fill them with datagrams */
	for (int i = 0; i < 40; i++)
		CHECK(sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) == 1);
	for (int t = 0; t < 20; t++)
		event_wait(&loop, 10);
	while ((id = vdrv_get(Q_RX, &len)) >= 0)
		got += len == HDR + 43;
	CHECK(got == 32); /* as many as were posted */
	CHECK(!net->rx_wanted && !(net->watched & EPOLLIN));
	post_rx(32);
	for (int t = 0; t < 20; t++)
		event_wait(&loop, 10);
	while ((id = vdrv_get(Q_RX, &len)) >= 0)
		got += len == HDR + 43;
	CHECK(got == 40);
	CHECK(net->rx_wanted && (net->watched & EPOLLIN));
}

/* Rule breakers: a short transmit frame is dropped and counted; a receive buffer shorter than
 * the header breaks the device. */
static void test_hostile(void)
{
	uint8_t *tiny = vdrv_alloc(4);
	uint64_t fails = net->stats.tx_fails;
	unsigned len;

	CHECK(vdrv_add(Q_TX, tiny, 4, 0) >= 0);
	vdrv_notify(Q_TX);
	event_wait(&loop, 0);
	CHECK(vdrv_get(Q_TX, &len) >= 0);
	CHECK(net->stats.tx_fails == fails + 1 && !net->dev.broken);
	/* drain what is posted, then offer a 4-byte receive buffer */
	vdrv_init(F_MAC, 2, 64);
	CHECK(vdrv_add(Q_RX, tiny, 4, 1) >= 0);
	vdrv_notify(Q_RX);
	event_wait(&loop, 0);
	CHECK(net->dev.broken);
	CHECK(vdrv_reg_read(0x070) & VIRTIO_S_NEEDS_RESET);
	vdrv_reg_write(0x070, 0);
}

static int setup_netns(void)
{
	char cmd[256];

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("TAP part not run: it needs root and /dev/net/tun\n");
		return -77;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		printf("TAP part not run: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -77;
	}
	if (system("command -v ip >/dev/null") != 0) {
		printf("TAP part not run: no ip command (iproute2)\n");
		return -77;
	}
	{
		char err[256];

		tap = tap_backend_open(TAP, err, sizeof(err));
		if (!tap) {
			printf("tap_backend_open: %s\n", err);
			return -1;
		}
	}
	snprintf(cmd, sizeof(cmd),
		 "ip link set lo up && ip link set " TAP " up && ip addr add 10.99.0.1/24 dev " TAP
		 " && ip neigh add 10.99.0.2 lladdr 06:00:ac:10:00:02 dev " TAP " nud permanent");
	if (system(cmd) != 0)
		return -1;
	{
		/* the TAP's own MAC (sysfs would show the first namespace's devices) */
		struct ifreq ifr = { .ifr_name = TAP };
		int s = socket(AF_INET, SOCK_DGRAM, 0);

		CHECK(s >= 0 && ioctl(s, SIOCGIFHWADDR, &ifr) == 0);
		memcpy(host_mac, ifr.ifr_hwaddr.sa_data, 6);
		close(s);
	}
	return 0;
}

#define PASST "/usr/bin/passt"

static pid_t passt_pid;
static char passt_sock[64];

/* passt (Debian's), one-off, IPv4, with QEMU's user-network addresses: the guest 10.0.2.15,
 * the gateway 10.0.2.2, which passt maps to the host's loopback. 0, or -77 saying why not. */
static int start_passt(void)
{
	if (access(PASST, X_OK) != 0) {
		printf("passt part not run: no %s (Debian package passt)\n", PASST);
		return -77;
	}
	snprintf(passt_sock, sizeof(passt_sock), "/tmp/mote-vnet-test-%d.sock", (int)getpid());
	unlink(passt_sock);
	passt_pid = fork();
	if (passt_pid == 0) {
		execl(PASST, "passt", "-f", "-1", "-q", "-4", "-s", passt_sock, "-a", "10.0.2.15",
		      "-n", "24", "-g", "10.0.2.2", (char *)NULL);
		_exit(127);
	}
	for (int t = 0; t < 300 && access(passt_sock, F_OK) != 0; t++)
		usleep(10000);
	if (passt_pid < 0 || access(passt_sock, F_OK) != 0) {
		printf("passt part not run: passt did not make its socket\n");
		if (passt_pid > 0)
			kill(passt_pid, SIGKILL);
		return -77;
	}
	return 0;
}

static bool is_arp_reply(const uint8_t *f, unsigned len)
{
	return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 2 &&
	       memcmp(f + 28, peer_ip, 4) == 0;
}

/* Who has the gateway? passt answers with its MAC, which the frames then go to. */
static void test_arp(void)
{
	uint8_t f[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, got[BUF], hdr0[HDR] = { 0 };
	unsigned len;

	memcpy(f + 6, guest_mac, 6);
	memcpy(f + 12, (const uint8_t[]){ 8, 6, 0, 1, 8, 0, 6, 4, 0, 1 }, 10);
	memcpy(f + 22, guest_mac, 6);
	memcpy(f + 28, guest_ip, 4);
	memcpy(f + 38, peer_ip, 4);
	send_frame(hdr0, f, sizeof(f));
	len = receive(is_arp_reply, got);
	CHECK(len >= HDR + 42);
	if (len)
		memcpy(host_mac, got + HDR + 22, 6);
}

/* UDP through passt: out to the gateway reaches the host's loopback socket; the answer comes
 * back from the gateway; a burst of 50 datagrams arrives whole and in order. */
static void test_passt_udp(int s)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	uint8_t udp
		[1008] = { guest_port >> 8, guest_port & 0xff, PORT >> 8, PORT & 0xff, 0x03, 0xf0 },
	     f[BUF], got[BUF], hdr0[HDR] = { 0 };
	char buf[1024];
	unsigned len, n = 0;
	ssize_t r = -1;

	test_udp_out(s, false);
	/* the same again, to learn where passt's socket for the flow is */
	len = frame(f, 17, udp, 16);
	f[14 + 20 + 4] = 0, f[14 + 20 + 5] = 16; /* UDP length 16 */
	send_frame(hdr0, f, len);
	for (int t = 0; t < 100 && r < 0; t++) {
		r = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (r < 0)
			usleep(10000);
	}
	CHECK(r == 8);
	CHECK(r < 0 || sendto(s, "to the guest", 12, 0, (struct sockaddr *)&from, fl) == 12);
	len = receive(is_udp_to_us, got);
	CHECK(len == HDR + 42 + 12);
	CHECK(len && memcmp(got + HDR + 26, peer_ip, 4) == 0); /* from the gateway */
	CHECK(len && memcmp(got + HDR + 42, "to the guest", 12) == 0);
	/* a burst: frames back to back in the stream (50: what the host socket's default
	 * receive buffer holds, unread) */
	for (int i = 0; i < 50; i++) {
		memset(udp + 8, 'a' + i % 26, 1000);
		len = frame(f, 17, udp, sizeof(udp));
		send_frame(hdr0, f, len);
	}
	for (int idle = 0; idle < 300 && n < 50;) { /* up to 3 s of quiet */
		r = recv(s, buf, sizeof(buf), 0);
		if (r < 0) { /* the loop finishes frames passt's socket took only in part */
			event_wait(&loop, 10);
			idle++;
			continue;
		}
		CHECK(r == 1000 && buf[999] == 'a' + (int)(n % 26));
		n++;
	}
	printf("passt: %u of 50 datagrams through\n", n);
	CHECK(n == 50);
}

/* MRG_RXBUF: a frame larger than one receive buffer comes over several, the first's header
 * saying how many (num_buffers), and the pieces make the frame again. */
static void test_merged(int s)
{
	uint8_t *small[32], whole[2048],
		udp[16] = { guest_port >> 8, guest_port & 0xff, PORT >> 8, PORT & 0xff, 0, 16 },
		f[128], hdr0[HDR] = { 0 }, big[1400];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	unsigned len, got = 0, nbuf = 0, used = 0, flen;
	char buf[64];
	ssize_t r = -1;
	int id;

	CHECK(vdrv_init(F_MAC | F_MRG_RXBUF, 2, 64) == (F_MAC | F_MRG_RXBUF | VIRTIO_F_VERSION_1));
	for (int i = 0; i < 32; i++) {
		small[i] = vdrv_alloc(512);
		CHECK(vdrv_add(Q_RX, small[i], 512, 1) == i);
	}
	vdrv_notify(Q_RX);
	flen = frame(f, 17, udp, sizeof(udp)); /* a flow, for passt to answer on */
	send_frame(hdr0, f, flen);
	for (int t = 0; t < 100 && r < 0; t++) {
		r = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (r < 0)
			event_wait(&loop, 10);
	}
	CHECK(r == 8);
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13);
	CHECK(r < 0 || sendto(s, big, sizeof(big), 0, (struct sockaddr *)&from, fl) == 1400);
	/* 12 + 14 + 20 + 8 + 1400 bytes over 512-byte buffers: 3 of them */
	for (int t = 0; t < 200 && (!nbuf || used < nbuf); t++) {
		event_wait(&loop, 10);
		while ((id = vdrv_get(Q_RX, &len)) >= 0) {
			if (!nbuf && len >= HDR && small[id][12 + 23] != 17)
				continue; /* not the datagram (ARP and the like) */
			if (!nbuf)
				nbuf = small[id][10] | small[id][11] << 8;
			CHECK(got + len <= sizeof(whole));
			if (got + len <= sizeof(whole))
				memcpy(whole + got, small[id], len);
			got += len;
			used++;
		}
	}
	printf("merged: %u bytes over %u buffers (num_buffers %u)\n", got, used, nbuf);
	CHECK(nbuf == 3 && used == 3 && got == HDR + 42 + 1400);
	CHECK(got == HDR + 42 + 1400 && memcmp(whole + HDR + 42, big, 1400) == 0);
}

/* passt goes away: the interface goes down with a warning; frames sent then are counted as
 * failed; nothing spins or crashes. */
static void test_passt_gone(void)
{
	uint8_t f[128],
		hdr0[HDR] = { 0 },
		udp[16] = { guest_port >> 8, guest_port & 0xff, PORT >> 8, PORT & 0xff, 0, 16 };
	uint64_t fails = net->stats.tx_fails;
	unsigned len;

	kill(passt_pid, SIGTERM);
	waitpid(passt_pid, NULL, 0);
	for (int t = 0; t < 10; t++)
		event_wait(&loop, 10);
	CHECK(net->be_dead);
	len = frame(f, 17, udp, sizeof(udp));
	send_frame(hdr0, f, len);
	CHECK(net->stats.tx_fails == fails + 1);
}

/* What mote does: passt on one end of a socketpair (its --fd), motevm on the other
 * ("/dev/fd/N"); a frame the guest sends before passt is up waits in the socket and is
 * answered. And a /dev/fd/N that is no socket is refused. */
static void test_passt_fd(const struct virtio_env *env)
{
	struct net_config cfg = { .iface_id = "eth2", .guest_mac = "06:00:AC:10:00:02" };
	struct net_backend *be;
	char err[256], path[32];
	int sv[2];
	pid_t pid;

	int late[2], file = open("/dev/null", O_RDONLY);

	CHECK(stream_backend_open("/dev/fd/0", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/dev/fd/0 was not open when motevm started") != NULL);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	inherit_note(); /* as motevm's start: the pair and the file were passed in */
	snprintf(path, sizeof(path), "/dev/fd/%d", file);
	CHECK(stream_backend_open(path, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "is not an open stream socket") != NULL);
	/* a socket motevm itself opened later is not the caller's to name */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, late) == 0);
	snprintf(path, sizeof(path), "/dev/fd/%d", late[1]);
	CHECK(stream_backend_open(path, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "was not open when motevm started") != NULL);
	close(late[0]);
	close(late[1]);
	close(file);
	snprintf(path, sizeof(path), "/dev/fd/%d", sv[1]);
	be = stream_backend_open(path, err, sizeof(err));
	CHECK(be != NULL);
	if (!be)
		return;
	net = virtio_net_create(env, 3, &cfg, be);
	CHECK(net != NULL);
	if (!net)
		return;
	CHECK(vdrv_init(F_MAC, 2, 64) != 0);
	post_rx(32);
	memset(host_mac, 0, sizeof(host_mac));
	pid = fork();
	if (pid == 0) {
		char fd[16];

		snprintf(fd, sizeof(fd), "%d", sv[0]);
		execl(PASST, "passt", "-f", "-1", "-q", "-4", "--fd", fd, "-a", "10.0.2.15", "-n",
		      "24", "-g", "10.0.2.2", (char *)NULL);
		_exit(127);
	}
	close(sv[0]);
	test_arp(); /* sent at once: passt takes ~35 ms to start */
	CHECK(host_mac[0] | host_mac[1] | host_mac[5]);
	virtio_net_destroy(net); /* closes our end: passt, one-off, ends */
	CHECK(pid > 0 && waitpid(pid, NULL, 0) == pid);
}

static int run_passt(const struct virtio_env *env)
{
	struct net_config cfg = { .iface_id = "eth1", .guest_mac = "06:00:AC:10:00:02" };
	struct net_backend *be;
	unsigned long long agreed;
	char err[256];
	int r = start_passt(), s;

	if (r)
		return r;
	cfg.host_socket = passt_sock;
	be = stream_backend_open(passt_sock, err, sizeof(err));
	CHECK(be != NULL);
	if (!be) {
		printf("%s\n", err);
		return -1;
	}
	net = virtio_net_create(env, 2, &cfg, be);
	CHECK(net != NULL);
	if (!net)
		return -1;
	/* no offloads over a stream: the features say so */
	agreed = vdrv_init(F_MAC | F_CSUM | F_GUEST_CSUM | VIRTIO_F_EVENT_IDX, 2, 64);
	CHECK(agreed == (F_MAC | VIRTIO_F_EVENT_IDX | VIRTIO_F_VERSION_1));
	memcpy(guest_ip, (const uint8_t[]){ 10, 0, 2, 15 }, 4);
	memcpy(peer_ip, (const uint8_t[]){ 10, 0, 2, 2 }, 4);
	guest_port = 40000;
	post_rx(32);
	test_arp();
	s = host_socket("127.0.0.1");
	test_passt_udp(s);
	test_merged(s);
	printf("passt stats: rx %llu packets, tx %llu packets, %llu fails\n",
	       (unsigned long long)net->stats.rx_packets, (unsigned long long)net->stats.tx_packets,
	       (unsigned long long)net->stats.tx_fails);
	CHECK(net->stats.tx_fails == 0);
	vdrv_init(F_MAC, 2, 64); /* back to one buffer a frame */
	post_rx(32);
	test_passt_gone();
	close(s);
	virtio_net_destroy(net);
	unlink(passt_sock);
	test_passt_fd(env);
	memcpy(guest_ip, (const uint8_t[]){ 10, 99, 0, 2 }, 4);
	memcpy(peer_ip, (const uint8_t[]){ 10, 99, 0, 1 }, 4);
	guest_port = PORT;
	return 0;
}

/* The TAP part (root only): ping, UDP both ways with offloads, back-pressure, rule breakers. */
static int run_tap(const struct virtio_env *env)
{
	struct net_config cfg = { .iface_id = "eth0",
				  .host_dev_name = TAP,
				  .guest_mac = "06:00:AC:10:00:02",
				  .mtu = 1500 };
	unsigned long long agreed;
	uint8_t cfgspace[12];
	int r = setup_netns(), s;

	if (r < 0)
		return r;
	net = virtio_net_create(env, 1, &cfg, tap);
	CHECK(net != NULL);
	if (!net)
		return -1;
	CHECK(net->dev.base == 0xd0001000 && net->dev.gsi == 6);
	for (unsigned i = 0; i < sizeof(cfgspace); i++)
		CHECK(bus_read(&mmio, net->dev.base + 0x100 + i, &cfgspace[i], 1));
	CHECK(memcmp(cfgspace, guest_mac, 6) == 0);
	CHECK((cfgspace[10] | cfgspace[11] << 8) == 1500);

	agreed = vdrv_init(F_MAC | F_MTU | F_CSUM | F_GUEST_CSUM | VIRTIO_F_EVENT_IDX, 2, 64);
	CHECK(agreed ==
	      (F_MAC | F_MTU | F_CSUM | F_GUEST_CSUM | VIRTIO_F_EVENT_IDX | VIRTIO_F_VERSION_1));
	post_rx(32);
	test_ping();
	s = host_socket("10.99.0.1");
	test_udp_out(s, false);
	test_udp_out(s, true);
	test_udp_in(s);
	test_backpressure(s);
	printf("tap stats: rx %llu packets %llu bytes, tx %llu packets, %llu fails; interrupts "
	       "%llu\n",
	       (unsigned long long)net->stats.rx_packets, (unsigned long long)net->stats.rx_bytes,
	       (unsigned long long)net->stats.tx_packets, (unsigned long long)net->stats.tx_fails,
	       (unsigned long long)net->dev.interrupts);
	CHECK(net->stats.tx_packets == 3 && net->stats.tx_fails == 0);
	test_hostile();
	close(s);
	virtio_net_destroy(net);
	return 0;
}

int main(void)
{
	struct virtio_env env = { .mem = &mem, .loop = &loop, .mmio = &mmio, .vm_fd = -1 };
	int p, t;

	CHECK(mem_create(&mem, RAM_SIZE, MEM_PAGES_4K) == 0);
	vdrv_ram = mem.host;
	vdrv_ram_size = RAM_SIZE;
	CHECK(event_init(&loop) == 0);
	bus_init(&mmio, "mmio");
	p = run_passt(&env); /* first: the TAP part moves this process into its own netns */
	t = run_tap(&env);
	event_destroy(&loop);
	mem_destroy(&mem);
	if (p == -77 && t == -77) {
		printf("SKIP: neither passt nor a TAP (root) to test with\n");
		return 77;
	}
	return check_done();
}
