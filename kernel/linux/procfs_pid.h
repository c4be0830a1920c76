/* procfs_pid.h: the /proc/<pid> directory of every process (/proc/self links to the
 * caller's): its links (exe, cwd, root, fd/N), arguments, environment, auxiliary vector,
 * limits, name, mounts, the accounting files, and task/<tid>/ for each thread. */
#ifndef MOTE_LINUX_PROCFS_PID_H
#define MOTE_LINUX_PROCFS_PID_H

struct procfs_node;

/* The node of /proc/<pid>: a numbered entry of /proc (an `outer` directory), so its
 * argument and its entries' carry the pid as their outer half (fs/procfs.h). */
extern const struct procfs_node procfs_pid_dir;

#endif /* MOTE_LINUX_PROCFS_PID_H */
