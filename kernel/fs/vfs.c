/* vfs.c: the VFS core: inodes, dentries (the name-space tree), mounts, stat. */
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/stat.h"
#include "core/mm/heap.h"
#include "core/panic.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

struct dentry *vfs_root;
struct mutex vfs_lock = MUTEX_INIT(vfs_lock);
struct list vfs_mounts = LIST_INIT(vfs_mounts);
struct mutex vfs_mounts_lock = MUTEX_INIT(vfs_mounts_lock);
static uint32_t next_dev = 1;
static int next_mnt_id = 21;
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
		__atomic_fetch_add(&sb->ninodes, 1, __ATOMIC_RELAXED);
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
	if (ino->sb && ino->sb != &anon_sb)
		__atomic_fetch_sub(&ino->sb->ninodes, 1, __ATOMIC_RELEASE);
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

int vfs_make_rdonly(struct super *sb)
{
	__atomic_store_n(&sb->rdonly, true, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&sb->writers, __ATOMIC_SEQ_CST))
		return 0;
	__atomic_store_n(&sb->rdonly, false, __ATOMIC_SEQ_CST);
	return -EBUSY;
}

int vfs_sync(struct super *sb, bool last)
{
	return sb && sb->fs && sb->fs->sync ? sb->fs->sync(sb, last) : 0;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s ? s : "none") + 1;
	char *p = kmalloc(n);

	if (p)
		memcpy(p, s ? s : "none", n);
	return p;
}

/* A new super of type, mounted (its root made) but attached nowhere yet. */
static int super_make(const struct fs_type *type, const struct vfs_mount_args *a,
		      struct super **out)
{
	struct super *sb = kzalloc(sizeof(*sb));
	int r;

	if (!sb)
		return -ENOMEM;
	sb->source = dup_str(a ? a->source : NULL);
	if (!sb->source) {
		kfree(sb);
		return -ENOMEM;
	}
	sb->type = type->name;
	sb->magic = type->magic;
	sb->fs = type;
	sb->next_ino = 1;
	sb->mnt_type = a && a->type_name ? a->type_name : type->name;
	sb->mnt_flags = a ? a->flags : 0;
	sb->bdev = a ? a->bdev : NULL;
	list_init(&sb->mnt_node);
	r = type->mount(sb, a ? a->data : NULL);
	if (r) {
		kfree(sb->source);
		kfree(sb);
		return r;
	}
	if (sb->mnt_flags & MOUNT_RDONLY)
		sb->rdonly = true;
	*out = sb;
	return 0;
}

/* Attach sb on at (which keeps the reference given) and list it. Both locks held. */
static void attach(struct super *sb, struct dentry *at)
{
	sb->dev = next_dev++;
	sb->mnt_id = next_mnt_id++;
	if (at) {
		sb->root->covered = at;
		at->mounted = sb->root;
	} else {
		vfs_root = sb->root;
	}
	list_add_tail(&vfs_mounts, &sb->mnt_node);
}

/* Undo super_make for a super never attached (or detached and emptied): the type's hook,
 * then the super. */
static int super_free(struct super *sb)
{
	int r = sb->fs->umount ? sb->fs->umount(sb) : 0;

	if (__atomic_load_n(&sb->ninodes, __ATOMIC_ACQUIRE)) {
		/* cannot happen (vfs_umount found none left); an inode would point at it */
		printk(LOG_ERR, "vfs: %s: %d inodes left after unmount\n", sb->source, sb->ninodes);
		return r;
	}
	kfree(sb->source);
	kfree(sb);
	return r;
}

/* Free the tree of a detached root: children before their parents, no recursion (a deep
 * tree would take the stack). Nothing else holds any of it (vfs_umount checked). */
static void prune(struct dentry *root)
{
	struct dentry *d = root;

	for (;;) {
		struct dentry *parent;

		if (!list_empty(&d->children)) {
			d = list_first_entry(&d->children, struct dentry, sibling);
			continue;
		}
		if (d == root)
			break;
		parent = d->parent;
		vfs_dentry_drop(d);
		d = parent;
	}
	vfs_dentry_put(root);
}

/* Is a file system mounted from b (vfs_mounts_lock held)? */
static bool bdev_mounted(const struct blk_dev *b)
{
	struct list *pos;

	list_for_each (pos, &vfs_mounts)
		if (list_entry(pos, struct super, mnt_node)->bdev == b)
			return true;
	return false;
}

/* Make and attach a super on at (NULL: the root). vfs_mounts_lock is held across the
 * type's mount, so that one disk is never mounted twice at once. */
