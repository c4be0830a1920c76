/* ldisc.h: the terminal line discipline (Linux's N_TTY): termios, the input queue with
 * canonical line editing, echo, output processing, window size, the terminal ioctls, and the
 * controlling-terminal state (the foreground group and session, reached through
 * fs/tty_hooks.h). The ioctls are fs/ldisc_ioctl.h's.
 *
 * A terminal driver (fs/pty.c) embeds a struct ldisc, gives it a sink for the terminal's
 * output (struct ldisc_ops) and feeds it input with ldisc_receive. Programs read the input
 * (ldisc_read) and write output (ldisc_write) through the driver's file_ops. ld->lock guards
 * the ldisc and may guard the driver's own state too (the pty's master queue); the ops are
 * called with it held and must not sleep.
 */
#ifndef MOTE_FS_LDISC_H
#define MOTE_FS_LDISC_H

#include "lib/types.h"
#include "lib/spinlock.h"
#include "core/sched/wait.h"
#include "fs/pollq.h"

struct file;
struct ldisc;

#define LDISC_BUF 4096 /* the input queue, as N_TTY_BUF_SIZE: a line holds up to 4095 bytes */
#define LDISC_NCCS 19

/* struct termios as TCGETS/TCSETS move it (Linux's kernel layout), and termios2's speeds. */
struct ldisc_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LDISC_NCCS];
	uint32_t c_ispeed, c_ospeed; /* TCGETS2/TCSETS2 only */
};

struct ldisc_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* Where the terminal's output goes (echoes and what programs write), and what the driver
 * learns of its reader. Called with ld->lock held; must not sleep. */
struct ldisc_ops {
	/* Bytes the sink takes now. */
	size_t (*room)(struct ldisc *ld);
	/* Take n <= room(ld) bytes (and wake whoever reads them). */
	void (*put)(struct ldisc *ld, const uint8_t *buf, size_t n);
	/* Input was consumed or flushed: the feeder may write again. */
	void (*input_room)(struct ldisc *ld);
	/* The terminal is hung up (the pty master closed): reads end (0), writes fail (-EIO). */
	bool (*hungup)(struct ldisc *ld);
};

struct ldisc {
	struct spinlock lock;
	const struct ldisc_ops *ops;
	void *priv; /* the driver's */
	struct ldisc_termios termios;
	struct ldisc_winsize winsize;
	/* Process group in the foreground and session of which this is the controlling
	 * terminal (0: none), kept here for the hooks below and TIOCGPGRP/TIOCGSID. */
	int pgrp, sid;
	/* The input queue: bytes [read_tail, read_head) wait; those before canon_head are
	 * complete lines (canonical mode). eol marks a line's last byte (the NUL that stands for
	 * an end-of-file character is not returned). Counters run free; index with LDISC_BUF-1. */
	uint8_t buf[LDISC_BUF];
	uint8_t eol[LDISC_BUF / 8];
	uint32_t read_tail, canon_head, read_head;
	uint32_t column, canon_column; /* the output column (tabs, erase), where the line began */
	bool lnext;		       /* the next byte is taken literally (VLNEXT) */
	bool stopped;		       /* output stopped by VSTOP (IXON) until VSTART */
	struct waitq rq, wq;	       /* readers of input, writers waiting for the sink */
	struct pollq pq;	       /* pollers of the terminal side */
};

/* Set ld up with Linux's defaults for a pty slave (tty_std_termios: ICRNL IXON, OPOST ONLCR,
 * B38400 CS8 CREAD, ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN; a 0x0 window). */
void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops, void *priv);

/*
 * Input arriving (the pty master's writes), ld->lock held: up to n bytes from buf go through
 * the input modes (ISTRIP, IGNCR, ICRNL, INLCR, IXON, IXANY), ISIG's characters, canonical
 * editing (VERASE, VKILL, VWERASE, VLNEXT, VREPRINT, VEOF, VEOL, VEOL2) and echo. Returns how
 * many were consumed: fewer than n when the queue is full (the feeder waits for input_room).
 * *sig is set to the signal a VINTR/VQUIT/VSUSP asks for (0: none): the caller sends it with
 * ldisc_signal (fs/ldisc_ioctl.h) once it has dropped the lock.
 */
size_t ldisc_receive(struct ldisc *ld, const uint8_t *buf, size_t n, int *sig);
/*
 * A program reads the input (ubuf, n bytes): canonical mode returns at most one line (0 at
 * VEOF on an empty line); otherwise VMIN and VTIME decide, as on Linux. Sleeps unless
 * nonblock (-EAGAIN then); -EINTR on a signal; 0 once hung up; -EFAULT.
 */
ssize_t ldisc_read(struct ldisc *ld, void *ubuf, size_t n, bool nonblock);
/* A program writes output: through OPOST's processing (ONLCR, OCRNL, ONOCR, ONLRET, XTABS,
 * OLCUC) into the sink, sleeping for room unless nonblock. Bytes written, -EAGAIN, -EINTR,
 * -EIO (hung up), -EFAULT. */
ssize_t ldisc_write(struct ldisc *ld, const void *ubuf, size_t n, bool nonblock);
/* POLLIN (input a read would return now) | POLLOUT (room in the sink). ld->lock held. */
uint32_t ldisc_poll_events(struct ldisc *ld);
/* Discard the input queue (TCIFLUSH, TCSETSF). ld->lock held. */
void ldisc_flush_input(struct ldisc *ld);
/* Wake everyone sleeping on or polling the terminal side (hang-up, the peer gone). */
void ldisc_wake_all(struct ldisc *ld);

/* Take t as the termios (ICANON switched: the queue as n_tty keeps it; the character size
 * stays CS8 and CREAD, as a pty's). ld->lock held. */
void ldisc_set_termios(struct ldisc *ld, const struct ldisc_termios *t);
/* FIONREAD: bytes a read would see (canonical: the whole lines, less VEOF's). ld->lock held. */
uint32_t ldisc_inq(struct ldisc *ld);

#endif /* MOTE_FS_LDISC_H */
