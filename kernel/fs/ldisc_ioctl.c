/* ldisc_ioctl.c: the terminal ioctls (termios, window size, flushes, flow control) and the
 * controlling-terminal ones, whose process side is fs/tty_hooks.h's. */
#include "fs/ldisc_ioctl.h"
#include "fs/ldisc.h"
#include "fs/termios.h"
#include "fs/tty_hooks.h"
#include "core/uaccess.h"
#include "lib/errno.h"
#include "lib/string.h"

#define TERMIOS_SIZE 36 /* struct termios without termios2's speeds */
#define TERMIOS2_SIZE 44

#define SIGHUP 1
#define SIGCONT 18
#define SIGTTOU 22
#define SIGWINCH 28

/* The speed c_cflag's CBAUD names (tty_termios_baud_rate). */
static uint32_t baud(uint32_t cflag)
{
	static const uint32_t low[] = { 0,   50,   75,	 110,  134,  150,  200,	  300,
					600, 1200, 1800, 2400, 4800, 9600, 19200, 38400 };
	static const uint32_t high[] = { 0,	  57600,   115200,  230400,  460800,  500000,
					 576000,  921600,  1000000, 1152000, 1500000, 2000000,
					 2500000, 3000000, 3500000, 4000000 };
	uint32_t b = cflag & CBAUD;

	return b & 0010000 ? high[b & 017] : low[b];
}

void ldisc_signal(struct ldisc *ld, int sig)
{
	uint64_t fl = spin_lock(&ld->lock);
	int pgrp = ld->pgrp;

	spin_unlock(&ld->lock, fl);
	if (sig && pgrp > 0)
		tty_hooks()->signal_pgrp(pgrp, sig);
}

void ldisc_hangup(struct ldisc *ld)
{
	uint64_t fl = spin_lock(&ld->lock);
	int sid = ld->sid;

	ld->sid = ld->pgrp = 0;
	spin_unlock(&ld->lock, fl);
	tty_hooks()->hangup(ld, sid);
}

int ldisc_job_control(struct ldisc *ld, int sig)
{
	const struct tty_hooks *h = tty_hooks();
	int pgrp, sid, fg;
	bool leader;
	uint64_t fl;

	if (h->get_ctty() != ld)
		return 0;
	h->ids(&pgrp, &sid, &leader);
	fl = spin_lock(&ld->lock);
	fg = ld->pgrp;
	spin_unlock(&ld->lock, fl);
	if (!fg || fg == pgrp)
		return 0;
	return h->background(sig);
}

int ldisc_leave_session(struct ldisc *ld, int sid)
{
	uint64_t fl = spin_lock(&ld->lock);
	int fg = 0;

	if (sid && ld->sid == sid) {
		fg = ld->pgrp;
		ld->sid = ld->pgrp = 0;
	}
	spin_unlock(&ld->lock, fl);
	return fg;
}

static long set_termios_ioctl(struct ldisc *ld, unsigned cmd, void *u)
{
	bool two = cmd == TCSETS2 || cmd == TCSETSW2 || cmd == TCSETSF2;
	struct ldisc_termios t;
	uint64_t fl;
	int r = ldisc_job_control(ld, SIGTTOU);

	if (r)
		return r;

	fl = spin_lock(&ld->lock);
	t = ld->termios;
	spin_unlock(&ld->lock, fl);
	if (copy_from_user(&t, u, two ? TERMIOS2_SIZE : TERMIOS_SIZE))
		return -EFAULT;
	if (!two)
		t.c_ispeed = t.c_ospeed = baud(t.c_cflag);
	/* TCSETSW's wait for the output to drain is none: a pty's output is in the master's
	 * queue as soon as it is written (Linux's pty has no chars_in_buffer either). */
	fl = spin_lock(&ld->lock);
	if (cmd == TCSETSF || cmd == TCSETSF2)
		ldisc_flush_input(ld);
	ldisc_set_termios(ld, &t);
	spin_unlock(&ld->lock, fl);
	return 0;
}

void ldisc_resize(struct ldisc *ld, const struct ldisc_winsize *ws)
{
	uint64_t fl = spin_lock(&ld->lock);
	bool changed = memcmp(ws, &ld->winsize, sizeof(*ws)) != 0;
	int pgrp = ld->pgrp;

	ld->winsize = *ws;
	spin_unlock(&ld->lock, fl);
	if (changed && pgrp > 0)
		tty_hooks()->signal_pgrp(pgrp, SIGWINCH);
}

static long set_winsize(struct ldisc *ld, void *u)
{
	struct ldisc_winsize ws;

	if (copy_from_user(&ws, u, sizeof(ws)))
		return -EFAULT;
	ldisc_resize(ld, &ws);
	return 0;
}

static long xonc(struct ldisc *ld, uint64_t arg)
{
	uint64_t fl;
	long r = ldisc_job_control(ld, SIGTTOU);

	if (r)
		return r;
	fl = spin_lock(&ld->lock);

	switch (arg) {
	case 0: /* TCOOFF */
		ld->stopped = true;
		break;
	case 1: /* TCOON */
		ld->stopped = false;
		waitq_wake_all(&ld->wq);
		break;
	case 2: /* TCIOFF: send VSTOP */
	case 3: /* TCION: send VSTART */
		if (CC(ld, arg == 2 ? VSTOP : VSTART) != DISABLED && ld->ops->room(ld))
			ld->ops->put(ld, &CC(ld, arg == 2 ? VSTOP : VSTART), 1);
		break;
	default:
		r = -EINVAL;
	}
	spin_unlock(&ld->lock, fl);
	return r;
}

/* TIOCSCTTY (tiocsctty): the caller, a session leader without one, makes ld its session's
 * controlling terminal, ld being nobody's. Taking it from another session (arg 1) is not
 * done: EPERM. */
