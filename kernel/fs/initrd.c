/* initrd.c: unpack the initrd into the root ramfs without copying file contents: a file's
 * inode points at its bytes in the initrd (motevm places the initrd page-aligned and mote
 * aligns ELF files' data to 4 KiB in the archive, so executables map in place). */
#include "fs/initrd.h"
#include "fs/cpio.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MAX_HARDLINKS 256

struct hardlink {
	uint32_t ino;
	struct inode *inode;
};

#define MAX_LINK_DEPTH 8

/* Find or create (as 0755 directories) the directories of path's first len bytes, from d. A
 * symlink on the way is followed, as Linux's unpacking does (an image whose /bin is a link to
 * usr/bin may hold bin/true), up to MAX_LINK_DEPTH links deep. */
static struct dentry *walk(struct dentry *root, struct dentry *d, const char *path, size_t len,
			   int depth, int *err)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		struct dentry *c;

		while (j < len && path[j] != '/')
			j++;
		if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
			d = d == root || !d->parent ? d : d->parent;
		} else if (j > i && !(j - i == 1 && path[i] == '.')) {
			c = vfs_child(d, path + i, j - i);
			if (!c)
				c = ramfs_add_dir(d, path + i, j - i, 0755, 0, err);
			if (!c)
				return NULL;
			if (S_ISLNK(c->inode->mode) && c->inode->link) {
				const char *t = c->inode->link;

				if (depth >= MAX_LINK_DEPTH) {
					*err = -ELOOP;
					return NULL;
				}
				c = walk(root, t[0] == '/' ? root : d, t, strlen(t), depth + 1,
					 err);
				if (!c)
					return NULL;
			}
			if (!S_ISDIR(c->inode->mode)) {
				*err = -ENOTDIR;
				return NULL;
			}
			d = c;
		}
		i = j + 1;
	}
	return d;
}

static struct dentry *dir_of(struct dentry *root, const char *path, size_t len, int *err)
{
	return walk(root, root, path, len, 0, err);
}

static int add_entry(struct dentry *root, const struct cpio_entry *e, struct hardlink *links,
		     int *nlinks)
{
	const char *name = e->name;
	size_t len = e->namelen, base;
	struct dentry *dir, *d;
	int err = 0;

	for (;;) {
		if (len && name[0] == '/') {
			name++;
			len--;
		} else if (len >= 2 && name[0] == '.' && name[1] == '/') {
			name += 2;
			len -= 2;
		} else {
			break;
		}
	}
	while (len && name[len - 1] == '/')
		len--;
	if (!len || (len == 1 && name[0] == '.')) { /* the root itself */
		root->inode->mode = S_IFDIR | (e->mode & 07777);
		root->inode->mtime.sec = root->inode->ctime.sec = root->inode->atime.sec = e->mtime;
		return 0;
	}
	if ((len == 5 || (len > 5 && name[5] == '/')) && !memcmp(name, ".mote", 5))
		return 0;
	base = len;
	while (base && name[base - 1] != '/')
		base--;
	dir = dir_of(root, name, base, &err);
	if (!dir)
		return err;
	name += base;
	len -= base;
	d = vfs_child(dir, name, len);
	if (d) { /* a directory listed again (or after its contents): take its attributes */
		if (S_ISDIR(d->inode->mode) && S_ISDIR(e->mode)) {
			d->inode->mode = e->mode;
			d->inode->mtime.sec = d->inode->ctime.sec = d->inode->atime.sec = e->mtime;
		}
		return 0;
	}
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		d = ramfs_add_dir(dir, name, len, e->mode, e->mtime, &err);
		break;
	case S_IFLNK:
		d = ramfs_add_symlink(dir, name, len, (const char *)e->data, e->size, e->mtime,
				      &err);
		break;
	case S_IFREG:
		for (int i = 0; e->nlink > 1 && i < *nlinks; i++) {
			if (links[i].ino == e->ino) {
				struct dentry *old =
					vfs_alloc_dentry(dir, name, len, links[i].inode);

				if (!old)
					return -ENOMEM;
				vfs_inode_get(links[i].inode);
				links[i].inode->nlink++;
				/* newc stores the data with the last link */
				if (e->size)
					return -EINVAL;
				return 0;
			}
		}
		d = ramfs_add_file(dir, name, len, e->mode, e->data, e->size, e->mtime, &err);
		if (d && e->nlink > 1 && *nlinks < MAX_HARDLINKS) {
			links[*nlinks].ino = e->ino;
			links[(*nlinks)++].inode = d->inode;
		}
		break;
	default: /* devices, fifos, sockets: not in Mote images; skipped */
		return 0;
	}
	return d ? 0 : err;
}

/* Is there anything but zero padding in buf[off, size)? */
static bool more_after(const uint8_t *buf, size_t size, size_t off)
{
	while (off < size && !buf[off])
		off++;
	return off < size;
}

long initrd_unpack(struct dentry *root, const uint8_t *buf, size_t size, char *err, size_t errlen)
{
	static struct hardlink links[MAX_HARDLINKS];
	int nlinks = 0, r;
	size_t off = 0;
	long n = 0;
	struct cpio_entry e;

	err[0] = 0;
	mutex_lock(&vfs_lock);
	for (;;) {
		r = cpio_next(buf, size, &off, &e);
		/* after a TRAILER!!!, another archive may follow (Linux initramfs allows several
		 * back to back, e.g. one per gzip member) */
		if (r == 0 && more_after(buf, size, off))
			continue;
		if (r <= 0)
			break;
		r = add_entry(root, &e, links, &nlinks);
		if (r) {
			snprintf(err, errlen, "cannot add %.*s (error %d)", (int)e.namelen, e.name,
				 -r);
			break;
		}
		n++;
	}
	mutex_unlock(&vfs_lock);
	if (r < 0) {
		if (!err[0])
			snprintf(err, errlen, "not a cpio newc archive (bad header at byte %lu)",
				 (unsigned long)off);
		return r;
	}
	return n;
}
