/* signals.c: rt_sigaction/rt_sigprocmask/sigreturn: kill, tgkill and sigqueue to ourselves with
 * their siginfo, masks and pending sets, queueing and delivery order, handler masks, SA_NODEFER,
 * SA_RESETHAND, SA_RESTART vs EINTR, sigaltstack, sigsuspend, sigtimedwait, thread targeting,
 * ignored signals and argument errors, the FPU/SSE state across a handler, a signal to a thread
 * busy in its own code on another CPU. (Synchronous faults: faults.c; default kill: sigdefault.c.) */
#include "check.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#define LOG 16
static volatile int log_sig[LOG], log_val[LOG], nlog, depth, max_depth;
static volatile siginfo_t last;
static volatile pid_t handler_tid, usr2_tid;
static volatile sig_atomic_t on_alt, alt_flags, mask_had_self, mask_had_usr2;
static char *alt_base;
static size_t alt_size;

static void handler(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;
	stack_t ss;
	char here;

	if (nlog < LOG) {
		log_sig[nlog] = sig;
		log_val[nlog++] = si->si_value.sival_int;
	}
	last = *si;
	handler_tid = gettid();
	if (sig == SIGUSR2)
		usr2_tid = handler_tid;
	if (sig == SIGUSR1) {
		sigprocmask(SIG_BLOCK, NULL, &cur);
		mask_had_self = sigismember(&cur, sig);
		mask_had_usr2 = sigismember(&cur, SIGUSR2);
	}
	on_alt = alt_base && &here >= alt_base && &here < alt_base + alt_size;
	sigaltstack(NULL, &ss);
	alt_flags = ss.ss_flags;
	if (++depth > max_depth)
		max_depth = depth;
	if (sig == SIGUSR1 && si->si_value.sival_int == 7) /* ask for a nested one */
		raise(SIGUSR2);
	if (sig == SIGUSR1 && si->si_value.sival_int == 8)
		raise(SIGUSR1);
	depth--;
}

static void on(int sig, int flags, int also_mask)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | flags };

	sigemptyset(&sa.sa_mask);
	if (also_mask)
		sigaddset(&sa.sa_mask, also_mask);
	sigaction(sig, &sa, NULL);
}

static void mask(int how, int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static void senders(void)
{
	on(SIGUSR1, 0, 0);
	on(SIGUSR2, 0, 0);
	on(SIGRTMIN, 0, 0);
	on(SIGRTMIN + 1, 0, 0);
	nlog = 0;
	CHECK(kill(getpid(), SIGUSR1) == 0 && nlog == 1, "kill to ourselves is delivered at once");
	CHECK(!mask_had_usr2 && mask_had_self,
	      "in a handler its own signal is blocked, others not");
	CHECK(last.si_signo == SIGUSR1 && last.si_code == SI_USER && last.si_pid == getpid() &&
		      last.si_uid == getuid(),
	      "siginfo: SIGUSR1, SI_USER, our pid and uid");
	CHECK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2) == 0 && nlog == 2 &&
		      last.si_code == SI_TKILL && last.si_pid == getpid(),
	      "tgkill: delivered with SI_TKILL");
	CHECK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 1234 }) == 0 && nlog == 3 &&
		      last.si_code == SI_QUEUE && last.si_value.sival_int == 1234,
	      "sigqueue: SI_QUEUE carrying 1234");
	CHECK(raise(SIGUSR2) == 0 && nlog == 4 && last.si_code == SI_TKILL, "raise: SI_TKILL");
	CHECK_EQ(kill(getpid(), 0), 0, "kill with signal 0 checks we exist");
}

static void masks_and_order(void)
{
	sigset_t pend, cur;
	int usr1 = 0, rt0 = 0, rt1 = 0, in_order = 1;

	nlog = 0;
	mask(SIG_BLOCK, SIGUSR1);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	CHECK(nlog == 0 && sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1),
	      "blocked: not delivered, pending");
	for (int v = 1; v <= 3; v++)
		sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = v });
	mask(SIG_BLOCK, SIGRTMIN);
	mask(SIG_BLOCK, SIGRTMIN + 1);
	for (int v = 1; v <= 3; v++)
		sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 10 + v });
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 20 });
	CHECK_EQ(nlog, 3, "3 real-time signals delivered while unblocked");
	sigemptyset(&cur);
	sigprocmask(SIG_SETMASK, &cur, NULL);
	CHECK_EQ(nlog, 8, "unblocking: 2 SIGUSR1 merged into 1, 4 real-time ones queued");
	for (int i = 3; i < nlog; i++) {
		usr1 += log_sig[i] == SIGUSR1;
		rt0 += log_sig[i] == SIGRTMIN && log_val[i] == 20;
		if (log_sig[i] == SIGRTMIN + 1)
			in_order &= log_val[i] == 11 + rt1++;
	}
	CHECK(usr1 == 1 && rt0 == 1 && rt1 == 3 && in_order,
	      "each real-time signal delivered with its value, in the order queued");

	nlog = 0;
	on(SIGUSR1, 0, SIGUSR2);
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 7 });
	CHECK(nlog == 2 && log_sig[0] == SIGUSR1 && log_sig[1] == SIGUSR2 && max_depth == 1 &&
		      mask_had_usr2,
	      "sa_mask holds SIGUSR2 raised in the handler until it returns");
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGUSR2),
	      "sigreturn put the mask back");
	nlog = max_depth = 0;
	on(SIGUSR1, SA_NODEFER, 0);
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 8 });
	CHECK(nlog == 2 && max_depth == 2, "SA_NODEFER: the handler nests in itself");
	on(SIGUSR1, SA_RESETHAND, 0);
	raise(SIGUSR1);
	struct sigaction old;
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == SIG_DFL,
	      "SA_RESETHAND: back to SIG_DFL after one delivery");
}

