/* traps.c: dispatch of exceptions, interrupts and IPIs; exception fix-ups. */
#include "arch/x86_64/traps.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pvm.h"
#include "core/panic.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "linux/fault.h"
#include "linux/task.h"
#include "core/uaccess.h"
#include "lib/printf.h"

extern const struct fixup __fixup_start[], __fixup_end[];
extern char syscall_entry[], syscall_restart_begin[], syscall_restart_end[];
extern char syscall_fast[], syscall_fast_restart_begin[], syscall_fast_restart_end[];
static trap_handler_fn handlers[256];

void trap_set_handler(int vector, trap_handler_fn fn)
{
	handlers[vector] = fn;
}

static bool try_fixup(struct trapframe *tf)
{
	/* Linker symbols: compared as integers (they bound one table, but C cannot tell). */
	uint64_t n = ((uint64_t)__fixup_end - (uint64_t)__fixup_start) / sizeof(struct fixup);

	for (uint64_t i = 0; i < n; i++) {
		if (__fixup_start[i].insn == tf->rip) {
			tf->rip = __fixup_start[i].fixup;
			return true;
		}
	}
	return false;
}

/* An interrupt inside syscall.S's stack switches: restart the entry on the application's
 * stack (the scratch slot is still this CPU's: nothing ran in between). */
static void syscall_restart(struct trapframe *tf)
{
	if (tf->rip >= (uint64_t)syscall_restart_begin && tf->rip < (uint64_t)syscall_restart_end) {
		tf->rsp = this_cpu()->scratch;
		tf->rip = (uint64_t)syscall_entry;
	} else if (tf->rip >= (uint64_t)syscall_fast_restart_begin &&
		   tf->rip < (uint64_t)syscall_fast_restart_end) {
		tf->rsp = this_cpu()->scratch;
		tf->rip = (uint64_t)syscall_fast;
	}
}

static bool app_thread(void)
{
	struct thread *t = current_thread();

	return t && t->task;
}

void trap_dispatch(struct trapframe *tf)
{
	uint64_t v = tf->vector;

	syscall_restart(tf);
	if (v == 14)
		CPU_STAT_INC(page_faults);
	else if (v < 32)
		CPU_STAT_INC(exceptions);
	else if (v == VEC_TIMER)
		CPU_STAT_INC(timer_irqs);
	else if (v >= VEC_IPI_RESCHED && v <= VEC_IPI_SIGNAL)
		CPU_STAT_INC(ipis_in);
	else if (v != VEC_SPURIOUS)
		CPU_STAT_INC(dev_irqs);
	if (v < 32) {
		if (app_thread() && linux_trap(tf))
			goto out;
		if ((v == 13 || v == 14) && try_fixup(tf))
			return;
		panic_trap(tf);
	}
	if (pvm_active)
		pvm_trap_fixup(&tf->rip);
	this_cpu()->irqs++;
	if (v == VEC_SPURIOUS)
		return;
	if (handlers[v])
		handlers[v](tf);
	else
		printk(LOG_WARN, "unexpected interrupt vector %lu on cpu %u\n", v, this_cpu()->id);
	apic_eoi();
	sched_irq_exit();
out:
	if (tf->rip < USER_TOP && app_thread())
		(void)task_return_work(tf);
}
