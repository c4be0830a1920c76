/* devfs.h: /dev: device nodes (null, zero, full, random, urandom, console, tty), the disks
 * (vda, vdb...: block nodes) and the /dev/fd, /dev/std{in,out,err} links. /dev/ptmx and
 * /dev/pts are fs/devpts.c's. */
#ifndef MOTE_FS_DEVFS_H
#define MOTE_FS_DEVFS_H

#include "lib/types.h"

struct blk_dev;

/* Register the devices and mount /dev (after the root is mounted and the block devices are
 * probed: /dev/vda... are block nodes of theirs). */
void devfs_init(void);
/* The device number of block device index (0: vda): major 254 as virtio-blk has on Linux,
 * minor 16 a disk; in glibc's dev_t encoding, as stat gives it. */
uint64_t devfs_blk_rdev(int index);
/* The block device of device number rdev, or NULL. */
struct blk_dev *devfs_blk_dev(uint64_t rdev);

#endif /* MOTE_FS_DEVFS_H */
