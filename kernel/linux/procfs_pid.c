/* procfs_pid.c: /proc/<pid> for every live or zombie process (/proc/self links to the
 * caller's): the links exe, cwd, root and fd/N (named as Linux names them: a path,
 * "pipe:[ino]", "socket:[ino]", "anon_inode:[eventfd]"), cmdline, environ, auxv, limits,
 * comm, mounts, mountinfo, cgroup, the accounting files of procfs_status.c, and task/<tid>/
 * for each thread.
 *
 * Each file looks its process up by the pid in its argument's outer half when it is read
 * (process_get: a reference) and reaches the process's threads, files, working directory
 * and memory under its lock. A zombie has none of these left and answers as Linux 6's: its
 * links ENOENT, cmdline and maps empty, environ and auxv ESRCH, mounts and mountinfo EINVAL,
 * fd/ empty (Linux fails some at open, Mote at the read). A reaped process is gone: ENOENT
 * at lookup, ESRCH from a file opened before.
 */
#include "linux/procfs_pid.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/procfs.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/mm.h"
#include "linux/process.h"
#include "linux/procfs_status.h"
#include "linux/task.h"

#define ARGS_MAX (1UL << 20) /* cmdline/environ: at most this much of the stack */
#define AT_NULL 0

static struct process *proc_of(long arg)
{
	return process_get(PROCFS_OUTER(arg));
}

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
	struct process *p = proc_of(arg);
	int r = -ENOENT;

	if (!p)
		return -ENOENT;
	mutex_lock(&p->lock);
	if (p->exe && p->mm) {
		procfs_printf(b, "%s", p->exe);
		r = 0;
	}
	mutex_unlock(&p->lock);
	process_put(p);
	return r;
}

/* The process's working directory (a reference), or NULL once it has ended. */
static struct dentry *cwd_of(long arg)
{
	struct process *p = proc_of(arg);
	struct dentry *d;

	if (!p)
		return NULL;
	mutex_lock(&p->lock);
	d = p->cwd;
	if (d)
		vfs_dentry_get(d);
	mutex_unlock(&p->lock);
	process_put(p);
	return d;
}

static int cwd_link(struct procfs_buf *b, long arg)
{
	struct dentry *d = cwd_of(arg);
	int r;

	if (!d)
		return -ENOENT;
	r = link_path(b, d);
	vfs_dentry_put(d);
	return r;
}

static int root_link(struct procfs_buf *b, long arg)
{
	struct dentry *d = cwd_of(arg); /* the root goes with it (Linux's fs_struct) */

	if (!d)
		return -ENOENT;
	vfs_dentry_put(d);
	procfs_printf(b, "/");
	return 0;
}

/* The file of descriptor arg (inner half) of the process (outer half), with a reference. */
static struct file *file_of(long arg)
{
	struct process *p = proc_of(arg);
	struct file *f = NULL;

	if (!p)
		return NULL;
	mutex_lock(&p->lock);
	if (p->fdt)
		f = fdtable_get(p->fdt, PROCFS_INNER(arg));
	mutex_unlock(&p->lock);
	process_put(p);
	return f;
}

/* An object outside the name space: no dentry, or the detached one fd_follow made for it. */
static bool anonymous(const struct file *f)
{
	const struct dentry *d = f->dentry;

	return !d || (!d->parent && !d->covered && d != vfs_root);
}

