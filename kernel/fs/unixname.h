/* unixname.h: the names AF_UNIX sockets are bound to, shared by every socket type: a path
 * (bind makes a socket node there) or a name in the abstract namespace (one starting with a
 * NUL byte; autobind picks a free one of a NUL and five hex digits, as Linux does). A bound
 * socket embeds a struct unix_bound, through which the registry finds it by its node or its
 * abstract name. Names are at most UNIX_PATH_MAX bytes. */
#ifndef MOTE_FS_UNIXNAME_H
#define MOTE_FS_UNIXNAME_H

#include "lib/types.h"
#include "lib/list.h"

#define UNIX_PATH_MAX 108

struct dentry;
struct inode;
struct procfs_buf;

/* The socket types, by Linux's numbers (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET). */
enum unix_type {
	UNIX_STREAM = 1,
	UNIX_DGRAM = 2,
	UNIX_SEQPACKET = 5,
};

/* A name as sockaddr_un carries it: a path (NUL-terminated within len), or an abstract name
 * (name[0] == 0, len bytes in all). */
struct unix_name {
	char name[UNIX_PATH_MAX];
	size_t len; /* 0: unnamed */
};

/* A socket's entry in the registry (zeroed with the socket; type set by its owner). */
struct unix_bound {
	struct list link;
	struct unix_name name;
	struct inode *node; /* the socket node bound to (a reference), or NULL */
	enum unix_type type;
	bool registered;
	bool listening; /* for /proc/net/unix */
};

/* The registry's lock (a mutex: binding creates a node): unixname_bind, _find and reading
 * another socket's name from the registry are made under it. */
void unixname_lock(void);
void unixname_unlock(void);
/* Under the lock: bind b to n, a path relative to start (a socket node with mode's
 * permission bits) or an abstract name; n->len == 0 autobinds. -EINVAL if b is bound (an
 * autobind of a bound socket is 0), -EADDRINUSE if the node or name exists, -ENOSPC when no
 * abstract name is left. */
int unixname_bind(struct unix_bound *b, struct dentry *start, const struct unix_name *n,
		  uint32_t mode) __must_check;
/* Out of the registry (takes the lock), the node let go. */
void unixname_unbind(struct unix_bound *b);
/* The socket node at path n (relative to start) as a reference in *node (NULL for an
 * abstract name): -ENOENT and the like from the lookup, -ECONNREFUSED if it is no socket. */
int unixname_resolve(struct dentry *start, const struct unix_name *n,
		     struct inode **node) __must_check;
/* Under the lock: the socket bound to node (or to the abstract name n when node is NULL) of
 * type. -ECONNREFUSED if there is none, -EPROTOTYPE if it is of another type. */
int unixname_find(const struct inode *node, const struct unix_name *n, enum unix_type type,
		  struct unix_bound **out) __must_check;

/* /proc/net/unix in Linux's columns: its heading, then a line for each bound socket (unbound
 * ones, which the registry does not know, are not listed; the inode column is 0). */
void unixname_show(struct procfs_buf *b);

#endif /* MOTE_FS_UNIXNAME_H */