static void waits(void)
{
	struct timespec ten_ms = { 0, 10000000 };
	sigset_t s, empty;
	siginfo_t si;

	on(SIGUSR1, 0, 0);
	nlog = 0;
	mask(SIG_BLOCK, SIGUSR1);
	raise(SIGUSR1);
	sigemptyset(&empty);
	CHECK_ERR(sigsuspend(&empty), EINTR, "sigsuspend returns EINTR after the handler");
	CHECK_EQ(nlog, 1, "the pending signal was handled inside sigsuspend");
	sigprocmask(SIG_BLOCK, NULL, &s);
	CHECK(sigismember(&s, SIGUSR1), "sigsuspend restored the mask");
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 99 });
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	CHECK(sigtimedwait(&s, &si, &ten_ms) == SIGUSR1 && si.si_value.sival_int == 99 && nlog == 1,
	      "sigtimedwait takes the blocked signal with its value, no handler");
	CHECK_ERR(sigtimedwait(&s, &si, &ten_ms), EAGAIN,
		  "sigtimedwait with nothing pending: EAGAIN");
	mask(SIG_UNBLOCK, SIGUSR1);
}

static pid_t main_tid;
static volatile int stop_sending;
static int wake_pipe[2];

static void *poker(void *arg)
{
	struct timespec t = { 0, 20000000 };

	for (int i = 0; !stop_sending && i < 500; i++) {
		nanosleep(&t, NULL);
		syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
		if (arg && i == 3)
			write(wake_pipe[1], "w", 1);
	}
	return NULL;
}

static volatile pid_t catcher_tid;

static void *catcher(void *arg)
{
	struct timespec ms = { 0, 1000000 };

	mask(SIG_UNBLOCK, SIGUSR2);
	catcher_tid = gettid();
	for (int i = 0; i < 5000 && usr2_tid != catcher_tid; i++)
		nanosleep(&ms, NULL);
	return NULL;
}

static void restart_and_threads(void)
{
	struct timespec long_sleep = { 30, 0 }, rem = { 0, 0 };
	pthread_t t;
	char c;

	main_tid = gettid();
	pipe(wake_pipe);
	on(SIGUSR1, 0, 0);
	stop_sending = 0;
	pthread_create(&t, NULL, poker, NULL);
	CHECK_ERR(read(wake_pipe[0], &c, 1), EINTR,
		  "a handler without SA_RESTART: read gets EINTR");
	CHECK_ERR(nanosleep(&long_sleep, &rem), EINTR, "nanosleep interrupted: EINTR");
	CHECK(rem.tv_sec > 0 && rem.tv_sec <= 30, "with the remaining time");
	stop_sending = 1;
	pthread_join(t, NULL);
	on(SIGUSR1, SA_RESTART, 0);
	stop_sending = 0;
	nlog = 0;
	pthread_create(&t, NULL, poker, (void *)1);
	CHECK(read(wake_pipe[0], &c, 1) == 1 && c == 'w' && nlog > 0,
	      "SA_RESTART: read survives the handler and returns data");
	stop_sending = 1;
	pthread_join(t, NULL);

	/* a process-directed signal goes to the thread that does not block it */
	mask(SIG_BLOCK, SIGUSR2);
	on(SIGUSR2, 0, 0);
	handler_tid = usr2_tid = catcher_tid = 0;
	pthread_create(&t, NULL, catcher, NULL);
	while (!catcher_tid)
		sched_yield();
	syscall(SYS_tgkill, getpid(), catcher_tid, SIGUSR1);
	for (int i = 0; i < 5000 && handler_tid != catcher_tid; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	CHECK_EQ(handler_tid, catcher_tid, "tgkill to another thread: its handler runs there");
	kill(getpid(), SIGUSR2);
	pthread_join(t, NULL);
	CHECK_EQ(usr2_tid, catcher_tid, "kill: delivered to the one thread not blocking it");
	mask(SIG_UNBLOCK, SIGUSR2);
}

/* The handler scribbles on %xmm8 and MXCSR; sigreturn must bring the interrupted ones back. */
static void clobber_fpu(int sig)
{
	unsigned int mxcsr = 0x7f80; /* round toward zero, all exceptions masked */
	__asm__ volatile("pcmpeqd %%xmm8, %%xmm8\n\tldmxcsr %0" : : "m"(mxcsr) : "xmm8");
}

static volatile int spin_stop;
static volatile pid_t spinner_tid;

static void on_spin(int sig)
{
	spin_stop = 1;
}

/* Busy in its own code, no system call: only an interrupt of its CPU can deliver. */
static void *spinner(void *arg)
{
	spinner_tid = gettid();
	while (!spin_stop)
		;
	return NULL;
}

static void fpu_and_busy_thread(void)
{
	unsigned long long lo = 0x0123456789abcdefULL, got;
	unsigned int mxcsr = 0x1f80 | 0x2000, after; /* round down */
	long r;
	pthread_t t;

	signal(SIGUSR1, clobber_fpu);
	/* The signal arrives during the tgkill system call: rcx/r11 are the syscall's. */
	__asm__ volatile("movq %[lo], %%xmm8\n\t"
			 "ldmxcsr %[m]\n\t"
			 "syscall\n\t"
			 "movq %%xmm8, %[got]\n\t"
			 "stmxcsr %[after]"
			 : [got] "=r"(got), [after] "=m"(after), "=a"(r)
			 : [lo] "r"(lo), [m] "m"(mxcsr), "a"(SYS_tgkill), "D"(getpid()),
			   "S"(gettid()), "d"(SIGUSR1)
			 : "rcx", "r11", "xmm8", "memory");
	CHECK(r == 0 && got == lo && (after & 0x6000) == 0x2000,
	      "sigreturn restores %%xmm8 and MXCSR the handler changed");
	mxcsr = 0x1f80;
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));

	signal(SIGUSR2, on_spin);
	spin_stop = 0;
	spinner_tid = 0;
	pthread_create(&t, NULL, spinner, NULL);
	while (!spinner_tid)
		sched_yield();
	syscall(SYS_tgkill, getpid(), spinner_tid, SIGUSR2);
	pthread_join(t, NULL);
	CHECK(spin_stop, "a thread spinning in its own code gets its signal");
}

