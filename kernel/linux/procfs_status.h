/* procfs_status.h: /proc/<pid>'s accounting files, in Linux's formats: stat, status, statm
 * and maps (from the tasks and the VMAs); task/<tid>/stat and status (one thread's). */
#ifndef MOTE_LINUX_PROCFS_STATUS_H
#define MOTE_LINUX_PROCFS_STATUS_H

struct procfs_buf;

/* arg: the pid for the process's files, the tid for a thread's. 0 or -ENOENT (no such
 * thread any more). */
int procfs_status_show_stat(struct procfs_buf *b, long pid);
int procfs_status_show_task_stat(struct procfs_buf *b, long tid);
int procfs_status_show_status(struct procfs_buf *b, long pid);
int procfs_status_show_task_status(struct procfs_buf *b, long tid);
int procfs_status_show_statm(struct procfs_buf *b, long pid);
int procfs_status_show_maps(struct procfs_buf *b, long pid);

#endif /* MOTE_LINUX_PROCFS_STATUS_H */
