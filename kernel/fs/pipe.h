/* pipe.h: pipes (pipe2) and FIFOs (named pipes made with mknod). */
#ifndef MOTE_FS_PIPE_H
#define MOTE_FS_PIPE_H

#include "lib/types.h"

struct file;
struct file_ops;

#define PIPE_SIZE 65536 /* Linux's default capacity */
#define PIPE_BUF 4096	/* writes up to this size are atomic */

/* A new pipe: its read and write ends (flags: O_NONBLOCK, O_CLOEXEC is the caller's). */
int pipe_create(uint32_t flags, struct file **rd, struct file **wr) __must_check;

/* Opening a FIFO inode: both ends share one pipe kept in the inode. */
extern const struct file_ops fifo_fops;

#endif /* MOTE_FS_PIPE_H */
