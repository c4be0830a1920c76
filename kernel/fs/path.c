/* path.c: path resolution: components, ".", "..", symlinks (at most 40 deep), mounts. */
#include "fs/path.h"
#include "fs/file.h"
#include "fs/fsctx.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "core/uaccess.h"

static struct dentry *follow_mounts(struct dentry *d)
{
	while (d->mounted) {
		struct dentry *m = d->mounted;

		vfs_dentry_get(m);
		vfs_dentry_put(d);
		d = m;
	}
	return d;
}

/* The parent of d, crossing mount roots; the root's parent is the root. */
static struct dentry *go_up(struct dentry *d)
{
	while (d->covered)
		d = d->covered;
	return d->parent ? d->parent : d;
}

int path_lookup_child(struct dentry *dir, const char *name, size_t len, struct dentry **out)
{
	struct dentry *c;
	int r;

	if (!dir->inode || !S_ISDIR(dir->inode->mode))
		return -ENOTDIR;
	c = vfs_child(dir, name, len);
	if (c) {
		vfs_dentry_get(c);
	} else {
		if (!dir->inode->iops || !dir->inode->iops->lookup)
			return -ENOENT;
		c = vfs_alloc_dentry(dir, name, len, NULL);
		if (!c)
			return -ENOMEM;
		r = dir->inode->iops->lookup(dir->inode, c);
		if (r || !c->inode) {
			vfs_dentry_drop(c);
			return r ? r : -ENOENT;
		}
		if (c->flags & DENTRY_VOLATILE)
			list_del(&c->sibling); /* ours alone: freed when put */
		else
			vfs_dentry_get(c);
	}
	*out = follow_mounts(c);
	return 0;
}

static int walk(struct dentry *start, const char *path, int flags, int *depth, struct dentry **out)
{
	struct dentry *cur = *path == '/' ? vfs_root : start, *next;
	const char *p = path;
	size_t plen = strlen(path);
	bool trailing = plen > 1 && path[plen - 1] == '/';
	int r;

	if (!*path && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	vfs_dentry_get(cur);
	for (;;) {
		const char *name, *rest;
		size_t len;
		bool last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		name = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - name);
		for (rest = p; *rest == '/'; rest++)
			;
		last = !*rest;
		if (len > NAME_MAX) {
			r = -ENAMETOOLONG;
			goto err;
		}
		if (!S_ISDIR(cur->inode->mode)) {
			r = -ENOTDIR;
			goto err;
		}
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			next = go_up(cur);
			vfs_dentry_get(next);
			vfs_dentry_put(cur);
			cur = next;
			continue;
		}
		r = path_lookup_child(cur, name, len, &next);
		if (r)
			goto err;
		if (S_ISLNK(next->inode->mode) && (!last || (flags & LOOKUP_FOLLOW) || trailing)) {
			char *buf;
			long n;

			if (++*depth > SYMLINK_MAX_DEPTH || !next->inode->iops ||
			    !next->inode->iops->readlink) {
				vfs_dentry_put(next);
				r = -ELOOP;
				goto err;
			}
			if (next->inode->iops->follow) {
				struct dentry *to;

				r = next->inode->iops->follow(next->inode, &to);
				vfs_dentry_put(next);
				if (r)
					goto err;
				vfs_dentry_put(cur);
				cur = to;
				continue;
			}
			buf = kmalloc(PATH_MAX);
			if (!buf) {
				vfs_dentry_put(next);
				r = -ENOMEM;
				goto err;
			}
			n = next->inode->iops->readlink(next->inode, buf, PATH_MAX - 1);
			vfs_dentry_put(next);
			if (n < 0) {
				kfree(buf);
				r = (int)n;
				goto err;
			}
			buf[n] = 0;
			r = walk(cur, buf, LOOKUP_FOLLOW, depth, &next);
			kfree(buf);
			if (r)
				goto err;
		}
		vfs_dentry_put(cur);
		cur = next;
	}
	if (((flags & LOOKUP_DIRECTORY) || trailing) && !S_ISDIR(cur->inode->mode)) {
		r = -ENOTDIR;
		goto err;
	}
	*out = cur;
	return 0;
err:
	vfs_dentry_put(cur);
	return r;
}

int path_lookup_at(struct dentry *start, const char *path, int flags, struct dentry **out)
{
	int depth = 0, r;

	mutex_lock(&vfs_lock);
	r = walk(start, path, flags, &depth, out);
	mutex_unlock(&vfs_lock);
	return r;
}

int path_parent_at(struct dentry *start, const char *path, struct dentry **parent,
		   const char **last, size_t *len, bool *trailing)
{
	size_t n = strlen(path), end = n, s;
	char *dir;
	int r;

	if (!n)
		return -ENOENT;
	while (end > 1 && path[end - 1] == '/')
		end--;
	*trailing = end < n;
	s = end;
	while (s > 0 && path[s - 1] != '/')
		s--;
	if (path[s] == '/') { /* the path is "/" (or "//..."): its last component is "." */
		*last = ".";
		*len = 1;
		return path_lookup_at(start, "/", 0, parent);
	}
	*last = path + s;
	*len = end - s;
	if (*len > NAME_MAX)
		return -ENAMETOOLONG;
	dir = kmalloc(s + 2);
	if (!dir)
		return -ENOMEM;
	if (s) {
		memcpy(dir, path, s);
		dir[s] = 0;
	} else {
		dir[0] = '.';
		dir[1] = 0;
	}
	r = path_lookup_at(start, dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, parent);
	kfree(dir);
	return r;
}

int path_start(int dirfd, const char *path, struct dentry **out)
{
	struct file *f;

	if (path[0] == '/') {
		vfs_dentry_get(vfs_root);
		*out = vfs_root;
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		*out = fsctx_cwd();
		return 0;
	}
	f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	if (!f->dentry) {
		file_put(f);
		return -ENOTDIR;
	}
	if (path[0] && !S_ISDIR(f->dentry->inode->mode)) {
		file_put(f);
		return -ENOTDIR;
	}
	*out = f->dentry;
	vfs_dentry_get(*out);
	file_put(f);
	return 0;
}

int path_lookup_user(int dirfd, const char *upath, int flags, struct dentry **out)
{
	struct dentry *start;
	char *path;
	long r = user_path_dup(upath, &path);

	if (r < 0)
		return (int)r;
	r = path_start(dirfd, path, &start);
	if (!r) {
		r = path_lookup_at(start, path, flags, out);
		vfs_dentry_put(start);
	}
	kfree(path);
	return (int)r;
}

long user_path_dup(const char *upath, char **out)
{
	char *p = kmalloc(PATH_MAX);
	long r;

	if (!p)
		return -ENOMEM;
	r = strncpy_from_user(p, upath, PATH_MAX);
	if (r < 0) {
		kfree(p);
		return r;
	}
	*out = p;
	return r;
}
