/* vmm_virtio_blk_test.c: motevm's virtio-blk device (vmm/devices/virtio/blk.c) on a real file,
 * driven through its registers by the test driver (the kernel's own virtqueue code, see
 * virtio_driver.h), without KVM. The file on the host is the second party: what the guest
 * writes must be there byte for byte, what is there must come back. Then requests that break
 * the rules: past the end, not whole sectors, writes to a read-only drive, a short header,
 * unknown types (each an error status, the file untouched), and one with no status byte (the
 * device stops). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config/config.h"
#include "devices/bus.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/blk_uring.h"
#include "event.h"
#include "kvm/memory.h"
#include "virtio_driver.h"

#define RAM_SIZE (64ull << 20)
#define DISK_SECTORS 4096 /* 2 MiB */
#define DISCARD_PAST (DISK_SECTORS - 4)
#define F_SEG_MAX (1ull << 2)
#define F_RO (1ull << 5)
#define F_FLUSH (1ull << 9)
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define T_DISCARD 11
#define T_WRITE_ZEROES 13
#define F_DISCARD (1ull << 13)
#define F_WRITE_ZEROES (1ull << 14)

unsigned char *vdrv_ram;
unsigned long vdrv_ram_size;
static struct guest_mem mem;
static struct event_loop loop;
static struct bus mmio;
static struct virtio_blk *blk;
static char disk[64];
static enum io_engine engine; /* the suite runs with each */

unsigned vdrv_reg_read(unsigned long off)
{
	unsigned v = 0;

	CHECK(bus_read(&mmio, blk->dev.base + off, (uint8_t *)&v, 4));
	return v;
}

void vdrv_reg_write(unsigned long off, unsigned v)
{
	CHECK(bus_write(&mmio, blk->dev.base + off, (const uint8_t *)&v, 4));
}

/* Turns the event loop until the device gives a buffer back (the Async engine answers from
 * io_uring's completions: a few turns; at most 2 s). True and its *LEN, or false. */
static bool wait_used(unsigned *len)
{
	for (int i = 0; i < 200; i++) {
		CHECK(event_wait(&loop, i ? 10 : 0) == 0);
		if (vdrv_get(0, len) >= 0)
			return true;
	}
	return false;
}

struct hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

/*
 * One request as a driver makes it: header, DATA of LEN bytes (device-writable for reads),
 * status; FRAGS > 1 splits the data over that many descriptors. Its status (0xff: nothing came
 * back), and *USED the length the device reported.
 */
static unsigned req(uint32_t type, uint64_t sector, void *data, unsigned len, int frags,
		    unsigned *used)
{
	struct hdr *h = vdrv_alloc(sizeof(*h));
	uint8_t *st = vdrv_alloc(1);
	bool in = type == T_IN || type == T_GET_ID;
	unsigned l;

	*h = (struct hdr){ .type = type, .sector = sector };
	*st = 0xff;
	CHECK(vdrv_chain_begin(0) == 0);
	vdrv_chain(h, sizeof(*h), 0);
	for (int i = 0; i < frags && len; i++) {
		unsigned part = i == frags - 1 ? len - len / frags * (frags - 1) : len / frags;

		vdrv_chain((uint8_t *)data + len / frags * i, part, in);
	}
	vdrv_chain(st, 1, 1);
	CHECK(vdrv_chain_end() >= 0);
	vdrv_notify(0);
	*used = 0;
	if (!wait_used(&l))
		return 0xff;
	*used = l;
	return *st;
}

static void file_bytes(uint64_t off, void *buf, size_t n)
{
	int fd = open(disk, O_RDONLY);

	CHECK(fd >= 0 && pread(fd, buf, n, (off_t)off) == (ssize_t)n);
	close(fd);
}

