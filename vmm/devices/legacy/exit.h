/* exit.h: the exit devices: Mote's (MOTE_EXIT_PORT) and QEMU's isa-debug-exit (port 0xf4). */
#ifndef MOTE_VMM_DEVICES_LEGACY_EXIT_H
#define MOTE_VMM_DEVICES_LEGACY_EXIT_H

#include "devices/devices.h"

struct vmm;
struct exit_dev;

/*
 * Registers MOTE_EXIT_PORT (4 ports): a write of V ends the VM, motevm exits with V & 0xff;
 * and MOTE_DEBUG_EXIT_PORT (4 ports, QEMU's iobase=0xf4,iosize=4): a write of V ends the VM
 * with (V << 1) | 1. (Its create: 0 or -errno.)
 */
extern const struct device_ops exit_device;

#endif /* MOTE_VMM_DEVICES_LEGACY_EXIT_H */
