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
struct virtio_net;
struct virtio_rng;

#define DEVICES_NET_MAX 16

/* Each device's state, set by its <dev>_init. */
struct devices {
	struct serial *serial;
	struct i8042 *i8042;
	struct boot_timer *boot_timer;
	struct exit_dev *exit;
	struct console *console;
	/* virtio-mmio devices, in transport-slot order: network interfaces, then entropy */
	struct virtio_net *nets[DEVICES_NET_MAX];
	unsigned nr_nets;
	struct virtio_rng *rng;
};

/* Starts every device of the table in order. 0, or -errno after logging (then call
 * devices_exit). */
int devices_init(struct vmm *vmm);
/* Stops them in reverse order; safe after a partial devices_init. */
void devices_exit(struct vmm *vmm);
/* Appends the virtio devices' "virtio_mmio.device=" entries to the command line in BUF.
 * 0, or -ENOSPC. */
int devices_cmdline(const struct devices *devs, char *buf, size_t size);

#endif /* MOTE_VMM_DEVICES_DEVICES_H */
