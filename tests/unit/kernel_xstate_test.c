/* kernel_xstate_test.c: host unit test of the kernel's XSAVE planning (kernel/arch/x86_64/
 * xstate.c) on the CPUID leaf 0xD tables and XCR0 values of real hosts: an Intel Xeon with
 * AMX under kvm_pvm (XCR0 0x602e7 while the guest's CPUID sizes 2688 bytes), an AMD EPYC with
 * AVX-512, QEMU TCG, a CPUID edited to size less than XCR0 holds, and hostile tables. The
 * property every plan must have: each saved component lies inside the image. */
#include "arch/x86_64/xstate.h"
#include "check.h"

#define LIMIT 0x10000

/* The standard-format layout Intel and AMD CPUs report (SDM vol. 1, 13.4; CPUID 0xD). */
static void real_layout(struct xstate_comp c[XSTATE_MAX])
{
	for (int i = 0; i < XSTATE_MAX; i++)
		c[i] = (struct xstate_comp){ 0, 0 };
	c[2] = (struct xstate_comp){ 256, 576 };
	c[3] = (struct xstate_comp){ 64, 960 };
	c[4] = (struct xstate_comp){ 64, 1024 };
	c[5] = (struct xstate_comp){ 64, 1088 };
	c[6] = (struct xstate_comp){ 512, 1152 };
	c[7] = (struct xstate_comp){ 1024, 1664 };
	c[9] = (struct xstate_comp){ 8, 2688 };
	c[17] = (struct xstate_comp){ 64, 2752 };
	c[18] = (struct xstate_comp){ 8192, 2816 };
}

/* Every saved component is inside the image; the image holds the legacy region and header. */
static void check_inside(const struct xstate_plan *p, const struct xstate_comp c[XSTATE_MAX],
			 uint64_t live)
{
	CHECK(p->size >= XSTATE_LEGACY_SIZE + XSTATE_HEADER_SIZE);
	CHECK((p->mask & 3) == 3);
	CHECK((p->mask & ~XSTATE_MANAGED) == 0);
	CHECK((p->mask | p->unsaved) == (live | 3));
	CHECK((p->mask & p->unsaved) == 0);
	for (int i = 2; i < XSTATE_MAX; i++)
		if (p->mask & (1ull << i))
			CHECK((uint64_t)c[i].offset + c[i].size <= p->size);
}

static void test_intel_amx(void)
{
	struct xstate_comp c[XSTATE_MAX];
	struct xstate_plan p;

	real_layout(c);
	xstate_plan(0x602e7, c, LIMIT, &p); /* AMX enabled by the host */
	check_inside(&p, c, 0x602e7);
	CHECK(p.mask == 0x2e7);
	CHECK(p.unsaved == XSTATE_AMX);
	CHECK(p.size == 2696);
	/* the old kernel's mistake: xsave with XCR0 writes the tiles up to 11008 */
	CHECK((uint64_t)c[18].offset + c[18].size > p.size);
	xstate_plan(0x600e7, c, LIMIT, &p); /* as reported on the host that found the bug */
	check_inside(&p, c, 0x600e7);
	CHECK(p.mask == 0xe7 && p.size == 2688);
}

static void test_amd_avx512(void)
{
	struct xstate_comp c[XSTATE_MAX];
	struct xstate_plan p;

	real_layout(c);
	xstate_plan(0x2e7, c, LIMIT, &p);
	check_inside(&p, c, 0x2e7);
	CHECK(p.mask == 0x2e7 && p.unsaved == 0 && p.size == 2696);
	/* AMD EPYC (family 26, as read on 2026-12-06) leaves no room for MPX: AVX-512 starts
	 * at 832 and the image of 0xe7 is 2432 bytes, not Intel's 2688 */
	c[3] = c[4] = c[9] = (struct xstate_comp){ 0, 0 };
	c[5] = (struct xstate_comp){ 64, 832 };
	c[6] = (struct xstate_comp){ 512, 896 };
	c[7] = (struct xstate_comp){ 1024, 1408 };
	xstate_plan(0xe7, c, LIMIT, &p);
	check_inside(&p, c, 0xe7);
	CHECK(p.mask == 0xe7 && p.unsaved == 0 && p.size == 2432);
}

static void test_small_cpus(void)
{
	struct xstate_comp c[XSTATE_MAX];
	struct xstate_plan p;

	real_layout(c);
	xstate_plan(0x3, c, LIMIT, &p); /* xsave without AVX */
	check_inside(&p, c, 0x3);
	CHECK(p.mask == 0x3 && p.size == 576);
	xstate_plan(0x7, c, LIMIT, &p); /* AVX, no AVX-512 (QEMU TCG, older CPUs) */
	check_inside(&p, c, 0x7);
	CHECK(p.mask == 0x7 && p.size == 832);
	xstate_plan(0x1f, c, LIMIT, &p); /* MPX enabled: not managed */
	check_inside(&p, c, 0x1f);
	CHECK(p.mask == 0x7 && p.unsaved == 0x18);
}

/* A CPUID that sizes less than XCR0 holds (motevm's --cpuid test edits; a host whose XCR0
 * is not the guest's): what cannot be sized is not saved, never written past the image. */
static void test_unsized(void)
{
	struct xstate_comp c[XSTATE_MAX];
	struct xstate_plan p;

	real_layout(c);
	for (int i = 5; i <= 7; i++)
		c[i] = (struct xstate_comp){ 0, 0 };
	xstate_plan(0xe7, c, LIMIT, &p);
	check_inside(&p, c, 0xe7);
	CHECK(p.mask == 0x7 && p.unsaved == 0xe0 && p.size == 832);
}

static void test_hostile(void)
{
	struct xstate_comp c[XSTATE_MAX];
	struct xstate_plan p;
	uint64_t s = 88172645463325252ull;

	real_layout(c);
	c[2] = (struct xstate_comp){ 0xffffffffu, 0xffffffffu }; /* overflows 32 bits */
	c[5] = (struct xstate_comp){ 64, 100 };			 /* inside the legacy region */
	c[6] = (struct xstate_comp){ 512, LIMIT };		 /* past the limit */
	xstate_plan(0x2e7, c, LIMIT, &p);
	check_inside(&p, c, 0x2e7);
	CHECK(p.mask == 0x283);
	for (int n = 0; n < 20000; n++) { /* random tables: the property holds */
		uint64_t live = 3;

		for (int i = 0; i < XSTATE_MAX; i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			c[i] = (struct xstate_comp){ (uint32_t)(s % 5000),
						     (uint32_t)(s >> 40) % 70000 };
			if (s & (1ull << 20))
				live |= 1ull << i;
		}
		xstate_plan(live, c, LIMIT, &p);
		check_inside(&p, c, live);
		CHECK(p.size <= LIMIT);
	}
}

int main(void)
{
	test_intel_amx();
	test_amd_avx512();
	test_small_cpus();
	test_unsized();
	test_hostile();
	CHECK(xstate_name(18)[0] == 'a' && xstate_name(40)[0] == 'c');
	return check_done();
}
