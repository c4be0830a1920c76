/* procfs_sys.c: /proc's machine-wide files, in Linux's formats (proc(5); field names, order and
 * widths as a Linux 6.x x86-64 kernel writes them): meminfo (from the page allocator), stat,
 * uptime, loadavg, version, filesystems; and /proc/sys. cpuinfo is fs/procfs_cpuinfo.c. */
#include "linux/procfs_sys.h"
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

/* The size of every mapping of the process. */
static uint64_t mapped_kb(void)
{
	uint64_t sum = 0;
	struct vma v;

	for (uint64_t at = 0; mm_vma_next(mm_current(), at, &v); at = v.end) {
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
	uint64_t stacks = (uint64_t)thread_count() * 16, anon = mm_resident_pages(mm_current()) * 4;

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
		      irqs, (uint64_t)((time_realtime_ns() - time_ns()) / NSEC_PER_SEC),
		      current_process()->ntasks, MAX(running, 1u));
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

	mutex_lock(&current_process()->lock);
	list_for_each (pos, &current_process()->tasks)
		tid = MAX(tid, list_entry(pos, struct task, node)->tid);
	mutex_unlock(&current_process()->lock);
	return tid;
}

int procfs_sys_show_loadavg(struct procfs_buf *b, long arg)
{
	uint32_t running = 0;

	for (uint32_t i = 0; i < ncpus; i++)
		running += sched_load(i);
	procfs_printf(b, "0.00 0.00 0.00 %u/%d %d\n", MAX(running, 1u), current_process()->ntasks,
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
	procfs_printf(b, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\n"
			 "nodev\tdevtmpfs\nnodev\tramfs\n\text4\n");
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
	procfs_printf(b, "%lu\n", current_process()->rlim[6].cur); /* RLIMIT_NPROC */
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
