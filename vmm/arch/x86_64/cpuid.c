/* cpuid.c: CPUID table lookups and the test-only --cpuid/--cpu-hide edits (see cpuid.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <linux/kvm.h>

#include "arch/x86_64/cpuid.h"

/* --cpu-hide's names (Linux's /proc/cpuinfo names, '-' for '_', and QEMU's where shorter). */
static const struct feature {
	const char *name;
	uint32_t leaf, subleaf;
	bool has_subleaf;
	enum cpuid_reg reg;
	uint32_t bits;
} features[] = {
	{ "pcid", 1, 0, false, CPUID_ECX, 1u << 17 },
	{ "x2apic", 1, 0, false, CPUID_ECX, 1u << 21 },
	{ "tsc-deadline", 1, 0, false, CPUID_ECX, 1u << 24 },
	{ "xsave", 1, 0, false, CPUID_ECX, 1u << 26 },
	{ "avx", 1, 0, false, CPUID_ECX, 1u << 28 },
	{ "rdrand", 1, 0, false, CPUID_ECX, 1u << 30 },
	{ "hypervisor", 1, 0, false, CPUID_ECX, 1u << 31 },
	{ "fsgsbase", 7, 0, true, CPUID_EBX, 1u << 0 },
	{ "avx2", 7, 0, true, CPUID_EBX, 1u << 5 },
	{ "smep", 7, 0, true, CPUID_EBX, 1u << 7 },
	{ "invpcid", 7, 0, true, CPUID_EBX, 1u << 10 },
	{ "avx512f", 7, 0, true, CPUID_EBX, 1u << 16 },
	{ "rdseed", 7, 0, true, CPUID_EBX, 1u << 18 },
	{ "smap", 7, 0, true, CPUID_EBX, 1u << 20 },
	{ "umip", 7, 0, true, CPUID_ECX, 1u << 2 },
	{ "pku", 7, 0, true, CPUID_ECX, 1u << 3 },
	{ "la57", 7, 0, true, CPUID_ECX, 1u << 16 },
	{ "rdpid", 7, 0, true, CPUID_ECX, 1u << 22 },
	{ "amx-tile", 7, 0, true, CPUID_EDX, 1u << 24 },
	{ "xsaveopt", 0xd, 1, true, CPUID_EAX, 1u << 0 },
	{ "xsavec", 0xd, 1, true, CPUID_EAX, 1u << 1 },
	{ "xsaves", 0xd, 1, true, CPUID_EAX, 1u << 3 },
	{ "kvmclock", 0x40000001, 0, false, CPUID_EAX, (1u << 0) | (1u << 3) }, /* both MSR sets */
	{ "pdpe1gb", 0x80000001, 0, false, CPUID_EDX, 1u << 26 },
	{ "rdtscp", 0x80000001, 0, false, CPUID_EDX, 1u << 27 },
	{ "invtsc", 0x80000007, 0, false, CPUID_EDX, 1u << 8 }, /* constant_tsc, nonstop_tsc */
};

#define NR_FEATURES (sizeof(features) / sizeof(features[0]))

static const char *const reg_names[] = { "eax", "ebx", "ecx", "edx" };

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == fn &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index))
			return e;
	}
	return NULL;
}

