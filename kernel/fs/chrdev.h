/* chrdev.h: character devices (and FIFOs) by device number: opening a device node anywhere in
 * the name space gives the file_ops its driver registered for (major, minor). */
#ifndef MOTE_FS_CHRDEV_H
#define MOTE_FS_CHRDEV_H

#include "lib/types.h"

struct inode;
struct file_ops;

#define MKDEV(ma, mi) (((uint64_t)(ma) << 8) | (mi))
#define MAJOR(d) ((uint32_t)((d) >> 8))
#define MINOR(d) ((uint32_t)((d)&0xff))

/* Register ops for device rdev (at most CHRDEV_MAX devices). 0 or -ENOSPC. */
int chrdev_register(uint64_t rdev, const struct file_ops *ops) __must_check;
/* The same for count devices, minors from rdev's on (count + MINOR(rdev) <= 256). */
int chrdev_register_range(uint64_t rdev, uint32_t count, const struct file_ops *ops) __must_check;
/* The ops to open inode with (a character device or a FIFO), or NULL (ENXIO). */
const struct file_ops *chrdev_fops(struct inode *ino);

#endif /* MOTE_FS_CHRDEV_H */
