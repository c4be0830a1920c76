/* file_rw.h: reads and writes as read(2), pread(2), readv(2) and their writing twins make
 * them (linux/sys_file.c), for the calls built on them (linux/sys_splice.c). */
#ifndef MOTE_LINUX_FILE_RW_H
#define MOTE_LINUX_FILE_RW_H

#include "lib/types.h"

struct file;
struct iovec_k;

#define RW_MAX 0x7ffff000UL /* Linux caps one transfer at this */

/* n bytes between f and ubuf (a user buffer, or a kernel one inside uaccess_kernel_begin),
 * at pos, or at f's offset (moved) when pos < 0: the count, or -errno (EBADF for the wrong
 * access mode, ESPIPE for a pos on a pipe...). */
ssize_t file_rw(struct file *f, bool write, void *ubuf, size_t n, int64_t pos);
/* readv/writev (pos < 0) and preadv/pwritev on fd. */
long fd_rwv(int fd, bool write, const struct iovec_k *uiov, int cnt, int64_t pos);

#endif /* MOTE_LINUX_FILE_RW_H */
