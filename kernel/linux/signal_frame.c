/* signal_frame.c: Linux's x86-64 signal frame. Layout (from the new %rsp up):
 *
 *   pretcode       the handler's return address: sa_restorer, which calls rt_sigreturn
 *   ucontext       uc_flags, uc_link, uc_stack, uc_mcontext (struct sigcontext), uc_sigmask
 *   siginfo        128 bytes
 *   ...            padding to 64 bytes
 *   FPU image      fxsave layout (512 bytes); with xsave, the standard-format xsave image,
 *                  software bytes (FP_XSTATE_MAGIC1...) in the fxsave area's bytes 464..511
 *                  and FP_XSTATE_MAGIC2 right after the image
 *   red zone       128 bytes the interrupted code may use (not on the alternate stack)
 *
 * On entry to the handler %rsp + 8 is 16-byte aligned, as after a call. */
#include "linux/signal_frame.h"
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/traps.h"
#include "core/sched/thread.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/signal.h"
#include "linux/task.h"
#include "core/uaccess.h"

#define RED_ZONE 128
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define FX_SW_BYTES 464 /* offset of the software-reserved bytes in the fxsave area */
#define FX_SIZE 512
#define XSAVE_HDR 512 /* offset of the xsave header */
#define MXCSR_OFF 24
#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
/* RFLAGS bits a handler may change through the context: CF PF AF ZF SF TF DF OF NT RF AC. */
#define FIX_FLAGS 0x54dd5UL
/* Cleared for the handler: TF, DF, RF, AC, NT. */
#define HANDLER_CLEAR 0x54500UL

struct sigcontext_k {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* the FPU image, or 0 */
	uint64_t reserved[8];
};

struct ucontext_k {
	uint64_t flags, link;
	struct stack_k stack;
	struct sigcontext_k mc;
	uint64_t sigmask;
};

struct rt_sigframe_k {
	uint64_t pretcode;
	struct ucontext_k uc;
	struct k_siginfo info;
};

struct fpx_sw_bytes {
	uint32_t magic1, extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size, pad[7];
};

_Static_assert(sizeof(struct sigcontext_k) == 256, "struct sigcontext is 256 bytes");
_Static_assert(__builtin_offsetof(struct ucontext_k, mc) == 40, "uc_mcontext at 40");
_Static_assert(sizeof(struct ucontext_k) == 304, "the kernel's ucontext is 304 bytes");
_Static_assert(sizeof(struct k_siginfo) == 128, "siginfo is 128 bytes");
_Static_assert(sizeof(struct fpx_sw_bytes) == 48, "_fpx_sw_bytes is 48 bytes");

static bool on_altstack(const struct task *t, uint64_t sp)
{
	return t->sig.ss_size && sp > t->sig.ss_sp && sp - t->sig.ss_sp <= t->sig.ss_size;
}

static struct stack_k current_altstack(const struct task *t, uint64_t sp)
{
	struct stack_k s = { .sp = t->sig.ss_sp, .size = t->sig.ss_size };

	if (on_altstack(t, sp))
		s.flags = SS_ONSTACK;
	else if (!t->sig.ss_size)
		s.flags = SS_DISABLE;
	else
		s.flags = (int32_t)(t->sig.ss_flags & SS_AUTODISARM);
	return s;
}

int signal_altstack(const struct stack_k *ss, struct stack_k *old, uint64_t sp)
{
	struct task *t = current_task();
	uint32_t mode;

	if (old)
		*old = current_altstack(t, sp);
	if (!ss)
		return 0;
	if (on_altstack(t, sp))
		return -EPERM;
	mode = (uint32_t)ss->flags & ~SS_AUTODISARM;
	if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		t->sig.ss_sp = 0;
		t->sig.ss_size = 0;
		t->sig.ss_flags = SS_DISABLE;
		return 0;
	}
	if (ss->size < MINSIGSTKSZ)
		return -ENOMEM;
	t->sig.ss_sp = ss->sp;
	t->sig.ss_size = ss->size;
	t->sig.ss_flags = (int)((uint32_t)ss->flags & SS_AUTODISARM);
	return 0;
}

/* Write the current FPU state as the frame's image at ufp; the handler starts afresh. */
static int save_fpu(uint8_t *ufp, uint32_t size, bool xsave, uint64_t features)
{
	struct thread *th = current_thread();
	struct fpx_sw_bytes sw = { 0 };
	uint64_t f = arch_irq_save();

	/* The live registers are the application's (the kernel never touches them). A
	 * context switch after this saves the same state again. */
	fpu_save(th->fpu);
	arch_irq_restore(f);
	if (copy_to_user(ufp, th->fpu, size))
		return -EFAULT;
	if (xsave) {
		uint32_t magic2 = FP_XSTATE_MAGIC2;

		sw = (struct fpx_sw_bytes){ .magic1 = FP_XSTATE_MAGIC1,
					    .extended_size = size + 4,
					    .xfeatures = features,
					    .xstate_size = size };
		if (copy_to_user(ufp + size, &magic2, 4))
			return -EFAULT;
	}
	if (copy_to_user(ufp + FX_SW_BYTES, &sw, sizeof(sw)))
		return -EFAULT;
	fpu_reset(th->fpu);
	return 0;
}

