/* vdso.h: the vDSO: a small ELF shared object (kernel/linux/vdso/) linked into the kernel
 * image and mapped into every program, with clock_gettime, gettimeofday, time and getcpu
 * that read the clock without a system call. */
#ifndef MOTE_LINUX_VDSO_H
#define MOTE_LINUX_VDSO_H

#include "lib/types.h"

/* Where the vDSO of the running program is (AT_SYSINFO_EHDR), 0 if none. */
extern uint64_t vdso_base;
/* Map the vDSO and its data page into the new program (exec). */
void vdso_map(void);
/* The wall clock was set (clock_settime): programs' vDSO reads follow at once. */
void vdso_realtime_changed(void);

#endif /* MOTE_LINUX_VDSO_H */
