/* panic.h: how the kernel ends: exit statuses, panic() and the fatal-exception report. */
#ifndef MOTE_CORE_PANIC_H
#define MOTE_CORE_PANIC_H

#include "lib/types.h"

/*
 * The VM's exit status (docs/kernel.md). All below 128 so that QEMU's isa-debug-exit,
 * which exits with (status << 1) | 1 truncated to 8 bits, keeps them apart.
 */
#define EXIT_OK 0
#define EXIT_SELFTEST_FAIL 1
#define EXIT_BAD_CMDLINE 2
#define EXIT_BOOT_FAIL 3	/* boot information missing or unusable, out of memory */
#define EXIT_NO_PROGRAM 4	/* the program cannot be loaded (the message says why) */
#define EXIT_EXCEPTION_BASE 100 /* + vector: an unexpected CPU exception (0..27) */
#define EXIT_PANIC 127		/* panic() */

struct trapframe;

/* End the VM with status: motevm's exit device, else QEMU's isa-debug-exit, else reset. */
void kernel_exit(int status) __noreturn;
/* Print the message, this CPU's backtrace, stop the other CPUs and exit with EXIT_PANIC. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* Report an unexpected exception (registers, backtrace) and exit with 100 + vector. */
void panic_trap(const struct trapframe *tf) __noreturn;
/* Print a backtrace starting at rip with frame pointer rbp. */
void backtrace_print(uint64_t rip, uint64_t rbp);
/* Name the function holding addr: writes "name+0xoff" into buf; returns 0 or -ENOENT. */
int ksym_lookup(uint64_t addr, char *buf, size_t n);

#define BUG_ON(c)                                                             \
	do {                                                                  \
		if (unlikely(c))                                              \
			panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__); \
	} while (0)

#endif /* MOTE_CORE_PANIC_H */
