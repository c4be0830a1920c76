/* procfs_root.h: /proc's root directory as Linux shows it (fs/procfs.c's engine). */
#ifndef MOTE_LINUX_PROCFS_ROOT_H
#define MOTE_LINUX_PROCFS_ROOT_H

/* Register it with procfs_set_root; linux_run calls it before mounting the root. */
void procfs_root_init(void);

#endif /* MOTE_LINUX_PROCFS_ROOT_H */
