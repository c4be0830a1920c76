/* procfs_cpuinfo.c: /proc/cpuinfo in Linux's x86 format: one block per online CPU, from the
 * CPUID the application itself sees; the flags with Linux's names, in its order. */
#include "fs/procfs_cpuinfo.h"
#include "fs/procfs.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "core/sched/sync.h"
#include "core/time.h"
#include "lib/string.h"

/* The CPUID registers cpuinfo's flags come from, in the order Linux lists its feature words. */
enum { R1D, R81D, RSYN, R1C, R81C, R7B, RD1A, R71A, R88B, R6A, R7C, R7D, NREGS };
/* What a flag needs enabled in XCR0 besides the CPU: Linux hides it otherwise. */
enum { NONE, YMM, ZMM, AMX };

static const struct {
	uint8_t reg, bit, needs;
	const char *name;
} flags[] = {
	{ R1D, 0, 0, "fpu" },
	{ R1D, 1, 0, "vme" },
	{ R1D, 2, 0, "de" },
	{ R1D, 3, 0, "pse" },
	{ R1D, 4, 0, "tsc" },
	{ R1D, 5, 0, "msr" },
	{ R1D, 6, 0, "pae" },
	{ R1D, 7, 0, "mce" },
	{ R1D, 8, 0, "cx8" },
	{ R1D, 9, 0, "apic" },
	{ R1D, 11, 0, "sep" },
	{ R1D, 12, 0, "mtrr" },
	{ R1D, 13, 0, "pge" },
	{ R1D, 14, 0, "mca" },
	{ R1D, 15, 0, "cmov" },
	{ R1D, 16, 0, "pat" },
	{ R1D, 17, 0, "pse36" },
	{ R1D, 18, 0, "pn" },
	{ R1D, 19, 0, "clflush" },
	{ R1D, 21, 0, "dts" },
	{ R1D, 22, 0, "acpi" },
	{ R1D, 23, 0, "mmx" },
	{ R1D, 24, 0, "fxsr" },
	{ R1D, 25, 0, "sse" },
	{ R1D, 26, 0, "sse2" },
	{ R1D, 27, 0, "ss" },
	{ R1D, 28, 0, "ht" },
	{ R1D, 29, 0, "tm" },
	{ R1D, 30, 0, "ia64" },
	{ R1D, 31, 0, "pbe" },
	{ R81D, 11, 0, "syscall" },
	{ R81D, 19, 0, "mp" },
	{ R81D, 20, 0, "nx" },
	{ R81D, 22, 0, "mmxext" },
	{ R81D, 25, 0, "fxsr_opt" },
	{ R81D, 26, 0, "pdpe1gb" },
	{ R81D, 27, 0, "rdtscp" },
	{ R81D, 29, 0, "lm" },
	{ R81D, 30, 0, "3dnowext" },
	{ R81D, 31, 0, "3dnow" },
	{ RSYN, 8, 0, "constant_tsc" },
	{ RSYN, 24, 0, "nonstop_tsc" },
	{ RSYN, 25, 0, "cpuid" },
	{ R1C, 0, 0, "pni" },
	{ R1C, 1, 0, "pclmulqdq" },
	{ R1C, 2, 0, "dtes64" },
	{ R1C, 3, 0, "monitor" },
	{ R1C, 4, 0, "ds_cpl" },
	{ R1C, 5, 0, "vmx" },
	{ R1C, 6, 0, "smx" },
	{ R1C, 7, 0, "est" },
	{ R1C, 8, 0, "tm2" },
	{ R1C, 9, 0, "ssse3" },
	{ R1C, 10, 0, "cid" },
	{ R1C, 11, 0, "sdbg" },
	{ R1C, 12, YMM, "fma" },
	{ R1C, 13, 0, "cx16" },
	{ R1C, 14, 0, "xtpr" },
	{ R1C, 15, 0, "pdcm" },
	{ R1C, 17, 0, "pcid" },
	{ R1C, 18, 0, "dca" },
	{ R1C, 19, 0, "sse4_1" },
	{ R1C, 20, 0, "sse4_2" },
	{ R1C, 21, 0, "x2apic" },
	{ R1C, 22, 0, "movbe" },
	{ R1C, 23, 0, "popcnt" },
	{ R1C, 24, 0, "tsc_deadline_timer" },
	{ R1C, 25, 0, "aes" },
	{ R1C, 26, 0, "xsave" },
	{ R1C, 28, YMM, "avx" },
	{ R1C, 29, YMM, "f16c" },
	{ R1C, 30, 0, "rdrand" },
	{ R1C, 31, 0, "hypervisor" },
	{ R81C, 0, 0, "lahf_lm" },
	{ R81C, 1, 0, "cmp_legacy" },
	{ R81C, 2, 0, "svm" },
	{ R81C, 3, 0, "extapic" },
	{ R81C, 4, 0, "cr8_legacy" },
	{ R81C, 5, 0, "abm" },
	{ R81C, 6, 0, "sse4a" },
	{ R81C, 7, 0, "misalignsse" },
	{ R81C, 8, 0, "3dnowprefetch" },
	{ R81C, 9, 0, "osvw" },
	{ R81C, 10, 0, "ibs" },
	{ R81C, 11, YMM, "xop" },
	{ R81C, 12, 0, "skinit" },
	{ R81C, 13, 0, "wdt" },
	{ R81C, 15, 0, "lwp" },
	{ R81C, 16, YMM, "fma4" },
	{ R81C, 17, 0, "tce" },
	{ R81C, 19, 0, "nodeid_msr" },
	{ R81C, 21, 0, "tbm" },
	{ R81C, 22, 0, "topoext" },
	{ R81C, 23, 0, "perfctr_core" },
	{ R81C, 24, 0, "perfctr_nb" },
	{ R81C, 26, 0, "bpext" },
	{ R81C, 27, 0, "ptsc" },
	{ R81C, 28, 0, "perfctr_llc" },
	{ R81C, 29, 0, "mwaitx" },
	{ R7B, 0, 0, "fsgsbase" },
	{ R7B, 1, 0, "tsc_adjust" },
	{ R7B, 2, 0, "sgx" },
	{ R7B, 3, 0, "bmi1" },
	{ R7B, 4, 0, "hle" },
	{ R7B, 5, YMM, "avx2" },
	{ R7B, 7, 0, "smep" },
	{ R7B, 8, 0, "bmi2" },
	{ R7B, 9, 0, "erms" },
	{ R7B, 10, 0, "invpcid" },
	{ R7B, 11, 0, "rtm" },
	{ R7B, 12, 0, "cqm" },
	{ R7B, 15, 0, "rdt_a" },
	{ R7B, 16, ZMM, "avx512f" },
	{ R7B, 17, ZMM, "avx512dq" },
	{ R7B, 18, 0, "rdseed" },
	{ R7B, 19, 0, "adx" },
	{ R7B, 20, 0, "smap" },
	{ R7B, 21, ZMM, "avx512ifma" },
	{ R7B, 23, 0, "clflushopt" },
	{ R7B, 24, 0, "clwb" },
	{ R7B, 25, 0, "intel_pt" },
	{ R7B, 26, ZMM, "avx512pf" },
	{ R7B, 27, ZMM, "avx512er" },
	{ R7B, 28, ZMM, "avx512cd" },
	{ R7B, 29, 0, "sha_ni" },
	{ R7B, 30, ZMM, "avx512bw" },
	{ R7B, 31, ZMM, "avx512vl" },
	{ RD1A, 0, 0, "xsaveopt" },
	{ RD1A, 1, 0, "xsavec" },
	{ RD1A, 2, 0, "xgetbv1" },
	{ RD1A, 3, 0, "xsaves" },
	{ R71A, 4, YMM, "avx_vnni" },
	{ R71A, 5, ZMM, "avx512_bf16" },
	{ R88B, 0, 0, "clzero" },
	{ R88B, 1, 0, "irperf" },
	{ R88B, 2, 0, "xsaveerptr" },
	{ R88B, 4, 0, "rdpru" },
	{ R88B, 9, 0, "wbnoinvd" },
	{ R6A, 0, 0, "dtherm" },
	{ R6A, 1, 0, "ida" },
	{ R6A, 2, 0, "arat" },
	{ R6A, 4, 0, "pln" },
	{ R6A, 6, 0, "pts" },
	{ R7C, 1, ZMM, "avx512vbmi" },
	{ R7C, 2, 0, "umip" },
	{ R7C, 3, 0, "pku" },
	{ R7C, 4, 0, "ospke" },
	{ R7C, 5, 0, "waitpkg" },
	{ R7C, 6, ZMM, "avx512_vbmi2" },
	{ R7C, 8, 0, "gfni" },
	{ R7C, 9, YMM, "vaes" },
	{ R7C, 10, YMM, "vpclmulqdq" },
	{ R7C, 11, ZMM, "avx512_vnni" },
	{ R7C, 12, ZMM, "avx512_bitalg" },
	{ R7C, 13, 0, "tme" },
	{ R7C, 14, ZMM, "avx512_vpopcntdq" },
	{ R7C, 16, 0, "la57" },
	{ R7C, 22, 0, "rdpid" },
	{ R7C, 24, 0, "bus_lock_detect" },
	{ R7C, 25, 0, "cldemote" },
	{ R7C, 27, 0, "movdiri" },
	{ R7C, 28, 0, "movdir64b" },
	{ R7C, 29, 0, "enqcmd" },
	{ R7C, 30, 0, "sgx_lc" },
	{ R7D, 2, ZMM, "avx512_4vnniw" },
	{ R7D, 3, ZMM, "avx512_4fmaps" },
	{ R7D, 4, 0, "fsrm" },
	{ R7D, 8, ZMM, "avx512_vp2intersect" },
	{ R7D, 10, 0, "md_clear" },
	{ R7D, 14, 0, "serialize" },
	{ R7D, 16, 0, "tsxldtrk" },
	{ R7D, 18, 0, "pconfig" },
	{ R7D, 19, 0, "arch_lbr" },
	{ R7D, 20, 0, "ibt" },
	{ R7D, 22, AMX, "amx_bf16" },
	{ R7D, 23, ZMM, "avx512_fp16" },
	{ R7D, 24, AMX, "amx_tile" },
	{ R7D, 25, AMX, "amx_int8" },
	{ R7D, 28, 0, "flush_l1d" },
	{ R7D, 29, 0, "arch_capabilities" },
};

