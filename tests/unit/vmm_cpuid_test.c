/* vmm_cpuid_test.c: host unit test of motevm's test-only CPUID edits (vmm/arch/x86_64/cpuid.c):
 * --cpuid and --cpu-hide parsing, and applying edits to a CPUID table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm.h>

#include "arch/x86_64/cpuid.h"
#include "check.h"

static char err[256];

/* Parses ARG into a fresh list; the result of the parser. */
static int parse(struct cpuid_edits *e, const char *arg)
{
	memset(e, 0, sizeof(*e));
	err[0] = 0;
	return cpuid_edit_parse(e, arg, err, sizeof(err));
}

static int hide(struct cpuid_edits *e, const char *arg)
{
	memset(e, 0, sizeof(*e));
	err[0] = 0;
	return cpuid_hide_parse(e, arg, err, sizeof(err));
}

static bool is(const struct cpuid_edit *ed, uint32_t leaf, uint32_t sub, bool has_sub,
	       enum cpuid_reg reg, enum cpuid_op op, uint32_t value)
{
	return ed->leaf == leaf && ed->subleaf == sub && ed->has_subleaf == has_sub &&
	       ed->reg == reg && ed->op == op && ed->value == value && !ed->hide;
}

static void test_parse(void)
{
	struct cpuid_edits e;

	CHECK(parse(&e, "0xd.0:eax=0x7,edx=0,ebx=0x340,ecx=0x340") == 0 && e.n == 4);
	CHECK(is(&e.e[0], 0xd, 0, true, CPUID_EAX, CPUID_OP_SET, 7));
	CHECK(is(&e.e[1], 0xd, 0, true, CPUID_EDX, CPUID_OP_SET, 0));
	CHECK(is(&e.e[2], 0xd, 0, true, CPUID_EBX, CPUID_OP_SET, 0x340));
	CHECK(is(&e.e[3], 0xd, 0, true, CPUID_ECX, CPUID_OP_SET, 0x340));
	CHECK(parse(&e, "7.0:ebx&=~0x10000") == 0 && e.n == 1 &&
	      is(&e.e[0], 7, 0, true, CPUID_EBX, CPUID_OP_CLEAR, 0x10000));
	CHECK(parse(&e, "1:ecx|=0x80000000") == 0 && e.n == 1 &&
	      is(&e.e[0], 1, 0, false, CPUID_ECX, CPUID_OP_OR, 0x80000000u));
	CHECK(parse(&e, "0x80000001:EDX&=0xffff") == 0 && e.n == 1 &&
	      is(&e.e[0], 0x80000001u, 0, false, CPUID_EDX, CPUID_OP_AND, 0xffff));
	/* decimal, never octal; upper-case hex */
	CHECK(parse(&e, "13.010:eax=0XFFFFFFFF") == 0 && e.n == 1 &&
	      is(&e.e[0], 13, 10, true, CPUID_EAX, CPUID_OP_SET, 0xffffffffu));
	CHECK(parse(&e, "0x4000000f.0x1f:ebx=4294967295") == 0 &&
	      is(&e.e[0], 0x4000000f, 0x1f, true, CPUID_EBX, CPUID_OP_SET, 0xffffffffu));

	/* errors name the problem */
	CHECK(parse(&e, "") < 0 && strstr(err, "bad leaf"));
	CHECK(parse(&e, "d:eax=1") < 0 && strstr(err, "bad leaf 'd'"));
	CHECK(parse(&e, "0x:eax=1") < 0 && strstr(err, "bad leaf"));
	CHECK(parse(&e, "0x100000000:eax=1") < 0 && strstr(err, "bad leaf"));
	CHECK(parse(&e, "0xd.:eax=1") < 0 && strstr(err, "bad leaf"));
	CHECK(parse(&e, "-1:eax=1") < 0 && strstr(err, "bad leaf"));
	CHECK(parse(&e, "0xd") < 0 && strstr(err, "expected LEAF[.SUBLEAF]:REG=VALUE"));
	CHECK(parse(&e, "0xd.0.1:eax=1") < 0 && strstr(err, "expected LEAF"));
	CHECK(parse(&e, "0xd:foo=1") < 0 && strstr(err, "unknown register 'foo'"));
	CHECK(parse(&e, "0xd:eaxx=1") < 0 && strstr(err, "unknown register 'eaxx'"));
	CHECK(parse(&e, "0xd:rax=1") < 0 && strstr(err, "unknown register"));
	CHECK(parse(&e, "0xd:") < 0 && strstr(err, "unknown register ''"));
	CHECK(parse(&e, "0xd:eax") < 0 && strstr(err, "expected =, |=, &= or &=~"));
	CHECK(parse(&e, "0xd:eax+=1") < 0 && strstr(err, "expected =, |=, &= or &=~"));
	CHECK(parse(&e, "0xd:eax~=1") < 0 && strstr(err, "expected ="));
	CHECK(parse(&e, "0xd:eax=") < 0 && strstr(err, "bad value ''"));
	CHECK(parse(&e, "0xd:eax=0x1ffffffff") < 0 && strstr(err, "bad value '0x1ffffffff'"));
	CHECK(parse(&e, "0xd:eax=4294967296") < 0 && strstr(err, "bad value"));
	CHECK(parse(&e, "0xd:eax=1x") < 0 && strstr(err, "bad value '1x'"));
	CHECK(parse(&e, "0xd:eax=-1") < 0 && strstr(err, "bad value"));
	CHECK(parse(&e, "0xd:eax&=~~1") < 0 && strstr(err, "bad value"));
	CHECK(parse(&e, "0xd:eax=1,") < 0 && strstr(err, "unknown register"));
	CHECK(parse(&e, "0xd:eax=1 ") < 0 && strstr(err, "bad value"));
	CHECK(strstr(err, "--cpuid 0xd:eax=1 ") != NULL); /* the argument is quoted */

	/* a failed argument adds nothing, even after good items */
	memset(&e, 0, sizeof(e));
	CHECK(cpuid_edit_parse(&e, "1:ecx=1", err, sizeof(err)) == 0 && e.n == 1);
	CHECK(cpuid_edit_parse(&e, "1:eax=1,ebx=zz", err, sizeof(err)) < 0 && e.n == 1);
	/* the list is bounded */
	memset(&e, 0, sizeof(e));
	for (int i = 0; i < CPUID_EDITS_MAX; i++)
		CHECK(cpuid_edit_parse(&e, "1:ecx|=1", err, sizeof(err)) == 0);
	CHECK(e.n == CPUID_EDITS_MAX);
	CHECK(cpuid_edit_parse(&e, "1:ecx|=1", err, sizeof(err)) < 0 && strstr(err, "too many"));
	CHECK(cpuid_hide_parse(&e, "x2apic", err, sizeof(err)) < 0 && strstr(err, "too many"));
	CHECK(e.n == CPUID_EDITS_MAX);
}

