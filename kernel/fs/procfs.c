/* procfs.c: the generated-tree engine (inodes from procfs_node tables: lookup, readdir, read,
 * write, readlink), /proc/net and the /proc mount. The root directory is the one the process
 * model registers (linux/procfs_root.c: the process's files, the machine-wide ones); sysfs.c
 * uses the same engine. */
#include "fs/procfs.h"
#include "fs/file.h"
#include "fs/procfs_cpuinfo.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "core/panic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "core/uaccess.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define STORE_MAX 4096

/* An inode's private data: which node, with which argument. */
struct pinode {
	const struct procfs_node *node;
	long arg;
};

static const struct inode_ops dir_iops, link_iops, magic_iops, file_iops;
static const struct file_ops dir_fops, file_fops;

static bool reserve(struct procfs_buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->err)
		return false;
	if (b->len + extra <= b->cap)
		return true;
	cap = MAX(b->cap * 2, ALIGN_UP(b->len + extra, 256));
	p = kmalloc(cap);
	if (!p) {
		b->err = -ENOMEM;
		return false;
	}
	if (b->p)
		memcpy(p, b->p, b->len);
	kfree(b->p);
	b->p = p;
	b->cap = cap;
	return true;
}

void procfs_printf(struct procfs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p ? b->p + b->len : NULL, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || b->len + (size_t)n < b->cap) {
		b->len += n > 0 ? (size_t)n : 0;
		return;
	}
	if (!reserve(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void procfs_write(struct procfs_buf *b, const void *data, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

/* Inode numbers are stable (ls, find and cat compare them): the node's address and the
 * argument's two halves. */
static uint64_t ino_of(const struct procfs_node *n, long arg)
{
	return (((uint64_t)(uintptr_t)n & 0xffffff) << 40) |
	       (((uint64_t)PROCFS_OUTER(arg) & 0xffff) << 24) | ((uint64_t)arg & 0xffffff);
}

/* The argument of directory dir's (argument arg) numbered entry num. */
static long numbered_arg(const struct procfs_node *dir, long arg, long num)
{
	return PROCFS_ARG(dir->outer ? num : PROCFS_OUTER(arg), num);
}

static uint32_t mode_of(const struct procfs_node *n, long arg)
{
	return n->perm ? (n->mode & S_IFMT) | n->perm(arg) : n->mode;
}

/* A decimal number without leading zeros (as the numbered entries are named), or -1. */
static long parse_num(const char *s, size_t len)
{
	long v = 0;

	if (!len || len > 9 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static struct inode *make_inode(struct super *sb, const struct procfs_node *n, long arg, int *err)
{
	struct inode *ino = vfs_alloc_inode(sb, mode_of(n, arg));
	struct pinode *pi = kmalloc(sizeof(*pi));
	struct procfs_buf b = { 0 };

	*err = -ENOMEM;
	if (!ino || !pi)
		goto err;
	pi->node = n;
	pi->arg = arg;
	ino->priv = pi;
	ino->ino = ino_of(n, arg);
	if (S_ISDIR(n->mode)) {
		ino->iops = &dir_iops;
		ino->fops = &dir_fops;
	} else if (S_ISLNK(n->mode)) {
		ino->iops = n->follow ? &magic_iops : &link_iops;
		*err = n->link(&b, arg);
		if (!*err)
			*err = b.err;
		if (*err) {
			kfree(b.p);
			vfs_inode_put(ino); /* frees pi */
			return NULL;
		}
		ino->link = b.p;
		ino->size = b.len;
	} else {
		ino->iops = &file_iops;
		ino->fops = &file_fops;
	}
	*err = 0;
	return ino;
err:
	kfree(pi);
	vfs_inode_put(ino);
	return NULL;
}

static void p_release(struct inode *ino)
{
	kfree(ino->priv);
}

static int p_lookup(struct inode *dir, struct dentry *d)
{
	const struct pinode *pd = dir->priv;
	const struct procfs_node *n = pd->node, *e;
	size_t len = strlen(d->name), plen;
	long num, arg;
	int err;

	for (e = n->entries; e && e->name; e++) {
		if (strlen(e->name) == len && !memcmp(e->name, d->name, len)) {
			d->inode = make_inode(dir->sb, e, pd->arg, &err);
			goto out;
		}
	}
	plen = n->prefix ? strlen(n->prefix) : 0;
	if (len < plen || (plen && memcmp(d->name, n->prefix, plen)))
		return -ENOENT;
	num = parse_num(d->name + plen, len - plen);
	if (!n->next || num < 0)
		return -ENOENT;
	if (n->next(pd->arg, num) == num)
		arg = numbered_arg(n, pd->arg, num);
	else if (!n->hidden || (arg = n->hidden(pd->arg, num)) < 0)
		return -ENOENT;
	d->inode = make_inode(dir->sb, n->numbered, arg, &err);
out:
	if (!d->inode)
		return err;
	d->flags |= DENTRY_VOLATILE;
	return 0;
}

static long p_readlink(struct inode *ino, char *buf, size_t n)
{
	size_t len = MIN(n, ino->size);

	memcpy(buf, ino->link, len);
	return (long)len;
}

static int p_follow(struct inode *ino, struct dentry **out)
{
	const struct pinode *pi = ino->priv;

	return pi->node->follow(pi->arg, out);
}

static int p_iterate(struct file *f, struct dir_ctx *ctx)
{
	const struct pinode *pd = f->inode->priv;
	const struct procfs_node *n = pd->node;
	uint64_t i = 2;
	char name[32];
	long num;

	if (!dir_emit_dots(f, ctx))
		return 0;
	for (const struct procfs_node *e = n->entries; e && e->name; e++, i++) {
		if (i < ctx->pos)
			continue;
		if (!ctx->emit(ctx, e->name, strlen(e->name), ino_of(e, pd->arg),
			       (e->mode & S_IFMT) >> 12))
			return 0;
		ctx->pos++;
	}
	/* Numbered entries sit at i + their number: the position survives entries coming and
	 * going between two getdents calls. */
	while (n->next && (num = n->next(pd->arg, (long)(ctx->pos - i))) >= 0) {
		int len = snprintf(name, sizeof(name), "%s%ld", n->prefix ? n->prefix : "", num);

		if (!ctx->emit(ctx, name, (size_t)len,
			       ino_of(n->numbered, numbered_arg(n, pd->arg, num)),
			       (n->numbered->mode & S_IFMT) >> 12))
			return 0;
		ctx->pos = i + (uint64_t)num + 1;
	}
	return 0;
}

static int p_open(struct file *f)
{
	const struct pinode *pi = f->inode->priv;

	if ((f->flags & O_ACCMODE) != O_RDONLY && !pi->node->store)
		return -EACCES;
	if ((f->flags & O_ACCMODE) != O_WRONLY && !pi->node->show)
		return -EACCES;
	f->priv = kzalloc(sizeof(struct procfs_buf));
	return f->priv ? 0 : -ENOMEM;
}

static int p_file_release(struct file *f)
{
	struct procfs_buf *b = f->priv;

	if (b)
		kfree(b->p);
	kfree(b);
	return 0;
}

/* The contents are made when a read starts at offset 0 (as Linux's seq_file does): a reader
 * that seeks back to 0 sees fresh values; one that reads on sees one consistent snapshot. */
static ssize_t p_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	const struct pinode *pi = f->inode->priv;
	struct procfs_buf *b = f->priv;
	ssize_t r;

	mutex_lock(&f->inode->lock);
	if (*pos == 0 || !b->p) {
		b->len = 0;
		b->err = 0;
		r = pi->node->show(b, pi->arg);
		if (!r)
			r = b->err;
		if (r)
			goto out;
	}
	r = 0;
	if (*pos < b->len) {
		r = (ssize_t)MIN(n, b->len - *pos);
		if (copy_to_user(ubuf, b->p + *pos, (size_t)r)) {
			r = -EFAULT;
			goto out;
		}
		*pos += (uint64_t)r;
	}
out:
	mutex_unlock(&f->inode->lock);
	return r;
}

static ssize_t p_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	const struct pinode *pi = f->inode->priv;
	char *buf;
	int r;

	if (n > STORE_MAX)
		return -EINVAL;
	buf = kmalloc(n + 1);
	if (!buf)
		return -ENOMEM;
	r = copy_from_user(buf, ubuf, n);
	if (!r) {
		buf[n] = 0;
		r = pi->node->store(buf, n, pi->arg);
	}
	kfree(buf);
	if (r)
		return r;
	*pos += n;
	return (ssize_t)n;
}

static const struct inode_ops dir_iops = { .lookup = p_lookup, .release = p_release };
static const struct inode_ops link_iops = { .readlink = p_readlink, .release = p_release };
static const struct inode_ops magic_iops = {
	.readlink = p_readlink,
	.follow = p_follow,
	.release = p_release,
};
static const struct inode_ops file_iops = { .release = p_release };
static const struct file_ops dir_fops = { .iterate = p_iterate, .seekable = true };
static const struct file_ops file_fops = {
	.read = p_read,
	.write = p_write,
	.open = p_open,
	.release = p_file_release,
	.seekable = true,
};

int procfs_mount_tree(struct super *sb, const struct procfs_node *root)
{
	struct inode *ino;
	int err;

	ino = make_inode(sb, root, 0, &err);
	if (!ino)
		return err;
	ino->ino = 1;
	sb->root = vfs_alloc_dentry(NULL, "/", 1, ino);
	if (!sb->root) {
		vfs_inode_put(ino);
		return -ENOMEM;
	}
	return 0;
}

/* /proc/net, and /proc's root until the process model registers its own */

#define FILE(n, fn)                                               \
	{                                                         \
		.name = (n), .mode = S_IFREG | 0444, .show = (fn) \
	}

void (*procfs_net_show)(struct procfs_buf *b, enum procfs_net_table which);
void (*procfs_unix_show)(struct procfs_buf *b);

/* Linux's headings of /proc/net's tables; the lines come from the network stack. */
static int net_table(struct procfs_buf *b, enum procfs_net_table which)
{
	static const char *const heading[] = {
		[PROCFS_NET_TCP] = "  sl  local_address rem_address   st tx_queue rx_queue tr "
				   "tm->when retrnsmt   uid  timeout inode\n",
		[PROCFS_NET_TCP6] = "  sl  local_address                         remote_address  "
				    "                      st tx_queue rx_queue tr tm->when "
				    "retrnsmt   uid  timeout inode\n",
		[PROCFS_NET_UDP] = "   sl  local_address rem_address   st tx_queue rx_queue tr "
				   "tm->when retrnsmt   uid  timeout inode ref pointer drops\n",
		[PROCFS_NET_UDP6] = "  sl  local_address                         remote_address  "
				    "                      st tx_queue rx_queue tr tm->when "
				    "retrnsmt   uid  timeout inode ref pointer drops\n",
		[PROCFS_NET_DEV] =
			"Inter-|   Receive                                                |  "
			"Transmit\n"
			" face |bytes    packets errs drop fifo frame compressed "
			"multicast|bytes    packets errs drop fifo colls carrier "
			"compressed\n",
		[PROCFS_NET_IF_INET6] = "", /* none */
	};

	procfs_printf(b, "%s", heading[which]);
	if (procfs_net_show)
		procfs_net_show(b, which);
	return 0;
}

static int net_tcp(struct procfs_buf *b, long arg)
{
	return net_table(b, PROCFS_NET_TCP);
}

static int net_tcp6(struct procfs_buf *b, long arg)
{
	return net_table(b, PROCFS_NET_TCP6);
}

static int net_udp(struct procfs_buf *b, long arg)
{
	return net_table(b, PROCFS_NET_UDP);
}

static int net_udp6(struct procfs_buf *b, long arg)
{
	return net_table(b, PROCFS_NET_UDP6);
}

static int net_dev(struct procfs_buf *b, long arg)
{
	return net_table(b, PROCFS_NET_DEV);
}

static int net_if_inet6(struct procfs_buf *b, long arg)
{
	return net_table(b, PROCFS_NET_IF_INET6);
}

static int net_unix(struct procfs_buf *b, long arg)
{
	if (procfs_unix_show)
		procfs_unix_show(b);
	return 0;
}

const struct procfs_node procfs_net_entries[] = {
	FILE("dev", net_dev),	FILE("if_inet6", net_if_inet6),
	FILE("tcp", net_tcp),	FILE("tcp6", net_tcp6),
	FILE("udp", net_udp),	FILE("udp6", net_udp6),
	FILE("unix", net_unix), { 0 },
};

/* Without a registered root, /proc holds what needs no process: the machine's files. */
static const struct procfs_node machine_entries[] = {
	FILE("cpuinfo", procfs_cpuinfo_show),
	{ .name = "net", .mode = S_IFDIR | 0555, .entries = procfs_net_entries },
	{ 0 },
};

static const struct procfs_node machine_root = {
	.name = "/",
	.mode = S_IFDIR | 0555,
	.entries = machine_entries,
};

static const struct procfs_node *root = &machine_root;

bool procfs_node_of(const struct inode *ino, const struct procfs_node **node, long *arg)
{
	const struct pinode *pi = ino->priv;

	if (!ino->sb || ino->sb->fs != &procfs_type || !pi)
		return false;
	*node = pi->node;
	*arg = pi->arg;
	return true;
}

void procfs_set_root(const struct procfs_node *r)
{
	root = r;
}

static int proc_mount(struct super *sb, void *data)
{
	return procfs_mount_tree(sb, root);
}

const struct fs_type procfs_type = {
	.name = "proc",
	.magic = PROC_SUPER_MAGIC,
	.mount = proc_mount,
};

void procfs_init(void)
{
	static const struct vfs_mount_args args = {
		.source = "proc", .flags = MOUNT_NOSUID | MOUNT_NODEV | MOUNT_NOEXEC
	};
	int r = vfs_mount("/proc", &procfs_type, &args);

	if (r)
		panic("procfs: cannot mount /proc (error %d)", r);
}
