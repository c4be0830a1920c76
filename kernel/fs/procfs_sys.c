/* procfs_sys.c: /proc's machine-wide files, in Linux's formats (proc(5); field names, order and
 * widths as a Linux 6.x x86-64 kernel writes them): cpuinfo (from CPUID), meminfo (from the
 * page allocator), stat, uptime, loadavg, version, filesystems; and /proc/sys. */
#include "fs/procfs_sys.h"
#include "fs/file.h"
#include "fs/procfs.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/random.h"
#include "lib/string.h"
#include "linux/mm.h"
#include "linux/task.h"
#include "linux/time.h"
#include "linux/uts.h"

#define USER_HZ 100
#define NS_PER_TICK (1000000000UL / USER_HZ)

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

int procfs_sys_show_cpuinfo(struct procfs_buf *b, long arg)
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

/* The size of every mapping of the process. */
static uint64_t mapped_kb(void)
{
	uint64_t sum = 0;
	struct vma v;

	for (uint64_t at = 0; mm_vma_next(at, &v); at = v.end) {
		sum += v.end - v.start;
		file_put(v.file);
	}
	return sum / 1024;
}

static void kb(struct procfs_buf *b, const char *name, uint64_t kib)
{
	procfs_printf(b, "%-16s%8lu kB\n", name, kib);
}

int procfs_sys_show_meminfo(struct procfs_buf *b, long arg)
{
	uint64_t total = page_total_count() * 4, free = page_free_count() * 4;
	uint64_t shmem = ramfs_pages_in_use() * 4, heap = heap_in_use() / 1024;
	uint64_t stacks = (uint64_t)thread_count() * 16, anon = mm_resident_pages() * 4;

	kb(b, "MemTotal:", total);
	kb(b, "MemFree:", free);
	kb(b, "MemAvailable:", free); /* nothing here can be reclaimed */
	kb(b, "Buffers:", 0);
	kb(b, "Cached:", shmem); /* ramfs files, as tmpfs's count in Linux */
	kb(b, "SwapCached:", 0);
	kb(b, "Active:", anon + shmem);
	kb(b, "Inactive:", 0);
	kb(b, "Active(anon):", anon + shmem);
	kb(b, "Inactive(anon):", 0);
	kb(b, "Active(file):", 0);
	kb(b, "Inactive(file):", 0);
	kb(b, "Unevictable:", 0);
	kb(b, "Mlocked:", 0);
	kb(b, "SwapTotal:", 0);
	kb(b, "SwapFree:", 0);
	kb(b, "Zswap:", 0);
	kb(b, "Zswapped:", 0);
	kb(b, "Dirty:", 0);
	kb(b, "Writeback:", 0);
	kb(b, "AnonPages:", anon);
	kb(b, "Mapped:", 0);
	kb(b, "Shmem:", shmem);
	kb(b, "KReclaimable:", 0);
	kb(b, "Slab:", heap);
	kb(b, "SReclaimable:", 0);
	kb(b, "SUnreclaim:", heap);
	kb(b, "KernelStack:", stacks);
	kb(b, "PageTables:", 0);
	kb(b, "SecPageTables:", 0);
	kb(b, "NFS_Unstable:", 0);
	kb(b, "Bounce:", 0);
	kb(b, "WritebackTmp:", 0);
	kb(b, "CommitLimit:", total / 2); /* overcommit_ratio 50, no swap */
	kb(b, "Committed_AS:", mapped_kb());
	kb(b, "VmallocTotal:", 34359738367UL);
	kb(b, "VmallocUsed:", 0);
	kb(b, "VmallocChunk:", 0);
	kb(b, "Percpu:", (uint64_t)ncpus * 8);
	kb(b, "AnonHugePages:", 0);
	kb(b, "ShmemHugePages:", 0);
	kb(b, "ShmemPmdMapped:", 0);
	kb(b, "FileHugePages:", 0);
	kb(b, "FilePmdMapped:", 0);
	procfs_printf(b, "%-16s%8d\n%-16s%8d\n%-16s%8d\n%-16s%8d\n", "HugePages_Total:", 0,
		      "HugePages_Free:", 0, "HugePages_Rsvd:", 0, "HugePages_Surp:", 0);
	kb(b, "Hugepagesize:", 2048);
	kb(b, "Hugetlb:", 0);
	kb(b, "DirectMap4k:", 0);
	kb(b, "DirectMap2M:", ALIGN_UP(page_max_pfn * 4, 2048));
	return 0;
}