static void test_hide(void)
{
	struct cpuid_edits e;
	const char *name;
	unsigned n = 0;

	CHECK(hide(&e, "x2apic,tsc-deadline,fsgsbase,xsave,avx512f,pku") == 0 && e.n == 6);
	CHECK(e.e[0].leaf == 1 && e.e[0].reg == CPUID_ECX && e.e[0].value == 1u << 21 &&
	      e.e[0].op == CPUID_OP_CLEAR && e.e[0].hide);
	CHECK(e.e[1].leaf == 1 && e.e[1].reg == CPUID_ECX && e.e[1].value == 1u << 24);
	CHECK(e.e[2].leaf == 7 && e.e[2].has_subleaf && e.e[2].subleaf == 0 &&
	      e.e[2].reg == CPUID_EBX && e.e[2].value == 1u << 0);
	CHECK(e.e[3].leaf == 1 && e.e[3].reg == CPUID_ECX && e.e[3].value == 1u << 26);
	CHECK(e.e[4].leaf == 7 && e.e[4].reg == CPUID_EBX && e.e[4].value == 1u << 16);
	CHECK(e.e[5].leaf == 7 && e.e[5].reg == CPUID_ECX && e.e[5].value == 1u << 3);
	CHECK(hide(&e, "TSC_DEADLINE") == 0 && e.n == 1 && e.e[0].value == 1u << 24);
	CHECK(hide(&e, "xsavec") == 0 && e.e[0].leaf == 0xd && e.e[0].subleaf == 1 &&
	      e.e[0].reg == CPUID_EAX && e.e[0].value == 2);
	CHECK(hide(&e, "kvmclock") == 0 && e.e[0].leaf == 0x40000001 && e.e[0].value == 9);
	CHECK(hide(&e, "nope") < 0 && strstr(err, "unknown feature 'nope'"));
	CHECK(hide(&e, "x2apic,nope") < 0 && strstr(err, "unknown feature 'nope'"));
	CHECK(hide(&e, "x2apicx") < 0 && strstr(err, "unknown feature 'x2apicx'"));
	CHECK(hide(&e, "") < 0 && strstr(err, "empty feature name"));
	CHECK(hide(&e, "x2apic,,pku") < 0 && strstr(err, "empty"));
	CHECK(hide(&e, "x2apic,") < 0 && strstr(err, "empty"));
	/* every listed name parses */
	for (; (name = cpuid_hide_name(n)); n++)
		CHECK(hide(&e, name) == 0 && e.n == 1);
	CHECK(n >= 20);
}

