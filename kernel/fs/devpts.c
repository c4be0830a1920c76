/* devpts.c: /dev/pts: a directory generated from the live ptys (fs/pty.c), like procfs's
 * numbered entries: nothing cached, so a slave's node is gone as soon as its master closes. */
#include "fs/devpts.h"
#include "fs/chrdev.h"
#include "fs/file.h"
#include "fs/open.h"
#include "fs/pty.h"
#include "fs/vfs.h"
#include "core/panic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DEVPTS_SUPER_MAGIC 0x1cd1

/* Linux's inode numbers: the root 1, ptmx 2, pty N N + 3. */
#define PTMX_INO 2
#define PTS_INO(n) ((uint64_t)(n) + 3)

static const struct inode_ops root_iops;
static const struct file_ops root_fops;

/* "0", "17": N as a pty's node is named, or -1. */
static int parse_index(const char *s)
{
	int v = 0;

	if (!*s || (*s == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v >= PTY_MAX)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v < PTY_MAX ? v : -1;
}

static int devpts_lookup(struct inode *dir, struct dentry *d)
{
	uint32_t uid = 0, gid = 0, mode;
	struct inode *ino;
	uint64_t rdev;
	int n = -1;

	if (!strcmp(d->name, "ptmx")) {
		mode = S_IFCHR | 0000;
		rdev = MKDEV(5, 2);
	} else {
		n = parse_index(d->name);
		if (n < 0 || !pty_node(n, &uid, &gid))
			return -ENOENT;
		mode = S_IFCHR | 0620;
		rdev = MKDEV(PTY_SLAVE_MAJOR, n);
	}
	ino = vfs_alloc_inode(dir->sb, mode);
	if (!ino)
		return -ENOMEM;
	ino->ino = n < 0 ? PTMX_INO : PTS_INO(n);
	ino->rdev = rdev;
	ino->uid = uid;
	ino->gid = gid;
	d->inode = ino;
	d->flags |= DENTRY_VOLATILE;
	return 0;
}

/* ".", "..", "ptmx", then the ptys at positions 3 + N (stable while others come and go). */
static int devpts_iterate(struct file *f, struct dir_ctx *ctx)
{
	char name[16];
	int n;

	if (!dir_emit_dots(f, ctx))
		return 0;
	if (ctx->pos == 2) {
		if (!ctx->emit(ctx, "ptmx", 4, PTMX_INO, DT_CHR))
			return 0;
		ctx->pos++;
	}
	while ((n = pty_next((int)(ctx->pos - 3))) >= 0) {
		int len = snprintf(name, sizeof(name), "%d", n);

		if (!ctx->emit(ctx, name, (size_t)len, PTS_INO(n), DT_CHR))
			return 0;
		ctx->pos = (uint64_t)n + 4;
	}
	return 0;
}

static const struct inode_ops root_iops = { .lookup = devpts_lookup };
static const struct file_ops root_fops = { .iterate = devpts_iterate, .seekable = true };

static int devpts_mount(struct super *sb, void *data)
{
	struct inode *ino = vfs_alloc_inode(sb, S_IFDIR | 0755);

	if (!ino)
		return -ENOMEM;
	ino->ino = 1;
	ino->iops = &root_iops;
	ino->fops = &root_fops;
	sb->root = vfs_alloc_dentry(NULL, "/", 1, ino);
	if (!sb->root) {
		vfs_inode_put(ino);
		return -ENOMEM;
	}
	return 0;
}

const struct fs_type devpts_type = {
	.name = "devpts",
	.magic = DEVPTS_SUPER_MAGIC,
	.mount = devpts_mount,
	.mnt_opts = "gid=5,mode=620,ptmxmode=000",
};

void devpts_init(void)
{
	static const struct vfs_mount_args args = {
		.source = "devpts", .flags = MOUNT_NOSUID | MOUNT_NOEXEC | MOUNT_RELATIME
	};
	int r;

	pty_init();
	r = vfs_create(vfs_root, "/dev/ptmx", S_IFCHR | 0666, MKDEV(5, 2), NULL, NULL);
	if (!r)
		r = vfs_create(vfs_root, "/dev/pts", S_IFDIR | 0755, 0, NULL, NULL);
	if (!r)
		r = vfs_mount("/dev/pts", &devpts_type, &args);
	if (r)
		panic("devpts: cannot make /dev/ptmx and mount /dev/pts (error %d)", r);
}