/* Ticks (1/USER_HZ s) a CPU spent in its idle thread. */
static uint64_t idle_ticks(uint32_t i)
{
	uint64_t khz = time_tsc_khz();

	return khz ? sched_idle_tsc(i) / (khz * (1000 / USER_HZ)) : 0;
}

int procfs_sys_show_stat(struct procfs_buf *b, long arg)
{
	uint64_t up = time_ns() / NS_PER_TICK, idle[MAX_CPUS], all = 0, irqs = 0;
	uint32_t running = 0;

	smp_wait_all();
	for (uint32_t i = 0; i < ncpus; i++) {
		idle[i] = MIN(idle_ticks(i), up);
		all += idle[i];
		irqs += cpus[i]->irqs;
		running += sched_load(i);
	}
	/* user nice system idle iowait irq softirq steal guest guest_nice: busy time is user */
	procfs_printf(b, "cpu  %lu 0 0 %lu 0 0 0 0 0 0\n", up * ncpus - all, all);
	for (uint32_t i = 0; i < ncpus; i++)
		procfs_printf(b, "cpu%u %lu 0 0 %lu 0 0 0 0 0 0\n", i, up - idle[i], idle[i]);
	procfs_printf(b,
		      "intr %lu\nctxt 0\nbtime %lu\nprocesses %d\nprocs_running %u\n"
		      "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		      irqs, (uint64_t)((clock_realtime_ns() - time_ns()) / NSEC_PER_SEC),
		      init_process->ntasks, MAX(running, 1u));
	return 0;
}

int procfs_sys_show_uptime(struct procfs_buf *b, long arg)
{
	/* Rounded up: a program can run within 10 ms of boot here, and 0.00 reads as no time. */
	uint64_t up = (time_ns() + NS_PER_TICK - 1) / NS_PER_TICK, idle = 0;

	for (uint32_t i = 0; i < ncpus; i++)
		idle += MIN(idle_ticks(i), up);
	procfs_printf(b, "%lu.%02lu %lu.%02lu\n", up / USER_HZ, up % USER_HZ, idle / USER_HZ,
		      idle % USER_HZ);
	return 0;
}

static int last_tid(void)
{
	struct list *pos;
	int tid = 0;

	mutex_lock(&init_process->lock);
	list_for_each (pos, &init_process->tasks)
		tid = MAX(tid, list_entry(pos, struct task, node)->tid);
	mutex_unlock(&init_process->lock);
	return tid;
}

int procfs_sys_show_loadavg(struct procfs_buf *b, long arg)
{
	uint32_t running = 0;

	for (uint32_t i = 0; i < ncpus; i++)
		running += sched_load(i);
	procfs_printf(b, "0.00 0.00 0.00 %u/%d %d\n", MAX(running, 1u), init_process->ntasks,
		      last_tid());
	return 0;
}

int procfs_sys_show_version(struct procfs_buf *b, long arg)
{
#ifdef __clang__
	const char *cc = "clang version " __clang_version__;
#else
	const char *cc = "gcc version " __VERSION__;
#endif
	procfs_printf(b, "Linux version %s (mote@mote) (%s) %s\n", MOTE_UTS_RELEASE, cc,
		      MOTE_UTS_VERSION);
	return 0;
}

int procfs_sys_show_filesystems(struct procfs_buf *b, long arg)
{
	procfs_printf(b, "nodev\tsysfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tramfs\n");
	return 0;
}

/* /proc/sys */

static int show_str(struct procfs_buf *b, const char *s)
{
	procfs_printf(b, "%s\n", s);
	return 0;
}

static int show_hostname(struct procfs_buf *b, long arg)
{
	return show_str(b, uts_hostname);
}

static int show_domainname(struct procfs_buf *b, long arg)
{
	return show_str(b, uts_domainname);
}

/* A write of a name: one line, at most 64 bytes (a trailing newline is not part of it). */
static int store_name(char *dst, const char *buf, size_t n)
{
	if (n && buf[n - 1] == '\n')
		n--;
	if (n > 64)
		return -EINVAL;
	memcpy(dst, buf, n);
	dst[n] = 0;
	return 0;
}

static int store_hostname(const char *buf, size_t n, long arg)
{
	return store_name(uts_hostname, buf, n);
}

