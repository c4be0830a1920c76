/* dnotify.h: directory notification, fcntl(fd, F_NOTIFY, DN_*) (Linux's dnotify, on fs/notify.h).
 *
 * A watch belongs to one descriptor: the open file and the descriptor table it was set
 * through. Events in the directory it names (an entry read, written, created, removed,
 * renamed, its attributes changed; the directory's own too) that its DN_* bits ask for send
 * f's owner (set to the calling process by the watch, as Linux does) SIGIO, or the F_SETSIG
 * signal with si_code POLL_MSG and si_fd the descriptor (linux/fown.h). Without DN_MULTISHOT
 * the watch ends with its first signal; closing the descriptor ends it.
 */
#ifndef MOTE_LINUX_DNOTIFY_H
#define MOTE_LINUX_DNOTIFY_H

#include "lib/types.h"

struct file;

#define DN_ACCESS 0x00000001
#define DN_MODIFY 0x00000002
#define DN_CREATE 0x00000004
#define DN_DELETE 0x00000008
#define DN_RENAME 0x00000010
#define DN_ATTRIB 0x00000020
#define DN_MULTISHOT 0x80000000

/* F_NOTIFY on descriptor fd of the calling process, open file f: arg's DN_* events are added
 * to the descriptor's watch (made if there is none); no event bit (0 or only DN_MULTISHOT)
 * removes the watch. 0, -ENOTDIR (f is no directory), -ENOMEM. */
int dnotify_fcntl(struct file *f, int fd, uint32_t arg) __must_check;

#endif /* MOTE_LINUX_DNOTIFY_H */
