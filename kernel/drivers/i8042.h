/* i8042.h: the PS/2 controller's keyboard, for one key only: Ctrl-Alt-Del, which a host sends
 * to stop the guest gracefully (Firecracker's and motevm's SendCtrlAltDel, QEMU's send-key;
 * `mote stop`). */
#ifndef MOTE_DRIVERS_I8042_H
#define MOTE_DRIVERS_I8042_H

/* Route IRQ 1 and call fn (in the interrupt, no lock held) each time Ctrl-Alt-Del is typed.
 * Scan code sets 2 (untranslated, as motevm and QEMU send) and 1 (translated) are both
 * understood. Costs nothing until a key comes but the IOAPIC entry. */
void i8042_start(void (*fn)(void));

#endif /* MOTE_DRIVERS_I8042_H */
