/* clone.c: threads made with raw clone (as Go's runtime and other libcs do): CLONE_SETTLS,
 * PARENT_SETTID, CHILD_SETTID, CHILD_CLEARTID, set_tid_address, exit of one thread, thread-group
 * ids, bad flag sets, and exit_group from a non-main thread ending the whole program. */
#include "check.h"

#include <asm/prctl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

#define STACK (64 << 10)

/* What a raw thread saw; it may not call into glibc beyond syscall(), which only touches errno
 * (thread-local) on failure, and those calls do not fail. */
struct seen {
	long tid, pid, ctid_at_start, fs_base, fs_self, stack_ok, other_tid;
	int clear_me;
};

static char stacks[2][STACK] __attribute__((aligned(16)));
static uintptr_t fake_tcb[64] __attribute__((aligned(64)));

static int raw_thread(void *arg)
{
	struct seen *s = arg;
	char here;
	uintptr_t self;

	s->tid = syscall(SYS_gettid);
	s->pid = syscall(SYS_getpid);
	s->stack_ok = &here > stacks[0] && &here < stacks[0] + STACK;
	syscall(SYS_arch_prctl, ARCH_GET_FS, &s->fs_base);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	s->fs_self = (long)self;
	return 42; /* the clone wrapper passes this to exit() */
}

static int tid_address_thread(void *arg)
{
	struct seen *s = arg;

	s->other_tid = syscall(SYS_set_tid_address, &s->clear_me);
	return 0;
}

/* Waits until the kernel clears *word at thread exit (CLONE_CHILD_CLEARTID semantics). */
static int wait_cleared(int *word)
{
	struct timespec tick = { 0, 10000000 };
	int v;

	for (int i = 0; i < 500 && (v = __atomic_load_n(word, __ATOMIC_SEQ_CST)) != 0; i++)
		syscall(SYS_futex, word, FUTEX_WAIT, v, &tick, NULL, 0);
	return __atomic_load_n(word, __ATOMIC_SEQ_CST) == 0;
}

static void raw_clones(void)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			  CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
			  CLONE_CHILD_CLEARTID;
	struct seen s = { 0 };
	pid_t ptid = 0, ctid = -1, tid;

	fake_tcb[0] = (uintptr_t)fake_tcb;			   /* the TCB points at itself */
	__asm__ volatile("mov %%fs:0x28, %0" : "=r"(fake_tcb[5])); /* stack guard, if used */
	tid = clone(raw_thread, stacks[0] + STACK, flags, &s, &ptid, fake_tcb, &ctid);
	CHECK(tid > 0, "clone a raw thread");
	CHECK(wait_cleared(&ctid), "CLONE_CHILD_CLEARTID: its tid word cleared and woken at exit");
	CHECK_EQ(ptid, tid, "CLONE_PARENT_SETTID stored the new tid");
	CHECK_EQ(s.tid, tid, "the thread's gettid is what clone returned");
	CHECK(s.tid != gettid(), "and not ours");
	CHECK_EQ(s.pid, getpid(), "its getpid is ours: one thread group");
	CHECK(s.stack_ok, "it ran on the stack we gave it");
	CHECK_EQ(s.fs_base, (long)fake_tcb, "CLONE_SETTLS: ARCH_GET_FS gives its TLS pointer");
	CHECK_EQ(s.fs_self, (long)fake_tcb, "and %%fs:0 reads through it");

	memset(&s, 0, sizeof(s));
	s.clear_me = -1;
	ctid = -1;
	tid = clone(tid_address_thread, stacks[1] + STACK, flags & ~CLONE_SETTLS, &s, &ptid, NULL,
		    &ctid);
	CHECK(tid > 0 && wait_cleared(&s.clear_me),
	      "set_tid_address moves the word cleared at exit");
	CHECK_EQ(s.other_tid, tid, "set_tid_address returns the caller's tid");
	CHECK_EQ(ctid, tid, "the CLONE_CHILD_CLEARTID word was left alone");

	CHECK_ERR(syscall(SYS_clone, CLONE_VM | CLONE_THREAD, stacks[1] + STACK, NULL, NULL, 0),
		  EINVAL, "CLONE_THREAD without CLONE_SIGHAND: EINVAL");
}

static void *exits_early(void *arg)
{
	syscall(SYS_exit, 0); /* this thread only */
	return (void *)1;
}

static int ender_status;

static void *ender(void *arg)
{
	CHECK(gettid() != getpid(), "a second thread's tid differs from the pid");
	ender_status = check_done();
	syscall(SYS_exit_group, ender_status);
	return NULL;
}

int main(void)
{
	pthread_t t;
	void *ret = NULL;
	int forever = 0;

	check_start();
	CHECK_EQ(gettid(), getpid(), "the main thread's tid is the pid");
	CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &t) == 0 && (pthread_t)t == pthread_self(), 1,
		 "ARCH_GET_FS of the main thread is pthread_self()");
	raw_clones();
	CHECK(pthread_create(&t, NULL, exits_early, NULL) == 0 && pthread_join(t, &ret) == 0,
	      "a thread's raw exit ends only that thread; join sees it");
	/* The last word comes from another thread: exit_group must end this one too. */
	pthread_create(&t, NULL, ender, NULL);
	for (;;)
		syscall(SYS_futex, &forever, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}
