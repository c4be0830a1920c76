/* procfs_cpuinfo.h: /proc/cpuinfo. */
#ifndef MOTE_FS_PROCFS_CPUINFO_H
#define MOTE_FS_PROCFS_CPUINFO_H

struct procfs_buf;

/* One block per online CPU (after the APs are up), in Linux's x86 format; returns 0. */
int procfs_cpuinfo_show(struct procfs_buf *b, long arg);

#endif /* MOTE_FS_PROCFS_CPUINFO_H */
