/* mounts.h: the boot-time file systems. */
#ifndef MOTE_FS_MOUNTS_H
#define MOTE_FS_MOUNTS_H

#include "lib/types.h"

/* ramfs at / filled from the initrd, then devfs at /dev, procfs at /proc, sysfs at /sys
 * (their directories are created if the image has none). A failure ends the VM. Then the
 * command line's --mount=DEV:DIR[:ro] disks, ext4 (DIR created if missing), read-write
 * unless :ro or the device or the file system says otherwise: a failure is one line on the
 * console, and the boot goes on. */
void vfs_init(void);
/* Commit every disk mounted (sync); with last (the VM is ending) also unmount them cleanly.
 * 0 or the first error. */
int mounts_sync(bool last);
/* The mounts as /proc/mounts lists them, into buf; returns the full length. */
unsigned long mounts_format(char *buf, unsigned long n);

#endif /* MOTE_FS_MOUNTS_H */
