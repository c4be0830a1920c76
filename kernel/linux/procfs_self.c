/* procfs_self.c: /proc/<pid> (the one process, pid 1; /proc/self links here): the links exe,
 * cwd, root and fd/N (named as Linux names them: a path, "pipe:[ino]", "socket:[ino]",
 * "anon_inode:[eventfd]"), cmdline, environ, auxv, limits, comm, mounts, mountinfo, cgroup,
 * the accounting files of procfs_status.c, and task/<tid>/ for each thread. */
#include "linux/procfs_self.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/procfs.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/procfs_status.h"
#include "linux/task.h"
#include "core/uaccess.h"

#define ARGS_MAX (1UL << 20) /* cmdline/environ: at most this much of the stack */
#define AT_NULL 0

static int link_path(struct procfs_buf *b, struct dentry *d)
{
	char *path = kmalloc(PATH_MAX);
	long n;

	if (!path)
		return -ENOMEM;
	n = vfs_path_of_locked(d, path, PATH_MAX);
	if (n > 0)
		procfs_write(b, path, (size_t)n);
	kfree(path);
	return n < 0 ? (int)n : 0;
}

static int exe_link(struct procfs_buf *b, long arg)
{
	struct process *p = current_process();
	int r = -ENOENT;

	mutex_lock(&p->lock);
	if (p->exe) {
		procfs_printf(b, "%s", p->exe);
		r = 0;
	}
	mutex_unlock(&p->lock);
	return r;
}

static int cwd_link(struct procfs_buf *b, long arg)
{
	struct process *p = current_process();
	struct dentry *d;
	int r;

	mutex_lock(&p->lock);
	d = p->cwd;
	vfs_dentry_get(d);
	mutex_unlock(&p->lock);
	r = link_path(b, d);
	vfs_dentry_put(d);
	return r;
}

static int root_link(struct procfs_buf *b, long arg)
{
	procfs_printf(b, "/");
	return 0;
}

/* An object outside the name space: no dentry, or the detached one fd_follow made for it. */
static bool anonymous(const struct file *f)
{
	const struct dentry *d = f->dentry;

	return !d || (!d->parent && !d->covered && d != vfs_root);
}

/* fd/N: a file by its path (" (deleted)" once unlinked), an anonymous object by its kind. */
static int fd_link(struct procfs_buf *b, long fd)
{
	struct file *f = fd_get((int)fd);
	uint32_t type;
	int r = 0;

	if (!f)
		return -ENOENT;
	type = f->inode->mode & S_IFMT;
	if (!anonymous(f)) {
		r = link_path(b, f->dentry);
		if (!f->inode->nlink && !S_ISDIR(f->inode->mode))
			procfs_printf(b, " (deleted)");
	} else if (type == S_IFIFO) {
		procfs_printf(b, "pipe:[%lu]", f->inode->ino);
	} else if (type == S_IFSOCK) {
		procfs_printf(b, "socket:[%lu]", f->inode->ino);
	} else {
		procfs_printf(b, "anon_inode:%s",
			      f->ops && f->ops->anon_name ? f->ops->anon_name : "[unknown]");
	}
	file_put(f);
	return r;
}

/*
 * Opening fd/N opens what the descriptor has open, as Linux does: the file's own dentry (even
 * once unlinked), or for an anonymous object (a pipe) a detached dentry on its inode.
 */
static int fd_follow(long fd, struct dentry **out)
{
	struct file *f = fd_get((int)fd);
	struct dentry *d;

	if (!f)
		return -ENOENT;
	d = f->dentry;
	if (d) {
		vfs_dentry_get(d);
	} else {
		d = vfs_alloc_dentry(NULL, "", 0, f->inode);
		if (d)
			vfs_inode_get(f->inode);
	}
	file_put(f);
	*out = d;
	return d ? 0 : -ENOMEM;
}

/* An fd link's permissions say how the file is open: r-x, -wx or rwx for the owner. */
static uint32_t fd_perm(long fd)
{
	struct file *f = fd_get((int)fd);
	uint32_t acc = f ? f->flags & O_ACCMODE : O_RDONLY;

	file_put(f);
	return acc == O_RDONLY ? 0500 : acc == O_WRONLY ? 0300 : 0700;
}

