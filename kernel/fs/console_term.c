/* console_term.c: the console as a real terminal (console_term.h): a line discipline between
 * the UART's input and the host's stdout, fed and drained by a kernel thread. */
#include "fs/console_term.h"
#include "fs/ldisc.h"
#include "fs/ldisc_ioctl.h"
#include "fs/termios.h"
#include "fs/file.h"
#include "drivers/uart.h"
#include "drivers/virtio/console.h"
#include "core/cmdline.h"
#include "core/sched/sync.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "lib/string.h"

/* The ldisc's output (echoes, programs' writes after OPOST) waiting for the thread or a
 * writer to send it: ring[tail..head), guarded by ld->lock. */
#define RING 16384
static uint8_t ring[RING];
static uint32_t ring_head, ring_tail;
static struct ldisc *term;

/* The thread sleeps until kicked: input arrived, output was queued, the queue has room. */
static struct spinlock kick_lock = SPINLOCK_INIT;
static struct waitq kick_wq = WAITQ_INIT(kick_wq);
static bool kicked;

/* One drain at a time, so that the output leaves in the order it was queued. */
static struct mutex drain_lock = MUTEX_INIT(drain_lock);

void console_term_kick(void)
{
	uint64_t fl = spin_lock(&kick_lock);

	kicked = true;
	waitq_wake_all(&kick_wq);
	spin_unlock(&kick_lock, fl);
}

static size_t ring_room(struct ldisc *ld)
{
	return RING - (ring_head - ring_tail);
}

static void ring_put(struct ldisc *ld, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ring[ring_head++ % RING] = buf[i];
	console_term_kick();
}

static void input_room(struct ldisc *ld)
{
	console_term_kick();
}

static bool never_hungup(struct ldisc *ld)
{
	return false;
}

static const struct ldisc_ops term_ops = {
	.room = ring_room,
	.put = ring_put,
	.input_room = input_room,
	.hungup = never_hungup,
};

bool console_term_on(void)
{
	return READ_ONCE(term) != NULL;
}

void console_term_flush(void)
{
	static char chunk[RING]; /* in the kernel image: physically contiguous */
	struct ldisc *ld = term;

	if (!ld)
		return;
	mutex_lock(&drain_lock);
	for (;;) {
		uint64_t fl = spin_lock(&ld->lock);
		size_t n = 0;

		while (ring_tail != ring_head && n < sizeof(chunk))
			chunk[n++] = (char)ring[ring_tail++ % RING];
		if (n) {
			waitq_wake_all(&ld->wq);
			pollq_wake(&ld->pq, POLLOUT | POLLWRNORM);
		}
		spin_unlock(&ld->lock, fl);
		if (!n)
			break;
		tty_out(UART_STDOUT, chunk, n);
	}
	mutex_unlock(&drain_lock);
}

/* Input taken from the UART that the ldisc has not consumed yet (its queue was full). */
static uint8_t pending[256];
static size_t pending_at, pending_len;
static bool input_ended;

/* Feed the UART's input to the ldisc until there is none or the ldisc's queue is full. The
 * end of the host's input is a VEOF typed in canonical mode (a read returns 0), as a
 * terminal's ^D. */
static void feed_input(struct ldisc *ld)
{
	for (;;) {
		uint64_t fl;
		size_t used;
		int sig;

		if (pending_at == pending_len) {
			long k = input_ended
					 ? -EAGAIN
					 : uart_read((char *)pending, sizeof(pending), true, NULL);

			if (k == 0) {
				input_ended = true;
				fl = spin_lock(&ld->lock);
				pending[0] = ld->termios.c_cc[VEOF];
				k = (ld->termios.c_lflag & ICANON) && pending[0] ? 1 : -EAGAIN;
				spin_unlock(&ld->lock, fl);
			}
			if (k < 0)
				return;
			pending_at = 0;
			pending_len = (size_t)k;
		}
		fl = spin_lock(&ld->lock);
		used = ldisc_receive(ld, pending + pending_at, pending_len - pending_at, &sig);
		spin_unlock(&ld->lock, fl);
		pending_at += used;
		if (sig) {
			console_term_flush(); /* its echo first: the signal may end the VM */
			ldisc_signal(ld, sig);
		}
		if (!used)
			return; /* full: input_room kicks us */
	}
}

/* The host's terminal changed its size (the virtio console says so): the console's too. */
static void resize(struct ldisc *ld)
{
	struct ldisc_winsize ws = { 0 };

	if (virtio_console_winsize(&ws.ws_row, &ws.ws_col))
		ldisc_resize(ld, &ws);
}

static void term_thread(void *arg)
{
	struct ldisc *ld = arg;

	for (;;) {
		uint64_t fl = spin_lock(&kick_lock);

		while (!kicked)
			(void)waitq_sleep(&kick_wq, &kick_lock, 0);
		kicked = false;
		spin_unlock(&kick_lock, fl);
		feed_input(ld);
		console_term_flush();
		resize(ld);
	}
}

int console_term_start(struct ldisc *ld, uint16_t rows, uint16_t cols)
{
	struct thread *t = thread_create("console", term_thread, ld, THREAD_ANY_CPU);
	uint64_t fl;

	if (!t)
		return -ENOMEM; /* (it sleeps until the first kick, after the ops below) */
	thread_detach(t);
	fl = spin_lock(&ld->lock);
	ld->ops = &term_ops;
	if (cmdline.console_termios_set) {
		ld->termios.c_iflag = cmdline.console_iflag;
		ld->termios.c_oflag = cmdline.console_oflag;
		ld->termios.c_lflag = cmdline.console_lflag;
		memcpy(ld->termios.c_cc, cmdline.console_cc, sizeof(ld->termios.c_cc));
	}
	ld->winsize.ws_row = rows;
	ld->winsize.ws_col = cols;
	spin_unlock(&ld->lock, fl);
	__atomic_store_n(&term, ld, __ATOMIC_RELEASE);
	console_term_kick(); /* input that came before */
	return 0;
}
