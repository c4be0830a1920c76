/* procfs_status.c: /proc/<pid>/{stat,status,statm,maps} and task/<tid>/{stat,status}, in the
 * formats of proc_pid_stat(5), proc_pid_status(5) and proc_pid_maps(5), from the tasks (under
 * the process lock, copied out) and the VMAs (walked with mm_vma_next). */
#include "linux/procfs_status.h"
#include "fs/file.h"
#include "fs/procfs.h"
#include "fs/vfs.h"
#include "arch/x86_64/percpu.h"
#include "core/mm/heap.h"
#include "core/sched/thread.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/mm.h"
#include "linux/task.h"
#include "linux/time.h"

#define USER_HZ 100
#define NS_PER_TICK (1000000000UL / USER_HZ)
#define SIG_IGN 1
#define MAPS_NAME_COLUMN 73 /* where maps puts the path (Linux pads the fields to it) */

/* One task's (or the process's) state, copied under the locks. */
struct tinfo {
	char comm[16];
	char state;
	int tid, nthreads;
	uint32_t cpu;
	uint64_t cpu_ns, switches;
	uint64_t pending, shared_pending, blocked, ignored, caught;
};

/* The memory picture from the VMAs. The program's own file is the lowest file mapping. */
struct vminfo {
	uint64_t size, data, stack, exe, lib;
	uint64_t start_code, end_code, start_data, end_data;
};

static uint64_t thread_ns(struct thread *th)
{
	uint64_t khz = time_tsc_khz();

	if (th == current_thread())
		return clock_thread_cpu_ns();
	return khz ? th->runtime_tsc * 1000000 / khz : 0;
}

static char state_of(const struct thread *th)
{
	switch (th->state) {
	case THREAD_RUNNABLE:
		return 'R';
	case THREAD_SLEEPING:
		return 'S';
	default:
		return 'X';
	}
}

/* tid's state (thread) or the process's (its main thread's, with every thread's times). */
static int tinfo_get(long tid, bool thread, struct tinfo *ti)
{
	struct process *p = current_process();
	struct task *found = NULL;
	struct list *pos;
	uint64_t f;

	memset(ti, 0, sizeof(*ti));
	mutex_lock(&p->lock);
	list_for_each (pos, &p->tasks) {
		struct task *t = list_entry(pos, struct task, node);

		if (t->tid == tid || (!thread && !found))
			found = t;
		if (!thread)
			ti->cpu_ns += thread_ns(t->thread);
	}
	if (!found || (thread && found->tid != tid)) {
		mutex_unlock(&p->lock);
		return -ENOENT;
	}
	memcpy(ti->comm, found->thread->name, sizeof(ti->comm) - 1);
	ti->state = state_of(found->thread);
	ti->tid = thread ? found->tid : p->pid;
	ti->nthreads = p->ntasks;
	ti->cpu = (uint32_t)found->thread->cpu;
	ti->switches = found->thread->switches;
	if (thread)
		ti->cpu_ns = thread_ns(found->thread);
	f = spin_lock(&p->sig.lock);
	ti->pending = found->sig.pending;
	ti->shared_pending = p->sig.pending;
	ti->blocked = found->sig.blocked;
	for (int s = 1; s <= NSIG; s++) {
		uint64_t h = p->sig.action[s - 1].handler;

		if (h == SIG_IGN)
			ti->ignored |= SIG_BIT(s);
		else if (h > SIG_IGN)
			ti->caught |= SIG_BIT(s);
	}
	spin_unlock(&p->sig.lock, f);
	mutex_unlock(&p->lock);
	return 0;
}