static void test_rw(void)
{
	unsigned len = 1 << 20, used;
	uint8_t *w = vdrv_alloc(len), *r = vdrv_alloc(len), *host = malloc(len),
		*id = vdrv_alloc(20);

	for (unsigned i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 7 + i / 4096);
	/* 1 MiB at sector 100 over 64 descriptors: on the host byte for byte */
	CHECK(req(T_OUT, 100, w, len, 64, &used) == 0 && used == 1);
	file_bytes(100 * 512, host, len);
	CHECK(memcmp(host, w, len) == 0);
	/* read back over 3 descriptors, and one sector at the end of the disk */
	CHECK(req(T_IN, 100, r, len, 3, &used) == 0 && used == len + 1);
	CHECK(memcmp(r, w, len) == 0);
	CHECK(req(T_OUT, DISK_SECTORS - 1, w, 512, 1, &used) == 0);
	CHECK(req(T_IN, DISK_SECTORS - 1, r, 512, 1, &used) == 0 && memcmp(r, w, 512) == 0);
	/* the host's bytes come back too */
	CHECK(req(T_IN, 0, r, 4096, 2, &used) == 0);
	file_bytes(0, host, 4096);
	CHECK(memcmp(r, host, 4096) == 0 && memcmp(host, "MOTEDISK", 8) == 0);
	/* flush (Writeback) and the drive's ID */
	CHECK(req(T_FLUSH, 0, NULL, 0, 0, &used) == 0 && used == 1);
	CHECK(blk->stats.flush_count == 1);
	memset(id, 0xee, 20);
	CHECK(req(T_GET_ID, 0, id, 20, 1, &used) == 0 && used == 21);
	CHECK(memcmp(id, "scratch", 8) == 0 && id[19] == 0);
	free(host);
}

struct range {
	uint64_t sector;
	uint32_t count, flags;
};

/* A discard or write-zeroes request with its segments (readable data). */
static unsigned ranges(uint32_t type, const struct range *r, int n)
{
	struct range *seg = vdrv_alloc(sizeof(*seg) * (unsigned)n);
	unsigned used;

	memcpy(seg, r, sizeof(*seg) * (unsigned)n);
	return req(type, 0, seg, sizeof(*seg) * (unsigned)n, 1, &used);
}

/* Write-zeroes (plain and unmapping) and discard: zeros on the host where asked, the bytes
 * around untouched; segments past the end, with flags a discard has none of, or two at once
 * (max_*_seg is 1) are I/O errors. */
static void test_ranges(void)
{
	uint8_t *buf = vdrv_alloc(32768), host[32768], zero[4096] = { 0 };
	unsigned long long f = vdrv_init(F_SEG_MAX | F_DISCARD | F_WRITE_ZEROES | F_FLUSH, 1, 64);
	unsigned used;

	CHECK(f == (F_SEG_MAX | F_DISCARD | F_WRITE_ZEROES | F_FLUSH | VIRTIO_F_VERSION_1));
	memset(buf, 0x5a, 32768);
	CHECK(req(T_OUT, 200, buf, 32768, 4, &used) == 0);
	CHECK(ranges(T_WRITE_ZEROES, &(struct range){ 208, 8, 0 }, 1) == 0);
	CHECK(ranges(T_WRITE_ZEROES, &(struct range){ 216, 8, 1 }, 1) == 0); /* may unmap */
	CHECK(ranges(T_DISCARD, &(struct range){ 224, 8, 0 }, 1) == 0);
	file_bytes(200 * 512, host, sizeof(host));
	CHECK(host[0] == 0x5a && host[8 * 512 - 1] == 0x5a);  /* 200..207 kept */
	CHECK(memcmp(host + 8 * 512, zero, 4096) == 0);	      /* 208..215 zero */
	CHECK(memcmp(host + 16 * 512, zero, 4096) == 0);      /* 216..223 zero */
	CHECK(host[32 * 512] == 0x5a && host[32767] == 0x5a); /* 232..263 kept */
	CHECK(ranges(T_DISCARD, &(struct range){ DISCARD_PAST, 8, 0 }, 1) == 1);
	CHECK(ranges(T_WRITE_ZEROES, &(struct range){ 0, 8, 2 }, 1) == 1); /* unknown flag */
	CHECK(ranges(T_DISCARD, &(struct range){ 0, 8, 1 }, 1) == 1);	   /* unmap on discard */
	CHECK(ranges(T_DISCARD, (struct range[]){ { 0, 8, 0 }, { 16, 8, 0 } }, 2) == 1);
	file_bytes(200 * 512, host, 512);
	CHECK(host[0] == 0x5a);
}

/* PATCH /drives/{id} path_on_host: another file, its capacity, the driver told; a file that
 * cannot be opened changes nothing. */
