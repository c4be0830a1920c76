/* xstate.c: planning the XSAVE image from CPUID leaf 0xD and the live XCR0 (xstate.h). */
#include "arch/x86_64/xstate.h"

void xstate_plan(uint64_t live, const struct xstate_comp comp[XSTATE_MAX], uint32_t limit,
		 struct xstate_plan *out)
{
	uint64_t mask = (1ull << XFEATURE_X87) | (1ull << XFEATURE_SSE);
	uint32_t size = XSTATE_LEGACY_SIZE + XSTATE_HEADER_SIZE;

	for (unsigned int i = XFEATURE_AVX; i < XSTATE_MAX; i++) {
		uint64_t bit = 1ull << i;
		uint64_t end = (uint64_t)comp[i].offset + comp[i].size;

		if (!(live & bit) || !(XSTATE_MANAGED & bit))
			continue;
		if (!comp[i].size || comp[i].offset < XSTATE_LEGACY_SIZE + XSTATE_HEADER_SIZE ||
		    end > limit)
			continue;
		mask |= bit;
		if (end > size)
			size = (uint32_t)end;
	}
	out->mask = mask;
	out->unsaved = live & ~mask;
	out->size = size;
}

const char *xstate_name(unsigned int i)
{
	static const char *const names[] = {
		[XFEATURE_X87] = "x87",
		[XFEATURE_SSE] = "sse",
		[XFEATURE_AVX] = "avx",
		[3] = "mpx bounds",
		[4] = "mpx csr",
		[XFEATURE_OPMASK] = "avx512 opmask",
		[XFEATURE_ZMM_HI256] = "avx512 zmm_hi256",
		[XFEATURE_HI16_ZMM] = "avx512 hi16_zmm",
		[XFEATURE_PKRU] = "pkru",
		[XFEATURE_TILECFG] = "amx tile config",
		[XFEATURE_TILEDATA] = "amx tile data",
	};

	return i < ARRAY_SIZE(names) && names[i] ? names[i] : "component";
}
