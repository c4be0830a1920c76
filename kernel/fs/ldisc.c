/* ldisc.c: the terminal line discipline, after Linux's n_tty.c: input modes, canonical line
 * editing and echo into an input queue, output processing into the driver's sink, reads with
 * VMIN/VTIME. The ioctls are fs/ldisc_ioctl.c. */
#include "fs/ldisc.h"
#include "fs/ldisc_ioctl.h"
#include "fs/termios.h"
#include "fs/file.h"
#include "core/time.h"
#include "core/uaccess.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SIGINT 2
#define SIGQUIT 3
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22

#define MASK(i) ((i) & (LDISC_BUF - 1))

static const struct ldisc_termios std_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = 0xf | CS8 | CREAD, /* B38400 */
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.c_cc = { 3, 034, 0177, 025, 4, 0, 1, 0, 021, 023, 032, 0, 022, 017, 027, 026, 0 },
	.c_ispeed = 38400,
	.c_ospeed = 38400,
};

void ldisc_init(struct ldisc *ld, const struct ldisc_ops *ops, void *priv)
{
	memset(ld, 0, sizeof(*ld));
	spin_init(&ld->lock);
	ld->ops = ops;
	ld->priv = priv;
	ld->termios = std_termios;
	waitq_init(&ld->rq);
	waitq_init(&ld->wq);
	pollq_init(&ld->pq);
}

static bool is_cntrl(uint8_t c)
{
	return c < 32 || c == 127;
}

static bool is_continuation(struct ldisc *ld, uint8_t c)
{
	return I(ld, IUTF8) && (c & 0xc0) == 0x80;
}

static bool canonical(struct ldisc *ld)
{
	return L(ld, ICANON);
}

static uint32_t queued(struct ldisc *ld)
{
	return ld->read_head - ld->read_tail;
}

static bool is_eol(struct ldisc *ld, uint32_t i)
{
	return ld->eol[MASK(i) / 8] & (1u << (i % 8));
}

static void set_eol(struct ldisc *ld, uint32_t i, bool on)
{
	if (on)
		ld->eol[MASK(i) / 8] |= (uint8_t)(1u << (i % 8));
	else
		ld->eol[MASK(i) / 8] &= (uint8_t) ~(1u << (i % 8));
}

/* --- output: OPOST processing into the sink (do_output_char) --- */

static void sink(struct ldisc *ld, const void *b, size_t n)
{
	ld->ops->put(ld, b, n);
}

/* Write c as OPOST makes it; false (nothing written) when the sink lacks the room. */
static bool out_char(struct ldisc *ld, uint8_t c)
{
	size_t room = ld->ops->room(ld);
	uint32_t spaces;

	if (!room)
		return false;
	if (!O(ld, OPOST)) {
		sink(ld, &c, 1);
		return true;
	}
	switch (c) {
	case '\n':
		if (O(ld, ONLRET))
			ld->column = 0;
		if (O(ld, ONLCR)) {
			if (room < 2)
				return false;
			ld->canon_column = ld->column = 0;
			sink(ld, "\r\n", 2);
			return true;
		}
		ld->canon_column = ld->column;
		break;
	case '\r':
		if (O(ld, ONOCR) && ld->column == 0)
			return true;
		if (O(ld, OCRNL)) {
			c = '\n';
			if (O(ld, ONLRET))
				ld->canon_column = ld->column = 0;
			break;
		}
		ld->canon_column = ld->column = 0;
		break;
	case '\t':
		spaces = 8 - (ld->column & 7);
		if (O(ld, TABDLY) == XTABS) {
			if (room < spaces)
				return false;
			ld->column += spaces;
			sink(ld, "        ", spaces);
			return true;
		}
		ld->column += spaces;
		break;
	case '\b':
		if (ld->column > 0)
			ld->column--;
		break;
	default:
		if (!is_cntrl(c)) {
			if (O(ld, OLCUC) && c >= 'a' && c <= 'z')
				c = (uint8_t)(c - 'a' + 'A');
			if (!is_continuation(ld, c))
				ld->column++;
		}
		break;
	}
	sink(ld, &c, 1);
	return true;
}

/* --- echo (echo_char, echo_char_raw): an echo that does not fit is dropped --- */

