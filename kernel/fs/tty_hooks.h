/* tty_hooks.h: what a terminal needs of the process model: process groups, sessions and the
 * controlling terminal, which live above fs/ (linux/).
 *
 * linux/ installs its implementation (linux/tty_proc.c) with tty_hooks_install at start, as it
 * installs fsctx's (fs/fsctx.h). Until it does, the defaults act for one process, the leader
 * of its own session and group: ids gives fsctx_pid() as its group and session and says it
 * leads, pgrp_session knows that one group, the controlling terminal is one pointer kept
 * here, hangup forgets it, signal_pgrp sends nothing and background says go on.
 *
 * The terminal (fs/ldisc.c) keeps its foreground group and session in struct ldisc (pgrp,
 * sid: 0 for none) and answers TIOCGPGRP, TIOCSPGRP, TIOCGSID, TIOCSCTTY and TIOCNOTTY with
 * Linux's checks from these. It calls signal_pgrp for VINTR (SIGINT), VQUIT (SIGQUIT), VSUSP
 * (SIGTSTP), a window-size change (SIGWINCH), TIOCSIG on a pty master, and TIOCNOTTY by a
 * session leader (SIGHUP then SIGCONT to the foreground group); hangup when a pty master
 * closes; background when a process outside the foreground group reads its controlling
 * terminal, or writes it under TOSTOP, or changes its settings (fs/ldisc_ioctl.h's
 * ldisc_job_control). None is called with a spin lock held; all but signal_pgrp run in the
 * calling thread's context (signal_pgrp may run in an interrupt handler's: the console's
 * VINTR).
 *
 * A process's controlling terminal (a struct ldisc pointer the process model keeps) stays
 * valid until hangup forgets it: a terminal that goes away hangs up first (fs/pty.c).
 */
#ifndef MOTE_FS_TTY_HOOKS_H
#define MOTE_FS_TTY_HOOKS_H

#include "lib/types.h"

struct ldisc;

struct tty_hooks {
	/* Send sig to every process of process group pgrp (> 0), from the kernel (SI_KERNEL). */
	void (*signal_pgrp)(int pgrp, int sig);
	/* The calling process's process group and session, and whether it leads the session. */
	void (*ids)(int *pgrp, int *sid, bool *leader);
	/* The session of process group pgrp, or -ESRCH when there is no such group. */
	int (*pgrp_session)(int pgrp);
	/* The calling process's controlling terminal (NULL: none). */
	struct ldisc *(*get_ctty)(void);
	/* Make ld the controlling terminal of the calling process's session (TIOCSCTTY), or
	 * (NULL) take the calling process's away (TIOCNOTTY; a session leader's: its whole
	 * session's). */
	void (*set_ctty)(struct ldisc *ld);
	/* ld hung up (its pty master closed) or is going away; sid: the session whose
	 * controlling terminal it was (0: none). Every process whose controlling terminal ld is
	 * loses it, and with sid, the session's leader gets SIGHUP then SIGCONT (Linux's
	 * tty_signal_session_leader). */
	void (*hangup)(struct ldisc *ld, int sid);
	/* The calling process, in a background group of its controlling terminal, would read
	 * it (sig SIGTTIN) or write it or change its settings (SIGTTOU) (Linux's
	 * __tty_check_change): 0 to go on (SIGTTOU ignored or blocked by the caller), -EIO
	 * (SIGTTIN ignored or blocked; an orphaned group), or -EINTR once sig went to the
	 * caller's group (the call restarts when the process goes on, as -ERESTARTSYS does). */
	int (*background)(int sig);
};

/* Install the process model's hooks (once, at start; h stays referenced). */
void tty_hooks_install(const struct tty_hooks *h);
/* The hooks in force: linux/'s, or the defaults above. */
const struct tty_hooks *tty_hooks(void);

#endif /* MOTE_FS_TTY_HOOKS_H */