/* What CPUID says, read once (every CPU of a VM is the same model; CPUID may trap). */
static struct cpuid_info {
	bool done;
	char vendor[13], model_name[49];
	uint32_t max_leaf, max_ext, sig, misc, cache_kb, phys_bits, virt_bits;
	uint32_t reg[NREGS];
	uint64_t xcr0;
} ci;
static struct mutex ci_lock = MUTEX_INIT(ci_lock);

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/*
 * The CPUID instruction itself, not arch_cpuid: cpuinfo shows what the application's own CPUID
 * and XGETBV say (on kvm_pvm hosts they run unfiltered; the hypercall's answer differs, e.g.
 * it has no brand string).
 */
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static void cpuid_read(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	ci.max_leaf = r[0];
	memcpy(ci.vendor, &r[1], 4);
	memcpy(ci.vendor + 4, &r[3], 4);
	memcpy(ci.vendor + 8, &r[2], 4);
	cpuid(1, 0, r);
	ci.sig = r[0];
	ci.misc = r[1];
	ci.reg[R1C] = r[2];
	ci.reg[R1D] = r[3];
	if (r[2] & (1u << 27)) /* OSXSAVE */
		ci.xcr0 = xgetbv0();
	if (ci.max_leaf >= 6) {
		cpuid(6, 0, r);
		ci.reg[R6A] = r[0];
	}
	if (ci.max_leaf >= 7) {
		cpuid(7, 0, r);
		ci.reg[R7B] = r[1];
		ci.reg[R7C] = r[2];
		ci.reg[R7D] = r[3];
		if (r[0] >= 1) {
			cpuid(7, 1, r);
			ci.reg[R71A] = r[0];
		}
	}
	if (ci.max_leaf >= 0xd && (ci.reg[R1C] & (1u << 26))) {
		cpuid(0xd, 1, r);
		ci.reg[RD1A] = r[0];
	}
	ci.reg[RSYN] = 1u << 25; /* "cpuid" */
	cpuid(0x80000000, 0, r);
	ci.max_ext = r[0];
	if (ci.max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		ci.reg[R81C] = r[2];
		ci.reg[R81D] = r[3];
	}
	if (ci.max_ext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, r);
			memcpy(ci.model_name + 16 * i, r, 16);
		}
	}
	if (ci.max_ext >= 0x80000006) {
		cpuid(0x80000006, 0, r);
		/* Linux shows the L3 size on Intel CPUs, the L2 size on AMD's */
		ci.cache_kb = r[2] >> 16;
		if (memcmp(ci.vendor, "AuthenticAMD", 12) && (r[3] >> 18))
			ci.cache_kb = (r[3] >> 18) * 512;
	}
	if (ci.max_ext >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		if (r[3] & (1u << 8)) /* invariant TSC */
			ci.reg[RSYN] |= (1u << 8) | (1u << 24);
	}
	ci.phys_bits = 36;
	ci.virt_bits = 48;
	if (ci.max_ext >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		ci.phys_bits = r[0] & 0xff;
		ci.virt_bits = (r[0] >> 8) & 0xff;
		ci.reg[R88B] = r[1];
	}
	ci.done = true;
}