static int mount_on(struct dentry *at, const struct fs_type *type, const struct vfs_mount_args *a)
{
	struct super *sb;
	int r = 0;

	mutex_lock(&vfs_mounts_lock);
	if (a && a->bdev && bdev_mounted(a->bdev)) {
		mutex_unlock(&vfs_mounts_lock);
		return -EBUSY;
	}
	r = super_make(type, a, &sb);
	if (r) {
		mutex_unlock(&vfs_mounts_lock);
		return r;
	}
	mutex_lock(&vfs_lock);
	if (at && !at->inode->nlink)
		r = -ENOENT; /* removed meanwhile */
	else if (at && at->mounted)
		r = -EBUSY; /* another mount got there first */
	if (!r) {
		if (at)
			vfs_dentry_get(at);
		attach(sb, at);
	}
	mutex_unlock(&vfs_lock);
	if (r) {
		prune(sb->root);
		(void)super_free(sb);
	}
	mutex_unlock(&vfs_mounts_lock);
	return r;
}

int vfs_mount_at(struct dentry *at, const struct fs_type *type, const struct vfs_mount_args *a)
{
	if (!at->inode || !S_ISDIR(at->inode->mode))
		return -ENOTDIR;
	if (at == vfs_root)
		return -EBUSY; /* a walk starts at vfs_root itself: a mount on it would not show */
	return mount_on(at, type, a);
}

int vfs_mount(const char *path, const struct fs_type *type, const struct vfs_mount_args *a)
{
	struct dentry *at;
	int r;

	if (!vfs_root)
		return mount_on(NULL, type, a);
	r = path_lookup_at(vfs_root, path, LOOKUP_FOLLOW, &at);
	if (r)
		return r;
	r = vfs_mount_at(at, type, a);
	vfs_dentry_put(at);
	return r;
}

/* The next dentry after d in a walk of root's tree, parents first (vfs_lock held). */
static struct dentry *next_of(struct dentry *root, struct dentry *d)
{
	if (!list_empty(&d->children))
		return list_first_entry(&d->children, struct dentry, sibling);
	for (; d != root; d = d->parent)
		if (d->sibling.next != &d->parent->children)
			return list_entry(d->sibling.next, struct dentry, sibling);
	return NULL;
}

/*
 * Is anything of root's file system in use (vfs_lock held; the caller holds one reference
 * on root)? Exactly, not by a guess: every dentry of the tree must be held only by the tree
 * and its children; every inode only by the dentries of the tree that name it (counted in
 * ino->umount_seen); and the super must have no inode the tree does not name. A dentry out
 * of the tree (unlinked, or generated and volatile) is held by someone, and it holds its
 * parent, which is then held once more than its children account for. A new reference can
 * only come from one that exists (a file, the cwd) or from a walk, which needs vfs_lock.
 */
static bool busy(struct dentry *root)
{
	struct super *sb = root->inode->sb;
	int distinct = 0;
	struct dentry *d;

	for (d = root; d; d = next_of(root, d))
		if (d->inode)
			d->inode->umount_seen = 0;
	for (d = root; d; d = next_of(root, d)) {
		int want = 1 + (d == root), n = 0;
		struct list *pos;

		if (d->mounted)
			return true;
		list_for_each (pos, &d->children)
			n++;
		if (__atomic_load_n(&d->refs, __ATOMIC_ACQUIRE) != want + n)
			return true;
		if (d->inode && !d->inode->umount_seen++)
			distinct++;
	}
	for (d = root; d; d = next_of(root, d))
		if (d->inode && __atomic_load_n(&d->inode->refs, __ATOMIC_ACQUIRE) !=
					(int)d->inode->umount_seen)
			return true;
	return __atomic_load_n(&sb->ninodes, __ATOMIC_ACQUIRE) != distinct;
}

int vfs_umount(struct dentry *root)
{
	struct super *sb;
	struct dentry *at;
	int r = 0;

	mutex_lock(&vfs_mounts_lock);
	mutex_lock(&vfs_lock);
	if (root == vfs_root)
		r = -EBUSY;
	else if (!root->covered || root->parent)
		r = -EINVAL;
	else if (busy(root))
		r = -EBUSY;
	if (r) {
		mutex_unlock(&vfs_lock);
		mutex_unlock(&vfs_mounts_lock);
		vfs_dentry_put(root);
		return r;
	}
	sb = root->inode->sb;
	at = root->covered;
	at->mounted = NULL;
	root->covered = NULL;
	list_del(&sb->mnt_node);
	vfs_dentry_put(root); /* the caller's: the tree's stays until the prune */
	mutex_unlock(&vfs_lock);
	prune(root);
	vfs_dentry_put(at);
	r = super_free(sb);
	mutex_unlock(&vfs_mounts_lock);
	return r;
}