static void test_set_file(void)
{
	char other[80], err[256];
	uint8_t *buf = vdrv_alloc(512), cfg[8];
	unsigned gen = vdrv_reg_read(0x0fc), used;
	int fd;

	snprintf(other, sizeof(other), "%s.other", disk);
	fd = open(other, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 8192 * 512) == 0 && pwrite(fd, "OTHERDSK", 8, 0) == 8);
	close(fd);
	vdrv_reg_write(0x064, 3); /* interrupts acknowledged */
	CHECK(virtio_blk_set_file(blk, other, err, sizeof(err)) == 0);
	for (unsigned i = 0; i < sizeof(cfg); i++)
		CHECK(bus_read(&mmio, blk->dev.base + 0x100 + i, &cfg[i], 1));
	CHECK(*(uint64_t *)cfg == 8192);
	CHECK(vdrv_reg_read(0x0fc) == gen + 1);
	CHECK(vdrv_reg_read(0x060) & 2); /* a configuration change */
	CHECK(req(T_IN, 0, buf, 512, 1, &used) == 0 && memcmp(buf, "OTHERDSK", 8) == 0);
	CHECK(virtio_blk_set_file(blk, "/nonexistent/x", err, sizeof(err)) == -1);
	CHECK(strstr(err, "No such file or directory") != NULL);
	CHECK(req(T_IN, 0, buf, 512, 1, &used) == 0 && memcmp(buf, "OTHERDSK", 8) == 0);
	CHECK(virtio_blk_set_file(blk, disk, err, sizeof(err)) == 0); /* back, for what follows */
	CHECK(req(T_IN, 0, buf, 512, 1, &used) == 0 && memcmp(buf, "MOTEDISK", 8) == 0);
	unlink(other);
}

/* Broken requests: an error status each, the file untouched, the device still working. */
static void test_bad_requests(void)
{
	uint8_t *buf = vdrv_alloc(8192), before[1024], after[1024];
	unsigned used;

	file_bytes(0, before, sizeof(before));
	memset(buf, 0x5a, 8192);
	CHECK(req(T_OUT, DISK_SECTORS, buf, 512, 1, &used) == 1);      /* past the end */
	CHECK(req(T_OUT, DISK_SECTORS - 1, buf, 1024, 1, &used) == 1); /* across it */
	CHECK(req(T_OUT, ~0ull - 1, buf, 1024, 1, &used) == 1);	       /* wrapping */
	CHECK(req(T_OUT, 0, buf, 100, 1, &used) == 1);		       /* not whole sectors */
	CHECK(req(T_IN, DISK_SECTORS + 5, buf, 512, 1, &used) == 1);   /* reading past it */
	CHECK(req(99, 0, buf, 512, 1, &used) == 2);		       /* unknown: UNSUPP */
	file_bytes(0, after, sizeof(after));
	CHECK(memcmp(before, after, sizeof(after)) == 0);
	CHECK(blk->stats.invalid_reqs >= 6 && !blk->dev.broken);
	/* a header too short: an I/O error */
	{
		uint8_t *h = vdrv_alloc(8), *st = vdrv_alloc(1);

		*st = 0xff;
		CHECK(vdrv_chain_begin(0) == 0);
		vdrv_chain(h, 8, 0);
		vdrv_chain(st, 1, 1);
		CHECK(vdrv_chain_end() >= 0);
		vdrv_notify(0);
		CHECK(wait_used(&used) && *st == 1);
	}
	/* no writable byte for the status: the device stops */
	{
		struct hdr *h = vdrv_alloc(sizeof(*h));

		CHECK(vdrv_add(0, h, sizeof(*h), 0) >= 0);
		vdrv_notify(0);
		event_wait(&loop, 0);
		CHECK(blk->dev.broken);
		vdrv_reg_write(0x070, 0);
	}
}

/* Many requests, one notification, one interrupt at most. */
static void test_batch(void)
{
	uint8_t *buf = vdrv_alloc(32 * 512);
	uint64_t irq0 = blk->dev.interrupts;
	unsigned l, got = 0;

	vdrv_set_used_event(0, vdrv_last_used(0)); /* EVENT_IDX: an interrupt at the next */
	for (int i = 0; i < 32; i++) {
		struct hdr *h = vdrv_alloc(sizeof(*h));
		uint8_t *st = vdrv_alloc(1);

		*h = (struct hdr){ .type = T_IN, .sector = (uint64_t)i * 8 };
		CHECK(vdrv_chain_begin(0) == 0);
		vdrv_chain(h, sizeof(*h), 0);
		vdrv_chain(buf + i * 512, 512, 1);
		vdrv_chain(st, 1, 1);
		CHECK(vdrv_chain_end() >= 0);
	}
	vdrv_notify(0);
	while (got < 32 && wait_used(&l))
		got++;
	CHECK(got == 32);
	CHECK(blk->dev.interrupts - irq0 == 1);
}

