/* task_fs.h: the process as the file system sees it (fs/fsctx.h's accessors). */
#ifndef MOTE_LINUX_TASK_FS_H
#define MOTE_LINUX_TASK_FS_H

/* Install the accessors (fsctx_install); linux_run calls it before mounting the root. */
void task_fs_init(void);

#endif /* MOTE_LINUX_TASK_FS_H */
