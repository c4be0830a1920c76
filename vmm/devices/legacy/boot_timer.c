/* boot_timer.c: Firecracker's boot-timer device (see boot_timer.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abi/mote_abi.h"
#include "arch/x86_64/layout.h"
#include "devices/bus.h"
#include "devices/legacy/boot_timer.h"
#include "log.h"
#include "vmm.h"

struct boot_timer {
	struct vmm *vmm;
	bool enabled;
};

static void boot_timer_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	memset(data, 0, len);
}

static void boot_timer_write(void *dev, uint64_t off, const uint8_t *data, unsigned len)
{
	struct boot_timer *t = dev;
	struct vmm *vmm = t->vmm;
	uint64_t us, cpu_us;

	if (off != 0 || data[0] != MOTE_BOOT_TIMER_MAGIC)
		return;
	if (!t->enabled) {
		log_debug("boot timer signalled, but --boot-timer is off");
		return;
	}
	us = vmm_now_us() - vmm->opts.start_us;
	cpu_us = vmm_cpu_us() - vmm->opts.start_cpu_us;
	/* Several vCPUs may signal: the first one is the boot time. */
	if (!__atomic_load_n(&vmm->boot_time_us, __ATOMIC_RELAXED))
		__atomic_store_n(&vmm->boot_time_us, us ? us : 1, __ATOMIC_RELAXED);
	log_info("Guest-boot-time = %llu us %llu ms, %llu CPU us %llu CPU ms",
		 (unsigned long long)us, (unsigned long long)(us / 1000),
		 (unsigned long long)cpu_us, (unsigned long long)(cpu_us / 1000));
}

static const struct bus_ops boot_timer_ops = {
	.read = boot_timer_read,
	.write = boot_timer_write,
};

static int boot_timer_init(struct vmm *vmm)
{
	struct boot_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->vmm = vmm;
	t->enabled = vmm->opts.boot_timer;
	vmm->devices.boot_timer = t;
	return bus_register(&vmm->mmio, BOOT_TIMER_ADDR, BOOT_TIMER_LEN, "boot-timer",
			    &boot_timer_ops, t);
}

static void boot_timer_exit(struct vmm *vmm)
{
	free(vmm->devices.boot_timer);
	vmm->devices.boot_timer = NULL;
}

const struct device_ops boot_timer_device = {
	.name = "boot-timer", .create = boot_timer_init, .destroy = boot_timer_exit, .metrics = NULL
};
