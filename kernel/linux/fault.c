/* fault.c: exceptions of application threads: page faults resolved from the VMAs, the rest
 * turned into the signals Linux sends (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP). */
#include "linux/fault.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/traps.h"
#include "core/mm/page.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "linux/mm.h"
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
