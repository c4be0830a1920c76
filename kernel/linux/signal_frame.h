/* signal_frame.h: Linux's x86-64 signal frame (struct rt_sigframe): built on the application's
 * stack (or its alternate signal stack) to run a handler, read back by rt_sigreturn. */
#ifndef MOTE_LINUX_SIGNAL_FRAME_H
#define MOTE_LINUX_SIGNAL_FRAME_H

#include "lib/types.h"

struct trapframe;
struct k_siginfo;
struct k_sigaction;

/* stack_t of sigaltstack and uc_stack. */
struct stack_k {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

/*
 * Push a frame for signal sig with info, saving tf (every register), the FPU state, oldmask
 * (the mask to restore) and the alternate stack, and point tf at the handler of act with the
 * FPU in its initial state. Returns 0, or -EFAULT if the frame cannot be written (the caller
 * kills the process with SIGSEGV, as Linux does).
 */
int signal_frame_setup(struct trapframe *tf, int sig, const struct k_siginfo *info,
		       const struct k_sigaction *act, uint64_t oldmask) __must_check;
/* rt_sigreturn: restore tf, the FPU, the blocked mask and the alternate stack from the frame
 * the handler returned through (its ucontext at tf->rsp). 0 or -EFAULT. */
int signal_frame_restore(struct trapframe *tf) __must_check;
/* sigaltstack for the current thread: ss (NULL: no change), *old gets the current one; sp is
 * the application's stack pointer (to tell whether it runs on the alternate stack). Returns 0,
 * -EPERM (changing it while on it), -EINVAL or -ENOMEM (smaller than MINSIGSTKSZ). */
int signal_altstack(const struct stack_k *ss, struct stack_k *old, uint64_t sp);

#endif /* MOTE_LINUX_SIGNAL_FRAME_H */
