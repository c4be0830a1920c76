/* tty.c: the console as a terminal. Raw unless the host's stdin and stdout are both
 * terminals: input is the UART's bytes as they come (a read returns what is there, sleeping
 * for the first byte), output goes out as written; the termios state is kept for
 * TCGETS/TCSETS and changes nothing but ISIG's characters and TOSTOP. With both ends
 * terminals, a line discipline does echo, line editing and output processing
 * (fs/console_term.h). The console is the first program's controlling terminal where it is a
 * terminal (tty.h). */
#include "core/sched/wait.h"
#include "fs/tty.h"
#include "fs/file.h"
#include "fs/console_term.h"
#include "fs/ldisc.h"
#include "fs/ldisc_ioctl.h"
#include "fs/pollq.h"
#include "fs/termios.h"
#include "drivers/uart.h"
#include "drivers/virtio/console.h"
#include "arch/x86_64/cpu.h"
#include "core/cmdline.h"
#include "abi/mote_abi.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "core/uaccess.h"

struct termios_k {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct winsize_k {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

static struct termios_k termios = {
	.c_iflag = 0x500,  /* ICRNL | IXON */
	.c_oflag = 0x5,	   /* OPOST | ONLCR */
	.c_cflag = 0xbf,   /* B38400 | CS8 | CREAD */
	.c_lflag = 0x8a3b, /* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN */
	.c_cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0 },
};
static struct winsize_k winsize = { 24, 80, 0, 0 };
static uint32_t host_ttys = MOTE_TTY_STDIN | MOTE_TTY_STDOUT | MOTE_TTY_STDERR;
static bool host_told; /* motevm or mote said which ends are terminals (and set them up) */
static struct pollq rx_pollq;
static bool pollq_ready;

#define SIGINT 2
#define SIGQUIT 3
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGWINCH 28

/* The console as a controlling terminal (tty.h): an ldisc for its session and foreground
 * group only; nothing goes through it, so its sink takes nothing. */
static struct ldisc console_ld;
static bool console_ld_ready;

static size_t no_room(struct ldisc *ld)
{
	return 0;
}

static void no_put(struct ldisc *ld, const uint8_t *buf, size_t n)
{
}

static void no_input_room(struct ldisc *ld)
{
}

static bool never_hungup(struct ldisc *ld)
{
	return false;
}

static const struct ldisc_ops console_ops = {
	.room = no_room,
	.put = no_put,
	.input_room = no_input_room,
	.hungup = never_hungup,
};

/* With stdin and stdout terminals, motevm and mote turn the host terminal's ONLCR off (the
 * console's line discipline does it): the kernel's own lines need their "\r\n". */
static void set_onlcr(void)
{
	uint32_t both = MOTE_TTY_STDIN | MOTE_TTY_STDOUT;

	host_told = true;
	uart_set_onlcr((host_ttys & both) == both);
}

/* What motevm says of its ends (MOTE_CPUID_CONSOLE), or the command line's --console-ttys
 * (mote's QEMU launch); without either, all three are the terminal. */
static void host_console(void)
{
	static bool done;
	uint32_t r[4];

	if (done)
		return;
	if (!(mote_features & MOTE_FEAT_CONSOLE_TTYS)) {
		if (cmdline.console_ttys_set) {
			host_ttys = cmdline.console_ttys;
			set_onlcr();
			if (cmdline.console_rows) {
				winsize.ws_row = cmdline.console_rows;
				winsize.ws_col = cmdline.console_cols;
			}
			done = true;
		}
		return;
	}
	arch_cpuid(MOTE_CPUID_CONSOLE, 0, r);
	host_ttys = r[0];
	set_onlcr();
	if (r[1] && r[2]) {
		winsize.ws_row = (uint16_t)r[1];
		winsize.ws_col = (uint16_t)r[2];
	}
	done = true;
}

/* Whether f is a terminal: a standard descriptor is one only if motevm's end is. */
static bool is_terminal(const struct file *f)
{
	host_console();
	if (f->priv == TTY_STDIN)
		return host_ttys & MOTE_TTY_STDIN;
	if (f->priv == TTY_STDOUT)
		return host_ttys & MOTE_TTY_STDOUT;
	if (f->priv == TTY_STDERR)
		return host_ttys & MOTE_TTY_STDERR;
	return true;
}

struct ldisc *tty_console_start(int sid)
{
	ldisc_init(&console_ld, &console_ops, NULL);
	__atomic_store_n(&console_ld_ready, true, __ATOMIC_RELEASE);
	host_console();
	if (!(host_ttys & (MOTE_TTY_STDIN | MOTE_TTY_STDOUT | MOTE_TTY_STDERR)))
		return NULL;
	console_ld.sid = console_ld.pgrp = sid;
	/* a real terminal only where the host's is set for it (motevm, mote: ISIG and ONLCR off),
	 * not on a terminal assumed (QEMU or Firecracker alone keep the host's own processing) */
	if (host_told && (host_ttys & MOTE_TTY_STDIN) && (host_ttys & MOTE_TTY_STDOUT) &&
	    console_term_start(&console_ld, winsize.ws_row, winsize.ws_col) < 0)
		printk(LOG_WARN, "console: no memory for its thread: not a real terminal\n");
	if (host_ttys & MOTE_TTY_STDIN)
		uart_input_start();
	return &console_ld;
}

int tty_rx_signal_char(uint8_t c)
{
	const uint8_t *cc = termios.c_cc;

	if (console_term_on()) /* (the line discipline has them) */
		return 0;
	if (!__atomic_load_n(&console_ld_ready, __ATOMIC_ACQUIRE) || !READ_ONCE(console_ld.pgrp) ||
	    !(host_ttys & MOTE_TTY_STDIN) || !(termios.c_lflag & ISIG) || c == DISABLED)
		return 0;
	if (c == cc[VINTR])
		return SIGINT;
	if (c == cc[VQUIT])
		return SIGQUIT;
	if (c == cc[VSUSP])
		return SIGTSTP;
	return 0;
}

void tty_rx_signal(int sig)
{
	ldisc_signal(&console_ld, sig);
}

void tty_rx_notify(void)
{
	if (console_term_on())
		console_term_kick();
	if (pollq_ready)
		pollq_wake(&rx_pollq, POLLIN);
}

/* Stdin through a virtio console port where it comes that way (straight into the user's
 * buffer, a whole receive buffer at a time), else from the UART. */
static bool virtio_stdin(const struct file *f)
{
	return f->priv == TTY_STDIN && virtio_console_has_input();
}

/* Job control on the console (a read: SIGTTIN, a change: SIGTTOU), when it is a terminal
 * and set up. 0 to go on, -EIO, -EINTR (ldisc_job_control). */
static int job_control(const struct file *f, int sig)
{
	if (!is_terminal(f) || !__atomic_load_n(&console_ld_ready, __ATOMIC_ACQUIRE))
		return 0;
	return ldisc_job_control(&console_ld, sig);
}

/* f goes through the line discipline: the console is a real terminal and f one of its ends */
static bool term_end(const struct file *f)
{
	return console_term_on() && is_terminal(f);
}

static ssize_t tty_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	char buf[256];
	long k;

