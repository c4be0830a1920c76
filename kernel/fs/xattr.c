/* xattr.c: extended attributes in the VFS: the namespace, size and file-type rules, and the
 * in-memory list ramfs keeps per inode. */
#include "fs/xattr.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"

static const char *const prefixes[] = { "user.", "trusted.", "security.", "system." };

int xattr_check_name(const char *name)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (!strncmp(name, prefixes[i], n))
			return name[n] ? 0 : -EINVAL;
	}
	return -EOPNOTSUPP;
}

static bool is_user(const char *name)
{
	return !strncmp(name, "user.", 5);
}

/* user.* attributes belong to the data's owner: only regular files and directories have
 * them (a device's or a symlink's permissions are not about its contents). */
static bool user_ok(const struct inode *ino, const char *name)
{
	return !is_user(name) || S_ISREG(ino->mode) || S_ISDIR(ino->mode);
}

long xattr_get(struct inode *ino, const char *name, void *buf, size_t n)
{
	int r = xattr_check_name(name);

	if (r)
		return r;
	if (!user_ok(ino, name))
		return -ENODATA;
	/* as Linux's procfs answers: no attributes at all, rather than none of that name */
	if (!ino->iops || !ino->iops->getxattr)
		return -EOPNOTSUPP;
	return ino->iops->getxattr(ino, name, buf, n);
}

long xattr_list(struct inode *ino, char *buf, size_t n)
{
	if (!ino->iops || !ino->iops->listxattr)
		return 0;
	return ino->iops->listxattr(ino, buf, n);
}

/* What set and remove check before the file system is asked. */
static int may_change(struct inode *ino, const char *name)
{
	int r;

	if (ino->sb && ino->sb->rdonly)
		return -EROFS;
	r = xattr_check_name(name);
	if (r)
		return r;
	if (!user_ok(ino, name))
		return -EPERM;
	return 0;
}

int xattr_set(struct inode *ino, const char *name, const void *val, size_t n, int flags)
{
	int r;

	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if (n > XATTR_SIZE_MAX)
		return -E2BIG;
	r = may_change(ino, name);
	if (r)
		return r;
	if (!ino->iops || !ino->iops->setxattr)
		return -EOPNOTSUPP;
	return ino->iops->setxattr(ino, name, val, n, flags);
}

int xattr_remove(struct inode *ino, const char *name)
{
	int r = may_change(ino, name);

	if (r)
		return r;
	if (!ino->iops || !ino->iops->removexattr)
		return -EOPNOTSUPP;
	return ino->iops->removexattr(ino, name);
}

/* --- in memory */

struct xattr_mem {
	struct xattr_mem *next;
	size_t len;   /* the value's */
	char *name;   /* into data */
	uint8_t *val; /* into data, after the name */
	char data[];
};

static struct xattr_mem **find(struct xattr_mem *const *head, const char *name)
{
	struct xattr_mem *const *p = head;

	while (*p && strcmp((*p)->name, name))
		p = &(*p)->next;
	return (struct xattr_mem **)p;
}

long xattr_mem_get(struct xattr_mem *const *head, const char *name, void *buf, size_t n)
{
	struct xattr_mem *x = *find(head, name);

	if (!x)
		return -ENODATA;
	if (!n)
		return (long)x->len;
	if (n < x->len)
		return -ERANGE;
	memcpy(buf, x->val, x->len);
	return (long)x->len;
}

long xattr_mem_list(struct xattr_mem *const *head, char *buf, size_t n)
{
	size_t len = 0;

	for (const struct xattr_mem *x = *head; x; x = x->next) {
		size_t l = strlen(x->name) + 1;

		if (n && len + l > n)
			return -ERANGE;
		if (n)
			memcpy(buf + len, x->name, l);
		len += l;
	}
	return (long)len;
}

int xattr_mem_set(struct xattr_mem **head, const char *name, const void *val, size_t n, int flags)
{
	struct xattr_mem **at = find(head, name), *x;
	size_t nl = strlen(name) + 1;

	if (*at && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!*at && (flags & XATTR_REPLACE))
		return -ENODATA;
	x = kmalloc(sizeof(*x) + nl + n);
	if (!x)
		return -ENOSPC;
	x->name = x->data;
	x->val = (uint8_t *)x->data + nl;
	x->len = n;
	memcpy(x->name, name, nl);
	memcpy(x->val, val, n);
	/* in place of the old one, so that the list keeps the order they were made in */
	x->next = *at ? (*at)->next : NULL;
	kfree(*at);
	*at = x;
	return 0;
}

int xattr_mem_remove(struct xattr_mem **head, const char *name)
{
	struct xattr_mem **at = find(head, name), *x = *at;

	if (!x)
		return -ENODATA;
	*at = x->next;
	kfree(x);
	return 0;
}

void xattr_mem_free(struct xattr_mem **head)
{
	while (*head) {
		struct xattr_mem *x = *head;

		*head = x->next;
		kfree(x);
	}
}
