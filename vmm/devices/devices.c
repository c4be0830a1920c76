/* devices.c: the device table, explicit and ordered (see devices.h). */
#include <stddef.h>

#include "devices/devices.h"
#include "devices/legacy/boot_timer.h"
#include "devices/legacy/console.h"
#include "devices/legacy/exit.h"
#include "devices/legacy/i8042.h"
#include "devices/legacy/serial.h"
#include "log.h"

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
