/* sysfs.c: /sys: devices/system/cpu/{online,possible,present,offline,kernel_max} in Linux's
 * CPU-list format ("0-3\n") and cpu0..cpuN/. Built on the procfs engine (fs/procfs.h). */
#include "fs/sysfs.h"
#include "fs/procfs.h"
#include "fs/vfs.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/platform.h"
#include "arch/x86_64/smp.h"
#include "core/panic.h"
#include "lib/errno.h"

#define SYSFS_MAGIC 0x62656572

/* CPUs 0..n-1 as a Linux CPU list. */
static void cpu_list(struct procfs_buf *b, uint32_t n)
{
	if (n > 1)
		procfs_printf(b, "0-%u\n", n - 1);
	else
		procfs_printf(b, "0\n");
}

/* The CPUs running: all of them, once the APs (which boot in the background) are up. */
static uint32_t online(void)
{
	smp_wait_all();
	return ncpus;
}

static int show_online(struct procfs_buf *b, long arg)
{
	cpu_list(b, online());
	return 0;
}

/* possible and present: what the firmware tables list. */
static int show_present(struct procfs_buf *b, long arg)
{
	cpu_list(b, MAX(platform.ncpus, online()));
	return 0;
}

static int show_offline(struct procfs_buf *b, long arg)
{
	uint32_t on = online(), all = MAX(platform.ncpus, on);

	if (all > on + 1)
		procfs_printf(b, "%u-%u\n", on, all - 1);
	else if (all > on)
		procfs_printf(b, "%u\n", on);
	else
		procfs_printf(b, "\n");
	return 0;
}

static int show_kernel_max(struct procfs_buf *b, long arg)
{
	procfs_printf(b, "%d\n", MAX_CPUS - 1);
	return 0;
}

static long next_cpu(long arg, long from)
{
	return from < (long)online() ? MAX(from, 0L) : -1;
}

#define FILE(n, fn)                                               \
	{                                                         \
		.name = (n), .mode = S_IFREG | 0444, .show = (fn) \
	}
#define DIR(n, e)                                                   \
	{                                                           \
		.name = (n), .mode = S_IFDIR | 0755, .entries = (e) \
	}

static const struct procfs_node cpu_dir = { .mode = S_IFDIR | 0755 };

static const struct procfs_node cpu_entries[] = {
	FILE("kernel_max", show_kernel_max), FILE("offline", show_offline),
	FILE("online", show_online),	     FILE("possible", show_present),
	FILE("present", show_present),	     { 0 },
};

static const struct procfs_node system_entries[] = {
	{ .name = "cpu",
	  .mode = S_IFDIR | 0755,
	  .entries = cpu_entries,
	  .next = next_cpu,
	  .numbered = &cpu_dir,
	  .prefix = "cpu" },
	{ 0 },
};

static const struct procfs_node devices_entries[] = {
	DIR("system", system_entries),
	{ 0 },
};

static const struct procfs_node root_entries[] = {
	DIR("devices", devices_entries),
	{ 0 },
};

static const struct procfs_node root = { .mode = S_IFDIR | 0755, .entries = root_entries };

static int sysfs_mount(struct super *sb, void *data)
{
	return procfs_mount_tree(sb, &root);
}

const struct fs_type sysfs_type = {
	.name = "sysfs",
	.magic = SYSFS_MAGIC,
	.mount = sysfs_mount,
};

void sysfs_init(void)
{
	static const struct vfs_mount_args args = {
		.source = "sysfs", .flags = MOUNT_NOSUID | MOUNT_NODEV | MOUNT_NOEXEC
	};
	int r = vfs_mount("/sys", &sysfs_type, &args);

	if (r)
		panic("sysfs: cannot mount /sys (error %d)", r);
}
