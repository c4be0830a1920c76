/* fault.h: exceptions raised while an application thread runs (its code, or the kernel
 * touching its memory in a system call). */
#ifndef MOTE_LINUX_FAULT_H
#define MOTE_LINUX_FAULT_H

#include "lib/types.h"

struct trapframe;

/*
 * Called by trap_dispatch for CPU exceptions when the current thread is an application
 * thread. Resolves page faults in the application's half (mm_fault); turns other exceptions
 * of application code into signals. Returns true if handled (the trap path then returns),
 * false for a kernel fault (fix-up table, else a kernel crash report).
 */
bool linux_trap(struct trapframe *tf);

#endif /* MOTE_LINUX_FAULT_H */
