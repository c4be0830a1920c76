/* pipe.h: pipes (pipe2) and FIFOs (named pipes made with mknod). */
#ifndef MOTE_FS_PIPE_H
#define MOTE_FS_PIPE_H

#include "lib/types.h"

struct file;
struct file_ops;

#define PIPE_SIZE 65536	      /* Linux's default capacity */
#define PIPE_MAX_SIZE 1048576 /* the most F_SETPIPE_SZ gives (Linux's pipe-max-size) */
#define PIPE_BUF 4096	      /* writes up to this size are atomic */

/* A new pipe: its read and write ends (flags: O_NONBLOCK, O_CLOEXEC is the caller's). */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr) __must_check;

/* F_GETPIPE_SZ: the capacity of the pipe f is an end of (a pipe's or a FIFO's); -EBADF if f
 * is neither. */
long pipe_get_size(struct file *f);
/* tee(2)'s read: copy up to n bytes of what the pipe holds into kbuf without taking them,
 * waiting for some unless nonblock (then -EAGAIN); 0 once it is empty with no writer left,
 * -EINTR on a signal. f is either end of a pipe. */
long pipe_peek(struct file *f, void *kbuf, size_t n, bool nonblock);
/* F_SETPIPE_SZ: make it want bytes rounded up to a power of two of pages, one page at least.
 * Returns the new capacity, or -EBADF, -EPERM (above PIPE_MAX_SIZE: root's right to more is
 * not granted), -EBUSY (it holds more than that), -ENOMEM. */
long pipe_set_size(struct file *f, uint64_t want);

/* Opening a FIFO inode: both ends share one pipe kept in the inode. */
extern const struct file_ops fifo_fops;

#endif /* MOTE_FS_PIPE_H */