static void vminfo_get(struct vminfo *vi)
{
	struct inode *exe = NULL;
	struct vma v;

	memset(vi, 0, sizeof(*vi));
	for (uint64_t at = 0; mm_vma_next(mm_current(), at, &v); at = v.end) {
		uint64_t len = v.end - v.start;
		bool shared = (v.flags & MAP_TYPE) == MAP_SHARED;

		vi->size += len;
		if (v.file && !exe)
			exe = v.file->inode; /* compared by address only: no reference kept */
		if ((v.flags & MAP_GROWSDOWN) || (v.name && !strcmp(v.name, "[stack]")))
			vi->stack += len;
		else if ((v.prot & PROT_WRITE) && !shared)
			vi->data += len;
		if (v.file && v.file->inode == exe) {
			if (v.prot & PROT_EXEC) {
				vi->exe += len;
				vi->start_code = vi->start_code ? vi->start_code : v.start;
				vi->end_code = v.end;
			} else if ((v.prot & PROT_WRITE) && !vi->start_data) {
				vi->start_data = v.start;
				vi->end_data = v.end;
			}
		} else if (v.prot & PROT_EXEC) {
			vi->lib += len;
		}
		file_put(v.file);
	}
}

static int show_stat(struct procfs_buf *b, long id, bool thread)
{
	struct process *p = current_process();
	struct tinfo ti;
	struct vminfo vi;
	int r = tinfo_get(id, thread, &ti);

	if (r)
		return r;
	vminfo_get(&vi);
	procfs_printf(b, "%d (%s) %c 0 %d %d 0 -1 0 0 0 0 0 %lu 0 0 0 20 0 %d 0 %lu %lu %lu ",
		      ti.tid, ti.comm, ti.state, p->pid, p->pid, ti.cpu_ns / NS_PER_TICK,
		      ti.nthreads, p->start_ns / NS_PER_TICK, vi.size,
		      mm_resident_pages(mm_current()));
	procfs_printf(b, "%lu %lu %lu %lu 0 0 %lu %lu %lu %lu 0 0 0 %d %u 0 0 0 0 0 ",
		      p->rlim[5].cur, vi.start_code, vi.end_code, p->arg_start, ti.pending,
		      ti.blocked, ti.ignored, ti.caught, thread ? 0 : SIGCHLD, ti.cpu);
	procfs_printf(b, "%lu %lu %lu %lu %lu %lu %lu 0\n", vi.start_data, vi.end_data,
		      mm_current()->brk_start, p->arg_start, p->arg_end, p->env_start, p->env_end);
	return 0;
}

int procfs_status_show_stat(struct procfs_buf *b, long pid)
{
	return show_stat(b, pid, false);
}

int procfs_status_show_task_stat(struct procfs_buf *b, long tid)
{
	return show_stat(b, tid, true);
}

static const char *state_name(char s)
{
	switch (s) {
	case 'R':
		return "R (running)";
	case 'S':
		return "S (sleeping)";
	default:
		return "X (dead)";
	}
}

static int fd_size(void)
{
	struct fdtable *t = current_process()->fdt;
	int top = 0;

	mutex_lock(&t->lock);
	for (int fd = 0; fd < FD_MAX; fd++)
		if (t->files[fd])
			top = fd + 1;
	mutex_unlock(&t->lock);
	return MAX(ALIGN_UP(top, 64), 64);
}

/* A CPU list as Linux prints it ("0-3"), and the mask (hex) */
static void cpus_allowed(struct procfs_buf *b)
{
	uint32_t n = ncpus;

	procfs_printf(b, "Cpus_allowed:\t%lx\n", n >= 64 ? ~0UL : (1UL << n) - 1);
	procfs_printf(b, n > 1 ? "Cpus_allowed_list:\t0-%u\n" : "Cpus_allowed_list:\t%u\n", n - 1);
}