/* A 32-bit number at *P: 0x-hex or decimal (never octal: "010" is ten). Advances *P. */
static bool parse_u32(const char **p, uint32_t *v)
{
	const char *s = *p;
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned long long n = 0;
	int digits = 0;

	if (hex)
		s += 2;
	for (;; s++, digits++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (hex && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (hex && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		n = n * (hex ? 16 : 10) + (unsigned)d;
		if (n > 0xffffffffull)
			return false;
	}
	if (!digits)
		return false;
	*v = (uint32_t)n;
	*p = s;
	return true;
}

static bool parse_reg(const char **p, enum cpuid_reg *reg)
{
	for (unsigned i = 0; i < 4; i++) {
		if (!strncasecmp(*p, reg_names[i], 3)) {
			*reg = (enum cpuid_reg)i;
			*p += 3;
			return true;
		}
	}
	return false;
}

static bool parse_op(const char **p, enum cpuid_op *op)
{
	static const struct {
		const char *text;
		enum cpuid_op op;
	} ops[] = {
		/* longest first: "&=~" before "&=" */
		{ "&=~", CPUID_OP_CLEAR },
		{ "&=", CPUID_OP_AND },
		{ "|=", CPUID_OP_OR },
		{ "=", CPUID_OP_SET },
	};

	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if (!strncmp(*p, ops[i].text, n)) {
			*op = ops[i].op;
			*p += n;
			return true;
		}
	}
	return false;
}

/* The length of the word at P (up to the next separator), for messages. */
static int word(const char *p)
{
	return (int)strcspn(p, ",:.=|&~");
}

int cpuid_edit_parse(struct cpuid_edits *edits, const char *arg, char *err, size_t len)
{
	struct cpuid_edit ed = { .subleaf = 0 };
	const char *p = arg;
	unsigned n = edits->n;

	if (!parse_u32(&p, &ed.leaf))
		goto bad_leaf;
	if (*p == '.') {
		p++;
		if (!parse_u32(&p, &ed.subleaf))
			goto bad_leaf;
		ed.has_subleaf = true;
	}
	if (*p != ':') {
		snprintf(err, len,
			 "--cpuid %s: expected LEAF[.SUBLEAF]:REG=VALUE, found '%s' after "
			 "the leaf",
			 arg, p);
		return -EINVAL;
	}
	do {
		const char *reg = ++p, *val; /* past the ':' or ',' */

		if (!parse_reg(&p, &ed.reg) || isalnum((unsigned char)*p)) {
			snprintf(err, len,
				 "--cpuid %s: unknown register '%.*s' (eax, ebx, ecx or edx)", arg,
				 word(reg), reg);
			return -EINVAL;
		}
		if (!parse_op(&p, &ed.op)) {
			snprintf(err, len,
				 "--cpuid %s: expected =, |=, &= or &=~ after %s, found '%s'", arg,
				 reg_names[ed.reg], p);
			return -EINVAL;
		}
		val = p;
		if (!parse_u32(&p, &ed.value) || (*p && *p != ',')) {
			snprintf(err, len,
				 "--cpuid %s: bad value '%.*s' for %s (a 32-bit number, "
				 "0x hex or decimal)",
				 arg, (int)strcspn(val, ","), val, reg_names[ed.reg]);
			return -EINVAL;
		}
		if (n == CPUID_EDITS_MAX) {
			snprintf(err, len, "--cpuid %s: too many CPUID edits (at most %d)", arg,
				 CPUID_EDITS_MAX);
			return -EINVAL;
		}
		edits->e[n++] = ed;
	} while (*p == ',');
	edits->n = n;
	return 0;

bad_leaf:
	snprintf(err, len, "--cpuid %s: bad leaf '%.*s' (LEAF[.SUBLEAF], 0x hex or decimal)", arg,
		 (int)strcspn(arg, ":"), arg);
	return -EINVAL;
}

/* Feature names compare with '-' and '_' alike, case-insensitively. */
static bool same_name(const char *name, const char *p, size_t n)
{
	if (strlen(name) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = name[i], b = p[i];

		if (b == '_')
			b = '-';
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

int cpuid_hide_parse(struct cpuid_edits *edits, const char *arg, char *err, size_t len)
{
	unsigned n = edits->n;
	const char *p = arg;

	for (;;) {
		size_t k = strcspn(p, ",");
		const struct feature *f = NULL;

		for (unsigned i = 0; i < NR_FEATURES && !f; i++)
			if (same_name(features[i].name, p, k))
				f = &features[i];
		if (!f) {
			if (k)
				snprintf(err, len,
					 "--cpu-hide %s: unknown feature '%.*s' (motevm "
					 "--help lists them)",
					 arg, (int)k, p);
			else
				snprintf(err, len, "--cpu-hide %s: empty feature name", arg);
			return -EINVAL;
		}
		if (n == CPUID_EDITS_MAX) {
			snprintf(err, len, "--cpu-hide %s: too many CPUID edits (at most %d)", arg,
				 CPUID_EDITS_MAX);
			return -EINVAL;
		}
		edits->e[n++] = (struct cpuid_edit){
			.leaf = f->leaf,
			.subleaf = f->subleaf,
			.has_subleaf = f->has_subleaf,
			.hide = true,
			.reg = f->reg,
			.op = CPUID_OP_CLEAR,
			.value = f->bits,
		};
		if (!p[k])
			break;
		p += k + 1;
	}
	edits->n = n;
	return 0;
}

const char *cpuid_hide_name(unsigned i)
{
	return i < NR_FEATURES ? features[i].name : NULL;
}

/* The leaf whose eax is the highest leaf of FN's range: 0, 0x80000000, 0xc0000000, or the
 * 0x4000xx00 that heads a block of hypervisor leaves. */
static uint32_t range_head(uint32_t fn)
{
	if ((fn & 0xf0000000u) == 0x40000000u)
		return fn & ~0xffu; /* hypervisor leaves come in blocks of 0x100 */
	return fn & 0xf0000000u;
}

/* "0xd.0:eax" for messages. */
static void describe(const struct cpuid_edit *ed, char *buf, size_t len)
{
	if (ed->has_subleaf)
		snprintf(buf, len, "%#x.%#x:%s", ed->leaf, ed->subleaf, reg_names[ed->reg]);
	else
		snprintf(buf, len, "%#x:%s", ed->leaf, reg_names[ed->reg]);
}

/* Adds the entry ED names to C, all registers 0; NULL (ERR set) if its range lacks it. */
static struct kvm_cpuid_entry2 *add_entry(struct kvm_cpuid2 *c, const struct cpuid_edit *ed,
					  char *err, size_t len)
{
	uint32_t head = range_head(ed->leaf);
	struct kvm_cpuid_entry2 *h = cpuid_find(c, head, 0), *e;
	bool indexed = ed->has_subleaf;
	char what[48];

	describe(ed, what, sizeof(what));
	if (!h || h->eax < ed->leaf) {
		if (head == ed->leaf)
			snprintf(err, len,
				 "--cpuid %s: leaf %#x is not there (this host's KVM has "
				 "no such range)",
				 what, ed->leaf);
		else if (h)
			snprintf(err, len,
				 "--cpuid %s: leaf %#x is beyond %#x, the highest leaf that "
				 "leaf %#x announces (edit %#x:eax first to add it)",
				 what, ed->leaf, h->eax, head, head);
		else
			snprintf(err, len,
				 "--cpuid %s: leaf %#x is not there, nor is leaf %#x that "
				 "would announce its range",
				 what, ed->leaf, head);
		return NULL;
	}
	/* Other sub-leaves of this leaf are there (cpuid_find would have matched one without
	 * sub-leaves): the new one is indexed as they are. */
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == ed->leaf)
			indexed = true;
	e = &c->entries[c->nent++];
	*e = (struct kvm_cpuid_entry2){
		.function = ed->leaf,
		.index = indexed ? ed->subleaf : 0,
		.flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
	};
	return e;
}

int cpuid_edit_apply(struct kvm_cpuid2 *c, const struct cpuid_edits *edits, char *err, size_t len)
{
	for (unsigned i = 0; i < edits->n; i++) {
		const struct cpuid_edit *ed = &edits->e[i];
		struct kvm_cpuid_entry2 *e = cpuid_find(c, ed->leaf, ed->subleaf);
		uint32_t *r;

		if (!e && ed->hide)
			continue; /* the feature's leaf is absent: it is hidden already */
		if (!e && !(e = add_entry(c, ed, err, len)))
			return -EINVAL;
		r = ed->reg == CPUID_EAX   ? &e->eax
		    : ed->reg == CPUID_EBX ? &e->ebx
		    : ed->reg == CPUID_ECX ? &e->ecx
					   : &e->edx;
		switch (ed->op) {
		case CPUID_OP_SET:
			*r = ed->value;
			break;
		case CPUID_OP_OR:
			*r |= ed->value;
			break;
		case CPUID_OP_AND:
			*r &= ed->value;
			break;
		case CPUID_OP_CLEAR:
			*r &= ~ed->value;
			break;
		}
	}
	return 0;
}
