/* unixname.c: the registry of bound AF_UNIX names (unixname.h): a list under one mutex. */
#include "fs/unixname.h"
#include "core/sched/sync.h"
#include "fs/open.h"
#include "fs/path.h"
#include "fs/procfs.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"

#define AUTOBIND_NAMES 0x100000 /* five hex digits */

static struct list registry = LIST_INIT(registry);
static struct mutex reg_lock = MUTEX_INIT(reg_lock);
static uint32_t next_auto;

void unixname_lock(void)
{
	mutex_lock(&reg_lock);
}

void unixname_unlock(void)
{
	mutex_unlock(&reg_lock);
}

static bool abstract(const struct unix_name *n)
{
	return n->len && n->name[0] == 0;
}

/* Under the lock: the entry bound to node, or to the abstract name n when node is NULL. */
static struct unix_bound *lookup(const struct inode *node, const struct unix_name *n)
{
	struct list *it;

	list_for_each (it, &registry) {
		struct unix_bound *b = list_entry(it, struct unix_bound, link);

		if (node ? b->node == node
			 : abstract(&b->name) && b->name.len == n->len &&
				    !memcmp(b->name.name, n->name, n->len))
			return b;
	}
	return NULL;
}

/* Under the lock: a free abstract name of a NUL and five hex digits into n. */
static int autoname(struct unix_name *n)
{
	static const char hex[] = "0123456789abcdef";

	for (uint32_t tries = 0; tries < AUTOBIND_NAMES; tries++) {
		uint32_t v = next_auto++ % AUTOBIND_NAMES;

		memset(n, 0, sizeof(*n));
		for (int i = 5; i >= 1; i--, v >>= 4)
			n->name[i] = hex[v & 0xf];
		n->len = 6;
		if (!lookup(NULL, n))
			return 0;
	}
	return -ENOSPC;
}

int unixname_bind(struct unix_bound *b, struct dentry *start, const struct unix_name *n,
		  uint32_t mode)
{
	struct unix_name name = *n;
	struct dentry *d = NULL;
	int r;

	if (b->registered)
		return n->len ? -EINVAL
			      : 0; /* as Linux: an autobind of a bound socket is a no-op */
	if (!name.len)
		r = autoname(&name);
	else if (abstract(&name))
		r = lookup(NULL, &name) ? -EADDRINUSE : 0;
	else if ((r = vfs_create(start, name.name, S_IFSOCK | (mode & 07777), 0, NULL, &d)))
		r = r == -EEXIST ? -EADDRINUSE : r;
	if (r)
		return r;
	if (d) {
		b->node = d->inode;
		vfs_inode_get(b->node);
		vfs_dentry_put(d);
	}
	b->name = name;
	list_add_tail(&registry, &b->link);
	b->registered = true;
	return 0;
}

void unixname_unbind(struct unix_bound *b)
{
	mutex_lock(&reg_lock);
	if (b->registered)
		list_del(&b->link);
	b->registered = false;
	mutex_unlock(&reg_lock);
	if (b->node)
		vfs_inode_put(b->node);
	b->node = NULL;
}

int unixname_resolve(struct dentry *start, const struct unix_name *n, struct inode **node)
{
	struct dentry *d;
	int r;

	*node = NULL;
	if (abstract(n))
		return 0;
	r = path_lookup_at(start, n->name, LOOKUP_FOLLOW, &d);
	if (r)
		return r;
	if ((d->inode->mode & S_IFMT) != S_IFSOCK) {
		vfs_dentry_put(d);
		return -ECONNREFUSED;
	}
	*node = d->inode;
	vfs_inode_get(*node);
	vfs_dentry_put(d);
	return 0;
}

int unixname_find(const struct inode *node, const struct unix_name *n, enum unix_type type,
		  struct unix_bound **out)
{
	struct unix_bound *b = lookup(node, n);

	if (!b)
		return -ECONNREFUSED;
	if (b->type != type)
		return -EPROTOTYPE;
	*out = b;
	return 0;
}

void unixname_show(struct procfs_buf *b)
{
	struct list *it;

	procfs_printf(b, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	mutex_lock(&reg_lock);
	list_for_each (it, &registry) {
		const struct unix_bound *u = list_entry(it, struct unix_bound, link);
		size_t len = abstract(&u->name) ? u->name.len : strnlen(u->name.name, u->name.len);

		/* the socket's address (Linux hides it), 2 references, protocol 0, __SO_ACCEPTCON
		 * when listening, the type, SS_UNCONNECTED, the inode */
		procfs_printf(b, "0000000000000000: 00000002 00000000 %08X %04X 01     0 ",
			      u->listening ? 0x10000u : 0u, (unsigned)u->type);
		for (size_t i = 0; i < len; i++) /* an abstract name's NULs as '@', as Linux */
			procfs_printf(b, "%c", u->name.name[i] ? u->name.name[i] : '@');
		procfs_printf(b, "\n");
	}
	mutex_unlock(&reg_lock);
}
