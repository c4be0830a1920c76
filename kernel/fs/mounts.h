/* mounts.h: the boot-time file systems, and the sync of all. */
#ifndef MOTE_FS_MOUNTS_H
#define MOTE_FS_MOUNTS_H

#include "lib/types.h"

/* ramfs at / filled from the initrd, then devfs at /dev, procfs at /proc, sysfs at /sys
 * (their directories are created if the image has none). A failure ends the VM. Then the
 * command line's --mount=DEV:DIR[:ro] disks, ext4 (DIR created if missing), read-write
 * unless :ro or the device or the file system says otherwise: a failure is one line on the
 * console, and the boot goes on. */
void vfs_init(void);
/* Sync every file system mounted (boot-time or mount(2)'s): ext4 commits; with last (the VM
 * is ending) also leave them clean on disk. 0 or the first error. */
int mounts_sync(bool last);

#endif /* MOTE_FS_MOUNTS_H */
