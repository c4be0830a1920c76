/* devices.c: the device table, explicit and ordered (see devices.h). */
#include <errno.h>
#include <stddef.h>

#include "devices/devices.h"
#include "devices/legacy/boot_timer.h"
#include "devices/legacy/console.h"
#include "devices/legacy/exit.h"
#include "devices/legacy/i8042.h"
#include "devices/legacy/serial.h"
#include "devices/virtio/net.h"
#include "devices/virtio/rng.h"
#include "devices/virtio/netbe.h"
#include "log.h"
#include "vmm.h"

static int virtio_init(struct vmm *vmm);
static void virtio_exit(struct vmm *vmm);

static const struct device_entry {
	const char *name;
	int (*init)(struct vmm *vmm);
	void (*exit)(struct vmm *vmm);
} device_table[] = {
	{ "serial", serial_init, serial_exit },		    /* COM1, ports 0x3f8-0x3ff, IRQ 4 */
	{ "i8042", i8042_init, i8042_exit },		    /* ports 0x60-0x64, IRQ 1, reset */
	{ "boot-timer", boot_timer_init, boot_timer_exit }, /* MMIO 0xc0000000, one page */
	{ "exit", exit_dev_init, exit_dev_exit },	    /* ports 0x6d70 and 0xf4 */
	{ "console", console_init, console_exit }, /* ports 0x6d74, 0x6d78 (after serial) */
	{ "virtio", virtio_init, virtio_exit },	   /* MMIO 0xd0000000 + 4K a slot, GSI 5 + slot */
};

#define NR_DEVICES (sizeof(device_table) / sizeof(device_table[0]))

int devices_init(struct vmm *vmm)
{
	for (size_t i = 0; i < NR_DEVICES; i++) {
		int r = device_table[i].init(vmm);

		if (r) {
			log_err("device %s: cannot start", device_table[i].name);
			return r;
		}
	}
	return 0;
}

void devices_exit(struct vmm *vmm)
{
	for (size_t i = NR_DEVICES; i-- > 0;)
		device_table[i].exit(vmm);
}

/* The virtio devices the configuration asks for, each in the next transport slot. */
static int virtio_init(struct vmm *vmm)
{
	const struct vm_config *cfg = vmm->cfg;
	struct devices *devs = &vmm->devices;
	struct virtio_env env = {
		.mem = &vmm->mem, .loop = &vmm->loop, .mmio = &vmm->mmio, .vm_fd = vmm->vm.vm_fd
	};
	unsigned slot = 0;

	for (unsigned i = 0; i < cfg->nr_nets; i++) {
		const struct net_config *n = &cfg->nets[i];
		struct net_backend *be;
		char err[256];

		if (devs->nr_nets == DEVICES_NET_MAX) {
			log_err("network-interfaces: more than %d", DEVICES_NET_MAX);
			return -ENOSPC;
		}
		be = n->host_socket ? stream_backend_open(n->host_socket, err, sizeof(err))
				    : tap_backend_open(n->host_dev_name, err, sizeof(err));
		if (!be) {
			log_err("network-interfaces %s: %s", n->iface_id, err);
			return -EINVAL;
		}
		if (n->rx_rate_limiter.present || n->tx_rate_limiter.present)
			log_warn("network-interfaces %s: rate limiters are not enforced yet",
				 n->iface_id);
		devs->nets[devs->nr_nets] = virtio_net_create(&env, slot++, n, be);
		if (!devs->nets[devs->nr_nets])
			return -EIO;
		devs->nr_nets++;
	}
	if (cfg->entropy.present) {
		if (cfg->entropy.rate_limiter.present)
			log_warn("entropy: its rate limiter is not enforced yet");
		devs->rng = virtio_rng_create(&env, slot++);
		if (!devs->rng)
			return -EIO;
	}
	return 0;
}

static void virtio_exit(struct vmm *vmm)
{
	struct devices *devs = &vmm->devices;

	virtio_rng_destroy(devs->rng);
	devs->rng = NULL;
	for (unsigned i = 0; i < devs->nr_nets; i++)
		virtio_net_destroy(devs->nets[i]);
	devs->nr_nets = 0;
}

int devices_cmdline(const struct devices *devs, char *buf, size_t size)
{
	int r = 0;

	for (unsigned i = 0; i < devs->nr_nets && !r; i++)
		r = virtio_cmdline(&devs->nets[i]->dev, buf, size);
	if (devs->rng && !r)
		r = virtio_cmdline(&devs->rng->dev, buf, size);
	return r;
}