static long next_fd(long arg, long from)
{
	struct fdtable *t = current_process()->fdt;
	long fd;

	mutex_lock(&t->lock);
	for (fd = MAX(from, 0L); fd < FD_MAX && !t->files[fd]; fd++)
		;
	mutex_unlock(&t->lock);
	return fd < FD_MAX ? fd : -1;
}

static long next_tid(long arg, long from)
{
	struct process *p = current_process();
	struct list *pos;
	long best = -1;

	mutex_lock(&p->lock);
	list_for_each (pos, &p->tasks) {
		long tid = list_entry(pos, struct task, node)->tid;

		if (tid >= from && (best < 0 || tid < best))
			best = tid;
	}
	mutex_unlock(&p->lock);
	return best;
}

/* The bytes [start, end) of the application's memory (its initial stack). */
static int copy_area(struct procfs_buf *b, uint64_t start, uint64_t end)
{
	char chunk[256];

	end = MIN(end, start + ARGS_MAX);
	for (uint64_t at = start; at < end; at += sizeof(chunk)) {
		size_t n = (size_t)MIN(end - at, sizeof(chunk));

		if (copy_from_user(chunk, (const void *)at, n))
			return 0; /* unmapped since: what there was (Linux shows nothing more) */
		procfs_write(b, chunk, n);
	}
	return 0;
}

static int show_cmdline(struct procfs_buf *b, long arg)
{
	return copy_area(b, current_process()->arg_start, current_process()->arg_end);
}

static int show_environ(struct procfs_buf *b, long arg)
{
	return copy_area(b, current_process()->env_start, current_process()->env_end);
}

/* The auxiliary vector, binary, up to and with its AT_NULL pair. */
static int show_auxv(struct procfs_buf *b, long arg)
{
	const uint64_t *av = current_process()->auxv;
	size_t n = 0;

	while (n + 2 <= ARRAY_SIZE(current_process()->auxv) && av[n] != AT_NULL)
		n += 2;
	procfs_write(b, av, MIN(n + 2, ARRAY_SIZE(current_process()->auxv)) * sizeof(*av));
	return 0;
}

static const struct {
	const char *name, *unit;
} limits[NR_RLIMITS] = {
	{ "Max cpu time", "seconds" },	   { "Max file size", "bytes" },
	{ "Max data size", "bytes" },	   { "Max stack size", "bytes" },
	{ "Max core file size", "bytes" }, { "Max resident set", "bytes" },
	{ "Max processes", "processes" },  { "Max open files", "files" },
	{ "Max locked memory", "bytes" },  { "Max address space", "bytes" },
	{ "Max file locks", "locks" },	   { "Max pending signals", "signals" },
	{ "Max msgqueue size", "bytes" },  { "Max nice priority", "" },
	{ "Max realtime priority", "" },   { "Max realtime timeout", "us" },
};

static void limit_value(struct procfs_buf *b, uint64_t v)
{
	if (v == ~0UL)
		procfs_printf(b, "%-20s ", "unlimited");
	else
		procfs_printf(b, "%-20lu ", v);
}

static int show_limits(struct procfs_buf *b, long arg)
{
	struct rlimit64 rl[NR_RLIMITS];

	memcpy(rl, current_process()->rlim, sizeof(rl));
	procfs_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < NR_RLIMITS; i++) {
		procfs_printf(b, "%-25s ", limits[i].name);
		limit_value(b, rl[i].cur);
		limit_value(b, rl[i].max);
		procfs_printf(b, *limits[i].unit ? "%-10s\n" : "%s\n", limits[i].unit);
	}
	return 0;
}

/* The thread named by tid, or for the process (tid = pid) its first thread. */
static struct thread *thread_of(long tid)
{
	struct list *pos;

	list_for_each (pos, &current_process()->tasks) {
		struct task *t = list_entry(pos, struct task, node);

		if (t->tid == tid || tid == current_process()->pid)
			return t->thread;
	}
	return NULL;
}

static int show_comm(struct procfs_buf *b, long tid)
{
	struct thread *th;
	int r = -ENOENT;

	mutex_lock(&current_process()->lock);
	th = thread_of(tid);
	if (th) {
		procfs_printf(b, "%.15s\n", th->name);
		r = 0;
	}
	mutex_unlock(&current_process()->lock);
	return r;
}

