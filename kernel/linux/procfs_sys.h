/* procfs_sys.h: /proc's machine-wide files (meminfo, stat, uptime, loadavg, version,
 * filesystems) and the /proc/sys tree (kernel/hostname, kernel/osrelease...). */
#ifndef MOTE_LINUX_PROCFS_SYS_H
#define MOTE_LINUX_PROCFS_SYS_H

#include "fs/procfs.h" /* struct procfs_node: the sysctl table's element type */

/* Each writes its file in Linux's format (the argument is unused); 0 or -errno. */
int procfs_sys_show_meminfo(struct procfs_buf *b, long arg);
int procfs_sys_show_stat(struct procfs_buf *b, long arg);
int procfs_sys_show_uptime(struct procfs_buf *b, long arg);
int procfs_sys_show_loadavg(struct procfs_buf *b, long arg);
int procfs_sys_show_version(struct procfs_buf *b, long arg);
int procfs_sys_show_filesystems(struct procfs_buf *b, long arg);

/* The entries of /proc/sys. */
extern const struct procfs_node procfs_sys_sysctl[];

#endif /* MOTE_LINUX_PROCFS_SYS_H */