static void echo_raw(struct ldisc *ld, uint8_t c)
{
	(void)out_char(ld, c);
}

/* c echoed; a control character other than tab as ^X under ECHOCTL. */
static void echo(struct ldisc *ld, uint8_t c)
{
	if (L(ld, ECHOCTL) && is_cntrl(c) && c != '\t') {
		uint8_t two[2] = { '^', (uint8_t)(c ^ 0100) };

		if (ld->ops->room(ld) >= 2) {
			sink(ld, two, 2);
			ld->column += 2;
		}
		return;
	}
	echo_raw(ld, c);
}

static void echo_rubout(struct ldisc *ld)
{
	echo_raw(ld, '\b');
	echo_raw(ld, ' ');
	echo_raw(ld, '\b');
}

/* Back over a tab: to the column the line had before it (replayed from the line's start). */
static void echo_erase_tab(struct ldisc *ld)
{
	uint32_t col = ld->canon_column;

	for (uint32_t i = ld->canon_head; i != ld->read_head; i++) {
		uint8_t c = ld->buf[MASK(i)];

		if (c == '\t')
			col = (col | 7) + 1;
		else if (is_cntrl(c))
			col += L(ld, ECHOCTL) ? 2 : 0;
		else if (!is_continuation(ld, c))
			col++;
	}
	while (ld->column > col) {
		echo_raw(ld, '\b');
	}
}

/* --- canonical editing (eraser) --- */

enum kill_type { ERASE, WERASE, KILL };

