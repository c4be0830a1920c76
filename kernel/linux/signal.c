/* signal.c: signal delivery. (Minimal for now: synchronous faults run the default action;
 * handlers, masks and queued signals come with the signals work.) */
#include "linux/signal.h"
#include "arch/x86_64/traps.h"
#include "lib/printf.h"
#include "linux/task.h"

static const char *const names[NSIG + 1] = {
	[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGSYS] = "SIGSYS",
};

/* The default action of a fatal signal: the process ends with 128 + signo. */
static void __noreturn die(int signo, const struct trapframe *tf, uint64_t addr)
{
	printk(LOG_INFO, "mote: program killed by %s (rip %#lx, address %#lx)\n",
	       signo <= NSIG && names[signo] ? names[signo] : "a signal", tf ? tf->rip : 0, addr);
	task_exit_group(128 + signo);
}

bool signal_deliver(struct trapframe *tf)
{
	return false;
}

void signal_fault(struct trapframe *tf, int signo, int code, uint64_t addr)
{
	die(signo, tf, addr);
}

int signal_send(struct task *t, int signo, const struct k_siginfo *info)
{
	uint64_t h;

	if (signo == 0)
		return 0;
	h = init_process->sig.action[signo - 1].handler;
	if (h == 1 ||
	    (h == 0 && (signo == SIGCHLD || signo == 28 || signo == 23 || signo == SIGCONT)))
		return 0; /* ignored (SIG_IGN, or a default action that ignores) */
	die(signo, NULL, 0);
}

bool signal_pending(void)
{
	return false;
}

void signal_exec_reset(void)
{
	struct proc_signals *ps = &init_process->sig;
	uint64_t f = spin_lock(&ps->lock);

	/* Handlers do not survive the old program; ignored signals stay ignored. */
	for (int i = 0; i < NSIG; i++) {
		if (ps->action[i].handler > 1)
			ps->action[i].handler = 0;
		ps->action[i].flags = 0;
		ps->action[i].mask = 0;
		ps->action[i].restorer = 0;
	}
	spin_unlock(&ps->lock, f);
	current_task()->sig.ss_sp = 0;
	current_task()->sig.ss_size = 0;
}

/* Temporary wait masks (ppoll, pselect6, epoll_pwait): see signal.h. */
void signal_wait_mask_begin(uint64_t mask)
{
	struct task *t = current_task();

	t->sig.saved_mask = t->sig.blocked;
	t->sig.blocked = mask & ~(SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP));
}

void signal_wait_mask_end(bool interrupted)
{
	struct task *t = current_task();

	if (interrupted && signal_pending())
		t->sig.restore_mask = true;
	else
		t->sig.blocked = t->sig.saved_mask;
}
