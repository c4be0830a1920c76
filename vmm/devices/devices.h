/* devices.h: the VM's device table: which devices exist, in which order they start. */
#ifndef MOTE_VMM_DEVICES_DEVICES_H
#define MOTE_VMM_DEVICES_DEVICES_H

struct vmm;
struct serial;
struct i8042;
struct boot_timer;
struct exit_dev;
struct console;

/* Each device's state, set by its <dev>_init. */
struct devices {
	struct serial *serial;
	struct i8042 *i8042;
	struct boot_timer *boot_timer;
	struct exit_dev *exit;
	struct console *console;
};

/* Starts every device of the table in order. 0, or -errno after logging (then call
 * devices_exit). */
int devices_init(struct vmm *vmm);
/* Stops them in reverse order; safe after a partial devices_init. */
void devices_exit(struct vmm *vmm);

#endif /* MOTE_VMM_DEVICES_DEVICES_H */
