/* xstate.h: which XSAVE state components the kernel saves per thread, and the layout of their
 * standard-format save image, planned from CPUID leaf 0xD and the XCR0 the CPU really runs
 * with. Pure code (no CPU access): also built into the host unit tests. */
#ifndef MOTE_ARCH_X86_64_XSTATE_H
#define MOTE_ARCH_X86_64_XSTATE_H

#include "lib/types.h"

#define XSTATE_MAX 64
#define XFEATURE_X87 0
#define XFEATURE_SSE 1
#define XFEATURE_AVX 2
#define XFEATURE_OPMASK 5
#define XFEATURE_ZMM_HI256 6
#define XFEATURE_HI16_ZMM 7
#define XFEATURE_PKRU 9
#define XFEATURE_TILECFG 17
#define XFEATURE_TILEDATA 18
#define XSTATE_LEGACY_SIZE 512 /* the fxsave region */
#define XSTATE_HEADER_SIZE 64
#define XSTATE_AMX ((1ull << XFEATURE_TILECFG) | (1ull << XFEATURE_TILEDATA))
/* What the kernel saves and restores at a context switch when the CPU has it: x87, SSE, AVX,
 * AVX-512 (opmask, upper ZMM0-15, ZMM16-31) and PKRU. AMX tile data (8 KiB a thread, and a
 * Linux program must ask for it with arch_prctl(ARCH_REQ_XCOMP_PERM)) and the deprecated MPX
 * components are left out. */
#define XSTATE_MANAGED                                                                            \
	((1ull << XFEATURE_X87) | (1ull << XFEATURE_SSE) | (1ull << XFEATURE_AVX) |               \
	 (1ull << XFEATURE_OPMASK) | (1ull << XFEATURE_ZMM_HI256) | (1ull << XFEATURE_HI16_ZMM) | \
	 (1ull << XFEATURE_PKRU))

/* One component as CPUID.(EAX=0xD, ECX=i) reports it: EAX = size, EBX = offset in the
 * standard format. */
struct xstate_comp {
	uint32_t size;
	uint32_t offset;
};

struct xstate_plan {
	uint64_t mask;	  /* the components saved and restored (xsave's requested-feature mask) */
	uint64_t unsaved; /* components enabled in XCR0 that are not saved (never written) */
	uint32_t size;	  /* bytes of the standard-format image of mask (>= 576) */
};

/*
 * Plan the save image. live is XCR0 as the CPU runs (xgetbv(0)): on some hypervisors it is
 * the host's and holds more than the guest asked for. comp[i] is CPUID 0xD sub-leaf i for
 * each i >= 2 set in live (others are not read). A managed component is saved only if it
 * can be sized: a non-zero size, an offset past the legacy region and header, and an end
 * within limit bytes; every other bit of live goes to unsaved. x87 and SSE are always saved.
 */
void xstate_plan(uint64_t live, const struct xstate_comp comp[XSTATE_MAX], uint32_t limit,
		 struct xstate_plan *out);

/* A short name for component i ("avx", "tile data", ...), or "component". */
const char *xstate_name(unsigned int i);

#endif /* MOTE_ARCH_X86_64_XSTATE_H */
