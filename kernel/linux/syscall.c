/* syscall.c: the system-call table (from the X-macro list in syscalls.h), the names, and the
 * dispatch syscall.S calls. */
#include "linux/syscall.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "linux/syscall_patch.h"
#include "linux/task.h"

typedef long (*syscall_fn)(const uint64_t *a);

static const syscall_fn table[SYSCALL_MAX] = {
#define SYS(nr, name) [nr] = sys_##name,
#define NOSYS(nr, name)
#include "linux/syscalls.h"
#undef SYS
#undef NOSYS
};

static const char *const names[SYSCALL_MAX] = {
#define SYS(nr, name) [nr] = #name,
#define NOSYS(nr, name) [nr] = #name,
#include "linux/syscalls.h"
#undef SYS
#undef NOSYS
};

static uint8_t warned[SYSCALL_MAX / 8];
bool syscall_trace;

const char *syscall_name(uint64_t nr)
{
	return nr < SYSCALL_MAX && names[nr] ? names[nr] : "?";
}

static long unknown(uint64_t nr)
{
	if (nr >= SYSCALL_MAX) {
		printk(LOG_INFO, "mote: unknown system call %lu: ENOSYS\n", nr);
		return -ENOSYS;
	}
	if (!(__atomic_fetch_or(&warned[nr / 8], 1 << (nr % 8), __ATOMIC_RELAXED) &
	      (1 << (nr % 8))))
		printk(LOG_INFO, "mote: system call %s (%lu) is not implemented: ENOSYS\n",
		       syscall_name(nr), nr);
	return -ENOSYS;
}

int syscall_dispatch(struct trapframe *tf)
{
	struct task *t = current_task();
	uint64_t nr = tf->rax;
	uint64_t a[6] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };
	long r;

	/* The kvm_pvm host clears the virtual interrupt flag on syscall (FMASK leaves IF alone
	 * elsewhere): handlers run, and the application resumes, with interrupts on. */
	arch_irq_enable();
	CPU_STAT_INC(syscalls);
	if (tf->error) /* syscall_fast: a rewritten site */
		CPU_STAT_INC(syscalls_fast);
	else if (syscall_patch_on)
		syscall_patch_site(tf);
	t->tf = tf;
	t->syscall_nr = (int64_t)nr;
	t->full_restore = false;
	if (nr < SYSCALL_MAX && table[nr])
		r = table[nr](a);
	else
		r = unknown(nr);
	if (syscall_trace)
		printk(LOG_NOTICE, "[%d] %s(%#lx, %#lx, %#lx, %#lx) = %ld\n", t->tid,
		       syscall_name(nr), a[0], a[1], a[2], a[3], r);
	/* rt_sigreturn and execve set the whole frame themselves (rax included). */
	if (!t->full_restore)
		tf->rax = (uint64_t)r;
	if (task_return_work(tf))
		t->full_restore = true;
	t->tf = NULL;
	return t->full_restore;
}
