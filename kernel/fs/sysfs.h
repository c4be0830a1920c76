/* sysfs.h: /sys, generated like /proc (fs/procfs.h's engine): devices/system/cpu with the
 * online, possible and present CPU lists glibc's get_nprocs reads, and a cpuN directory per
 * CPU. */
#ifndef MOTE_FS_SYSFS_H
#define MOTE_FS_SYSFS_H

struct fs_type;

/* sysfs, for mount(2): each instance is generated from the same root. */
extern const struct fs_type sysfs_type;

/* Mount /sys (after /proc). A failure ends the VM. */
void sysfs_init(void);

#endif /* MOTE_FS_SYSFS_H */