/* The drive in transport slot SLOT (the bus keeps a slot once used). */
static struct virtio_blk *make(const struct virtio_env *env, unsigned slot, bool ro,
			       enum cache_type cache)
{
	struct drive_config cfg = {
		.drive_id = "scratch",
		.path_on_host = disk,
		.is_read_only = ro,
		.cache_type = cache,
		.io_engine = engine,
	};
	bool bad;
	struct virtio_blk *b = virtio_blk_create(env, slot, &cfg, &bad);

	CHECK(b != NULL);
	return b;
}

/* Every test on a drive with engine E, in transport slots SLOT and SLOT + 1. */
static void suite(const struct virtio_env *env, enum io_engine e, unsigned slot)
{
	unsigned long long f;
	uint8_t cfg[16];
	unsigned used;

	engine = e;
	blk = make(env, slot, false, CACHE_WRITEBACK);
	if (!blk)
		return;
	for (unsigned i = 0; i < sizeof(cfg); i++)
		CHECK(bus_read(&mmio, blk->dev.base + 0x100 + i, &cfg[i], 1));
	CHECK(*(uint64_t *)cfg == DISK_SECTORS && *(uint32_t *)(cfg + 12) == 254);
	f = vdrv_init(F_FLUSH | F_SEG_MAX | F_RO | VIRTIO_F_EVENT_IDX, 1, 128);
	CHECK(f == (F_FLUSH | F_SEG_MAX | VIRTIO_F_EVENT_IDX | VIRTIO_F_VERSION_1));
	test_rw();
	test_batch();
	test_ranges();
	test_set_file();
	test_bad_requests();
	printf("block (%s): %llu reads, %llu writes, %llu bytes written, %llu invalid\n",
	       e == IO_ENGINE_ASYNC ? "Async" : "Sync", (unsigned long long)blk->stats.read_count,
	       (unsigned long long)blk->stats.write_count,
	       (unsigned long long)blk->stats.write_bytes,
	       (unsigned long long)blk->stats.invalid_reqs);
	virtio_blk_destroy(blk);

	/* read-only, Unsafe: RO offered, FLUSH not; a write is an I/O error, the file untouched */
	blk = make(env, slot + 1, true, CACHE_UNSAFE);
	if (blk) {
		uint8_t *buf = vdrv_alloc(512), before[512], after[512];

		f = vdrv_init(F_FLUSH | F_SEG_MAX | F_RO, 1, 16);
		CHECK(f == (F_SEG_MAX | F_RO | VIRTIO_F_VERSION_1));
		file_bytes(0, before, 512);
		memset(buf, 0x77, 512);
		CHECK(req(T_OUT, 0, buf, 512, 1, &used) == 1);
		CHECK(req(T_FLUSH, 0, NULL, 0, 0, &used) == 2); /* not offered: UNSUPP */
		CHECK(ranges(T_DISCARD, &(struct range){ 0, 1, 0 }, 1) == 2);
		file_bytes(0, after, 512);
		CHECK(memcmp(before, after, 512) == 0);
		CHECK(req(T_IN, 0, buf, 512, 1, &used) == 0 && memcmp(buf, before, 512) == 0);
		virtio_blk_destroy(blk);
	}
}

int main(void)
{
	struct virtio_env env = { .mem = &mem, .loop = &loop, .mmio = &mmio, .vm_fd = -1 };
	struct drive_config missing = { .drive_id = "gone", .path_on_host = "/nonexistent/disk" };
	bool bad;
	int fd;

	snprintf(disk, sizeof(disk), "/tmp/mote-blk-test-%d.img", (int)getpid());
	fd = open(disk, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, DISK_SECTORS * 512) == 0 &&
	      pwrite(fd, "MOTEDISK", 8, 0) == 8);
	close(fd);
	CHECK(mem_create(&mem, RAM_SIZE, MEM_PAGES_4K) == 0);
	vdrv_ram = mem.host;
	vdrv_ram_size = RAM_SIZE;
	CHECK(event_init(&loop) == 0);
	bus_init(&mmio, "mmio");

	CHECK(virtio_blk_create(&env, 0, &missing, &bad) == NULL && bad);
	suite(&env, IO_ENGINE_SYNC, 0);
	if (blk_uring_available())
		suite(&env, IO_ENGINE_ASYNC, 2);
	else
		printf("# Async not tried: this kernel gives no io_uring\n");
	unlink(disk);
	event_destroy(&loop);
	mem_destroy(&mem);
	return check_done();
}
