/* procfs.h: /proc, and the engine it shares with sysfs: a file system generated from
 * constant node tables.
 *
 * A tree is described by struct procfs_node tables. A node is a file (show writes its whole
 * contents into a procfs_buf when a read starts at offset 0; store takes writes), a symlink
 * (link writes its target when the node is looked up, vfs_lock held), or a directory (a
 * table of fixed entries and/or numbered entries: "1", "2"... listed by next()). Every node
 * carries a long argument in two halves, outer and inner (PROCFS_ARG): a fixed entry inherits
 * its directory's; a numbered entry N gets (N, N) if its directory is marked `outer`, else
 * the directory's outer half and N (so /proc/5/task/7/stat is the "stat" node with argument
 * (5, 7), /proc/5/fd/3 the fd node with (5, 3)). The dentries are generated on each lookup
 * and marked DENTRY_VOLATILE: nothing is cached, nothing goes stale.
 */
#ifndef MOTE_FS_PROCFS_H
#define MOTE_FS_PROCFS_H

#include "lib/types.h"

struct dentry;
struct inode;
struct fs_type;
struct super;

/* A node's argument from its two halves (each 0 .. 2^31 - 1), and the halves back. */
#define PROCFS_ARG(outer, inner) ((long)(((uint64_t)(outer) << 32) | (uint32_t)(inner)))
#define PROCFS_OUTER(arg) ((int)((uint64_t)(arg) >> 32))
#define PROCFS_INNER(arg) ((int)((arg)&0xffffffff))

/* A growing text buffer; on out of memory err is set to -ENOMEM and output is dropped. */
struct procfs_buf {
	char *p;
	size_t len, cap;
	int err;
};

struct procfs_node {
	const char *name; /* NULL ends a table */
	uint32_t mode;	  /* S_IFREG, S_IFDIR or S_IFLNK, and the permission bits */
	/* A file: write its contents into b; 0 or -errno (e.g. -ENOENT: the thread is gone). */
	int (*show)(struct procfs_buf *b, long arg);
	/* A writable file: one write() of n bytes (kernel memory); 0 or -errno. */
	int (*store)(const char *buf, size_t n, long arg);
	/* A symlink: write its target into b; 0 or -errno. Called with vfs_lock held. */
	int (*link)(struct procfs_buf *b, long arg);
	/* A magic link: what opening it reaches (a dentry reference), not its text (vfs_lock
	 * held). */
	int (*follow)(long arg, struct dentry **out);
	/* The permission bits for arg, when they vary (an fd link shows its access mode). */
	uint32_t (*perm)(long arg);
	/* A directory: its fixed entries (a table ending with a NULL name), */
	const struct procfs_node *entries;
	/* and its numbered entries: next(arg, from) is the smallest >= from, or -1; each one is
	 * the node `numbered` named prefix + the number, whose argument has the number as its
	 * inner half, and as its outer half too if `outer` (/proc/<pid>), else the directory's
	 * outer half. */
	long (*next)(long arg, long from);
	/* and, if set, numbers readdir does not list but lookup finds (/proc/<tid> of a thread
	 * other than its process's main one): the argument of `numbered` for num, or -1. */
	long (*hidden)(long arg, long num);
	const struct procfs_node *numbered;
	const char *prefix;
	bool outer;
};

void procfs_printf(struct procfs_buf *b, const char *fmt, ...) __printf(2, 3);
void procfs_write(struct procfs_buf *b, const void *data, size_t n);

/* Build sb's root from the directory node root (an fs_type's mount function). */
int procfs_mount_tree(struct super *sb, const struct procfs_node *root) __must_check;

/* The node and argument of procfs inode ino (false: not a procfs inode): who an open /proc
 * entry is about (pidfd_send_signal takes a /proc/<pid> directory for its process). */
bool procfs_node_of(const struct inode *ino, const struct procfs_node **node, long *arg);

/*
 * /proc's root directory: root (a directory node, referenced from then on) replaces the
 * default, which holds the machine's files alone (cpuinfo, net/). The process model registers
 * its view of /proc here (linux/procfs_root.c) before procfs_init mounts it.
 */
void procfs_set_root(const struct procfs_node *root);

/* proc, for mount(2): each instance is generated from the same root. */
extern const struct fs_type procfs_type;

/* Mount /proc (after devfs). A failure ends the VM. */
void procfs_init(void);

/* /proc/net/{tcp,tcp6,udp,udp6}: the sockets' lines, and /proc/net/{dev,if_inet6}: the
 * interfaces', written by the network stack (net/procnet.c sets this at boot; without it the
 * files hold their heading only). */
enum procfs_net_table {
	PROCFS_NET_TCP,
	PROCFS_NET_TCP6,
	PROCFS_NET_UDP,
	PROCFS_NET_UDP6,
	PROCFS_NET_DEV,
	PROCFS_NET_IF_INET6
};
extern void (*procfs_net_show)(struct procfs_buf *b, enum procfs_net_table which);
/* /proc/net/unix's rows (the AF_UNIX name registry's), installed by linux/ at start. */
extern void (*procfs_unix_show)(struct procfs_buf *b);
/* The entries of /proc/net (tcp, tcp6, udp, udp6, unix, dev, if_inet6), for a root directory to hold. */
extern const struct procfs_node procfs_net_entries[];

#endif /* MOTE_FS_PROCFS_H */
