/* procfs_root.c: /proc's root directory as Linux shows it: the links self, thread-self and
 * mounts (to the caller's own), the machine-wide files (fs/procfs_cpuinfo.c, procfs_sys.c),
 * sys/, net/ (fs/procfs.c) and /proc/<pid> for every live or zombie process (procfs_pid.c). */
#include "linux/procfs_root.h"
#include "fs/procfs.h"
#include "fs/procfs_cpuinfo.h"
#include "fs/unixname.h"
#include "fs/vfs.h"
#include "linux/process.h"
#include "linux/procfs_pid.h"
#include "linux/procfs_sys.h"
#include "linux/task.h"

static int self_link(struct procfs_buf *b, long arg)
{
	procfs_printf(b, "%d", current_process()->pid);
	return 0;
}

static int thread_self_link(struct procfs_buf *b, long arg)
{
	procfs_printf(b, "%d/task/%d", current_process()->pid, current_task()->tid);
	return 0;
}

static int mounts_link(struct procfs_buf *b, long arg)
{
	procfs_printf(b, "self/mounts");
	return 0;
}

/* The processes in the table, live or zombie. */
static long next_pid(long arg, long from)
{
	return process_next_pid(from);
}

/* /proc/<tid> of a thread other than its process's main one: its process's directory as the
 * thread sees it (stat and status show the thread's ids, task/ every thread of the process),
 * as Linux's, which readdir does not list either. */
static long thread_dir(long arg, long tid)
{
	int pid = process_pid_of_tid((int)tid);

	return pid < 0 || pid == tid ? -1 : PROCFS_ARG(pid, tid);
}

#define FILE(n, fn)                                               \
	{                                                         \
		.name = (n), .mode = S_IFREG | 0444, .show = (fn) \
	}

static const struct procfs_node root_entries[] = {
	{ .name = "self", .mode = S_IFLNK | 0777, .link = self_link },
	{ .name = "thread-self", .mode = S_IFLNK | 0777, .link = thread_self_link },
	{ .name = "mounts", .mode = S_IFLNK | 0777, .link = mounts_link },
	FILE("cpuinfo", procfs_cpuinfo_show),
	FILE("meminfo", procfs_sys_show_meminfo),
	FILE("stat", procfs_sys_show_stat),
	FILE("uptime", procfs_sys_show_uptime),
	FILE("loadavg", procfs_sys_show_loadavg),
	FILE("version", procfs_sys_show_version),
	FILE("filesystems", procfs_sys_show_filesystems),
	{ .name = "sys", .mode = S_IFDIR | 0555, .entries = procfs_sys_sysctl },
	{ .name = "net", .mode = S_IFDIR | 0555, .entries = procfs_net_entries },
	{ 0 },
};

static const struct procfs_node root = {
	.name = "/",
	.mode = S_IFDIR | 0555,
	.entries = root_entries,
	.next = next_pid,
	.hidden = thread_dir,
	.numbered = &procfs_pid_dir,
	.outer = true,
};

void procfs_root_init(void)
{
	procfs_unix_show = unixname_show; /* /proc/net/unix: fs/unixname.c's registry */
	procfs_set_root(&root);
}
