/* cpuid_edit.c: motevm's test-only --cpuid and --cpu-hide: the guest reads back the leaves they
 * edit (set, cleared bits, an added sub-leaf, Mote's own leaf, issue 10's XSAVE leaf) and the
 * rest is unchanged; bad edits end motevm with 153 and a message, never a crash (the syntax
 * checks need no KVM; the leaf-range checks do). */
#ifdef GUEST
#include "guest/guest.h"

/* The leaves the host compares, in the order it parses them. */
static const struct {
	uint32_t leaf, sub;
} leaves[] = {
	{ 1, 0 },    { 7, 0 },		{ 0xd, 0 },	   { 0xd, 1 },
	{ 0xd, 40 }, { 0x40000001, 0 }, { 0x40000f02, 0 }, { 0x80000001, 0 },
};

int guest_main(int kind, uint64_t info)
{
	uint32_t a, b, c, d;

	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		cpuid(leaves[i].leaf, leaves[i].sub, &a, &b, &c, &d);
		gprintf("cpuid %x.%x = %x %x %x %x\n", leaves[i].leaf, leaves[i].sub, a, b, c, d);
	}
	gprintf("cpuid dump OK\n");
	return 0;
}
#else
#include <stdio.h>
#include <string.h>

#include "host/vmmtest.h"

#define NLEAVES 8

struct regs {
	uint32_t leaf, sub, r[4]; /* eax, ebx, ecx, edx */
};

/* Bits KVM recomputes as the guest runs (so an edit of them does not stick, and a run differs
 * from another): leaf 1 ECX.OSXSAVE and EDX.APIC, leaf 7 ECX.OSPKE, and the XSAVE sizes in
 * leaf 0xd EBX of sub-leaves 0 and 1 (for the XCR0/XSS in use). */
static void mask_dynamic(struct regs *t)
{
	for (int i = 0; i < NLEAVES; i++) {
		if (t[i].leaf == 1) {
			t[i].r[2] &= ~(1u << 27);
			t[i].r[3] &= ~(1u << 9);
		}
		if (t[i].leaf == 7)
			t[i].r[2] &= ~(1u << 4);
		if (t[i].leaf == 0xd && t[i].sub <= 1)
			t[i].r[1] = 0;
	}
}

/* Boots the guest with EXTRA options; fills T from its "cpuid L.S = A B C D" lines. */
static bool dump(const char *what, const char *const *extra, struct regs *t)
{
	const char *cfg = vmt_config("cpuid_edit.elf", "", 1, 64);
	const char *args[24] = { "--no-api", "--config-file", cfg };
	struct vm_result r;
	const char *p;
	int n = 3, found = 0;

	while (*extra && n < 23)
		args[n++] = *extra++;
	vmt_run(&r, args, NULL, 0, 30);
	printf("%s: exit %d\n", what, r.status);
	CHECK_STATUS(&r, 0);
	for (p = r.out; (p = strstr(p, "cpuid ")) && found < NLEAVES; p++) {
		struct regs *x = &t[found];

		if (sscanf(p, "cpuid %x.%x = %x %x %x %x", &x->leaf, &x->sub, &x->r[0], &x->r[1],
			   &x->r[2], &x->r[3]) == 6) {
			printf("  %#x.%u: %08x %08x %08x %08x\n", x->leaf, x->sub, x->r[0], x->r[1],
			       x->r[2], x->r[3]);
			found++;
		}
	}
	CHECK(found == NLEAVES && vmt_contains(r.out, r.out_len, "cpuid dump OK"),
	      "%s: %d of %d leaves dumped", what, found, NLEAVES);
	if (found != NLEAVES)
		vmt_dump(&r);
	vmt_result_free(&r);
	mask_dynamic(t);
	return found == NLEAVES;
}

static struct regs *at(struct regs *t, uint32_t leaf, uint32_t sub)
{
	for (int i = 0; i < NLEAVES; i++)
		if (t[i].leaf == leaf && t[i].sub == sub)
			return &t[i];
	return NULL;
}

