/* lock.h: advisory file locks: POSIX record locks (owned by the process), OFD locks (owned by
 * the open file) and flock (whole-file, owned by the open file). */
#ifndef MOTE_FS_LOCK_H
#define MOTE_FS_LOCK_H

#include "lib/types.h"

struct file;
struct inode;

#define LOCK_POSIX 0
#define LOCK_OFD 1
#define LOCK_FLOCK 2

#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

struct flock_k {
	int16_t l_type, l_whence;
	int64_t l_start, l_len;
	int32_t l_pid;
};

/* fcntl F_GETLK / F_OFD_GETLK on f with the user's request in fl (updated in place). */
int lock_get(struct file *f, int kind, struct flock_k *fl) __must_check;
/* F_SETLK(W) / F_OFD_SETLK(W): set or clear a lock; wait for conflicts to go if wait. */
int lock_set(struct file *f, int kind, const struct flock_k *fl, bool wait) __must_check;
/* flock(2). */
int lock_flock(struct file *f, int op) __must_check;
/* A descriptor of ino was closed: the process's POSIX locks on it go (POSIX semantics). */
void lock_close_posix(struct inode *ino);
/* The last reference to f is gone: its OFD locks and flock go. */
void lock_release_file(struct file *f);

#endif /* MOTE_FS_LOCK_H */
