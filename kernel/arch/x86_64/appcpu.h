/* appcpu.h: the CPU state an application thread owns beyond its general registers: the
 * FPU/SSE/AVX registers (xsave, else fxsave), the FS base (TLS), and the per-CPU set-up the
 * application needs (CR0/CR4 bits, XCR0, the syscall MSRs). */
#ifndef MOTE_ARCH_X86_64_APPCPU_H
#define MOTE_ARCH_X86_64_APPCPU_H

#include "lib/types.h"

/* The size of a thread's FPU save area (64-byte aligned), known after appcpu_init_boot. */
extern uint32_t appcpu_fpu_size;
/* True when rd/wrfsbase are usable (CR4.FSGSBASE set); else the FS base MSR is written. */
extern bool appcpu_fsgsbase;

/* Boot CPU: probe xsave/fsgsbase, then appcpu_init_cpu. */
void appcpu_init_boot(void);
/* Every CPU (APs from smp_ap_main): CR0.WP/NE/MP, CR4.OSFXSR/OSXMMEXCPT[/OSXSAVE/FSGSBASE],
 * XCR0, EFER.SCE, STAR/LSTAR/FMASK (the syscall instruction enters syscall_entry). */
void appcpu_init_cpu(void);

/* Allocate a save area holding the initial state (fninit, MXCSR 0x1f80), or a copy of the
 * calling thread's live registers when from_live. NULL when out of memory. */
void *fpu_alloc(bool from_live) __must_check;
/* Free an area from fpu_alloc (NULL is fine); panics if something wrote past its end. */
void fpu_free(void *area);
/* True while the guard words after area (from fpu_alloc) are intact. */
bool fpu_guard_ok(const void *area);
/* Put the initial state in area and load it (a new program, execve, a signal handler). */
void fpu_reset(void *area);
/* Copy image (appcpu_fpu_size bytes, a valid save image) to area and load it (sigreturn). */
void fpu_load(void *area, const void *image);
/* The save format: true if xsave (standard format) with *features = XCR0, false for fxsave
 * (*features = x87|SSE); *size = the image's size (512 for fxsave). Linux's signal frame
 * carries the same image. */
bool appcpu_xsave(uint64_t *features, uint32_t *size);
/* The state components saved per thread (XCR0 bits; x87|SSE without xsave): what a program
 * may use and what arch_prctl(ARCH_GET_XCOMP_SUPP) reports. */
uint64_t appcpu_xfeatures(void);
/* The MXCSR bits the CPU accepts (fxrstor/xrstor fault on the others). */
uint32_t appcpu_mxcsr_mask(void);
/* Save the live FPU registers to area / load them from it. */
void fpu_save(void *area);
void fpu_restore(void *area);

/* At a context switch between threads of which one at least is an application thread:
 * save prev's FPU registers, load next's and its FS base. */
struct thread;
void arch_switch_app(struct thread *prev, struct thread *next);

/* The FS base (the application's TLS pointer). */
void appcpu_set_fs(uint64_t base);
uint64_t appcpu_get_fs(void);

#endif /* MOTE_ARCH_X86_64_APPCPU_H */