/* A small table as KVM gives it: basic leaves to 0xd, KVM's leaves, extended to 0x80000008. */
static struct kvm_cpuid2 *table(void)
{
	static const struct kvm_cpuid_entry2 base[] = {
		{ .function = 0, .eax = 0xd },
		{ .function = 1, .eax = 0x806f8, .ecx = 0xfffa3223, .edx = 0x178bfbff },
		{ .function = 7,
		  .index = 0,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .ebx = 0xf3bfb7ff,
		  .ecx = 0x1b4e,
		  .edx = 0x1c814c10 },
		{ .function = 0xd,
		  .index = 0,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0xe7,
		  .ebx = 0xa80,
		  .ecx = 0xa80 },
		{ .function = 0xd,
		  .index = 1,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0xf },
		{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x4b4d564b },
		{ .function = 0x40000001, .eax = 0x01007afb },
		{ .function = 0x80000000, .eax = 0x80000008 },
		{ .function = 0x80000001, .ecx = 0x121, .edx = 0x2c100800 },
	};
	enum { N = sizeof(base) / sizeof(base[0]) };
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + (N + CPUID_EDITS_MAX) * sizeof(base[0]));

	if (!c)
		abort();
	c->nent = N;
	memcpy(c->entries, base, sizeof(base));
	return c;
}

/* Applies the --cpuid arguments ARGS (NULL-terminated) to a fresh table. */
static int apply(struct kvm_cpuid2 **c, const char *const *args)
{
	struct cpuid_edits e = { .n = 0 };

	free(*c);
	*c = table();
	for (; *args; args++)
		if (cpuid_edit_parse(&e, *args, err, sizeof(err)))
			return -1000; /* the tests below only apply good arguments */
	err[0] = 0;
	return cpuid_edit_apply(*c, &e, err, sizeof(err));
}

