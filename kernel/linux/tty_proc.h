/* tty_proc.h: the process side of terminals: fs/tty_hooks.h's hooks (process groups and
 * sessions for the line discipline's job control) and each process's controlling terminal.
 *
 * A process's controlling terminal is struct process's ctty, under the process table's lock:
 * fork copies it, setsid drops it, a session leader's TIOCSCTTY sets it (for the leader; its
 * children inherit it) and its TIOCNOTTY drops it for the whole session, a hang-up drops it
 * everywhere (before the terminal can go away), and a session leader's end takes it from its
 * session, the terminal's foreground group getting SIGHUP (Linux's disassociate_ctty).
 */
#ifndef MOTE_LINUX_TTY_PROC_H
#define MOTE_LINUX_TTY_PROC_H

struct process;

/* Install the hooks, and make the console pid 1's controlling terminal where it is a
 * terminal (fs/tty.h's tty_console_start): once, as pid 1 starts. */
void tty_proc_init(void);
/* p's last thread is leaving (process_exit_last; no lock held): if p leads its session, its
 * session loses its controlling terminal, whose foreground group gets SIGHUP. */
void tty_proc_exit(struct process *p);

#endif /* MOTE_LINUX_TTY_PROC_H */
