/* exit.c: the exit devices (see exit.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abi/mote_abi.h"
#include "devices/bus.h"
#include "devices/legacy/exit.h"
#include "log.h"
#include "vmm.h"

struct exit_dev {
	struct vmm *vmm;
};

static uint32_t value(const uint8_t *data, unsigned len)
{
	uint32_t v = 0;

	memcpy(&v, data, len < 4 ? len : 4);
	return v;
}

static void mote_exit_write(void *dev, uint64_t off, const uint8_t *data, unsigned len)
{
	struct exit_dev *d = dev;
	uint32_t v = value(data, len);

	log_info("guest exit device: status %u", v & 0xff);
	vmm_request_stop(d->vmm, VMM_STOP_GUEST_EXIT, (int)(v & 0xff));
}

static void debug_exit_write(void *dev, uint64_t off, const uint8_t *data, unsigned len)
{
	struct exit_dev *d = dev;
	uint32_t v = value(data, len);

	log_info("guest isa-debug-exit: value %u, status %u", v, ((v << 1) | 1) & 0xff);
	vmm_request_stop(d->vmm, VMM_STOP_GUEST_EXIT, (int)(((v << 1) | 1) & 0xff));
}

static const struct bus_ops mote_exit_ops = {
	.write = mote_exit_write,
};

static const struct bus_ops debug_exit_ops = {
	.write = debug_exit_write,
};

static int exit_dev_init(struct vmm *vmm)
{
	struct exit_dev *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return -ENOMEM;
	d->vmm = vmm;
	vmm->devices.exit = d;
	r = bus_register(&vmm->pio, MOTE_EXIT_PORT, 4, "exit", &mote_exit_ops, d);
	if (!r)
		r = bus_register(&vmm->pio, MOTE_DEBUG_EXIT_PORT, 4, "isa-debug-exit",
				 &debug_exit_ops, d);
	return r;
}

static void exit_dev_exit(struct vmm *vmm)
{
	free(vmm->devices.exit);
	vmm->devices.exit = NULL;
}

const struct device_ops exit_device = {
	.name = "exit", .create = exit_dev_init, .destroy = exit_dev_exit, .metrics = NULL
};
