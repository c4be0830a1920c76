/* devices.h: the VM's device table: which devices exist, in which order they start. */
#ifndef MOTE_VMM_DEVICES_DEVICES_H
#define MOTE_VMM_DEVICES_DEVICES_H

#include <stddef.h>

struct vmm;
struct serial;
struct i8042;
struct boot_timer;
struct exit_dev;
struct console;
struct virtio_blk;
struct virtio_net;
struct virtio_rng;
struct virtio_console;

#define DEVICES_NET_MAX 16
#define DEVICES_BLK_MAX 16

/* Each device's state, set by its <dev>_init. */
struct devices {
	struct serial *serial;
	struct i8042 *i8042;
	struct boot_timer *boot_timer;
	struct exit_dev *exit;
	struct console *console;
	/* virtio-mmio devices, in transport-slot order: drives (the root one first), network
	 * interfaces, entropy, then the console */
	struct virtio_blk *blks[DEVICES_BLK_MAX];
	unsigned nr_blks;
	struct virtio_net *nets[DEVICES_NET_MAX];
	unsigned nr_nets;
	struct virtio_rng *rng;
	struct virtio_console *vconsole; /* --virtio-console, after entropy */
};

struct json_t;

/* One kind of device, as the table in devices.c lists them: adding one is its own file and a
 * line there. */
struct device_ops {
	const char *name;
	/* Builds the device(s) from the VM's configuration. 0, or -errno after logging
	 * (-EINVAL: the configuration names something unusable). */
	int (*create)(struct vmm *vmm);
	/* Frees them; safe after a failed or partial create. */
	void (*destroy)(struct vmm *vmm);
	/* Adds its metrics groups to ROOT, counters since the previous call (Firecracker's
	 * names). VMM is NULL before the VM exists: zeros then. NULL: no metrics. */
	void (*metrics)(const struct vmm *vmm, struct json_t *root);
};

/* Starts every device of the table in order. 0, or -errno after logging (then call
 * devices_exit). */
int devices_init(struct vmm *vmm);
/* Stops them in reverse order; safe after a partial devices_init. */
void devices_exit(struct vmm *vmm);
/* Every device's metrics into ROOT (metrics.c's line). */
void devices_metrics(const struct vmm *vmm, struct json_t *root);

#endif /* MOTE_VMM_DEVICES_DEVICES_H */