static void altstack_and_defaults(void)
{
	stack_t ss = { 0 }, old;
	sigset_t pend, all;
	struct sigaction sa;

	alt_size = 64 << 10;
	alt_base = malloc(alt_size);
	ss = (stack_t){ .ss_sp = alt_base, .ss_size = 1024 };
	CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM, "sigaltstack smaller than MINSIGSTKSZ: ENOMEM");
	ss.ss_size = alt_size;
	CHECK(sigaltstack(&ss, &old) == 0 && old.ss_flags == SS_DISABLE, "sigaltstack set");
	on(SIGUSR1, SA_ONSTACK, 0);
	raise(SIGUSR1);
	CHECK(on_alt && alt_flags == SS_ONSTACK, "SA_ONSTACK: the handler ran on it, SS_ONSTACK");
	on(SIGUSR1, 0, 0);
	raise(SIGUSR1);
	CHECK(!on_alt && alt_flags == 0, "without SA_ONSTACK: on the normal stack");
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0 && sigaltstack(NULL, &old) == 0 &&
		      old.ss_flags == SS_DISABLE,
	      "SS_DISABLE");

	signal(SIGCHLD, SIG_DFL);
	signal(SIGURG, SIG_DFL);
	signal(SIGWINCH, SIG_DFL);
	CHECK(raise(SIGCHLD) == 0 && raise(SIGURG) == 0 && raise(SIGWINCH) == 0,
	      "SIGCHLD, SIGURG, SIGWINCH are ignored by default");
	signal(SIGTERM, SIG_IGN);
	CHECK_EQ(raise(SIGTERM), 0, "an ignored SIGTERM does nothing");
	mask(SIG_BLOCK, SIGUSR2);
	raise(SIGUSR2);
	signal(SIGUSR2, SIG_IGN);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR2),
	      "setting SIG_IGN discards the pending signal");
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	sigprocmask(SIG_SETMASK, NULL, &all);
	CHECK(!sigismember(&all, SIGKILL) && !sigismember(&all, SIGSTOP),
	      "SIGKILL and SIGSTOP cannot be blocked");
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	CHECK_ERR(sigprocmask(42, &all, NULL), EINVAL, "rt_sigprocmask with a bad how: EINVAL");
	sa = (struct sigaction){ .sa_handler = SIG_IGN };
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL, "sigaction on SIGKILL: EINVAL");
	CHECK_ERR(syscall(SYS_rt_sigaction, 65, NULL, &sa, 8), EINVAL,
		  "rt_sigaction of 65: EINVAL");
	CHECK_ERR(kill(getpid(), 65), EINVAL, "kill with signal 65: EINVAL");
}

int main(void)
{
	check_start();
	senders();
	masks_and_order();
	waits();
	restart_and_threads();
	fpu_and_busy_thread();
	altstack_and_defaults();
	return check_done();
}
