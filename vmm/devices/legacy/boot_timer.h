/* boot_timer.h: Firecracker's boot-timer pseudo-device at MOTE_BOOT_TIMER_ADDR. */
#ifndef MOTE_VMM_DEVICES_LEGACY_BOOT_TIMER_H
#define MOTE_VMM_DEVICES_LEGACY_BOOT_TIMER_H

struct vmm;
struct boot_timer;

/*
 * Registers the page at MOTE_BOOT_TIMER_ADDR. With --boot-timer, a byte write of
 * MOTE_BOOT_TIMER_MAGIC at offset 0 logs "Guest-boot-time = N us N ms, C CPU us C CPU ms"
 * (time since motevm started) at info level and records it for the metrics. Without it the
 * page is still there but ignores writes, so a guest that always signals does not crash.
 * 0 or -errno.
 */
int boot_timer_init(struct vmm *vmm);
void boot_timer_exit(struct vmm *vmm);

#endif /* MOTE_VMM_DEVICES_LEGACY_BOOT_TIMER_H */