/* Writing comm renames the thread, as prctl(PR_SET_NAME) does (cut to 15 bytes). */
static int store_comm(const char *buf, size_t n, long tid)
{
	struct thread *th;
	char name[16] = { 0 };

	if (n && buf[n - 1] == '\n')
		n--;
	memcpy(name, buf, MIN(n, sizeof(name) - 1));
	mutex_lock(&current_process()->lock);
	th = thread_of(tid);
	if (th)
		memcpy(th->name, name, sizeof(name));
	mutex_unlock(&current_process()->lock);
	return th ? 0 : -ENOENT;
}

/* The mount table (fs/mount.h): mounts, or mountinfo with info. */
static int show_table(struct procfs_buf *b, bool info)
{
	unsigned long n = mount_format(NULL, 0, info);
	char *text = kmalloc(n + 1);

	if (!text)
		return -ENOMEM;
	n = MIN(n, mount_format(text, n + 1, info)); /* a mount may have gone meanwhile */
	procfs_write(b, text, n);
	kfree(text);
	return 0;
}

static int show_mounts(struct procfs_buf *b, long arg)
{
	return show_table(b, false);
}

/* mountinfo: mount ids from 21 in mount order, each file system's device 0:N (as stat's
 * st_dev says), the parent's id (1 for the root's). */
static int show_mountinfo(struct procfs_buf *b, long arg)
{
	return show_table(b, true);
}

static int show_cgroup(struct procfs_buf *b, long arg)
{
	procfs_printf(b, "0::/\n");
	return 0;
}

#define FILE(n, m, fn)                                           \
	{                                                        \
		.name = (n), .mode = S_IFREG | (m), .show = (fn) \
	}
#define LINK(n, fn)                                               \
	{                                                         \
		.name = (n), .mode = S_IFLNK | 0777, .link = (fn) \
	}

static const struct procfs_node fd_node = {
	.mode = S_IFLNK | 0700,
	.link = fd_link,
	.follow = fd_follow,
	.perm = fd_perm,
};
#define FD_DIR                                                                              \
	{                                                                                   \
		.name = "fd", .mode = S_IFDIR | 0500, .next = next_fd, .numbered = &fd_node \
	}

static const struct procfs_node task_entries[] = {
	FILE("cmdline", 0444, show_cmdline),
	{ .name = "comm", .mode = S_IFREG | 0644, .show = show_comm, .store = store_comm },
	LINK("cwd", cwd_link),
	FILE("environ", 0400, show_environ),
	LINK("exe", exe_link),
	FD_DIR,
	FILE("maps", 0444, procfs_status_show_maps),
	LINK("root", root_link),
	FILE("stat", 0444, procfs_status_show_task_stat),
	FILE("statm", 0444, procfs_status_show_statm),
	FILE("status", 0444, procfs_status_show_task_status),
	{ 0 },
};

static const struct procfs_node task_dir = {
	.mode = S_IFDIR | 0555,
	.entries = task_entries,
};

static const struct procfs_node pid_entries[] = {
	FILE("auxv", 0400, show_auxv),
	FILE("cgroup", 0444, show_cgroup),
	FILE("cmdline", 0444, show_cmdline),
	{ .name = "comm", .mode = S_IFREG | 0644, .show = show_comm, .store = store_comm },
	LINK("cwd", cwd_link),
	FILE("environ", 0400, show_environ),
	LINK("exe", exe_link),
	FD_DIR,
	FILE("limits", 0444, show_limits),
	FILE("maps", 0444, procfs_status_show_maps),
	FILE("mountinfo", 0444, show_mountinfo),
	FILE("mounts", 0444, show_mounts),
	LINK("root", root_link),
	FILE("stat", 0444, procfs_status_show_stat),
	FILE("statm", 0444, procfs_status_show_statm),
	FILE("status", 0444, procfs_status_show_status),
	{ .name = "task", .mode = S_IFDIR | 0555, .next = next_tid, .numbered = &task_dir },
	{ 0 },
};

const struct procfs_node procfs_self_pid = {
	.mode = S_IFDIR | 0555,
	.entries = pid_entries,
};
