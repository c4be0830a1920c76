/* procfs_status.h: /proc/<pid>'s accounting files, in Linux's formats: stat, status, statm
 * and maps (from the process's ids, its tasks and its VMAs); task/<tid>/stat and status (one
 * thread's). */
#ifndef MOTE_LINUX_PROCFS_STATUS_H
#define MOTE_LINUX_PROCFS_STATUS_H

struct procfs_buf;

/* arg: PROCFS_ARG(pid, pid) for the process's files, PROCFS_ARG(pid, tid) for a thread's.
 * 0, or -ESRCH (the process or the thread is gone). */
int procfs_status_show_stat(struct procfs_buf *b, long arg);
int procfs_status_show_task_stat(struct procfs_buf *b, long arg);
int procfs_status_show_status(struct procfs_buf *b, long arg);
int procfs_status_show_task_status(struct procfs_buf *b, long arg);
int procfs_status_show_statm(struct procfs_buf *b, long arg);
int procfs_status_show_maps(struct procfs_buf *b, long arg);

#endif /* MOTE_LINUX_PROCFS_STATUS_H */
