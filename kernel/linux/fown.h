/* fown.h: an open file's owner for signal-driven I/O: F_SETOWN, F_GETOWN, F_SETOWN_EX,
 * F_GETOWN_EX, F_SETSIG, F_GETSIG (fcntl(2)), and the signal sent to it (dnotify's, later
 * O_ASYNC's). The owner is a property of the open file description (fs/file.h's
 * struct file_owner): dup'd and inherited descriptors share it, as on Linux. */
#ifndef MOTE_LINUX_FOWN_H
#define MOTE_LINUX_FOWN_H

#include "lib/types.h"

struct file;

/* F_SETOWN_EX/F_GETOWN_EX owner types */
#define F_OWNER_TID 0
#define F_OWNER_PID 1
#define F_OWNER_PGRP 2

/* si_code of a signal from fown_send (POLL_*, Linux's reasons) */
#define POLL_IN 1
#define POLL_OUT 2
#define POLL_MSG 3
#define POLL_ERR 4
#define POLL_PRI 5
#define POLL_HUP 6

/* Make (type, id) f's owner (F_SETOWN_EX; F_SETOWN gives F_OWNER_PID, or F_OWNER_PGRP and -id
 * for a negative one). id 0: nobody. -EINVAL (an unknown type), -ESRCH (id names no
 * process, thread, group or session). */
int fown_set(struct file *f, int type, int id) __must_check;
/* Make the calling process f's owner unless f has one (a watch's default, as Linux's
 * dnotify leaves an owner F_SETOWN named, even one gone since). */
void fown_claim(struct file *f);
/* F_GETOWN_EX: the owner's type and id; the id is 0 once that owner is gone. */
void fown_get_ex(struct file *f, int *type, int *id);
/* F_GETOWN: the owner's id, negative for a group; 0 for nobody or one that is gone. */
int fown_get(struct file *f);
/* F_SETSIG: the signal for f's events (0: SIGIO without details); -EINVAL past NSIG. */
int fown_set_sig(struct file *f, long sig) __must_check;
/* F_GETSIG. */
int fown_get_sig(struct file *f);
/*
 * Tell f's owner that something happened on descriptor fd (reason: POLL_*), as Linux's
 * send_sigio: with no F_SETSIG signal, plain SIGIO (si_code SI_KERNEL); with one, that signal
 * with si_code reason (SI_SIGIO for a signal with codes of its own), si_band the poll bits of
 * reason and si_fd fd; a real-time signal that cannot be queued falls back on plain SIGIO.
 */
void fown_send(struct file *f, int fd, int reason);

#endif /* MOTE_LINUX_FOWN_H */
