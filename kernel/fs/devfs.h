/* devfs.h: /dev: device nodes (null, zero, full, random, urandom, console, tty) and the
 * /dev/fd, /dev/std{in,out,err} links. */
#ifndef MOTE_FS_DEVFS_H
#define MOTE_FS_DEVFS_H

/* Register the devices and mount /dev (after the root is mounted). */
void devfs_init(void);

#endif /* MOTE_FS_DEVFS_H */