/* fd/N: a file by its path (" (deleted)" once unlinked), an anonymous object by its kind. */
static int fd_link(struct procfs_buf *b, long arg)
{
	struct file *f = file_of(arg);
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
static int fd_follow(long arg, struct dentry **out)
{
	struct file *f = file_of(arg);
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
static uint32_t fd_perm(long arg)
{
	struct file *f = file_of(arg);
	uint32_t acc = f ? f->flags & O_ACCMODE : O_RDONLY;

	file_put(f);
	return acc == O_RDONLY ? 0500 : acc == O_WRONLY ? 0300 : 0700;
}

static long next_fd(long arg, long from)
{
	struct process *p = proc_of(arg);
	long fd = -1;

	if (!p || from >= FD_MAX)
		goto out;
	mutex_lock(&p->lock);
	if (p->fdt)
		fd = fdtable_next(p->fdt, (int)from);
	mutex_unlock(&p->lock);
out:
	if (p)
		process_put(p);
	return fd;
}

/* The threads; the main one (tid = pid) stays listed once it has ended, as Linux keeps it
 * (a zombie) while the others run and until the process is reaped. */
static long next_tid(long arg, long from)
{
	struct process *p = proc_of(arg);
	struct list *pos;
	long best;

	if (!p)
		return -1;
	best = p->pid >= from ? p->pid : -1;
	mutex_lock(&p->lock);
	list_for_each (pos, &p->tasks) {
		long tid = list_entry(pos, struct task, node)->tid;

		if (tid >= from && (best < 0 || tid < best))
			best = tid;
	}
	mutex_unlock(&p->lock);
	process_put(p);
	return best;
}

/* cmdline (env: environ): the bytes of the initial stack's strings, read in the process's
 * own address space; once it has ended, nothing (environ: ESRCH). */
static int show_area(struct procfs_buf *b, long arg, bool env)
{
	struct process *p = proc_of(arg);
	uint64_t start, end;
	struct mm *mm;
	char chunk[256];

	if (!p)
		return -ESRCH;
	mutex_lock(&p->lock);
	mm = p->mm;
	if (mm)
		mm_get(mm);
	start = env ? p->env_start : p->arg_start;
	end = env ? p->env_end : p->arg_end;
	mutex_unlock(&p->lock);
	process_put(p);
	if (!mm)
		return env ? -ESRCH : 0;
	end = MIN(end, start + ARGS_MAX);
	for (uint64_t at = start; at < end; at += sizeof(chunk)) {
		size_t n = (size_t)MIN(end - at, sizeof(chunk)), got = mm_read(mm, at, chunk, n);

		procfs_write(b, chunk, got);
		if (got < n)
			break; /* unmapped since: what there was (Linux shows nothing more) */
	}
	mm_put(mm);
	return 0;
}

static int show_cmdline(struct procfs_buf *b, long arg)
{
	return show_area(b, arg, false);
}

static int show_environ(struct procfs_buf *b, long arg)
{
	return show_area(b, arg, true);
}

/* The auxiliary vector, binary, up to and with its AT_NULL pair (a zombie's: ESRCH). */
static int show_auxv(struct procfs_buf *b, long arg)
{
	struct process *p = proc_of(arg);
	size_t n = 0;
	int r = -ESRCH;

	if (!p)
		return -ESRCH;
	mutex_lock(&p->lock);
	if (p->mm) {
		while (n + 2 <= ARRAY_SIZE(p->auxv) && p->auxv[n] != AT_NULL)
			n += 2;
		procfs_write(b, p->auxv, MIN(n + 2, ARRAY_SIZE(p->auxv)) * sizeof(p->auxv[0]));
		r = 0;
	}
	mutex_unlock(&p->lock);
	process_put(p);
	return r;
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
	struct process *p = proc_of(arg);
	struct rlimit64 rl[NR_RLIMITS];

	if (!p)
		return -ESRCH;
	memcpy(rl, p->rlim, sizeof(rl));
	process_put(p);
	procfs_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < NR_RLIMITS; i++) {
		procfs_printf(b, "%-25s ", limits[i].name);
		limit_value(b, rl[i].cur);
		limit_value(b, rl[i].max);
		procfs_printf(b, *limits[i].unit ? "%-10s\n" : "%s\n", limits[i].unit);
	}
	return 0;
}

/* The name of p's thread tid into name: the main thread's (tid = pid) is the process's, kept
 * once that thread has ended. false: no such thread. p->lock held. */
static bool name_of(struct process *p, int tid, char *name)
{
	struct task *t = task_find(p, tid);

	if (!t && tid != p->pid)
		return false;
	memcpy(name, t ? t->thread->name : p->comm, 16);
	name[15] = 0;
	return true;
}

static int show_comm(struct procfs_buf *b, long arg)
{
	struct process *p = proc_of(arg);
	char name[16];
	bool found;

	if (!p)
		return -ESRCH;
	mutex_lock(&p->lock);
	found = name_of(p, PROCFS_INNER(arg), name);
	mutex_unlock(&p->lock);
	process_put(p);
	if (!found)
		return -ESRCH;
	procfs_printf(b, "%s\n", name);
	return 0;
}

/* Writing comm renames the thread, as prctl(PR_SET_NAME) does (cut to 15 bytes); only the
 * process's own threads may (another's: EINVAL, as in Linux). */
static int store_comm(const char *buf, size_t n, long arg)
{
	struct process *p = proc_of(arg);
	int tid = PROCFS_INNER(arg), r = 0;
	char name[16] = { 0 };
	struct task *t;

	if (!p)
		return -ESRCH;
	if (p != current_process()) {
		process_put(p);
		return -EINVAL;
	}
	if (n && buf[n - 1] == '\n')
		n--;
	memcpy(name, buf, MIN(n, sizeof(name) - 1));
	mutex_lock(&p->lock);
	t = task_find(p, tid);
	if (t)
		memcpy(t->thread->name, name, sizeof(name));
	else if (tid == p->pid)
		memcpy(p->comm, name, sizeof(name));
	else
		r = -ESRCH;
	mutex_unlock(&p->lock);
	process_put(p);
	return r;
}

/* The mount table (fs/mount.h): mounts, or mountinfo with info. A process that has ended
 * has no mount name space left: EINVAL. */
static int show_table(struct procfs_buf *b, long arg, bool info)
{
	struct dentry *cwd = cwd_of(arg);
	unsigned long n;
	char *text;

	if (!cwd)
		return -EINVAL;
	vfs_dentry_put(cwd);
	n = mount_format(NULL, 0, info);
	text = kmalloc(n + 1);
	if (!text)
		return -ENOMEM;
	n = MIN(n, mount_format(text, n + 1, info)); /* a mount may have gone meanwhile */
	procfs_write(b, text, n);
	kfree(text);
	return 0;
}

static int show_mounts(struct procfs_buf *b, long arg)
{
	return show_table(b, arg, false);
}

/* mountinfo: mount ids from 21 in mount order, each file system's device 0:N (as stat's
 * st_dev says), the parent's id (1 for the root's). */
static int show_mountinfo(struct procfs_buf *b, long arg)
{
	return show_table(b, arg, true);
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

const struct procfs_node procfs_pid_dir = {
	.mode = S_IFDIR | 0555,
	.entries = pid_entries,
};
