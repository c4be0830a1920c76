/* vfs.c: the VFS core: inodes, dentries (the name-space tree), mounts, stat. */
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/stat.h"
#include "core/mm/heap.h"
#include "core/panic.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/string.h"

struct dentry *vfs_root;
struct mutex vfs_lock = MUTEX_INIT(vfs_lock);
static uint32_t next_dev = 1;
static uint64_t anon_ino = 1;

struct timespec64 vfs_now(void)
{
	uint64_t ns = time_realtime_ns();

	return (struct timespec64){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

static struct inode *inode_new(uint32_t mode)
{
	struct inode *ino = kzalloc(sizeof(*ino));

	if (!ino)
		return NULL;
	ino->mode = mode;
	ino->nlink = S_ISDIR(mode) ? 2 : 1;
	ino->refs = 1;
	mutex_init(&ino->lock);
	ino->atime = ino->mtime = ino->ctime = vfs_now();
	return ino;
}

struct inode *vfs_alloc_inode(struct super *sb, uint32_t mode)
{
	struct inode *ino = inode_new(mode);

	if (ino) {
		ino->sb = sb;
		ino->ino = __atomic_fetch_add(&sb->next_ino, 1, __ATOMIC_RELAXED);
	}
	return ino;
}

static struct super anon_sb = { .type = "anon_inodefs", .magic = 0x09041934 };

struct inode *vfs_anon_inode(uint32_t mode, const struct file_ops *fops)
{
	struct inode *ino = inode_new(mode);

	if (ino) {
		ino->sb = &anon_sb;
		ino->fops = fops;
		ino->ino = __atomic_fetch_add(&anon_ino, 1, __ATOMIC_RELAXED);
	}
	return ino;
}

void vfs_inode_get(struct inode *ino)
{
	__atomic_fetch_add(&ino->refs, 1, __ATOMIC_RELAXED);
}

void vfs_inode_put(struct inode *ino)
{
	if (!ino || __atomic_sub_fetch(&ino->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (ino->iops && ino->iops->release)
		ino->iops->release(ino);
	kfree(ino->link);
	kfree(ino);
}

struct dentry *vfs_alloc_dentry(struct dentry *parent, const char *name, size_t len,
				struct inode *inode)
{
	struct dentry *d = kzalloc(sizeof(*d));

	if (!d)
		return NULL;
	d->name = kmalloc(len + 1);
	if (!d->name) {
		kfree(d);
		return NULL;
	}
	memcpy(d->name, name, len);
	d->name[len] = 0;
	d->inode = inode;
	d->refs = 1;
	list_init(&d->children);
	list_init(&d->sibling);
	d->parent = parent;
	if (parent) {
		vfs_dentry_get(parent);
		list_add_tail(&parent->children, &d->sibling);
	}
	return d;
}

void vfs_dentry_get(struct dentry *d)
{
	__atomic_fetch_add(&d->refs, 1, __ATOMIC_RELAXED);
}

void vfs_dentry_put(struct dentry *d)
{
	while (d && !__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL)) {
		struct dentry *parent = d->parent;

		vfs_inode_put(d->inode);
		kfree(d->name);
		kfree(d);
		d = parent;
	}
}

void vfs_dentry_drop(struct dentry *d)
{
	list_del(&d->sibling);
	vfs_dentry_put(d);
}

struct dentry *vfs_child(struct dentry *dir, const char *name, size_t len)
{
	struct list *pos;

	list_for_each (pos, &dir->children) {
		struct dentry *c = list_entry(pos, struct dentry, sibling);

		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	}
	return NULL;
}

long vfs_path_of_locked(struct dentry *d, char *buf, size_t n)
{
	size_t at = n - 1, len;

	if (n < 2)
		return -ENAMETOOLONG;
	buf[at] = 0;
	for (;;) {
		while (d->covered)
			d = d->covered;
		if (!d->parent)
			break;
		len = strlen(d->name);
		if (len + 1 > at)
			return -ENAMETOOLONG;
		at -= len;
		memcpy(buf + at, d->name, len);
		buf[--at] = '/';
		d = d->parent;
	}
	if (at == n - 1)
		buf[--at] = '/';
	len = n - 1 - at;
	memmove(buf, buf + at, len + 1);
	return (long)len;
}

long vfs_path_of(struct dentry *d, char *buf, size_t n)
{
	long r;

	mutex_lock(&vfs_lock);
	r = vfs_path_of_locked(d, buf, n);
	mutex_unlock(&vfs_lock);
	return r;
}

void vfs_stat_inode(struct inode *ino, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = ino->sb ? ino->sb->dev : 0;
	st->ino = ino->ino;
	st->mode = ino->mode;
	st->nlink = ino->nlink;
	st->uid = ino->uid;
	st->gid = ino->gid;
	st->rdev = ino->rdev;
	st->size = ino->size;
	st->blksize = 4096;
	/* As a disk file system counts them: whole 4 KiB blocks; a symlink's target fits in
	 * its inode. */
	st->blocks = ino->blocks				? ino->blocks
		     : S_ISLNK(ino->mode)			? 0
		     : S_ISREG(ino->mode) || S_ISDIR(ino->mode) ? ALIGN_UP(ino->size, 4096) / 512
								: 0;
	st->atime = ino->atime;
	st->mtime = ino->mtime;
	st->ctime = ino->ctime;
}

int vfs_sync(struct super *sb, bool last)
{
	return sb && sb->fs && sb->fs->sync ? sb->fs->sync(sb, last) : 0;
}

int vfs_mount(const char *path, const struct fs_type *type, void *data)
{
	struct super *sb = kzalloc(sizeof(*sb));
	struct dentry *at = NULL;
	int r;

	if (!sb)
		return -ENOMEM;
	sb->type = type->name;
	sb->magic = type->magic;
	sb->fs = type;
	sb->next_ino = 1;
	sb->dev = next_dev++;
	r = type->mount(sb, data);
	if (r) {
		kfree(sb);
		return r;
	}
	if (!vfs_root) {
		vfs_root = sb->root;
		return 0;
	}
	r = path_lookup_at(vfs_root, path, LOOKUP_FOLLOW, &at);
	if (r)
		return r;
	if (!S_ISDIR(at->inode->mode)) {
		vfs_dentry_put(at);
		return -ENOTDIR;
	}
	mutex_lock(&vfs_lock);
	sb->root->covered = at; /* keeps the reference */
	at->mounted = sb->root;
	mutex_unlock(&vfs_lock);
	return 0;
}