static bool flag_usable(unsigned needs)
{
	switch (needs) {
	case YMM:
		return (ci.xcr0 & 0x6) == 0x6;
	case ZMM:
		return (ci.xcr0 & 0xe6) == 0xe6;
	case AMX:
		return (ci.xcr0 & 0x60000) == 0x60000;
	default:
		return true;
	}
}

/* The model name as Linux shows it: without the padding blanks CPUID has around it. */
static const char *model_name(void)
{
	char *s = ci.model_name;
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = 0;
	return *s ? s : "unknown";
}

int procfs_cpuinfo_show(struct procfs_buf *b, long arg)
{
	uint32_t family, model, khz = (uint32_t)time_tsc_khz();
	const char *name;

	smp_wait_all(); /* every CPU listed, as sysfs's online file counts them */
	mutex_lock(&ci_lock);
	if (!ci.done)
		cpuid_read();
	name = model_name();
	mutex_unlock(&ci_lock);
	family = (ci.sig >> 8) & 0xf;
	model = (ci.sig >> 4) & 0xf;
	if (family == 0xf)
		family += (ci.sig >> 20) & 0xff;
	if (family >= 6)
		model += ((ci.sig >> 16) & 0xf) << 4;
	for (uint32_t i = 0; i < ncpus; i++) {
		procfs_printf(b,
			      "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
			      "model name\t: %s\nstepping\t: %u\nmicrocode\t: 0x0\n"
			      "cpu MHz\t\t: %u.%03u\ncache size\t: %u KB\nphysical id\t: 0\n"
			      "siblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\napicid\t\t: %u\n"
			      "initial apicid\t: %u\nfpu\t\t: yes\nfpu_exception\t: yes\n"
			      "cpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
			      i, ci.vendor, family, model, name, ci.sig & 0xf, khz / 1000,
			      khz % 1000, ci.cache_kb, ncpus, i, ncpus, cpus[i]->apic_id,
			      cpus[i]->apic_id, ci.max_leaf);
		for (unsigned f = 0; f < ARRAY_SIZE(flags); f++)
			if ((ci.reg[flags[f].reg] & (1u << flags[f].bit)) &&
			    flag_usable(flags[f].needs))
				procfs_printf(b, " %s", flags[f].name);
		procfs_printf(b,
			      "\nbugs\t\t:\nbogomips\t: %u.%02u\nclflush size\t: %u\n"
			      "cache_alignment\t: %u\naddress sizes\t: %u bits physical, %u bits "
			      "virtual\npower management:\n\n",
			      khz / 500, khz / 5 % 100, ((ci.misc >> 8) & 0xff) * 8,
			      ((ci.misc >> 8) & 0xff) * 8, ci.phys_bits, ci.virt_bits);
	}
	return 0;
}