static int bits(uint64_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static void kb(struct procfs_buf *b, const char *name, uint64_t bytes)
{
	procfs_printf(b, "%s\t%8lu kB\n", name, bytes / 1024);
}

static int show_status(struct procfs_buf *b, long id, bool thread)
{
	struct process *p = current_process();
	uint64_t rss = mm_resident_pages(mm_current()) * PAGE_SIZE;
	struct tinfo ti;
	struct vminfo vi;
	int r = tinfo_get(id, thread, &ti);

	if (r)
		return r;
	vminfo_get(&vi);
	procfs_printf(b,
		      "Name:\t%s\nUmask:\t0%u%u%u\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		      "PPid:\t0\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
		      "FDSize:\t%d\nGroups:\t \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n"
		      "Kthread:\t0\n",
		      ti.comm, (p->umask >> 6) & 7, (p->umask >> 3) & 7, p->umask & 7,
		      state_name(ti.state), p->pid, ti.tid, fd_size(), p->pid, ti.tid, p->pid,
		      p->pid);
	kb(b, "VmPeak:", vi.size);
	kb(b, "VmSize:", vi.size);
	kb(b, "VmLck:", 0);
	kb(b, "VmPin:", 0);
	kb(b, "VmHWM:", rss);
	kb(b, "VmRSS:", rss);
	kb(b, "RssAnon:", rss);
	kb(b, "RssFile:", 0);
	kb(b, "RssShmem:", 0);
	kb(b, "VmData:", vi.data);
	kb(b, "VmStk:", vi.stack);
	kb(b, "VmExe:", vi.exe);
	kb(b, "VmLib:", vi.lib);
	kb(b, "VmPTE:", 0);
	kb(b, "VmSwap:", 0);
	kb(b, "HugetlbPages:", 0);
	procfs_printf(b,
		      "CoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t%d\nSigQ:\t%d/%lu\n"
		      "SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\n"
		      "SigCgt:\t%016lx\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
		      "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
		      "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
		      "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tvulnerable\n"
		      "SpeculationIndirectBranch:\talways enabled\n",
		      ti.nthreads, bits(ti.pending | ti.shared_pending), p->rlim[11].cur,
		      ti.pending, ti.shared_pending, ti.blocked, ti.ignored, ti.caught);
	cpus_allowed(b);
	procfs_printf(b,
		      "Mems_allowed:\t1\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t%lu\n"
		      "nonvoluntary_ctxt_switches:\t0\n",
		      ti.switches);
	return 0;
}

int procfs_status_show_status(struct procfs_buf *b, long pid)
{
	return show_status(b, pid, false);
}

int procfs_status_show_task_status(struct procfs_buf *b, long tid)
{
	return show_status(b, tid, true);
}

int procfs_status_show_statm(struct procfs_buf *b, long pid)
{
	struct vminfo vi;

	vminfo_get(&vi);
	procfs_printf(b, "%lu %lu 0 %lu 0 %lu 0\n", vi.size / PAGE_SIZE,
		      mm_resident_pages(mm_current()), vi.exe / PAGE_SIZE,
		      (vi.data + vi.stack) / PAGE_SIZE);
	return 0;
}

/* One maps line: "start-end perms offset dev inode", then the name at MAPS_NAME_COLUMN. */
static void maps_line(struct procfs_buf *b, const struct vma *v, char *path)
{
	const char *name = v->name;
	/* A named mapping backed by an object outside the name space ([vdso], [vvar]) shows as
	 * Linux's special mappings do: private, no device, no inode. */
	bool special = name && !(v->file && v->file->dentry);
	struct inode *ino = v->file && !special ? v->file->inode : NULL;
	bool shared = (v->flags & MAP_TYPE) == MAP_SHARED && !special;
	size_t start = b->len, len;

	procfs_printf(b, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", v->start, v->end,
		      v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
		      v->prot & PROT_EXEC ? 'x' : '-', shared ? 's' : 'p', ino ? v->off : 0, 0,
		      ino && ino->sb ? ino->sb->dev : 0, ino ? ino->ino : 0);
	if (v->file && v->file->dentry && vfs_path_of(v->file->dentry, path, PATH_MAX) > 0)
		name = path;
	if (!name || !*name || b->err) {
		procfs_printf(b, "\n");
		return;
	}
	len = b->len - start;
	procfs_printf(b, "%*s%s%s\n",
		      (int)(len < MAPS_NAME_COLUMN - 1 ? MAPS_NAME_COLUMN - len : 1), "", name,
		      name == path && !ino->nlink ? " (deleted)" : "");
}

int procfs_status_show_maps(struct procfs_buf *b, long pid)
{
	char *path = kmalloc(PATH_MAX);
	struct vma v;

	if (!path)
		return -ENOMEM;
	for (uint64_t at = 0; mm_vma_next(mm_current(), at, &v); at = v.end) {
		maps_line(b, &v, path);
		file_put(v.file);
	}
	kfree(path);
	return 0;
}
