/* i8042.h: the PS/2 controller, minimal: enough for Linux's probe and the guest's reset. */
#ifndef MOTE_VMM_DEVICES_LEGACY_I8042_H
#define MOTE_VMM_DEVICES_LEGACY_I8042_H

#include <stdint.h>

#include "devices/devices.h"

struct vmm;
struct i8042;

struct i8042_stats {
	uint64_t reset_count; /* CPU reset requests (command 0xfe) */
	uint64_t read_count;
	uint64_t write_count;
};

/*
 * Registers ports 0x60-0x64 (IRQ 1). Command 0xfe on port 0x64 (pulse the CPU reset line)
 * stops the VM cleanly (MOTE_STATUS_GUEST_RESET), as Firecracker does. (Its create: 0 or -errno.)
 */
extern const struct device_ops i8042_device;
/*
 * Types Ctrl-Alt-Del on the keyboard (scan code set 2: 0x14, 0x11, 0xe0 0x71) and raises
 * IRQ 1, as Firecracker's SendCtrlAltDel does. 0, -ENOSPC if the output buffer lacks room,
 * -EPERM if the guest disabled the keyboard interrupt.
 */
int i8042_send_ctrl_alt_del(struct i8042 *d);
struct i8042_stats i8042_get_stats(struct i8042 *d);

#endif /* MOTE_VMM_DEVICES_LEGACY_I8042_H */
