/* inherit.h: host paths of the form "/dev/fd/N" naming a descriptor motevm was started with.
 * mote passes the kernel, the image, the drives and the configuration that way, so that a
 * jailed motevm (no /proc, no host path inside its chroot) gets exactly those files, opened
 * by its caller with the caller's rights. Only descriptors open when motevm started count
 * (never one motevm opened itself, such as the KVM VM's), and only below INHERIT_MAX_FD. */
#ifndef MOTE_VMM_INHERIT_H
#define MOTE_VMM_INHERIT_H

#include <stdbool.h>
#include <sys/types.h>

#define INHERIT_MAX_FD 1024 /* descriptors 3 to 1023 */

/* Notes which descriptors above 2 are open: call first thing in main. */
void inherit_note(void);

/* N if PATH is "/dev/fd/N" (digits only), else -1. */
int inherit_fd_of(const char *path);

/* Whether descriptor FD was open when motevm started (inherit_note). */
bool inherit_is(int fd);

/*
 * open(PATH, FLAGS), except that "/dev/fd/N" gives a new close-on-exec descriptor of the
 * inherited file N (sharing its offset: motevm reads and writes files at explicit offsets),
 * refused with EBADF when N was not inherited and with EACCES when it was opened without
 * the access FLAGS asks for. -1 with errno on failure.
 */
int inherit_open(const char *path, int flags);

/* The same with O_CREAT's MODE for a path that is not "/dev/fd/N" (the log file). */
int inherit_open_mode(const char *path, int flags, mode_t mode);

#endif /* MOTE_VMM_INHERIT_H */