static long set_ctty(struct ldisc *ld)
{
	const struct tty_hooks *h = tty_hooks();
	struct ldisc *cur = h->get_ctty();
	int pgrp, sid;
	bool leader;
	uint64_t fl;
	long r = 0;

	h->ids(&pgrp, &sid, &leader);
	if (leader && cur == ld && ld->sid == sid)
		return 0;
	if (!leader || cur)
		return -EPERM;
	fl = spin_lock(&ld->lock);
	if (ld->sid) {
		r = -EPERM;
	} else {
		ld->sid = sid;
		ld->pgrp = pgrp;
	}
	spin_unlock(&ld->lock, fl);
	if (r)
		return r;
	h->set_ctty(ld);
	/* A hang-up since ld took the session forgot every process's pointer to ld, maybe
	 * before the caller's was set: the caller gives it up again (ld may go away). */
	fl = spin_lock(&ld->lock);
	if (ld->sid != sid)
		r = -EIO;
	spin_unlock(&ld->lock, fl);
	if (r)
		h->set_ctty(NULL);
	return r;
}

/* TIOCNOTTY (no_tty): the caller gives its controlling terminal up; a session leader's
 * whole session does, its foreground group getting SIGHUP and SIGCONT. */
static long drop_ctty(struct ldisc *ld)
{
	const struct tty_hooks *h = tty_hooks();
	int pgrp, sid, fg;
	bool leader;
	uint64_t fl;

	if (h->get_ctty() != ld)
		return -ENOTTY;
	h->ids(&pgrp, &sid, &leader);
	if (leader) {
		fl = spin_lock(&ld->lock);
		fg = ld->pgrp;
		ld->sid = ld->pgrp = 0;
		spin_unlock(&ld->lock, fl);
		if (fg > 0) {
			h->signal_pgrp(fg, SIGHUP);
			h->signal_pgrp(fg, SIGCONT);
		}
	}
	h->set_ctty(NULL);
	return 0;
}

/* TIOCSPGRP (tiocspgrp): only from a process of the session ld controls, to a group of it. */
static long set_pgrp(struct ldisc *ld, int *u)
{
	const struct tty_hooks *h = tty_hooks();
	int pgrp, sid, want, s;
	bool leader;
	uint64_t fl;

	s = ldisc_job_control(ld, SIGTTOU);
	if (s)
		return s == -EIO ? -ENOTTY : s;
	h->ids(&pgrp, &sid, &leader);
	if (h->get_ctty() != ld || ld->sid != sid)
		return -ENOTTY;
	if (get_user(want, u))
		return -EFAULT;
	if (want < 0)
		return -EINVAL;
	s = h->pgrp_session(want);
	if (s < 0)
		return -ESRCH;
	if (s != sid)
		return -EPERM;
	fl = spin_lock(&ld->lock);
	ld->pgrp = want;
	spin_unlock(&ld->lock, fl);
	return 0;
}

long ldisc_ioctl(struct ldisc *ld, unsigned cmd, uint64_t arg, bool master)
{
	void *u = (void *)arg;
	struct ldisc_termios t;
	struct ldisc_winsize ws;
	uint64_t fl;
	int v;

	switch (cmd) {
	case TCGETS:
	case TCGETS2:
		fl = spin_lock(&ld->lock);
		t = ld->termios;
		spin_unlock(&ld->lock, fl);
		return copy_to_user(u, &t, cmd == TCGETS ? TERMIOS_SIZE : TERMIOS2_SIZE);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TCSETS2:
	case TCSETSW2:
	case TCSETSF2:
		return set_termios_ioctl(ld, cmd, u);
	case TIOCGWINSZ:
		fl = spin_lock(&ld->lock);
		ws = ld->winsize;
		spin_unlock(&ld->lock, fl);
		return copy_to_user(u, &ws, sizeof(ws));
	case TIOCSWINSZ:
		return set_winsize(ld, u);
	case FIONREAD:
		if (master)
			return -ENOTTY;
		fl = spin_lock(&ld->lock);
		v = (int)ldisc_inq(ld);
		spin_unlock(&ld->lock, fl);
		return put_user(v, (int *)u);
	case TCFLSH:
		if (master || arg > 2)
			return master ? -ENOTTY : -EINVAL;
		v = ldisc_job_control(ld, SIGTTOU);
		if (v)
			return v;
		if (arg != 1) { /* TCIFLUSH, TCIOFLUSH; a pty's output has nothing to flush */
			fl = spin_lock(&ld->lock);
			ldisc_flush_input(ld);
			spin_unlock(&ld->lock, fl);
		}
		return 0;
	case TIOCOUTQ:
	case TIOCGETD: /* N_TTY */
		return put_user(0, (int *)u);
	case TCSBRK:
	case TCSBRKP:
		return 0; /* tcdrain: nothing waits; a break is nothing on a pty */
	case TCXONC:
		return xonc(ld, arg);
	case TIOCSCTTY:
		return set_ctty(ld);
	case TIOCNOTTY:
		return master ? -ENOTTY : drop_ctty(ld);
	case TIOCGPGRP:
	case TIOCGSID:
		if (!master && tty_hooks()->get_ctty() != ld)
			return -ENOTTY;
		fl = spin_lock(&ld->lock);
		v = cmd == TIOCGPGRP ? ld->pgrp : ld->sid;
		spin_unlock(&ld->lock, fl);
		if (cmd == TIOCGSID && !v)
			return -ENOTTY;
		return put_user(v, (int *)u);
	case TIOCSPGRP:
		return set_pgrp(ld, (int *)u);
	default:
		return -ENOTTY;
	}
}
