/* console.h: Mote's console port: guest output and input in one exit per buffer (include/abi). */
#ifndef MOTE_VMM_DEVICES_LEGACY_CONSOLE_H
#define MOTE_VMM_DEVICES_LEGACY_CONSOLE_H

#include "devices/devices.h"

struct vmm;

/*
 * Registers MOTE_CONSOLE_PORT (a request's address: its bytes go to COM1's output or motevm's
 * stderr, or COM1's received input is moved into them) and
 * MOTE_CONSOLE_CTL_PORT (the guest's opt-in to end of input as carrier loss). Needs the
 * serial device, which must come first in the device table. (Its create: 0 or -errno.)
 */
extern const struct device_ops console_device;

#endif /* MOTE_VMM_DEVICES_LEGACY_CONSOLE_H */
