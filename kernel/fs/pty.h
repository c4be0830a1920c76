/* pty.h: Unix 98 pseudo-terminals. Each open of /dev/ptmx (5:2) makes a pair: the master is
 * the file that open returns, the slave is /dev/pts/N (136:N, fs/devpts.h), a terminal with
 * the line discipline of fs/ldisc.h. What the master writes is the slave's input; what the
 * slave writes (and echoes) the master reads.
 *
 * As on Linux: the slave is locked until TIOCSPTLCK 0 (unlockpt) and opening it before
 * gives EIO; TIOCGPTN gives N (ptsname), TIOCGPTPEER opens the slave from the master;
 * termios and window-size ioctls on either side are the slave's. When the master closes, the
 * slave hangs up (reads give 0, writes and ioctls EIO, poll POLLHUP, /dev/pts/N goes away);
 * once every slave file that was opened is closed, the master's reads give EIO (after what
 * is queued) and its poll POLLHUP, until a slave is opened again.
 */
#ifndef MOTE_FS_PTY_H
#define MOTE_FS_PTY_H

#include "lib/types.h"

#define PTY_MAX 256	    /* pairs at a time: /dev/pts/0 to 255 */
#define PTY_SLAVE_MAJOR 136 /* Unix 98 pty slaves */

/* Register /dev/ptmx's device (5:2) and the slaves' (136:0-255). A failure ends the VM. */
void pty_init(void);
/* The smallest N >= from whose slave node /dev/pts/N exists (its master is open), or -1. */
int pty_next(int from);
/* Whether /dev/pts/N exists; its owner then (the ids of who opened the master). */
bool pty_node(int n, uint32_t *uid, uint32_t *gid);

#endif /* MOTE_FS_PTY_H */