static void test_apply(void)
{
	struct kvm_cpuid2 *c = NULL;
	struct kvm_cpuid_entry2 *x;
	struct cpuid_edits e;
	uint32_t n0;

	/* issue 10: the XSAVE leaf of an AVX-only CPU; sub-leaf 1 stays */
	CHECK(apply(&c, (const char *[]){ "0xd.0:eax=0x7,edx=0,ebx=0x340,ecx=0x340", NULL }) == 0);
	x = cpuid_find(c, 0xd, 0);
	CHECK(x && x->eax == 7 && x->ebx == 0x340 && x->ecx == 0x340 && x->edx == 0);
	x = cpuid_find(c, 0xd, 1);
	CHECK(x && x->eax == 0xf);
	n0 = c->nent;
	CHECK(n0 == 9);

	/* the four operators */
	CHECK(apply(&c, (const char *[]){ "7.0:ebx&=~0x10001", "7:ecx|=0x80000000",
					  "0x80000001:edx&=0xff00", "1:eax=42", NULL }) == 0);
	CHECK(cpuid_find(c, 7, 0)->ebx == (0xf3bfb7ffu & ~0x10001u));
	CHECK(cpuid_find(c, 7, 0)->ecx == (0x1b4eu | 0x80000000u));
	CHECK(cpuid_find(c, 0x80000001, 0)->edx == 0x800);
	CHECK(cpuid_find(c, 1, 0)->eax == 42 && c->nent == n0);
	/* edits apply in order */
	CHECK(apply(&c, (const char *[]){ "1:ecx=0", "1:ecx|=3", "1:ecx&=~1", NULL }) == 0);
	CHECK(cpuid_find(c, 1, 0)->ecx == 2);
	/* a sub-leaf on a leaf without sub-leaves edits the leaf (KVM ignores ECX there) */
	CHECK(apply(&c, (const char *[]){ "1.5:edx=9", NULL }) == 0 &&
	      cpuid_find(c, 1, 0)->edx == 9 && c->nent == n0);

	/* absent sub-leaf of an indexed leaf: added, indexed */
	CHECK(apply(&c, (const char *[]){ "0xd.40:eax=0x1234", NULL }) == 0 && c->nent == n0 + 1);
	x = cpuid_find(c, 0xd, 40);
	CHECK(x && x->eax == 0x1234 && x->ebx == 0 && x->index == 40 &&
	      (x->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX));
	CHECK(cpuid_find(c, 0xd, 0)->eax == 0xe7 && cpuid_find(c, 0xd, 41) == NULL);
	/* absent leaf in range, no sub-leaf: added without sub-leaves */
	CHECK(apply(&c, (const char *[]){ "0xa:eax|=5", NULL }) == 0 && c->nent == n0 + 1);
	x = cpuid_find(c, 0xa, 3);
	CHECK(x && x->eax == 5 && x->flags == 0);
	/* absent leaf with a sub-leaf written: indexed */
	CHECK(apply(&c, (const char *[]){ "0xb.1:ebx=2", NULL }) == 0);
	x = cpuid_find(c, 0xb, 1);
	CHECK(x && x->ebx == 2 && (x->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
	      cpuid_find(c, 0xb, 0) == NULL);
	/* the head's eax first, then the new leaf; extended and hypervisor ranges too */
	CHECK(apply(&c, (const char *[]){ "0:eax=0x24", "0x24:ebx=1", "0x80000000:eax=0x80000021",
					  "0x80000021:eax=1", "0x40000000:eax=0x40000010",
					  "0x40000010:eax=2000000", NULL }) == 0);
	CHECK(cpuid_find(c, 0x24, 0)->ebx == 1 && cpuid_find(c, 0x80000021, 0)->eax == 1 &&
	      cpuid_find(c, 0x40000010, 0)->eax == 2000000 && c->nent == n0 + 3);

	/* beyond its range, or no range: errors naming the edit */
	CHECK(apply(&c, (const char *[]){ "0x24:ebx=1", NULL }) == -EINVAL &&
	      strstr(err, "0x24:ebx") && strstr(err, "beyond 0xd") && c->nent == n0);
	CHECK(apply(&c, (const char *[]){ "0x80000021.0:eax=1", NULL }) == -EINVAL &&
	      strstr(err, "--cpuid 0x80000021.0:eax") && strstr(err, "beyond 0x80000008"));
	CHECK(apply(&c, (const char *[]){ "0x40000100:eax=1", NULL }) == -EINVAL &&
	      strstr(err, "nor is leaf 0x40000100") == NULL && strstr(err, "no such range"));
	CHECK(apply(&c, (const char *[]){ "0x40000105:eax=1", NULL }) == -EINVAL &&
	      strstr(err, "nor is leaf 0x40000100"));
	CHECK(apply(&c, (const char *[]){ "0xc0000001:eax=1", NULL }) == -EINVAL &&
	      strstr(err, "nor is leaf 0xc0000000"));
	CHECK(apply(&c, (const char *[]){ "0x100:eax=1", NULL }) == -EINVAL &&
	      strstr(err, "beyond 0xd, the highest leaf that leaf 0 announces"));
	CHECK(apply(&c, (const char *[]){ "0x80860001:eax=1", NULL }) == -EINVAL &&
	      strstr(err, "beyond 0x80000008"));
	CHECK(apply(&c, (const char *[]){ "0x40000002:eax=1", NULL }) == -EINVAL &&
	      strstr(err, "beyond 0x40000001"));

	/* --cpu-hide: bits cleared; an absent leaf is not added, and is no error */
	free(c);
	c = table();
	memset(&e, 0, sizeof(e));
	CHECK(cpuid_hide_parse(&e, "x2apic,tsc-deadline,xsave,fsgsbase,avx512f,pku,kvmclock", err,
			       sizeof(err)) == 0);
	CHECK(cpuid_hide_parse(&e, "invtsc,rdtscp,xsavec", err, sizeof(err)) == 0);
	CHECK(cpuid_edit_apply(c, &e, err, sizeof(err)) == 0 && c->nent == n0);
	CHECK(cpuid_find(c, 1, 0)->ecx == (0xfffa3223u & ~((1u << 21) | (1u << 24) | (1u << 26))));
	CHECK(cpuid_find(c, 7, 0)->ebx == (0xf3bfb7ffu & ~((1u << 0) | (1u << 16))));
	CHECK(cpuid_find(c, 7, 0)->ecx == (0x1b4eu & ~(1u << 3)));
	CHECK(cpuid_find(c, 0x40000001, 0)->eax == (0x01007afbu & ~9u));
	CHECK(cpuid_find(c, 0x80000001, 0)->edx == (0x2c100800u & ~(1u << 27)));
	CHECK(cpuid_find(c, 0xd, 1)->eax == 0xd);
	CHECK(cpuid_find(c, 0x80000007, 0) == NULL);
	free(c);
}

int main(void)
{
	test_parse();
	test_hide();
	test_apply();
	return check_done();
}
