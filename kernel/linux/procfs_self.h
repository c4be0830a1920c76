/* procfs_self.h: the /proc/<pid> directory (/proc/self links to it): the process's links
 * (exe, cwd, root, fd/N), its arguments, environment, auxiliary vector, limits, mounts, and
 * task/<tid>/ for each thread. */
#ifndef MOTE_LINUX_PROCFS_SELF_H
#define MOTE_LINUX_PROCFS_SELF_H

struct procfs_node;

/* The node of /proc/<pid> (a numbered entry of /proc: its argument is the pid). */
extern const struct procfs_node procfs_self_pid;

#endif /* MOTE_LINUX_PROCFS_SELF_H */
