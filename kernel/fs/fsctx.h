/* fsctx.h: what the file system needs of the calling process: its descriptor table, working
 * directory, descriptor limit, pid and ids, and the two effects a file operation has on it
 * (SIGPIPE, mappings of a truncated file).
 *
 * The process model lives above fs/ (linux/), so fs/ and net/ never see a process: they call
 * these accessors, and linux/ installs their implementation at start (linux/task_fs.c, from
 * linux_run, before any file is opened), as it installs core's waitq_set_interrupted.
 * Before that (the kernel's self-tests) there is no process: fsctx_ids is false, fsctx_sigpipe
 * and fsctx_truncated do nothing, and the other accessors must not be called.
 */
#ifndef MOTE_FS_FSCTX_H
#define MOTE_FS_FSCTX_H

#include "lib/types.h"

struct dentry;
struct fdtable;
struct inode;

struct fsctx_ops {
	struct fdtable *(*fdtable)(void);
	struct dentry *(*cwd)(void);
	uint64_t (*nofile)(void);
	int (*pid)(void);
	const void *(*lock_owner)(void);
	bool (*ids)(uint32_t *uid, uint32_t *gid);
	void (*sigpipe)(void);
	void (*truncated)(const struct inode *ino, uint64_t size);
};

/* Install the process model's implementation (once, at start; ops stays referenced). */
void fsctx_install(const struct fsctx_ops *ops);

/* The process's descriptor table. */
struct fdtable *fsctx_fdtable(void);
/* Its working directory: a reference (the caller puts it). */
struct dentry *fsctx_cwd(void);
/* The soft limit on its descriptor numbers (RLIMIT_NOFILE): fd_install stays below it. */
uint64_t fsctx_nofile(void);
/* Its pid (F_GETLK reports it as the holder of a POSIX lock). */
int fsctx_pid(void);
/* The owner of its POSIX locks: one value for the whole process, so they never conflict
 * with one another. */
const void *fsctx_lock_owner(void);
/* The ids a node created by the calling thread gets (*uid, *gid); false, leaving them
 * alone, when the caller is a kernel thread rather than a program's. */
bool fsctx_ids(uint32_t *uid, uint32_t *gid);
/* The calling thread wrote to a pipe no one reads: raise SIGPIPE on it. */
void fsctx_sigpipe(void);
/* ino shrank to size: mapped pages of it past the end fault from now on (SIGBUS). */
void fsctx_truncated(const struct inode *ino, uint64_t size);

#endif /* MOTE_FS_FSCTX_H */
