/* test_fpu.c: the FPU/vector state of a thread is its own. Threads on every CPU, each with an
 * application FPU area, fill every vector register the kernel saves (XMM, YMM, ZMM0-31 and
 * the opmask registers, as the CPU has them) with their own pattern, yield and sleep so that
 * they switch and migrate, and read the registers back. Afterwards each area's guard words
 * must be intact: an xsave that wrote past its area would have overwritten them. */
#include "core/selftest.h"
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/percpu.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/time.h"
#include "lib/string.h"

#define FPU_THREADS 6
#define FPU_ROUNDS 150
#define REGS 32
#define AVX512 0xe0ull /* opmask, ZMM_Hi256, Hi16_ZMM */
#define AVX 0x4ull

struct fpu_worker {
	uint8_t want[REGS * 64] __aligned(64);
	uint8_t got[REGS * 64] __aligned(64);
	uint64_t kwant[8], kgot[8];
	uint64_t seed;
	int bad_round; /* -1: all rounds good */
	int bad_reg;
	bool guard_ok;
};

/* The kernel is built without SSE: only these statements touch the vector registers. */
static void load(const struct fpu_worker *w, uint64_t x)
{
	if ((x & AVX512) == AVX512) {
		__asm__ volatile(".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
				 "22,23,24,25,26,27,28,29,30,31\n"
				 "vmovdqu64 \\n*64(%0), %%zmm\\n\n"
				 ".endr\n"
				 ".irp n,1,2,3,4,5,6,7\n"
				 "kmovq \\n*8(%1), %%k\\n\n"
				 ".endr"
				 :
				 : "r"(w->want), "r"(w->kwant)
				 : "memory");
	} else if (x & AVX) {
		__asm__ volatile(".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
				 "vmovdqu \\n*64(%0), %%ymm\\n\n"
				 ".endr"
				 :
				 : "r"(w->want)
				 : "memory");
	} else {
		__asm__ volatile(".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
				 "movdqu \\n*64(%0), %%xmm\\n\n"
				 ".endr"
				 :
				 : "r"(w->want)
				 : "memory");
	}
}

static void store(struct fpu_worker *w, uint64_t x)
{
	if ((x & AVX512) == AVX512) {
		__asm__ volatile(".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
				 "22,23,24,25,26,27,28,29,30,31\n"
				 "vmovdqu64 %%zmm\\n, \\n*64(%0)\n"
				 ".endr\n"
				 ".irp n,1,2,3,4,5,6,7\n"
				 "kmovq %%k\\n, \\n*8(%1)\n"
				 ".endr"
				 :
				 : "r"(w->got), "r"(w->kgot)
				 : "memory");
	} else if (x & AVX) {
		__asm__ volatile(".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
				 "vmovdqu %%ymm\\n, \\n*64(%0)\n"
				 ".endr"
				 :
				 : "r"(w->got)
				 : "memory");
	} else {
		__asm__ volatile(".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
				 "movdqu %%xmm\\n, \\n*64(%0)\n"
				 ".endr"
				 :
				 : "r"(w->got)
				 : "memory");
	}
}

/* Bytes of each register that the widest saved form covers. */
static size_t reg_bytes(uint64_t x)
{
	return (x & AVX512) == AVX512 ? 64 : (x & AVX) ? 32 : 16;
}

static int first_bad(const struct fpu_worker *w, uint64_t x)
{
	int nregs = (x & AVX512) == AVX512 ? REGS : 16;

	for (int r = 0; r < nregs; r++)
		if (memcmp(w->want + r * 64, w->got + r * 64, reg_bytes(x)))
			return r;
	if ((x & AVX512) == AVX512)
		for (int k = 1; k < 8; k++)
			if (w->kwant[k] != w->kgot[k])
				return REGS + k;
	return -1;
}

static void worker(void *arg)
{
	struct fpu_worker *w = arg;
	struct thread *me = current_thread();
	uint64_t x = appcpu_xfeatures();

	me->fpu = fpu_alloc(false); /* from here on, switches save and restore our registers */
	if (!me->fpu)
		return;
	for (int round = 0; round < FPU_ROUNDS && w->bad_round < 0; round++) {
		for (size_t i = 0; i < sizeof(w->want) / 8; i++)
			((uint64_t *)w->want)[i] = st_rand(&w->seed);
		for (int k = 0; k < 8; k++)
			w->kwant[k] = st_rand(&w->seed);
		load(w, x);
		if (round % 3)
			sched_yield();
		else
			sleep_ns(20 * NSEC_PER_USEC);
		store(w, x);
		w->bad_reg = first_bad(w, x);
		if (w->bad_reg >= 0)
			w->bad_round = round;
	}
	w->guard_ok = fpu_guard_ok(me->fpu);
}

int test_fpu(struct st *st)
{
	static struct fpu_worker w[FPU_THREADS];
	struct thread *t[FPU_THREADS];
	uint64_t x = appcpu_xfeatures();
	int n = 0;

	for (int i = 0; i < FPU_THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
		w[i].bad_round = -1;
		t[i] = thread_create("fpu", worker, &w[i], THREAD_ANY_CPU);
		if (!t[i])
			return st_fail(st, "thread_create failed");
	}
	for (int i = 0; i < FPU_THREADS; i++)
		thread_join(t[i]);
	for (int i = 0; i < FPU_THREADS; i++) {
		if (w[i].bad_round >= 0)
			return st_fail(st,
				       "thread %d: register %d changed across a switch (round %d)",
				       i, w[i].bad_reg, w[i].bad_round);
		if (!w[i].guard_ok)
			return st_fail(st, "thread %d: its FPU area was overrun", i);
		n++;
	}
	return st_ok(st, "%d threads x %d switches, %s registers kept, saves %#lx in %u bytes", n,
		     FPU_ROUNDS,
		     (x & AVX512) == AVX512 ? "zmm0-31, k1-7"
		     : (x & AVX)	    ? "ymm0-15"
					    : "xmm0-15",
		     x, appcpu_fpu_size);
}
