/* task_fs.c: fs/fsctx.h's accessors over the one process (task.h): its descriptor table,
 * working directory, RLIMIT_NOFILE, pid and ids; SIGPIPE (signal.h) and the mappings of a
 * truncated file (mm.h). */
#include "linux/task_fs.h"
#include "fs/fsctx.h"
#include "fs/vfs.h"
#include "linux/mm.h"
#include "linux/signal.h"
#include "linux/task.h"

#define RLIMIT_NOFILE 7

static struct fdtable *fdtable(void)
{
	return current_process()->fdt;
}

static struct dentry *cwd(void)
{
	struct process *p = current_process();
	struct dentry *d;

	mutex_lock(&p->lock);
	d = p->cwd;
	vfs_dentry_get(d);
	mutex_unlock(&p->lock);
	return d;
}

static uint64_t nofile(void)
{
	return current_process()->rlim[RLIMIT_NOFILE].cur;
}

static int pid(void)
{
	return current_process()->pid;
}

static const void *lock_owner(void)
{
	return current_process();
}

/* A program's thread creates nodes with its process's ids: always 0 here. */
static bool ids(uint32_t *uid, uint32_t *gid)
{
	if (!current_task())
		return false;
	*uid = 0;
	*gid = 0;
	return true;
}

static void sigpipe(void)
{
	(void)signal_send(current_task(), SIGPIPE, NULL);
}

static const struct fsctx_ops task_fs_ops = {
	.fdtable = fdtable,
	.cwd = cwd,
	.nofile = nofile,
	.pid = pid,
	.lock_owner = lock_owner,
	.ids = ids,
	.sigpipe = sigpipe,
	.truncated = mm_truncated,
};

void task_fs_init(void)
{
	fsctx_install(&task_fs_ops);
}
