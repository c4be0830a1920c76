/* procfs_status.c: /proc/<pid>/{stat,status,statm,maps} and task/<tid>/{stat,status}, in the
 * formats of proc_pid_stat(5), proc_pid_status(5) and proc_pid_maps(5), for any process (a
 * reference, process_get): its ids from the process table, its threads (under its lock,
 * copied out), its VMAs (walked with mm_vma_next on a reference to its address space). A
 * zombie shows state Z, its ids and times, and no memory, as Linux shows one. */
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
#include "linux/process.h"
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
	int tid, nthreads, exit_signal;
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

/* Thread tid's state (thread), or the process's (tid = pid: its main thread's, with every
 * thread's times). The main thread is shown as a zombie once it has ended (the process is a
 * zombie, or its other threads run on), with the name it had. */
static int tinfo_get(struct process *p, int tid, bool thread, struct tinfo *ti)
{
	struct task *main, *found;
	struct list *pos;
	uint64_t f;

	memset(ti, 0, sizeof(*ti));
	mutex_lock(&p->lock);
	main = task_find(p, p->pid);
	found = tid == p->pid ? main : task_find(p, tid);
	if (!found && tid != p->pid) {
		mutex_unlock(&p->lock);
		return -ESRCH;
	}
	if (!thread) {
		ti->cpu_ns = p->dead_cpu_ns;
		list_for_each (pos, &p->tasks) {
			ti->cpu_ns += thread_ns(list_entry(pos, struct task, node)->thread);
		}
	}
	ti->tid = tid;
	ti->nthreads = p->ntasks + !main;
	/* A thread's exit_signal is -1 (Linux's); the process's, what its parent gets. */
	ti->exit_signal = tid == p->pid ? p->exit_signal : -1;
	memcpy(ti->comm, found ? found->thread->name : p->comm, sizeof(ti->comm) - 1);
	ti->state = found ? state_of(found->thread) : 'Z';
	if (found) {
		ti->cpu = (uint32_t)found->thread->cpu;
		ti->switches = found->thread->switches;
		if (thread)
			ti->cpu_ns = thread_ns(found->thread);
	}
	f = spin_lock(&p->sig.lock);
	if (found && found->sig.stopped)
		ti->state = 'T'; /* asleep in a group stop */
	ti->pending = found ? found->sig.pending : 0;
	ti->blocked = found ? found->sig.blocked : 0;
	ti->shared_pending = p->sig.pending;
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

/* mm's picture (a zombie's, NULL: all zero). */
static void vminfo_get(struct mm *mm, struct vminfo *vi)
{
	struct inode *exe = NULL;
	struct vma v;

	memset(vi, 0, sizeof(*vi));
	for (uint64_t at = 0; mm && mm_vma_next(mm, at, &v); at = v.end) {
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

/* What the files of one process start from: the process (a reference) and its ids, the
 * thread's state, its address space (a reference; NULL for a zombie) and picture. */
struct pinfo {
	struct process *p;
	struct process_ids ids;
	struct tinfo ti;
	struct mm *mm;
	struct vminfo vi;
};

/* 0, or -ESRCH (the process or thread is gone); pinfo_put undoes it. */
static int pinfo_get(long arg, bool thread, struct pinfo *pi)
{
	int r;

	pi->p = process_get(PROCFS_OUTER(arg));
	if (!pi->p)
		return -ESRCH;
	r = process_ids(pi->p, &pi->ids);
	if (!r)
		r = tinfo_get(pi->p, PROCFS_INNER(arg), thread, &pi->ti);
	if (r) {
		process_put(pi->p);
		return r;
	}
	/* A main thread that has ended shows no memory, as Linux's zombie leader has none. */
	pi->mm = pi->ti.state == 'Z' ? NULL : process_mm(pi->p);
	vminfo_get(pi->mm, &pi->vi);
	return 0;
}

static void pinfo_put(struct pinfo *pi)
{
	if (pi->mm)
		mm_put(pi->mm);
	process_put(pi->p);
}

static int show_stat(struct procfs_buf *b, long arg, bool thread)
{
	struct pinfo pi;
	const struct process *p;
	const struct tinfo *ti = &pi.ti;
	const struct vminfo *vi = &pi.vi;
	uint64_t args[4] = { 0 }, brk = 0;
	int r = pinfo_get(arg, thread, &pi);

	if (r)
		return r;
	p = pi.p;
	if (pi.mm) { /* (Linux's fields of the address space are 0 without one) */
		args[0] = p->arg_start;
		args[1] = p->arg_end;
		args[2] = p->env_start;
		args[3] = p->env_end;
		brk = pi.mm->brk_start;
	}
	procfs_printf(b, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %lu 0 0 0 20 0 %d 0 %lu %lu %lu ",
		      ti->tid, ti->comm, ti->state, pi.ids.ppid, pi.ids.pgid, pi.ids.sid,
		      ti->cpu_ns / NS_PER_TICK, ti->nthreads, p->start_ns / NS_PER_TICK, vi->size,
		      mm_resident_pages(pi.mm));
	procfs_printf(b, "%lu %lu %lu %lu 0 0 %lu %lu %lu %lu 0 0 0 %d %u 0 0 0 0 0 ",
		      p->rlim[5].cur, vi->start_code, vi->end_code, args[0], ti->pending,
		      ti->blocked, ti->ignored, ti->caught, ti->exit_signal, ti->cpu);
	procfs_printf(b, "%lu %lu %lu %lu %lu %lu %lu %d\n", vi->start_data, vi->end_data, brk,
		      args[0], args[1], args[2], args[3],
		      pi.ids.state == PROC_ZOMBIE ? p->wstatus : 0);
	pinfo_put(&pi);
	return 0;
}

int procfs_status_show_stat(struct procfs_buf *b, long arg)
{
	return show_stat(b, arg, false);
}

int procfs_status_show_task_stat(struct procfs_buf *b, long arg)
{
	return show_stat(b, arg, true);
}

static const char *state_name(char s)
{
	switch (s) {
	case 'R':
		return "R (running)";
	case 'S':
		return "S (sleeping)";
	case 'T':
		return "T (stopped)";
	case 'Z':
		return "Z (zombie)";
	default:
		return "X (dead)";
	}
}

/* The size of p's descriptor table as Linux counts it (0 once the process has ended). */
static int fd_size(struct process *p)
{
	int top = 0, fd = 0;

	mutex_lock(&p->lock);
	if (!p->fdt) {
		mutex_unlock(&p->lock);
		return 0;
	}
	while ((fd = fdtable_next(p->fdt, fd)) >= 0)
		top = ++fd;
	mutex_unlock(&p->lock);
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

/* The lines of the address space (none for a zombie, as in Linux). */
static void status_mm(struct procfs_buf *b, const struct pinfo *pi)
{
	uint64_t rss = mm_resident_pages(pi->mm) * PAGE_SIZE;
	const struct vminfo *vi = &pi->vi;

	kb(b, "VmPeak:", vi->size);
	kb(b, "VmSize:", vi->size);
	kb(b, "VmLck:", 0);
	kb(b, "VmPin:", 0);
	kb(b, "VmHWM:", rss);
	kb(b, "VmRSS:", rss);
	kb(b, "RssAnon:", rss);
	kb(b, "RssFile:", 0);
	kb(b, "RssShmem:", 0);
	kb(b, "VmData:", vi->data);
	kb(b, "VmStk:", vi->stack);
	kb(b, "VmExe:", vi->exe);
	kb(b, "VmLib:", vi->lib);
	kb(b, "VmPTE:", 0);
	kb(b, "VmSwap:", 0);
	kb(b, "HugetlbPages:", 0);
	procfs_printf(b, "CoreDumping:\t0\nTHP_enabled:\t1\n");
}

static int show_status(struct procfs_buf *b, long arg, bool thread)
{
	struct pinfo pi;
	struct process *p;
	const struct tinfo *ti = &pi.ti;
	int r = pinfo_get(arg, thread, &pi);

	if (r)
		return r;
	p = pi.p;
	procfs_printf(b,
		      "Name:\t%s\nUmask:\t0%u%u%u\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		      "PPid:\t%d\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
		      "FDSize:\t%d\nGroups:\t \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n"
		      "Kthread:\t0\n",
		      ti->comm, (p->umask >> 6) & 7, (p->umask >> 3) & 7, p->umask & 7,
		      state_name(ti->state), p->pid, ti->tid, pi.ids.ppid, fd_size(p), p->pid,
		      ti->tid, pi.ids.pgid, pi.ids.sid);
	if (pi.mm)
		status_mm(b, &pi);
	procfs_printf(b,
		      "Threads:\t%d\nSigQ:\t%d/%lu\n"
		      "SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\n"
		      "SigCgt:\t%016lx\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
		      "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
		      "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
		      "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tvulnerable\n"
		      "SpeculationIndirectBranch:\talways enabled\n",
		      ti->nthreads, bits(ti->pending | ti->shared_pending), p->rlim[11].cur,
		      ti->pending, ti->shared_pending, ti->blocked, ti->ignored, ti->caught);
	cpus_allowed(b);
	procfs_printf(b,
		      "Mems_allowed:\t1\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t%lu\n"
		      "nonvoluntary_ctxt_switches:\t0\n",
		      ti->switches);
	pinfo_put(&pi);
	return 0;
}

int procfs_status_show_status(struct procfs_buf *b, long arg)
{
	return show_status(b, arg, false);
}

int procfs_status_show_task_status(struct procfs_buf *b, long arg)
{
	return show_status(b, arg, true);
}

int procfs_status_show_statm(struct procfs_buf *b, long arg)
{
	struct pinfo pi;
	int r = pinfo_get(arg, false, &pi);

	if (r)
		return r;
	procfs_printf(b, "%lu %lu 0 %lu 0 %lu 0\n", pi.vi.size / PAGE_SIZE,
		      mm_resident_pages(pi.mm), pi.vi.exe / PAGE_SIZE,
		      (pi.vi.data + pi.vi.stack) / PAGE_SIZE);
	pinfo_put(&pi);
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

int procfs_status_show_maps(struct procfs_buf *b, long arg)
{
	struct process *p = process_get(PROCFS_OUTER(arg));
	struct mm *mm;
	char *path;
	struct vma v;

	if (!p)
		return -ESRCH;
	mm = process_mm(p);
	process_put(p);
	if (!mm)
		return 0; /* a zombie's: empty */
	path = kmalloc(PATH_MAX);
	for (uint64_t at = 0; path && mm_vma_next(mm, at, &v); at = v.end) {
		maps_line(b, &v, path);
		file_put(v.file);
	}
	mm_put(mm);
	if (!path)
		return -ENOMEM;
	kfree(path);
	return 0;
}
