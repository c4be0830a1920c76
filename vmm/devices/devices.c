/* devices.c: the device table, explicit and ordered (see devices.h). */
#include <stddef.h>

#include "devices/devices.h"
#include "devices/legacy/boot_timer.h"
#include "devices/legacy/console.h"
#include "devices/legacy/exit.h"
#include "devices/legacy/i8042.h"
#include "devices/legacy/serial.h"
#include "devices/virtio/virtio_devices.h"
#include "log.h"

static const struct device_ops *const device_table[] = {
	&serial_device,	    /* COM1, ports 0x3f8-0x3ff, IRQ 4 */
	&i8042_device,	    /* ports 0x60-0x64, IRQ 1, reset */
	&boot_timer_device, /* MMIO 0xc0000000, one page */
	&exit_device,	    /* ports 0x6d70 and 0xf4 */
	&console_device,    /* ports 0x6d74, 0x6d78 (after serial) */
	&virtio_devices,    /* MMIO 0xd0000000 + 4K a slot, GSI 5 + slot */
};

#define NR_DEVICES (sizeof(device_table) / sizeof(device_table[0]))

int devices_init(struct vmm *vmm)
{
	for (size_t i = 0; i < NR_DEVICES; i++) {
		int r = device_table[i]->create(vmm);

		if (r) {
			log_err("device %s: cannot start", device_table[i]->name);
			return r;
		}
	}
	return 0;
}

void devices_exit(struct vmm *vmm)
{
	for (size_t i = NR_DEVICES; i-- > 0;)
		device_table[i]->destroy(vmm);
}

void devices_metrics(const struct vmm *vmm, struct json_t *root)
{
	for (size_t i = 0; i < NR_DEVICES; i++)
		if (device_table[i]->metrics)
			device_table[i]->metrics(vmm, root);
}
