/* ldisc_ioctl.h: the terminal ioctls of a line discipline (fs/ldisc.h), and the signals and
 * hang-up that reach the process model through fs/tty_hooks.h. */
#ifndef MOTE_FS_LDISC_IOCTL_H
#define MOTE_FS_LDISC_IOCTL_H

#include "lib/types.h"

struct ldisc;
struct ldisc_winsize;

/*
 * The terminal ioctls, common to both sides of a pty: TCGETS, TCSETS, TCSETSW, TCSETSF (and
 * the termios2 forms), TIOCGWINSZ, TIOCSWINSZ (SIGWINCH to the foreground group on a change),
 * TCSBRK, TCSBRKP, TCXONC, TIOCOUTQ, TIOCGETD, TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP,
 * TIOCGSID; and on the terminal side (master false) FIONREAD and TCFLSH, which the master
 * answers for its own queue. master says which side f is: the controlling-terminal checks
 * Linux makes apply to the slave side only. The process-group calls go through
 * fs/tty_hooks.h. -ENOTTY for anything else.
 */
long ldisc_ioctl(struct ldisc *ld, unsigned cmd, uint64_t arg, bool master);

/* The terminal's window size becomes *ws (TIOCSWINSZ, or the host's terminal was resized):
 * SIGWINCH to the foreground group if it changed. Called without ld->lock. */
void ldisc_resize(struct ldisc *ld, const struct ldisc_winsize *ws);
/* Send sig to ld's foreground process group (tty_hooks' signal_pgrp), if it has one. Called
 * without ld->lock. */
void ldisc_signal(struct ldisc *ld, int sig);
/* ld hangs up or goes away: the process model's hangup hook runs and ld forgets its session
 * and group. Called without ld->lock. */
void ldisc_hangup(struct ldisc *ld);
/*
 * Job control before the calling process reads ld (sig SIGTTIN), writes it under TOSTOP or
 * changes its settings (SIGTTOU): 0 unless ld is its controlling terminal and its group is
 * not the foreground one; then the tty_hooks' background decides (0, -EIO, or -EINTR with
 * sig sent to the caller's group). Called without ld->lock.
 */
int ldisc_job_control(struct ldisc *ld, int sig) __attribute__((warn_unused_result));
/* The leader of session sid ends (Linux's disassociate_ctty): if ld is that session's
 * controlling terminal it forgets the session and its foreground group, whose number is
 * returned (0: none) for the caller to send SIGHUP. Takes ld->lock: callable with other spin
 * locks held (the process table's, which keeps ld from going away). */
int ldisc_leave_session(struct ldisc *ld, int sid);

#endif /* MOTE_FS_LDISC_IOCTL_H */