static bool same(const struct regs *a, const struct regs *b)
{
	return !memcmp(a->r, b->r, sizeof(a->r));
}

/* An edit must hold (HELD), but on kvm_pvm the guest may read the host's own answer instead
 * (HOST): seen on an Intel host with AMX, for leaf 0xd and the XSAVE, FSGSBASE and AVX512F
 * bits, which PVM takes from the CPU its guests run on (docs/motevm.md). */
static void edit_held(bool held, bool host, const char *what, uint32_t got, uint32_t was)
{
	if (!held && host && vmt_host_is_pvm()) {
		printf("kvm_pvm: %s reads as the host's %x, not as edited\n", what, got);
		return;
	}
	CHECK(held, "%s: %x (was %x)", what, got, was);
}

/* motevm with ARGV must end with STATUS and say TEXT on stderr. */
static void refused(const char *what, const char *const *argv, int status, const char *text)
{
	struct vm_result r;

	vmt_run(&r, argv, NULL, 0, 30);
	printf("%-40s -> %d  %s", what, r.status, r.err);
	CHECK_STATUS(&r, status);
	CHECK(vmt_contains(r.err, r.err_len, text), "%s: stderr lacks \"%s\"", what, text);
	vmt_result_free(&r);
}

/* Bad syntax: refused before any VM exists. */
static void syntax_errors(void)
{
	static const struct {
		const char *opt, *arg, *text;
	} bad[] = {
		{ "--cpuid", "d:eax=1", "bad leaf 'd'" },
		{ "--cpuid", "0xd.0", "expected LEAF[.SUBLEAF]:REG=VALUE" },
		{ "--cpuid", "0xd.0:rax=1", "unknown register 'rax'" },
		{ "--cpuid", "0xd.0:eax+=1", "expected =, |=, &= or &=~" },
		{ "--cpuid", "0xd.0:eax=0x100000000", "bad value '0x100000000'" },
		{ "--cpuid", "0xd.0:eax=seven", "bad value 'seven'" },
		{ "--cpuid", "", "bad leaf" },
		{ "--cpu-hide", "x2apic,avx1024", "unknown feature 'avx1024'" },
		{ "--cpu-hide", "", "empty feature name" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = { bad[i].opt,	bad[i].arg,	     "--no-api",
				       "--config-file", "/nonexistent.json", NULL };
		char what[64];

		snprintf(what, sizeof(what), "%s '%s'", bad[i].opt, bad[i].arg);
		refused(what, argv, MOTE_STATUS_BAD_ARGS, bad[i].text);
	}
}

int main(void)
{
	static const char *const none[] = { NULL };
	static const char *const edits[] = {
		/* issue 10: leaf 0xd of an x87|SSE|AVX CPU (EBX is KVM's to recompute) */
		"--cpuid", "0xd.0:eax=0x7,edx=0,ebx=0x340,ecx=0x340",
		/* a sub-leaf KVM does not have: added */
		"--cpuid", "0xd.40:eax=0x1234,edx=0xabcd",
		/* bits set and cleared by number; Mote's own console leaf (reserved EDX) */
		"--cpuid", "0x80000001:ecx|=0x1", "--cpuid", "7.0:edx&=~0x400", "--cpuid",
		"0x40000f02:edx=0x5a5a", "--cpu-hide",
		"x2apic,tsc-deadline,fsgsbase,xsave,avx512f,pku", "--cpu-hide", "kvmclock,xsavec",
		NULL
	};
	struct regs base[NLEAVES], ed[NLEAVES];
	char why[128];
	struct regs *b, *e;

	vmt_begin("cpuid_edit");
	syntax_errors();
	if (!vmt_kvm_usable(why, sizeof(why))) {
		if (vmt_end())
			return 1;
		printf("SKIP: %s (the syntax checks passed)\n", why);
		return KSKIP;
	}
	vmt_require_kvm();
	if (!dump("no edits", none, base) || !dump("edited", edits, ed))
		return vmt_end();

	e = at(ed, 0xd, 0), b = at(base, 0xd, 0);
	edit_held(e->r[0] == 7 && e->r[2] == 0x340 && e->r[3] == 0, same(e, b), "leaf 0xd.0 eax",
		  e->r[0], b->r[0]);
	b = at(base, 0xd, 1), e = at(ed, 0xd, 1);
	edit_held(e->r[0] == (b->r[0] & ~2u) && e->r[2] == b->r[2] && e->r[3] == b->r[3],
		  same(e, b), "leaf 0xd.1 eax (xsavec hidden, the rest kept)", e->r[0], b->r[0]);
	e = at(ed, 0xd, 40), b = at(base, 0xd, 40);
	edit_held(e->r[0] == 0x1234 && e->r[1] == 0 && e->r[2] == 0 && e->r[3] == 0xabcd,
		  same(e, b), "added leaf 0xd.40 eax", e->r[0], b->r[0]);
	b = at(base, 1, 0), e = at(ed, 1, 0);
	CHECK(e->r[0] == b->r[0] && e->r[1] == b->r[1] && e->r[3] == b->r[3] &&
		      (e->r[2] & ((1u << 21) | (1u << 24))) == 0,
	      "leaf 1: x2apic and tsc-deadline hidden, the rest kept: ecx %x (was %x)", e->r[2],
	      b->r[2]);
	edit_held(e->r[2] == (b->r[2] & ~((1u << 21) | (1u << 24) | (1u << 26))),
		  e->r[2] == (b->r[2] & ~((1u << 21) | (1u << 24))), "leaf 1 ecx (xsave hidden)",
		  e->r[2], b->r[2]);
	b = at(base, 7, 0), e = at(ed, 7, 0);
	edit_held(e->r[1] == (b->r[1] & ~((1u << 0) | (1u << 16))), e->r[1] == b->r[1],
		  "leaf 7 ebx (fsgsbase, avx512f hidden)", e->r[1], b->r[1]);
	CHECK(e->r[2] == (b->r[2] & ~(1u << 3)), "leaf 7 ecx %x (was %x)", e->r[2], b->r[2]);
	CHECK(e->r[3] == (b->r[3] & ~0x400u), "leaf 7 edx %x (was %x)", e->r[3], b->r[3]);
	b = at(base, 0x40000001, 0), e = at(ed, 0x40000001, 0);
	CHECK(e->r[0] == (b->r[0] & ~9u), "KVM features %x (was %x)", e->r[0], b->r[0]);
	e = at(ed, 0x40000f02, 0);
	CHECK(e->r[3] == 0x5a5a, "Mote console leaf edx %x", e->r[3]);
	b = at(base, 0x80000001, 0), e = at(ed, 0x80000001, 0);
	CHECK(e->r[2] == (b->r[2] | 1) && e->r[3] == b->r[3], "leaf 0x80000001 ecx %x (was %x)",
	      e->r[2], b->r[2]);

	/* Leaves no range announces: refused once KVM's table is known. */
	{
		const char *cfg = vmt_config("cpuid_edit.elf", "", 1, 64);
		const char *beyond[] = { "--cpuid",	  "0x100:eax=1", "--no-api",
					 "--config-file", cfg,		 NULL };
		const char *mote[] = { "--cpuid",  "0x40000f03:eax=1",
				       "--no-api", "--config-file",
				       cfg,	   NULL };

		refused("--cpuid 0x100:eax=1", beyond, MOTE_STATUS_BAD_ARGS,
			"the highest leaf that leaf 0 announces");
		refused("--cpuid 0x40000f03:eax=1", mote, MOTE_STATUS_BAD_ARGS,
			"beyond 0x40000f02");
	}
	return vmt_end();
}
#endif
