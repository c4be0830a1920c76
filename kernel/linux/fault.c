/* fault.c: exceptions of application threads: page faults resolved from the VMAs, the rest
 * turned into the signals Linux sends (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP). */
#include "linux/fault.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/traps.h"
#include "core/mm/page.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "linux/mm.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/task.h"
#include "core/uaccess.h"

#define PF_WRITE 0x2
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2
#define FPE_INTDIV 1
#define FPE_FLTINV 7
#define ILL_ILLOPN 2
#define TRAP_BRKPT 1
#define SI_KERNEL 0x80
#define OOM_WAIT_NS (2 * NSEC_PER_SEC) /* a fault waits this long for others' memory */
#define OOM_POLL_NS (5 * NSEC_PER_MSEC)

/* The program touched memory it mapped and there is none left: as Linux's OOM killer would,
 * end it with SIGKILL (status 137), saying why and what to do about it. */
static __noreturn void out_of_memory(uint64_t addr)
{
	printk(LOG_ERR,
	       "mote: out of memory: process %d touched %#lx and all %lu MiB are in use; "
	       "killed (give the VM more memory: mote run --mem MIB)\n",
	       current_process()->pid, (unsigned long)addr,
	       (unsigned long)(page_total_count() >> (20 - PAGE_SHIFT)));
	signal_die(SIGKILL);
}

/* mm_fault found no memory for addr: while other processes can be ended for it (the newest
 * first, one at a time, waiting for each to go), end them and try again, for at most
 * OOM_WAIT_NS. Returns mm_fault's last answer. Interrupts enabled. */
static int oom_retry(uint64_t addr, bool write)
{
	uint64_t until = time_ns() + OOM_WAIT_NS;
	int r = -ENOMEM;

	while (r == -ENOMEM && time_ns() < until && process_oom_kill() >= 0) {
		(void)sleep_until(time_ns() + OOM_POLL_NS);
		r = mm_fault(addr, write);
	}
	return r;
}

bool linux_trap(struct trapframe *tf)
{
	bool user = tf->rip < USER_TOP;
	uint64_t addr;
	int r;

	switch (tf->vector) {
	case 14:
		addr = arch_read_cr2();
		r = -EFAULT;
		if (addr < USER_TOP && (user || !current_task()->pagefault_disabled)) {
			/* mm_fault sleeps on the address-space lock and may shoot TLBs down. */
			arch_irq_enable();
			r = mm_fault(addr, tf->error & PF_WRITE);
			if (r == -ENOMEM && user)
				r = oom_retry(addr, tf->error & PF_WRITE);
			arch_irq_disable();
			if (!r)
				return true;
		}
		if (!user)
			return false;
		if (r == -ENOMEM)
			out_of_memory(addr);
		if (r == -EIO)
			signal_fault(tf, SIGBUS, BUS_ADRERR, addr);
		else
			signal_fault(tf, SIGSEGV, r == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, addr);
		return true;
	case 0:
		if (!user)
			return false;
		signal_fault(tf, SIGFPE, FPE_INTDIV, tf->rip);
		return true;
	case 1:
	case 3:
		if (!user)
			return false;
		signal_fault(tf, SIGTRAP, TRAP_BRKPT, tf->rip);
		return true;
	case 6:
		if (!user)
			return false;
		signal_fault(tf, SIGILL, ILL_ILLOPN, tf->rip);
		return true;
	case 16:
	case 19:
		if (!user)
			return false;
		signal_fault(tf, SIGFPE, FPE_FLTINV, tf->rip);
		return true;
	case 12:
	case 17:
		if (!user)
			return false;
		signal_fault(tf, SIGBUS, BUS_ADRERR, 0);
		return true;
	case 4:
	case 5:
	case 13:
		if (!user)
			return false;
		signal_fault(tf, SIGSEGV, SI_KERNEL, 0);
		return true;
	default:
		return false;
	}
}
