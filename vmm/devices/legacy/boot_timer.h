/* boot_timer.h: Firecracker's boot-timer pseudo-device at MOTE_BOOT_TIMER_ADDR. */
#ifndef MOTE_VMM_DEVICES_LEGACY_BOOT_TIMER_H
#define MOTE_VMM_DEVICES_LEGACY_BOOT_TIMER_H

#include "devices/devices.h"

struct vmm;
struct boot_timer;

/*
 * Registers the page at MOTE_BOOT_TIMER_ADDR. With --boot-timer, a byte write of
 * MOTE_BOOT_TIMER_MAGIC at offset 0 logs "Guest-boot-time = N us N ms, C CPU us C CPU ms"
 * (time since motevm started) at info level and records it for the metrics. Without it the
 * page is still there but ignores writes, so a guest that always signals does not crash.
 * (Its create: 0 or -errno.)
 */
extern const struct device_ops boot_timer_device;

#endif /* MOTE_VMM_DEVICES_LEGACY_BOOT_TIMER_H */
