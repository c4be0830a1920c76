/* vmm_virtio_test.c: motevm's virtio-mmio transport, split virtqueues and entropy device
 * (vmm/devices/virtio/) driven by the kernel's own virtqueue code (tests/unit/virtio_driver.c)
 * through the device's registers, with guest RAM and the event loop as motevm has them but no
 * KVM: the tests notice notifications and interrupts on the devices' eventfds. Then hostile
 * drivers: every way of breaking the rings must leave the device broken (NEEDS_RESET), the
 * test process alive, and nothing touched outside guest RAM (run under ASan with make SAN=1). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "devices/bus.h"
#include "devices/virtio/rng.h"
#include "event.h"
#include "kvm/memory.h"
#include "virtio_driver.h"

#define RAM_SIZE (64ull << 20)
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_QUEUE_NUM_MAX 0x034
#define R_INTERRUPT_STATUS 0x060
#define R_INTERRUPT_ACK 0x064
#define R_STATUS 0x070
#define R_CONFIG_GENERATION 0x0fc

unsigned char *vdrv_ram;
unsigned long vdrv_ram_size;
static struct guest_mem mem;
static struct event_loop loop;
static struct bus mmio;
static struct virtio_rng *rng;

unsigned vdrv_reg_read(unsigned long off)
{
	unsigned v;

	CHECK(bus_read(&mmio, rng->dev.base + off, (uint8_t *)&v, 4));
	return v;
}

void vdrv_reg_write(unsigned long off, unsigned v)
{
	CHECK(bus_write(&mmio, rng->dev.base + off, (const uint8_t *)&v, 4));
}

/* Interrupts raised since the last look (the irqfd's counter). */
static uint64_t interrupts(void)
{
	uint64_t n = 0;

	if (read(rng->dev.irq_fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

/* Runs what the notifications woke (the event loop's turn). */
static void run_loop(void)
{
	CHECK(event_wait(&loop, 0) == 0);
}

static void test_registers(void)
{
	CHECK(vdrv_reg_read(R_MAGIC) == 0x74726976);
	CHECK(vdrv_reg_read(R_VERSION) == 2);
	CHECK(vdrv_reg_read(R_DEVICE_ID) == 4);
	CHECK(vdrv_reg_read(R_QUEUE_NUM_MAX) == VQ_SIZE_MAX);
	CHECK(vdrv_reg_read(R_CONFIG_GENERATION) == 0);
	/* a feature the device did not offer: FEATURES_OK does not stick */
	vdrv_force_features = VIRTIO_F_VERSION_1 | (1ull << 40);
	CHECK(vdrv_init(0, 1, 8) == 0);
	vdrv_force_features = 0;
	CHECK(!(vdrv_reg_read(R_STATUS) & VIRTIO_S_DRIVER_OK));
	CHECK(!rng->dev.active);
	vdrv_reg_write(R_STATUS, 0);
	CHECK(vdrv_reg_read(R_STATUS) == 0);
}

/* Entropy: every buffer comes back full, with random bytes, and the driver is interrupted. */
static void test_rng(unsigned long long features)
{
	unsigned char *buf[3];
	unsigned len, got = 0, zeros = 0;
	int id;

	CHECK(vdrv_init(features, 1, 8) == (features | VIRTIO_F_VERSION_1));
	CHECK(rng->dev.active);
	interrupts();
	for (int i = 0; i < 3; i++) {
		buf[i] = vdrv_alloc(64);
		CHECK(vdrv_add(0, buf[i], 64, 1) == i);
	}
	vdrv_notify(0);
	run_loop();
	while ((id = vdrv_get(0, &len)) >= 0) {
		CHECK(id == (int)got);
		CHECK(len == 64);
		got++;
	}
	CHECK(got == 3);
	for (int i = 0; i < 64; i++)
		zeros += buf[2][i] == 0;
	CHECK(zeros < 8);
	CHECK(interrupts() >= 1);
	CHECK(vdrv_reg_read(R_INTERRUPT_STATUS) & VIRTIO_INT_USED);
	vdrv_reg_write(R_INTERRUPT_ACK, VIRTIO_INT_USED);
	CHECK(!(vdrv_reg_read(R_INTERRUPT_STATUS) & VIRTIO_INT_USED));
	if (features & VIRTIO_F_EVENT_IDX) {
		/* the device asks to be notified of the next buffer, and the driver can hold
		 * the interrupt off: used_event 5 means "not before the sixth buffer" */
		CHECK(vdrv_avail_event(0) == 3);
		vdrv_set_used_event(0, 5);
		CHECK(vdrv_add(0, buf[0], 16, 1) >= 0);
		vdrv_notify(0);
		run_loop();
		CHECK(interrupts() == 0);
		CHECK(vdrv_add(0, buf[1], 16, 1) >= 0);
		CHECK(vdrv_add(0, buf[2], 16, 1) >= 0);
		vdrv_notify(0);
		run_loop();
		CHECK(interrupts() == 1);
		while (vdrv_get(0, &len) >= 0)
			got++;
		CHECK(got == 6);
	}
}

/* After the driver broke a rule: the device stopped, asked for a reset, and works after one. */
static void expect_broken(const char *what)
{
	unsigned st = vdrv_reg_read(R_STATUS);

	printf("hostile: %s -> status %#x\n", what, st);
	CHECK(rng->dev.broken);
	CHECK(st & VIRTIO_S_NEEDS_RESET);
	CHECK(vdrv_reg_read(R_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG);
	vdrv_reg_write(R_STATUS, 0);
	CHECK(!rng->dev.broken && vdrv_reg_read(R_STATUS) == 0);
}

static void hostile_chain(const char *what, unsigned long long a0, unsigned l0, unsigned short f0,
			  unsigned short n0, unsigned short head, unsigned short step)
{
	unsigned char *buf = vdrv_alloc(64);
	unsigned len;

	CHECK(vdrv_init(0, 1, 8) != 0);
	vdrv_raw_desc(0, 0, a0 ? a0 : vdrv_pa(buf), l0, f0, n0);
	vdrv_raw_desc(0, 1, vdrv_pa(buf), 64, 2 /* WRITE */, 0);
	vdrv_raw_desc(0, 2, vdrv_pa(buf), 8, 0, 0);
	vdrv_raw_avail(0, head, step);
	vdrv_notify(0);
	run_loop();
	CHECK(vdrv_get(0, &len) < 0); /* nothing came back */
	expect_broken(what);
}

static void test_hostile(void)
{
	/* a loop: 0 -> 0 -> ... */
	hostile_chain("descriptor loop", 0, 64, 1 | 2, 0, 0, 1);
	/* a buffer beyond RAM, one straddling its end, one in the MMIO hole */
	hostile_chain("buffer beyond RAM", 0x7fff00000000ull, 64, 2, 0, 0, 1);
	hostile_chain("buffer across RAM's end", RAM_SIZE - 8, 64, 2, 0, 0, 1);
	hostile_chain("buffer in the MMIO hole", 0xd0000000ull, 64, 2, 0, 0, 1);
	hostile_chain("huge length", 0, 0xffffffffu, 2, 0, 0, 1);
	/* indexes */
	hostile_chain("head out of range", 0, 64, 2, 0, 200, 1);
	hostile_chain("next out of range", 0, 64, 1 | 2, 300, 0, 1);
	hostile_chain("available index a ring ahead", 0, 64, 2, 0, 0, 1000);
	/* flags */
	hostile_chain("indirect descriptor", 0, 64, 4, 0, 0, 1);
	hostile_chain("readable after writable", 0, 64, 1 | 2, 2, 0, 1);
	/* rings the device must refuse at DRIVER_OK */
	vdrv_bad_desc_gpa = RAM_SIZE - 16;
	vdrv_init(0, 1, 8);
	vdrv_bad_desc_gpa = 0;
	expect_broken("descriptor table past RAM's end");
	vdrv_bad_desc_gpa = 0x100008; /* misaligned */
	vdrv_init(0, 1, 8);
	vdrv_bad_desc_gpa = 0;
	expect_broken("misaligned descriptor table");
	vdrv_bad_qsize = 6;
	vdrv_init(0, 1, 8);
	vdrv_bad_qsize = 0;
	expect_broken("queue size not a power of 2");
	/* registers nobody may use: wrong widths, a notification of a queue that is not there */
	{
		uint8_t b = 0xff;
		uint64_t q = 0;

		CHECK(bus_write(&mmio, rng->dev.base + R_STATUS, &b, 1));
		CHECK(bus_read(&mmio, rng->dev.base + 0x200, (uint8_t *)&q, 8));
		CHECK(q == 0);
		vdrv_reg_write(0x050, 7);
		run_loop();
	}
	/* and it still works */
	test_rng(0);
}

int main(void)
{
	struct virtio_env env = { .mem = &mem, .loop = &loop, .mmio = &mmio, .vm_fd = -1 };

	CHECK(mem_create(&mem, RAM_SIZE, MEM_PAGES_4K) == 0);
	vdrv_ram = mem.host;
	vdrv_ram_size = RAM_SIZE;
	CHECK(event_init(&loop) == 0);
	bus_init(&mmio, "mmio");
	rng = virtio_rng_create(&env, 0);
	CHECK(rng != NULL);
	if (!rng)
		return check_done();
	{
		char cmdline[128] = "console=ttyS0";

		CHECK(virtio_cmdline(&rng->dev, cmdline, sizeof(cmdline)) == 0);
		CHECK(strcmp(cmdline, "console=ttyS0 virtio_mmio.device=4K@0xd0000000:5") == 0);
	}
	test_registers();
	test_rng(0);
	test_rng(VIRTIO_F_EVENT_IDX);
	CHECK(rng->stats.bytes >= 6 * 64);
	test_hostile();
	virtio_rng_destroy(rng);
	event_destroy(&loop);
	mem_destroy(&mem);
	return check_done();
}