	if (term_end(f))
		return ldisc_read(&console_ld, ubuf, n, f->flags & O_NONBLOCK);
	k = job_control(f, SIGTTIN);

	if (k)
		return k;
	if (virtio_stdin(f))
		return virtio_console_read(ubuf, n, f->flags & O_NONBLOCK, waitq_interrupted);
	k = uart_read(buf, MIN(n, sizeof(buf)), f->flags & O_NONBLOCK, waitq_interrupted);

	if (k <= 0)
		return k;
	if (copy_to_user(ubuf, buf, (size_t)k))
		return -EFAULT;
	return k;
}

/* Output goes out in pieces of up to 256 KiB through a virtio console (a notification and an
 * interrupt each: fewer round trips for a program's big writes), else of up to 64 KiB, one VM
 * exit each on motevm (console port). */
static char out_buf[256 * 1024];
static struct mutex out_buf_lock = MUTEX_INIT(out_buf_lock);
static struct mutex out_lock = MUTEX_INIT(out_lock); /* the device: tty_out */

void tty_out(int stream, const char *kbuf, size_t n)
{
	mutex_lock(&out_lock);
	/* through a virtio console where there is one (a buffer a notification): stderr on a
	 * port of its own where it has one, else in order with stdout on port 0 */
	if (virtio_console_write(stream == UART_STDERR, kbuf, n) < 0)
		for (size_t o = 0; o < n; o += MOTE_CONSOLE_MAX)
			console_write_stream(stream, kbuf + o,
					     MIN(n - o, (size_t)MOTE_CONSOLE_MAX));
	mutex_unlock(&out_lock);
}

