/* terminal.c: mote's ends as terminals (terminal.h). */
#include "terminal.h"
#include "options.h"
#include "abi/mote_abi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define KERNEL_NCCS 19 /* the kernel's struct termios: c_cc's first 19, as glibc's are */

bool terminal_interactive(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

int terminal_image_extras(struct mote_opts *o)
{
	/* ncurses' compiled-in search path, in its order */
	static const char *const dirs[] = { "/etc/terminfo", "/lib/terminfo",
					    "/usr/share/terminfo" };
	static char env[160], add[2 * PATH_MAX + 2];
	const char *term = getenv("TERM");
	char path[PATH_MAX], real[PATH_MAX];

	if (!terminal_interactive() || !term || !*term || strchr(term, '/') || strlen(term) > 128)
		return 0;
	for (size_t i = 0; i < o->n_env; i++)
		if (!strncmp(o->env[i], "TERM=", 5))
			return 0;
	snprintf(env, sizeof(env), "TERM=%s", term);
	if (opts_add_env(o, env) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%c/%s", dirs[i], term[0], term);
		if (realpath(path, real)) {
			snprintf(add, sizeof(add), "%s:%s", real, path);
			return opts_add_file(o, add);
		}
	}
	return 0; /* no entry here: programs see a terminal they do not know, as natively */
}

void terminal_ttys_arg(char *out, size_t n)
{
	const int fds[3] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };
	const unsigned bits[3] = { MOTE_TTY_STDIN, MOTE_TTY_STDOUT, MOTE_TTY_STDERR };
	unsigned mask = 0;
	struct winsize ws = { 0 };
	bool have_ws = false;

	for (int i = 0; i < 3; i++) {
		if (!isatty(fds[i]))
			continue;
		mask |= bits[i];
		if (!have_ws && !ioctl(fds[i], TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col)
			have_ws = true;
	}
	if (have_ws)
		snprintf(out, n, "--console-ttys=%u,%ux%u ", mask, ws.ws_row, ws.ws_col);
	else
		snprintf(out, n, "--console-ttys=%u ", mask);
}

void terminal_termios_arg(char *out, size_t n)
{
	struct termios t;
	int k;

	if (!n)
		return;
	out[0] = '\0';
	if (!terminal_interactive() || tcgetattr(STDIN_FILENO, &t) < 0)
		return;
	k = snprintf(out, n, "--console-termios=%x,%x,%x,", (unsigned)t.c_iflag,
		     (unsigned)t.c_oflag, (unsigned)t.c_lflag);
	for (int i = 0; i < KERNEL_NCCS && k > 0 && (size_t)k < n; i++)
		k += snprintf(out + k, n - (size_t)k, "%02x", t.c_cc[i]);
	if (k > 0 && (size_t)k + 1 < n)
		snprintf(out + k, n - (size_t)k, " ");
	else
		out[0] = '\0'; /* too small: better nothing than half */
}

static struct termios saved;
static int saved_fd = -1;

void terminal_begin(void)
{
	struct termios t;

	if (saved_fd >= 0 || !terminal_interactive() || tcgetattr(STDOUT_FILENO, &saved) < 0)
		return;
	t = saved;
	t.c_oflag &= ~(tcflag_t)ONLCR;
	if (tcsetattr(STDOUT_FILENO, TCSANOW, &t) == 0)
		saved_fd = STDOUT_FILENO;
}

void terminal_restore(void)
{
	if (saved_fd < 0)
		return;
	tcsetattr(saved_fd, TCSADRAIN, &saved);
	saved_fd = -1;
}

static int ws_fd = -1;
static struct sigaction ws_old;

/* Decimal v at p; the end. (async-signal-safe, as snprintf is not) */
static char *put_num(char *p, unsigned v)
{
	char d[8];
	int k = 0;

	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < 8);
	while (k)
		*p++ = d[--k];
	return p;
}

static void on_winch(int sig)
{
	int saved_errno = errno;
	struct winsize ws;
	char line[16], *p = line;

	(void)sig;
	if (ws_fd >= 0 && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		p = put_num(p, ws.ws_row);
		*p++ = ' ';
		p = put_num(p, ws.ws_col);
		*p++ = '\n';
		(void)!write(ws_fd, line, (size_t)(p - line)); /* full: a later one will do */
	}
	errno = saved_errno;
}

int terminal_winsize_start(void)
{
	struct sigaction sa = { .sa_handler = on_winch, .sa_flags = SA_RESTART };
	int sv[2];

	if (ws_fd >= 0 || !terminal_interactive() || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	(void)fcntl(sv[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(sv[0], F_SETFL, O_NONBLOCK);
	ws_fd = sv[0];
	sigaction(SIGWINCH, &sa, &ws_old);
	return sv[1];
}

void terminal_winsize_stop(void)
{
	if (ws_fd < 0)
		return;
	sigaction(SIGWINCH, &ws_old, NULL);
	close(ws_fd);
	ws_fd = -1;
}