int signal_frame_setup(struct trapframe *tf, int sig, const struct k_siginfo *info,
		       const struct k_sigaction *act, uint64_t oldmask)
{
	struct task *t = current_task();
	struct rt_sigframe_k fr = { 0 };
	uint64_t sp = tf->rsp, features, ufp, uframe;
	uint32_t size;
	bool xsave = appcpu_xsave(&features, &size);

	if (!(act->flags & SA_RESTORER))
		return -EFAULT; /* x86-64 has no default restorer: Linux refuses too */
	fr.uc.stack = current_altstack(t, sp);
	if ((act->flags & SA_ONSTACK) && t->sig.ss_size && !on_altstack(t, sp)) {
		sp = t->sig.ss_sp + t->sig.ss_size;
		if (t->sig.ss_flags & SS_AUTODISARM) {
			t->sig.ss_sp = 0;
			t->sig.ss_size = 0;
		}
	} else {
		sp -= RED_ZONE;
	}
	ufp = (sp - size - (xsave ? 4 : 0)) & ~63UL;
	uframe = ((ufp - sizeof(fr)) & ~15UL) - 8;
	if (!user_range_ok((void *)uframe, sp - uframe))
		return -EFAULT;

	fr.pretcode = act->restorer;
	fr.uc.flags = UC_SIGCONTEXT_SS | (xsave ? UC_FP_XSTATE : 0);
	fr.uc.mc = (struct sigcontext_k){
		.r8 = tf->r8,
		.r9 = tf->r9,
		.r10 = tf->r10,
		.r11 = tf->r11,
		.r12 = tf->r12,
		.r13 = tf->r13,
		.r14 = tf->r14,
		.r15 = tf->r15,
		.rdi = tf->rdi,
		.rsi = tf->rsi,
		.rbp = tf->rbp,
		.rbx = tf->rbx,
		.rdx = tf->rdx,
		.rax = tf->rax,
		.rcx = tf->rcx,
		.rsp = tf->rsp,
		.rip = tf->rip,
		.eflags = tf->rflags,
		.cs = (uint16_t)tf->cs,
		.ss = (uint16_t)tf->ss,
		.err = t->sig.error,
		.trapno = t->sig.trapno,
		.oldmask = oldmask,
		.cr2 = t->sig.cr2,
		.fpstate = ufp,
	};
	fr.uc.sigmask = oldmask;
	fr.info = *info;
	if (copy_to_user((void *)uframe, &fr, sizeof(fr)) ||
	    save_fpu((uint8_t *)ufp, size, xsave, features))
		return -EFAULT;

	tf->rsp = uframe;
	tf->rip = act->handler;
	tf->rdi = (uint64_t)sig;
	tf->rsi = uframe + __builtin_offsetof(struct rt_sigframe_k, info);
	tf->rdx = uframe + __builtin_offsetof(struct rt_sigframe_k, uc);
	tf->rax = 0; /* no vector registers used, for a variadic handler */
	tf->rflags &= ~HANDLER_CLEAR;
	return 0;
}

/* Load the frame's FPU image at ufp, made safe for xrstor/fxrstor (a bad image would fault
 * in the kernel): reserved MXCSR bits, unknown features and the header's reserved bytes
 * cleared. An image without the xsave magic numbers restores the legacy part only. */
static int restore_fpu(uint64_t ufp)
{
	struct thread *th = current_thread();
	uint64_t features, bv;
	uint32_t size, mxcsr;
	struct fpx_sw_bytes sw;
	bool xsave = appcpu_xsave(&features, &size), full = false;
	uint8_t *img;

	if (!ufp) {
		fpu_reset(th->fpu);
		return 0;
	}
	if (copy_from_user(&sw, (void *)(ufp + FX_SW_BYTES), sizeof(sw)))
		return -EFAULT;
	if (xsave && sw.magic1 == FP_XSTATE_MAGIC1 && sw.xstate_size == size) {
		uint32_t magic2;

		full = !get_user(magic2, (uint32_t *)(ufp + size)) && magic2 == FP_XSTATE_MAGIC2;
	}
	img = fpu_alloc(false); /* the initial state: what an fxsave-only image leaves */
	if (!img)
		return -ENOMEM;
	if (copy_from_user(img, (void *)ufp, full ? size : FX_SIZE)) {
		fpu_free(img);
		return -EFAULT;
	}
	memcpy(&mxcsr, img + MXCSR_OFF, 4);
	mxcsr &= appcpu_mxcsr_mask();
	memcpy(img + MXCSR_OFF, &mxcsr, 4);
	if (xsave) {
		memcpy(&bv, img + XSAVE_HDR, 8);
		bv = full ? bv & features : bv | 0x3; /* x87 and SSE from the legacy image */
		memcpy(img + XSAVE_HDR, &bv, 8);
		memset(img + XSAVE_HDR + 8, 0, 56); /* xcomp_bv: the standard format */
	}
	fpu_load(th->fpu, img);
	fpu_free(img);
	return 0;
}

int signal_frame_restore(struct trapframe *tf)
{
	struct ucontext_k uc;
	const struct sigcontext_k *m = &uc.mc;

	if (copy_from_user(&uc, (void *)tf->rsp, sizeof(uc)))
		return -EFAULT;
	tf->r8 = m->r8;
	tf->r9 = m->r9;
	tf->r10 = m->r10;
	tf->r11 = m->r11;
	tf->r12 = m->r12;
	tf->r13 = m->r13;
	tf->r14 = m->r14;
	tf->r15 = m->r15;
	tf->rdi = m->rdi;
	tf->rsi = m->rsi;
	tf->rbp = m->rbp;
	tf->rbx = m->rbx;
	tf->rdx = m->rdx;
	tf->rax = m->rax;
	tf->rcx = m->rcx;
	tf->rsp = m->rsp;
	tf->rip = m->rip;
	tf->rflags = (tf->rflags & ~FIX_FLAGS) | (m->eflags & FIX_FLAGS);
	/* cs and ss stay the kernel's: the application runs at CPL0. */
	signal_set_blocked(uc.sigmask);
	/* An unusable uc_stack leaves the alternate stack as it is, as in Linux. */
	(void)signal_altstack(&uc.stack, NULL, tf->rsp);
	return restore_fpu(m->fpstate);
}
