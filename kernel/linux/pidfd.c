/* pidfd.c: process file descriptors. A pidfd keeps its process's pid (pids are never reused
 * while the VM runs: task_new_tid counts up), so it needs no reference on the process; poll
 * looks the pid up in the table. Every pidfd polls on one queue, woken at each process's end. */
#include "linux/pidfd.h"
#include "fs/file.h"
#include "fs/pollq.h"
#include "fs/procfs.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "linux/process.h"
#include "linux/procfs_pid.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "core/uaccess.h"

#define PIDFD_NONBLOCK O_NONBLOCK

static struct pollq ended = { .lock = SPINLOCK_INIT, .entries = LIST_INIT(ended.entries) };

void pidfd_exited(void)
{
	pollq_wake(&ended, POLLIN | POLLRDNORM);
}

static uint32_t pidfd_poll(struct file *f, struct pollq **pq)
{
	uint64_t fl = process_lock();
	const struct process *p = process_find((int)(long)f->priv);
	bool over = !p || p->state != PROC_LIVE;

	process_unlock(fl);
	if (pq)
		*pq = &ended;
	return over ? POLLIN | POLLRDNORM : 0;
}

static const struct file_ops pidfd_fops = {
	.poll = pidfd_poll,
	.anon_name = "[pidfd]",
};

/* A live or ended (zombie) process's pid; threads other than the first are not (EINVAL). */
SYSCALL_DEFINE2(pidfd_open, int, pid, uint32_t, flags)
{
	struct process *p;
	struct file *f;
	uint64_t fl;
	int r;

	if (pid <= 0 || (flags & ~(uint32_t)PIDFD_NONBLOCK))
		return -EINVAL;
	fl = process_lock();
	p = process_find(pid);
	r = !p || p->state == PROC_REAPED ? -ESRCH : 0;
	process_unlock(fl);
	if (r)
		return r;
	f = file_anon(S_IFREG | 0600, &pidfd_fops, O_RDWR | (flags & PIDFD_NONBLOCK));
	if (!f)
		return -ENOMEM;
	f->priv = (void *)(long)pid;
	r = fd_install(f, 0, true); /* (always close-on-exec, as Linux makes it) */
	if (r < 0)
		file_put(f);
	return r;
}

/* The pid a descriptor names: a pidfd's, or a /proc/<pid> directory's (as Linux takes it). */
static int pid_of(struct file *f)
{
	const struct procfs_node *node;
	long arg;

	if (f->ops == &pidfd_fops)
		return (int)(long)f->priv;
	if (procfs_node_of(f->inode, &node, &arg) && node == &procfs_pid_dir)
		return (int)(arg >> 32);
	return -EBADF;
}

/* As kill(2) to the process (uinfo: as rt_sigqueueinfo's, its si_signo the signal). */
SYSCALL_DEFINE4(pidfd_send_signal, int, pidfd, int, sig, const struct k_siginfo *, uinfo, uint32_t,
		flags)
{
	struct k_siginfo info;
	struct file *f;
	int pid;

	if (flags)
		return -EINVAL;
	f = fd_get(pidfd);
	if (!f)
		return -EBADF;
	pid = pid_of(f);
	file_put(f);
	if (pid < 0)
		return pid;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!uinfo)
		return process_kill(pid, sig, NULL);
	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if (info.signo != sig)
		return -EINVAL;
	return process_kill(pid, sig, &info);
}
