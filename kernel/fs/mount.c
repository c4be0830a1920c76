/* mount.c: mount(2)'s core: a file system type by name, an ext4 from a disk's block node, a
 * remount; the mount table as text for /proc. */
#include "fs/mount.h"
#include "fs/devfs.h"
#include "fs/devpts.h"
#include "fs/ext4/ext4.h"
#include "fs/path.h"
#include "fs/procfs.h"
#include "fs/ramfs.h"
#include "fs/sysfs.h"
#include "fs/vfs.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static const struct {
	const char *name;
	const struct fs_type *type;
	bool disk; /* from a block device */
} types[] = {
	{ "ext4", &ext4_type, true },	 { "tmpfs", &ramfs_type, false },
	{ "ramfs", &ramfs_type, false }, { "proc", &procfs_type, false },
	{ "sysfs", &sysfs_type, false }, { "devpts", &devpts_type, false },
};

/* The disk whose block node source names (from start). */
static int disk_of(struct dentry *start, const char *source, struct blk_dev **out)
{
	struct dentry *d;
	uint64_t rdev;
	int r;

	if (!source)
		return -EINVAL;
	r = path_lookup_at(start, source, LOOKUP_FOLLOW, &d);
	if (r)
		return r;
	rdev = d->inode->rdev;
	r = S_ISBLK(d->inode->mode) ? 0 : -ENOTBLK;
	vfs_dentry_put(d);
	if (r)
		return r;
	*out = devfs_blk_dev(rdev);
	return *out ? 0 : -ENXIO;
}

int mount_new(struct dentry *start, const char *source, struct dentry *at, const char *type,
	      unsigned flags)
{
	struct vfs_mount_args args = { .source = source, .flags = flags };
	struct ext4_mount_opts opts;
	unsigned i;
	int r;

	for (i = 0; i < ARRAY_SIZE(types) && strcmp(types[i].name, type); i++)
		;
	if (i == ARRAY_SIZE(types))
		return -ENODEV;
	args.type_name = types[i].name;
	if (types[i].type == &ramfs_type && !strcmp(type, "tmpfs"))
		args.data = (void *)&ramfs_tmpfs_mode;
	if (!at->inode || !S_ISDIR(at->inode->mode))
		return -ENOTDIR;
	if (types[i].disk) {
		r = disk_of(start, source, &args.bdev);
		if (r)
			return r;
		if (args.bdev->ro && !(flags & MOUNT_RDONLY))
			return -EACCES;
		opts = (struct ext4_mount_opts){ args.bdev, flags & MOUNT_RDONLY };
		args.data = &opts;
	}
	return vfs_mount_at(at, types[i].type, &args);
}

/* The switch between rw and ro (vfs_mounts_lock held: one at a time, and no sync meanwhile). */
static int switch_mode(struct super *sb, bool ro)
{
	if (ro == sb->rdonly)
		return 0;
	if (!sb->fs->remount && sb->fs != &ramfs_type)
		return -EINVAL;
	if (!ro) {
		if (sb->fs->remount)
			return sb->fs->remount(sb, false);
		sb->rdonly = false;
		return 0;
	}
	if (__atomic_load_n(&sb->writers, __ATOMIC_SEQ_CST))
		return -EBUSY;
	return sb->fs->remount ? sb->fs->remount(sb, true) : vfs_make_rdonly(sb);
}

int mount_remount(struct dentry *root, unsigned flags)
{
	struct super *sb = root->inode->sb;
	int r;

	mutex_lock(&vfs_mounts_lock);
	if (!root->covered && root != vfs_root)
		r = -EINVAL;
	else
		r = switch_mode(sb, flags & MOUNT_RDONLY);
	if (!r)
		sb->mnt_flags = flags;
	mutex_unlock(&vfs_mounts_lock);
	return r;
}

/* Append to buf at *at (counting past n), as snprintf. */
static void put(char *buf, unsigned long n, unsigned long *at, const char *fmt, ...) __printf(4, 5);

static void put(char *buf, unsigned long n, unsigned long *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*at += (unsigned long)vsnprintf(buf + MIN(*at, n), *at < n ? n - *at : 0, fmt, ap);
	va_end(ap);
}

/* A name with space, tab, newline and backslash as \ooo, as Linux's show_mountinfo has it. */
static void put_escaped(char *buf, unsigned long n, unsigned long *at, const char *s)
{
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			put(buf, n, at, "\\%03o", (unsigned char)*s);
		else
			put(buf, n, at, "%c", *s);
}

/* The options a mount shows, in Linux's order: ro/rw, the super's, the mount's, and with
 * fs_opts the file system's own (which mountinfo shows apart, after the source). */
static void put_opts(char *buf, unsigned long n, unsigned long *at, const struct super *sb,
		     bool fs_opts)
{
	static const struct {
		unsigned flag;
		const char *name;
	} opts[] = {
		{ MOUNT_SYNC, "sync" },
		{ MOUNT_DIRSYNC, "dirsync" },
		{ MOUNT_NOSUID, "nosuid" },
		{ MOUNT_NODEV, "nodev" },
		{ MOUNT_NOEXEC, "noexec" },
		{ MOUNT_NOATIME, "noatime" },
		{ MOUNT_NODIRATIME, "nodiratime" },
		{ MOUNT_RELATIME, "relatime" },
	};

	put(buf, n, at, "%s", sb->rdonly ? "ro" : "rw");
	for (unsigned i = 0; i < ARRAY_SIZE(opts); i++)
		if (sb->mnt_flags & opts[i].flag)
			put(buf, n, at, ",%s", opts[i].name);
	if (fs_opts && sb->fs->mnt_opts)
		put(buf, n, at, ",%s", sb->fs->mnt_opts);
}

unsigned long mount_format(char *buf, unsigned long n, bool info)
{
	char *path = kmalloc(PATH_MAX);
	unsigned long at = 0;
	struct list *pos;

	if (n)
		buf[0] = 0;
	if (!path)
		return 0;
	mutex_lock(&vfs_mounts_lock);
	mutex_lock(&vfs_lock);
	list_for_each (pos, &vfs_mounts) {
		struct super *sb = list_entry(pos, struct super, mnt_node);
		struct dentry *up = sb->root->covered;

		if (vfs_path_of_locked(sb->root, path, PATH_MAX) < 0)
			continue;
		if (info) {
			put(buf, n, &at, "%d %d 0:%u / ", sb->mnt_id,
			    up ? up->inode->sb->mnt_id : 1, sb->dev);
			put_escaped(buf, n, &at, path);
			put(buf, n, &at, " ");
			put_opts(buf, n, &at, sb, false);
			put(buf, n, &at, " - %s ", sb->mnt_type);
			put_escaped(buf, n, &at, sb->source);
			put(buf, n, &at, " %s%s%s\n", sb->rdonly ? "ro" : "rw",
			    sb->fs->mnt_opts ? "," : "", sb->fs->mnt_opts ? sb->fs->mnt_opts : "");
			continue;
		}
		put_escaped(buf, n, &at, sb->source);
		put(buf, n, &at, " ");
		put_escaped(buf, n, &at, path);
		put(buf, n, &at, " %s ", sb->mnt_type);
		put_opts(buf, n, &at, sb, true);
		put(buf, n, &at, " 0 0\n");
	}
	mutex_unlock(&vfs_lock);
	mutex_unlock(&vfs_mounts_lock);
	kfree(path);
	return at;
}
