/* cpuid.h: the guest's CPUID table: lookups, and the test-only edits of --cpuid/--cpu-hide. */
#ifndef MOTE_VMM_ARCH_X86_64_CPUID_H
#define MOTE_VMM_ARCH_X86_64_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_cpuid2;
struct kvm_cpuid_entry2;

#define CPUID_EDITS_MAX 64

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

enum cpuid_op {
	CPUID_OP_SET,	/* REG=V */
	CPUID_OP_OR,	/* REG|=V: set these bits */
	CPUID_OP_AND,	/* REG&=V: keep only these bits */
	CPUID_OP_CLEAR, /* REG&=~V: clear these bits */
};

/* One edit of one register of leaf LEAF, sub-leaf SUBLEAF. */
struct cpuid_edit {
	uint32_t leaf, subleaf;
	bool has_subleaf; /* SUBLEAF was written (a leaf added by the edit then has sub-leaves) */
	bool hide;	  /* from --cpu-hide: a leaf the table lacks is left alone, not added */
	enum cpuid_reg reg;
	enum cpuid_op op;
	uint32_t value;
};

/* The edits, in command-line order. */
struct cpuid_edits {
	unsigned n;
	struct cpuid_edit e[CPUID_EDITS_MAX];
};

/*
 * The entry of C for leaf FN, sub-leaf INDEX (INDEX is ignored for a leaf without sub-leaves),
 * or NULL.
 */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t index);

/*
 * Parses one --cpuid argument, LEAF[.SUBLEAF]:REG OP VALUE[,REG OP VALUE...] (REG eax, ebx, ecx
 * or edx; OP =, |=, &= or &=~; numbers 0x-hex or decimal, 32 bits), and appends its edits to
 * EDITS. 0, or -EINVAL with ERR (LEN bytes) saying why; EDITS is then unchanged.
 */
int cpuid_edit_parse(struct cpuid_edits *edits, const char *arg, char *err, size_t len);
/*
 * Parses one --cpu-hide argument, feature names separated by commas (cpuid_hide_name), and
 * appends an edit clearing each feature's bits. 0, or -EINVAL with ERR; EDITS is then unchanged.
 */
int cpuid_hide_parse(struct cpuid_edits *edits, const char *arg, char *err, size_t len);
/* The I-th feature name --cpu-hide knows, or NULL past the last. */
const char *cpuid_hide_name(unsigned i);

/*
 * Applies EDITS in order to C, which has room for EDITS->n more entries. A leaf or sub-leaf C
 * lacks is added (all registers 0 before the edit) if the leaf that heads its range (0,
 * 0x80000000, 0x4000xx00) is present and announces it in its eax; otherwise the edit is an
 * error. Edits from --cpu-hide never add a leaf: a feature whose leaf is absent is hidden
 * already. 0, or -EINVAL with ERR (LEN bytes) naming the edit.
 */
int cpuid_edit_apply(struct kvm_cpuid2 *c, const struct cpuid_edits *edits, char *err, size_t len);

#endif /* MOTE_VMM_ARCH_X86_64_CPUID_H */