static int store_domainname(const char *buf, size_t n, long arg)
{
	return store_name(uts_domainname, buf, n);
}

static int show_osrelease(struct procfs_buf *b, long arg)
{
	return show_str(b, MOTE_UTS_RELEASE);
}

static int show_ostype(struct procfs_buf *b, long arg)
{
	return show_str(b, "Linux");
}

static int show_kversion(struct procfs_buf *b, long arg)
{
	return show_str(b, MOTE_UTS_VERSION);
}

static int show_pid_max(struct procfs_buf *b, long arg)
{
	return show_str(b, "4194304");
}

static int show_threads_max(struct procfs_buf *b, long arg)
{
	procfs_printf(b, "%lu\n", init_process->rlim[6].cur); /* RLIMIT_NPROC */
	return 0;
}

static int show_cap_last_cap(struct procfs_buf *b, long arg)
{
	return show_str(b, "40");
}

static int show_ngroups_max(struct procfs_buf *b, long arg)
{
	return show_str(b, "65536");
}

static void uuid(struct procfs_buf *b, uint64_t hi, uint64_t lo)
{
	/* a version 4 (random) UUID, as Linux makes them */
	hi = (hi & ~0xf000UL) | 0x4000;
	lo = (lo & ~(3UL << 62)) | (2UL << 62);
	procfs_printf(b, "%08lx-%04lx-%04lx-%04lx-%012lx\n", hi >> 32, (hi >> 16) & 0xffff,
		      hi & 0xffff, lo >> 48, lo & 0xffffffffffffUL);
}

static int show_boot_id(struct procfs_buf *b, long arg)
{
	static uint64_t id[2];
	static struct spinlock lock = SPINLOCK_INIT;
	uint64_t f = spin_lock(&lock);

	if (!id[0] && !id[1]) {
		id[0] = random_u64();
		id[1] = random_u64();
	}
	spin_unlock(&lock, f);
	uuid(b, id[0], id[1]);
	return 0;
}

static int show_uuid(struct procfs_buf *b, long arg)
{
	uuid(b, random_u64(), random_u64());
	return 0;
}

static int show_256(struct procfs_buf *b, long arg)
{
	return show_str(b, "256");
}

static int show_zero(struct procfs_buf *b, long arg)
{
	return show_str(b, "0");
}

static int show_max_map_count(struct procfs_buf *b, long arg)
{
	return show_str(b, "65530");
}

static int show_nr_open(struct procfs_buf *b, long arg)
{
	procfs_printf(b, "%d\n", FD_MAX);
	return 0;
}

#define RO(n, fn)                                                 \
	{                                                         \
		.name = (n), .mode = S_IFREG | 0444, .show = (fn) \
	}
#define RW(n, fn, st)                                                            \
	{                                                                        \
		.name = (n), .mode = S_IFREG | 0644, .show = (fn), .store = (st) \
	}
#define DIR(n, e)                                                   \
	{                                                           \
		.name = (n), .mode = S_IFDIR | 0555, .entries = (e) \
	}

static const struct procfs_node random_entries[] = {
	RO("boot_id", show_boot_id),
	RO("entropy_avail", show_256),
	RO("poolsize", show_256),
	RO("uuid", show_uuid),
	{ 0 },
};

static const struct procfs_node kernel_entries[] = {
	RO("cap_last_cap", show_cap_last_cap),
	RW("domainname", show_domainname, store_domainname),
	RW("hostname", show_hostname, store_hostname),
	RO("ngroups_max", show_ngroups_max),
	RO("osrelease", show_osrelease),
	RO("ostype", show_ostype),
	RO("pid_max", show_pid_max),
	DIR("random", random_entries),
	RO("threads-max", show_threads_max),
	RO("version", show_kversion),
	{ 0 },
};

static const struct procfs_node vm_entries[] = {
	RO("max_map_count", show_max_map_count),
	RO("overcommit_memory", show_zero),
	{ 0 },
};

static const struct procfs_node fs_entries[] = {
	RO("file-max", show_nr_open),
	RO("nr_open", show_nr_open),
	{ 0 },
};

const struct procfs_node procfs_sys_sysctl[] = {
	DIR("fs", fs_entries),
	DIR("kernel", kernel_entries),
	DIR("vm", vm_entries),
	{ 0 },
};
