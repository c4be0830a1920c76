/* fsctx.c: the calling process as fs/ sees it: calls into what linux/ installed (fsctx.h). */
#include "fs/fsctx.h"

static const struct fsctx_ops *ctx;

void fsctx_install(const struct fsctx_ops *ops)
{
	ctx = ops;
}

struct fdtable *fsctx_fdtable(void)
{
	return ctx->fdtable();
}

struct dentry *fsctx_cwd(void)
{
	return ctx->cwd();
}

uint64_t fsctx_nofile(void)
{
	return ctx->nofile();
}

int fsctx_pid(void)
{
	return ctx->pid();
}

const void *fsctx_lock_owner(void)
{
	return ctx->lock_owner();
}

bool fsctx_ids(uint32_t *uid, uint32_t *gid)
{
	return ctx && ctx->ids(uid, gid);
}

void fsctx_sigpipe(void)
{
	if (ctx)
		ctx->sigpipe();
}

void fsctx_truncated(const struct inode *ino, uint64_t size)
{
	if (ctx)
		ctx->truncated(ino, size);
}