static ssize_t tty_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	int stream = f->priv == TTY_STDERR ? UART_STDERR : UART_STDOUT;
	size_t done = 0;
	ssize_t r;

	if (term_end(f)) {
		r = ldisc_write(&console_ld, ubuf, n, f->flags & O_NONBLOCK);
		console_term_flush();
		return r;
	}
	r = READ_ONCE(termios.c_lflag) & TOSTOP ? job_control(f, SIGTTOU) : 0;
	if (r)
		return r;
	mutex_lock(&out_buf_lock);
	while (done < n) {
		size_t k = MIN(n - done, virtio_console_active() ? sizeof(out_buf)
								 : (size_t)MOTE_CONSOLE_MAX);

		if (copy_from_user(out_buf, (const char *)ubuf + done, k))
			break;
		tty_out(stream, out_buf, k);
		done += k;
	}
	mutex_unlock(&out_buf_lock);
	return done ? (ssize_t)done : -EFAULT;
}

static long set_winsize(void *u)
{
	struct winsize_k ws;

	if (copy_from_user(&ws, u, sizeof(ws)))
		return -EFAULT;
	if (memcmp(&ws, &winsize, sizeof(ws))) {
		winsize = ws;
		if (__atomic_load_n(&console_ld_ready, __ATOMIC_ACQUIRE))
			ldisc_signal(&console_ld, SIGWINCH);
	}
	return 0;
}

static long tty_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	void *u = (void *)arg;
	int zero = 0;
	long r;

	if (!is_terminal(f) && cmd != FIONREAD && cmd != FIONBIO)
		return -ENOTTY; /* what a pipe or a file says */
	if (term_end(f))
		return ldisc_ioctl(&console_ld, cmd, arg, false);
	switch (cmd) {
	case TCGETS:
		return copy_to_user(u, &termios, sizeof(termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		r = job_control(f, SIGTTOU);
		return r ? r : copy_from_user(&termios, u, sizeof(termios));
	case TIOCGWINSZ:
		return copy_to_user(u, &winsize, sizeof(winsize));
	case TIOCSWINSZ:
		return set_winsize(u);
	case TIOCGPGRP:
	case TIOCGSID:
	case TIOCSPGRP:
	case TIOCSCTTY:
	case TIOCNOTTY:
		if (!__atomic_load_n(&console_ld_ready, __ATOMIC_ACQUIRE))
			return -ENOTTY; /* (no program runs yet) */
		return ldisc_ioctl(&console_ld, cmd, arg, false);
	case TIOCOUTQ:
		return copy_to_user(u, &zero, sizeof(zero));
	case FIONREAD:
		return copy_to_user(u, &zero, sizeof(zero));
	default:
		return -ENOTTY;
	}
}

static uint32_t tty_poll(struct file *f, struct pollq **pq)
{
	if (!pollq_ready) {
		pollq_init(&rx_pollq);
		pollq_ready = true;
	}
	if (term_end(f)) {
		uint64_t fl = spin_lock(&console_ld.lock);
		uint32_t ev = ldisc_poll_events(&console_ld);

		spin_unlock(&console_ld.lock, fl);
		if (pq)
			*pq = &console_ld.pq;
		return ev;
	}
	if (pq)
		*pq = &rx_pollq;
	if (virtio_stdin(f))
		return POLLOUT | POLLWRNORM |
		       (virtio_console_rx_pending() ? POLLIN | POLLRDNORM : 0);
	return POLLOUT | POLLWRNORM | (uart_rx_pending() ? POLLIN | POLLRDNORM : 0);
}

const struct file_ops tty_fops = {
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};
