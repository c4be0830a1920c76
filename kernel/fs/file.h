/* file.h: open files and the process's file-descriptor table.
 *
 * A struct file is one open file description (shared by dup'd descriptors): its ops, its
 * inode, the dentry it was opened by (NULL for anonymous objects), the offset and flags.
 *
 * An fd-backed object plugs in with a file_ops:
 * - read/write move data between the file and a user buffer (`ubuf` is an application
 *   pointer: use uaccess.h) at *pos (the file's offset, or pread's); they block unless
 *   O_NONBLOCK (return -EAGAIN then); a blocking wait should end with -EINTR when
 *   waitq_interrupted() (core/sched/wait.h) says so.
 * - poll returns the ready events (POLLIN...) now, and if pq is non-NULL sets *pq to the
 *   object's poll queue (fs/pollq.h), which the object wakes whenever readiness may have
 *   changed. poll, select and epoll are built on that pair alone.
 * - release runs when the last descriptor referring to the file is closed.
 * Use file_alloc() + fd_install() to hand a new object to the application.
 */
#ifndef MOTE_FS_FILE_H
#define MOTE_FS_FILE_H

#include "lib/types.h"
#include "lib/list.h"
#include "core/sched/sync.h"

struct inode;
struct dentry;
struct file;
struct pollq;
struct vma;

/* open flags (Linux x86-64) */
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_PATH 010000000
#define O_TMPFILE 020200000

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100
#define POLLRDHUP 0x2000

/* The directory-entry emitter getdents gives a file system: returns false when full. */
struct dir_ctx {
	bool (*emit)(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
		     unsigned type);
	uint64_t pos; /* the directory position: the fs advances it per entry emitted */
};

/* get_page's how: */
#define GET_PAGE_WRITE 1u /* the page will be written through a shared mapping */
/* Only a page the file already holds, for populating a mapping ahead of its faults: a hole
 * stays unmapped until touched (ramfs); a file system may still read the page in (ext4). */
#define GET_PAGE_CACHED 2u

struct file_ops {
	ssize_t (*read)(struct file *f, void *ubuf, size_t n, uint64_t *pos);
	ssize_t (*write)(struct file *f, const void *ubuf, size_t n, uint64_t *pos);
	/* Emit entries from ctx->pos on; 0 at the end or when emit said full, or -errno. */
	int (*iterate)(struct file *f, struct dir_ctx *ctx);
	long (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
	uint32_t (*poll)(struct file *f, struct pollq **pq);
	/* Physical address of the page at byte offset off of the file, for a mapping (how:
	 * GET_PAGE_* flags); a missing page (a hole) is created unless GET_PAGE_CACHED.
	 * Returns 0 and *pa, or -errno (-ENOENT: a hole, asked with GET_PAGE_CACHED). */
	int (*get_page)(struct file *f, uint64_t off, unsigned how, uint64_t *pa);
	int (*fsync)(struct file *f);
	int (*release)(struct file *f);
	/* Called at open (after the generic checks): may set f->priv. */
	int (*open)(struct file *f);
	bool seekable;	/* lseek moves the offset (else -ESPIPE) */
	bool seek_zero; /* lseek succeeds and returns 0, moving nothing (/dev/null, /dev/zero) */
	/* An anonymous object's name in /proc/self/fd: "anon_inode:" then this ("[eventfd]"). */
	const char *anon_name;
};

/* Who is told of I/O on an open file by signal (F_SETOWN, F_SETOWN_EX, F_SETSIG; dnotify's
 * watches signal it too): linux/fown.c keeps and uses it. */
struct file_owner {
	int type; /* F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP (linux/fown.h) */
	int id;	  /* the thread, process or group; 0: nobody */
	int sig;  /* the signal to send (0: SIGIO without siginfo details) */
};

struct file {
	const struct file_ops *ops;
	struct inode *inode;   /* a reference */
	struct dentry *dentry; /* a reference, or NULL */
	uint64_t pos;
	uint32_t flags; /* O_* status flags (O_APPEND, O_NONBLOCK...) and access mode */
	int refs;
	struct mutex pos_lock;
	void *priv;
	struct list epoll_items; /* epoll items watching this file (fs/epoll.c) */
	void *sock_opts;	 /* a socket's options as set (linux/sys_sockopt.c), or NULL */
	bool writer;		 /* counted in its inode's super's writers (fs/open.c) */
	struct file_owner owner;
};

#define FD_MAX 4096 /* the hard RLIMIT_NOFILE; programs start with 1024, as on Linux */

struct fdtable {
	struct mutex lock;
	struct file *files[FD_MAX];
	uint8_t cloexec[FD_MAX];
};

/* A new open file on an inode of its own outside any file system (vfs_anon_inode: a socket,
 * pipe, eventfd...) with mode, ops and flags; refs 1. NULL: no memory. */
/* Emit a directory's "." and ".." (positions 0 and 1, the parent across a mount point) from
 * ctx->pos on: true once both are out, false when emit said full. */
bool dir_emit_dots(struct file *f, struct dir_ctx *ctx);
struct file *file_anon(uint32_t mode, const struct file_ops *ops, uint32_t flags);
/* A new open file on inode (reference taken) with ops and flags; refs 1. NULL: no memory. */
struct file *file_alloc(struct inode *ino, struct dentry *d, const struct file_ops *ops,
			uint32_t flags);
void file_get(struct file *f);
void file_put(struct file *f);

/* An empty descriptor table (NULL: no memory). The fd_*() calls below work on the calling
 * process's table (fsctx_fdtable, fs/fsctx.h). */
struct fdtable *fdtable_alloc(void);
/* fork: a copy of src, each file with one more reference (NULL: no memory). */
struct fdtable *fdtable_copy(struct fdtable *src);
/* Close every descriptor of t (the calling process's, as it exits) and free it. */
void fdtable_free(struct fdtable *t);
/* The file of descriptor fd in t (another process's table too: its owner keeps t alive
 * meanwhile) with a reference (file_put when done), or NULL. */
struct file *fdtable_get(struct fdtable *t, int fd);
/* The lowest open descriptor of t that is >= from, or -1. */
int fdtable_next(struct fdtable *t, int from);
/* Install f at the lowest free descriptor >= min and below RLIMIT_NOFILE (fsctx_nofile);
 * takes over the caller's reference; returns the descriptor or -EMFILE. */
int fd_install(struct file *f, int min, bool cloexec) __must_check;
/* The file of fd with a reference (file_put when done), or NULL. */
struct file *fd_get(int fd);
/* Close fd; 0 or -EBADF. */
int fd_close(int fd);
/* dup2 semantics: put f at fd (closing what was there). */
int fd_install_at(struct file *f, int fd, bool cloexec) __must_check;
/* Close the descriptors marked close-on-exec (execve). */
void fd_close_on_exec(void);

#endif /* MOTE_FS_FILE_H */