static void eraser(struct ldisc *ld, uint8_t c)
{
	enum kill_type kind;
	int seen_alnums = 0;

	if (ld->read_head == ld->canon_head)
		return;
	if (c == CC(ld, VERASE)) {
		kind = ERASE;
	} else if (c == CC(ld, VWERASE)) {
		kind = WERASE;
	} else {
		if (!L(ld, ECHO)) {
			ld->read_head = ld->canon_head;
			return;
		}
		if (!L(ld, ECHOK) || !L(ld, ECHOKE) || !L(ld, ECHOE)) {
			ld->read_head = ld->canon_head;
			echo(ld, CC(ld, VKILL));
			if (L(ld, ECHOK))
				echo_raw(ld, '\n');
			return;
		}
		kind = KILL;
	}
	while (ld->read_head != ld->canon_head) {
		uint32_t head = ld->read_head;

		do { /* one character, however many bytes */
			head--;
			c = ld->buf[MASK(head)];
		} while (is_continuation(ld, c) && head != ld->canon_head);
		if (is_continuation(ld, c))
			break;
		if (kind == WERASE) {
			bool alnum =
				(c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');

			if (alnum || c == '_')
				seen_alnums++;
			else if (seen_alnums)
				break;
		}
		ld->read_head = head;
		if (L(ld, ECHO)) {
			if (kind == ERASE && !L(ld, ECHOE)) {
				echo(ld, CC(ld, VERASE));
			} else if (c == '\t') {
				echo_erase_tab(ld);
			} else {
				if (is_cntrl(c) && L(ld, ECHOCTL))
					echo_rubout(ld);
				if (!is_cntrl(c) || L(ld, ECHOCTL))
					echo_rubout(ld);
			}
		}
		if (kind == ERASE)
			break;
	}
}

/* --- input --- */

static void wake_readers(struct ldisc *ld)
{
	waitq_wake_all(&ld->rq);
	pollq_wake(&ld->pq, POLLIN | POLLRDNORM);
}

static void put_queue(struct ldisc *ld, uint8_t c)
{
	ld->buf[MASK(ld->read_head)] = c;
	set_eol(ld, ld->read_head, false);
	ld->read_head++;
}

/* A line ends with c (stored, marked; a NUL for VEOF, which a read drops). */
static void end_line(struct ldisc *ld, uint8_t c)
{
	set_eol(ld, ld->read_head, true);
	ld->buf[MASK(ld->read_head)] = c;
	ld->read_head++;
	ld->canon_head = ld->read_head;
	wake_readers(ld);
}

/* The characters with a meaning besides being data (n_tty's char_map). */
static bool special(struct ldisc *ld, uint8_t c)
{
	bool r = false;

	if (c == '\r' && I(ld, IGNCR | ICRNL))
		r = true;
	if (c == '\n' && I(ld, INLCR))
		r = true;
	if (L(ld, ICANON)) {
		r |= c == CC(ld, VERASE) || c == CC(ld, VKILL) || c == CC(ld, VEOF) || c == '\n' ||
		     c == CC(ld, VEOL);
		if (L(ld, IEXTEN))
			r |= c == CC(ld, VWERASE) || c == CC(ld, VLNEXT) || c == CC(ld, VEOL2) ||
			     (L(ld, ECHO) && c == CC(ld, VREPRINT));
	}
	if (I(ld, IXON))
		r |= c == CC(ld, VSTART) || c == CC(ld, VSTOP);
	if (L(ld, ISIG))
		r |= c == CC(ld, VINTR) || c == CC(ld, VQUIT) || c == CC(ld, VSUSP);
	return r && c != DISABLED;
}

/* An ordinary character (n_tty_receive_char); nl: a newline echoed as itself. */
static void receive_plain(struct ldisc *ld, uint8_t c, bool nl)
{
	if (L(ld, ECHO)) {
		if (ld->canon_head == ld->read_head)
			ld->canon_column = ld->column;
		if (nl)
			echo_raw(ld, c);
		else
			echo(ld, c);
	}
	put_queue(ld, c);
	if (!canonical(ld))
		wake_readers(ld);
}

/* VINTR, VQUIT, VSUSP: the signal, the queue flushed (unless NOFLSH), the character echoed. */
static void receive_signal(struct ldisc *ld, int signo, uint8_t c, int *sig)
{
	*sig = signo;
	if (!L(ld, NOFLSH))
		ldisc_flush_input(ld);
	ld->stopped = false;
	if (L(ld, ECHO))
		echo(ld, c);
}

/* A character in the char map (n_tty_receive_char_special). */
static void receive_special(struct ldisc *ld, uint8_t c, int *sig)
{
	if (I(ld, IXON) && (c == CC(ld, VSTART) || c == CC(ld, VSTOP))) {
		/* VSTART where both are the same character toggles */
		ld->stopped = c == CC(ld, VSTART) ? false : true;
		if (CC(ld, VSTART) == CC(ld, VSTOP))
			ld->stopped = !ld->stopped;
		if (!ld->stopped)
			waitq_wake_all(&ld->wq);
		return;
	}
	if (L(ld, ISIG)) {
		if (c == CC(ld, VINTR))
			return receive_signal(ld, SIGINT, c, sig);
		if (c == CC(ld, VQUIT))
			return receive_signal(ld, SIGQUIT, c, sig);
		if (c == CC(ld, VSUSP))
			return receive_signal(ld, SIGTSTP, c, sig);
	}
	if (ld->stopped && I(ld, IXON) && I(ld, IXANY)) {
		ld->stopped = false;
		waitq_wake_all(&ld->wq);
	}
	if (c == '\r') {
		if (I(ld, IGNCR))
			return;
		if (I(ld, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(ld, INLCR)) {
		c = '\r';
	}
	if (canonical(ld)) {
		if (c == CC(ld, VERASE) || c == CC(ld, VKILL) ||
		    (c == CC(ld, VWERASE) && L(ld, IEXTEN))) {
			eraser(ld, c);
			return;
		}
		if (c == CC(ld, VLNEXT) && L(ld, IEXTEN)) {
			ld->lnext = true;
			if (L(ld, ECHO) && L(ld, ECHOCTL)) {
				echo_raw(ld, '^');
				echo_raw(ld, '\b');
			}
			return;
		}
		if (c == CC(ld, VREPRINT) && L(ld, ECHO) && L(ld, IEXTEN)) {
			echo(ld, c);
			echo_raw(ld, '\n');
			for (uint32_t i = ld->canon_head; i != ld->read_head; i++)
				echo(ld, ld->buf[MASK(i)]);
			return;
		}
		if (c == '\n') {
			if (L(ld, ECHO) || L(ld, ECHONL))
				echo_raw(ld, '\n');
			end_line(ld, c);
			return;
		}
		if (c == CC(ld, VEOF)) {
			end_line(ld, DISABLED);
			return;
		}
		if (c == CC(ld, VEOL) || (c == CC(ld, VEOL2) && L(ld, IEXTEN))) {
			if (L(ld, ECHO)) {
				if (ld->canon_head == ld->read_head)
					ld->canon_column = ld->column;
				echo(ld, c);
			}
			end_line(ld, c);
			return;
		}
	}
	receive_plain(ld, c, c == '\n');
}

size_t ldisc_receive(struct ldisc *ld, const uint8_t *buf, size_t n, int *sig)
{
	size_t i;

	*sig = 0;
	for (i = 0; i < n && !*sig; i++) {
		uint8_t c = buf[i];

		/* One byte stays free for a line's end. A full queue makes the feeder wait, but
		 * one holding a part of a line only takes the characters that edit or end it
		 * (the rest is lost, as on Linux), or no line could ever end. */
		if (queued(ld) >= LDISC_BUF - 1 &&
		    (!canonical(ld) || ld->canon_head != ld->read_tail))
			break;
		if (I(ld, ISTRIP))
			c &= 0x7f;
		if (I(ld, IUCLC) && L(ld, IEXTEN) && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (queued(ld) >= LDISC_BUF - 1 && (ld->lnext || !special(ld, c)))
			continue;
		if (ld->lnext) {
			ld->lnext = false;
			receive_plain(ld, c, false);
		} else if (special(ld, c)) {
			receive_special(ld, c, sig);
		} else {
			receive_plain(ld, c, false);
		}
	}
	return i;
}

void ldisc_flush_input(struct ldisc *ld)
{
	ld->read_tail = ld->canon_head = ld->read_head = 0;
	memset(ld->eol, 0, sizeof(ld->eol));
	ld->lnext = false;
	ld->ops->input_room(ld);
}

/* --- reading --- */

/* Whether a read would return now (input_available_p); poll: as poll sees it (VMIN bytes
 * where VTIME is 0). */
static bool readable(struct ldisc *ld, bool poll)
{
	uint32_t amt = 1;

	if (canonical(ld))
		return ld->canon_head != ld->read_tail;
	if (poll && !CC(ld, VTIME) && CC(ld, VMIN))
		amt = CC(ld, VMIN);
	return queued(ld) >= amt;
}

/* Take up to n bytes of input into kbuf; *line_end: a canonical read's line is complete. */
static size_t take(struct ldisc *ld, uint8_t *kbuf, size_t n, bool *line_end)
{
	size_t k = 0;

	*line_end = false;
	if (!canonical(ld)) {
		while (k < n && ld->read_tail != ld->read_head)
			kbuf[k++] = ld->buf[MASK(ld->read_tail++)];
	} else {
		while (k < n && ld->read_tail != ld->canon_head) {
			uint32_t i = ld->read_tail++;
			uint8_t c = ld->buf[MASK(i)];

			if (is_eol(ld, i)) {
				set_eol(ld, i, false);
				*line_end = true;
				if (c != DISABLED)
					kbuf[k++] = c;
				break;
			}
			kbuf[k++] = c;
		}
	}
	ld->ops->input_room(ld);
	return k;
}

ssize_t ldisc_read(struct ldisc *ld, void *ubuf, size_t n, bool nonblock)
{
	uint8_t kbuf[256];
	size_t done = 0, minimum = 0;
	uint64_t deadline = 0, inter = 0, fl;
	int r = ldisc_job_control(ld, SIGTTIN); /* a background group's read */

	if (r)
		return r;
	fl = spin_lock(&ld->lock);
	if (!canonical(ld)) {
		uint64_t tenth = (uint64_t)CC(ld, VTIME) * 100000000ull;

		minimum = CC(ld, VMIN);
		if (minimum) {
			inter = tenth;
		} else {
			minimum = 1;
			deadline = time_ns() + tenth;
			if (!tenth)
				deadline = 1; /* already past: return what there is */
		}
	}
	minimum = MIN(minimum, n);
	while (n) {
		bool line_end;
		size_t k;

		if (ld->ops->hungup(ld))
			break;
		if (!readable(ld, false)) {
			if (done && done >= minimum)
				break;
			if (deadline && time_ns() >= deadline)
				break;
			if (nonblock) {
				r = -EAGAIN;
				break;
			}
			if (waitq_interrupted()) {
				r = -EINTR;
				break;
			}
			(void)waitq_sleep(&ld->rq, &ld->lock, deadline);
			continue;
		}
		k = take(ld, kbuf, MIN(n - done, sizeof(kbuf)), &line_end);
		spin_unlock(&ld->lock, fl);
		r = copy_to_user((char *)ubuf + done, kbuf, k);
		fl = spin_lock(&ld->lock);
		if (r)
			break; /* what was taken is lost, as a fault mid-read loses it on Linux */
		done += k;
		if (done == n || (canonical(ld) && line_end))
			break;
		if (canonical(ld) || readable(ld, false))
			continue;
		if (done >= minimum)
			break;
		if (inter)
			deadline = time_ns() + inter;
	}
	spin_unlock(&ld->lock, fl);
	return done ? (ssize_t)done : r;
}

/* --- writing --- */

ssize_t ldisc_write(struct ldisc *ld, const void *ubuf, size_t n, bool nonblock)
{
	uint8_t kbuf[256];
	size_t done = 0;
	uint64_t fl;
	int r = 0;
	bool tostop;

	fl = spin_lock(&ld->lock);
	tostop = L(ld, TOSTOP);
	spin_unlock(&ld->lock, fl);
	if (tostop && (r = ldisc_job_control(ld, SIGTTOU))) /* a background group's write */
		return r;
	while (done < n) {
		size_t k = MIN(n - done, sizeof(kbuf)), i = 0;

		if (copy_from_user(kbuf, (const char *)ubuf + done, k)) {
			r = -EFAULT;
			break;
		}
		fl = spin_lock(&ld->lock);
		while (i < k) {
			if (ld->ops->hungup(ld)) {
				r = -EIO;
				break;
			}
			while (i < k && !ld->stopped && out_char(ld, kbuf[i]))
				i++;
			if (i == k)
				break;
			if (nonblock) {
				r = -EAGAIN;
				break;
			}
			if (waitq_interrupted()) {
				r = -EINTR;
				break;
			}
			(void)waitq_sleep(&ld->wq, &ld->lock, 0);
		}
		spin_unlock(&ld->lock, fl);
		done += i;
		if (r)
			break;
	}
	return done ? (ssize_t)done : r;
}

uint32_t ldisc_poll_events(struct ldisc *ld)
{
	uint32_t ev = 0;

	if (readable(ld, true))
		ev |= POLLIN | POLLRDNORM;
	if (!ld->stopped && ld->ops->room(ld))
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

void ldisc_wake_all(struct ldisc *ld)
{
	waitq_wake_all(&ld->rq);
	waitq_wake_all(&ld->wq);
	pollq_wake(&ld->pq, POLLIN | POLLOUT | POLLHUP | POLLERR);
}

/* A change of ICANON keeps the queue: switching to canonical mode makes what waits one line,
 * to raw makes every byte readable (n_tty_set_termios). */
void ldisc_set_termios(struct ldisc *ld, const struct ldisc_termios *t)
{
	bool was = canonical(ld);

	ld->termios = *t;
	ld->termios.c_cflag = (ld->termios.c_cflag & ~(uint32_t)(CSIZE | PARENB)) | CS8 | CREAD;
	if (was == canonical(ld))
		return;
	memset(ld->eol, 0, sizeof(ld->eol));
	ld->lnext = false;
	if (canonical(ld) && queued(ld)) {
		set_eol(ld, ld->read_head - 1, true);
		ld->canon_head = ld->read_head;
	} else {
		ld->canon_head = ld->read_tail;
	}
	if (!canonical(ld) && !ld->stopped)
		waitq_wake_all(&ld->wq);
	if (readable(ld, false))
		wake_readers(ld);
}

uint32_t ldisc_inq(struct ldisc *ld)
{
	uint32_t n = 0;

	if (!canonical(ld))
		return queued(ld);
	for (uint32_t i = ld->read_tail; i != ld->canon_head; i++)
		n += !(is_eol(ld, i) && ld->buf[MASK(i)] == DISABLED);
	return n;
}
