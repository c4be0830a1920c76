/* pty.c: pseudo-terminals in one process: posix_openpt, grantpt, unlockpt, ptsname, the devpts
 * nodes, data both ways through the line discipline (canonical editing, echo, VEOF, input and
 * output modes, raw mode with VMIN/VTIME), window size, FIONREAD, TCFLSH, poll and epoll,
 * non-blocking reads, the controlling-terminal ioctls, and the hang-ups when either side
 * closes. Linux hands a master's writes to the slave's line discipline from a work queue, so
 * every expected arrival is waited for with poll, and an absence is a poll that times out. */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#define WAIT_MS 3000 /* for what must come */
#define QUIET_MS 300 /* for what must not */

/* buf as C escapes, for the report. */
static const char *esc(const char *buf, ssize_t n)
{
	static char out[4][512];
	static int which;
	char *o = out[which++ % 4], *p = o;

	for (ssize_t i = 0; i < n && p < o + sizeof(out[0]) - 5; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n')
			p += sprintf(p, "\\n");
		else if (c == '\r')
			p += sprintf(p, "\\r");
		else if (c == '\b')
			p += sprintf(p, "\\b");
		else if (c < 32 || c >= 127)
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = (char)c;
	}
	*p = 0;
	return o;
}

static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Read until want bytes came (or nothing more within WAIT_MS); returns them escaped. */
static const char *read_n(int fd, size_t want)
{
	char buf[512];
	size_t got = 0;

	while (got < want && got < sizeof(buf) && readable(fd, WAIT_MS)) {
		ssize_t k = read(fd, buf + got, sizeof(buf) - got);

		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return esc(buf, (ssize_t)got);
}

/* One read() of the slave after its input arrived: a canonical read gives one line. */
static const char *read_once(int fd)
{
	char buf[512];
	ssize_t k;

	if (!readable(fd, WAIT_MS))
		return "(nothing)";
	k = read(fd, buf, sizeof(buf));
	return k < 0 ? "(error)" : esc(buf, k);
}

static void put(int fd, const char *s)
{
	ssize_t n = (ssize_t)strlen(s);

	if (write(fd, s, (size_t)n) != n)
		printf("FAIL write %s: %s\n", esc(s, n), strerror(errno));
}

static void set_lflag(int s, tcflag_t on, tcflag_t off)
{
	struct termios t;

	tcgetattr(s, &t);
	t.c_lflag = (t.c_lflag | on) & ~off;
	tcsetattr(s, TCSANOW, &t);
}

static void set_iflag(int s, tcflag_t on, tcflag_t off)
{
	struct termios t;

	tcgetattr(s, &t);
	t.c_iflag = (t.c_iflag | on) & ~off;
	tcsetattr(s, TCSANOW, &t);
}

static int mounted_devpts(void)
{
	char line[512];
	FILE *f = fopen("/proc/mounts", "r");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " /dev/pts devpts "))
			found = 1;
	fclose(f);
	return found;
}

static int listed(const char *name)
{
	DIR *d = opendir("/dev/pts");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, name))
			found = 1;
	closedir(d);
	return found;
}

static void open_close(void)
{
	char name[64], num[16];
	struct stat st, st2;
	struct statfs sf;
	int m, s, n = -1, lock = -1;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(m >= 0, "posix_openpt");
	CHECK_EQ(grantpt(m), 0, "grantpt");
	CHECK_EQ(ioctl(m, TIOCGPTN, &n), 0, "TIOCGPTN");
	snprintf(name, sizeof(name), "/dev/pts/%d", n);
	snprintf(num, sizeof(num), "%d", n);
	CHECK_EQ(ioctl(m, TIOCGPTLCK, &lock), 0, "TIOCGPTLCK");
	CHECK_EQ(lock, 1, "a new slave is locked");
	CHECK_ERR(open(name, O_RDWR | O_NOCTTY), EIO, "opening a locked slave");
	CHECK_EQ(unlockpt(m), 0, "unlockpt");
	CHECK_EQ(ioctl(m, TIOCGPTLCK, &lock) == 0 && lock == 0, 1, "unlocked");
	CHECK_STR(ptsname(m), name, "ptsname is /dev/pts/ and TIOCGPTN's number");
	CHECK(stat(name, &st) == 0 && S_ISCHR(st.st_mode), "the slave node is a character device");
	CHECK_EQ(major(st.st_rdev), 136, "its major");
	CHECK_EQ(minor(st.st_rdev), n, "its minor is the pty's number");
	CHECK(fstat(m, &st2) == 0 && S_ISCHR(st2.st_mode), "fstat of the master");
	CHECK_EQ(st2.st_rdev, makedev(5, 2), "the master is ptmx's device, 5:2");
	CHECK(stat("/dev/ptmx", &st2) == 0 && st2.st_rdev == makedev(5, 2), "/dev/ptmx is 5:2");
	CHECK(stat("/dev/pts/ptmx", &st2) == 0 && st2.st_rdev == makedev(5, 2),
	      "/dev/pts/ptmx is 5:2");
	CHECK_EQ(st2.st_mode & 07777, 0, "/dev/pts/ptmx's mode (ptmxmode=000)");
	CHECK(mounted_devpts(), "/proc/mounts lists devpts on /dev/pts");
	CHECK(statfs("/dev/pts", &sf) == 0 && sf.f_type == 0x1cd1, "statfs: DEVPTS_SUPER_MAGIC");
	CHECK(listed(num) && listed("ptmx"), "/dev/pts lists the pty and ptmx");
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "open the slave");
	CHECK(isatty(s) && isatty(m), "both sides are terminals");
	CHECK_STR(ttyname(s), name, "ttyname of the slave");
	CHECK_ERR(ioctl(s, TIOCGPTN, &n), ENOTTY, "TIOCGPTN on the slave");
	close(s);
	close(m);
	CHECK(!listed(num), "the node is gone with the master");
	CHECK_ERR(stat(name, &st), ENOENT, "stat of the gone node");
}

static void defaults(int m, int s)
{
	struct termios t;
	struct winsize ws;

	CHECK_EQ(tcgetattr(s, &t), 0, "tcgetattr");
	printf("termios iflag %#o oflag %#o cflag %#o lflag %#o\n", t.c_iflag, t.c_oflag, t.c_cflag,
	       t.c_lflag);
	printf("c_cc intr %d quit %d erase %d kill %d eof %d time %d min %d start %d stop %d susp %d"
	       " reprint %d werase %d lnext %d\n",
	       t.c_cc[VINTR], t.c_cc[VQUIT], t.c_cc[VERASE], t.c_cc[VKILL], t.c_cc[VEOF],
	       t.c_cc[VTIME], t.c_cc[VMIN], t.c_cc[VSTART], t.c_cc[VSTOP], t.c_cc[VSUSP],
	       t.c_cc[VREPRINT], t.c_cc[VWERASE], t.c_cc[VLNEXT]);
	CHECK_EQ(cfgetospeed(&t), B38400, "speed B38400");
	CHECK_EQ(tcgetattr(m, &t), 0, "tcgetattr on the master (the slave's)");
	CHECK_EQ(t.c_lflag & ICANON, ICANON, "the master sees ICANON");
	CHECK_EQ(ioctl(s, TIOCGWINSZ, &ws), 0, "TIOCGWINSZ");
	CHECK_EQ(ws.ws_row + ws.ws_col, 0, "a new pty's window is 0x0");
}

static void canonical(int m, int s)
{
	char buf[64];

	put(m, "hello\n");
	CHECK_STR(read_n(m, 7), "hello\\r\\n", "echo of a line (ONLCR)");
	CHECK_STR(read_once(s), "hello\\n", "the slave reads the line");
	put(m, "ab\ncd\n");
	CHECK_STR(read_n(m, 8), "ab\\r\\ncd\\r\\n", "echo of two lines");
	CHECK_STR(read_once(s), "ab\\n", "one line a read");
	CHECK_STR(read_once(s), "cd\\n", "then the next");
	put(s, "out\n");
	CHECK_STR(read_n(m, 5), "out\\r\\n", "slave output reaches the master, ONLCR");
	put(m, "abX\x7f"
	       "c\n");
	CHECK_STR(read_n(m, 10), "abX\\b \\bc\\r\\n", "VERASE echoes as ECHOE");
	CHECK_STR(read_once(s), "abc\\n", "VERASE edits the line");
	put(m, "junk\x15ok\n");
	CHECK_STR(read_n(m, 20), "junk\\b \\b\\b \\b\\b \\b\\b \\bok\\r\\n",
		  "VKILL echoes (ECHOKE)");
	CHECK_STR(read_once(s), "ok\\n", "VKILL drops the line");
	put(m, "one two\x17three\n");
	CHECK_STR(read_n(m, 23), "one two\\b \\b\\b \\b\\b \\bthree\\r\\n", "VWERASE echoes");
	CHECK_STR(read_once(s), "one three\\n", "VWERASE drops a word");
	put(m, "a\x01"
	       "b\n");
	CHECK_STR(read_n(m, 6), "a^Ab\\r\\n", "ECHOCTL shows ^A");
	CHECK_STR(read_once(s), "a\\x01b\\n", "the control character is data");
	put(m, "x\x01\x7f\n");
	CHECK_STR(read_n(m, 11), "x^A\\b \\b\\b \\b\\r\\n", "erasing ^A rubs out two columns");
	CHECK_STR(read_once(s), "x\\n", "and removes it");
	put(m, "\x16\x03\n");
	CHECK_STR(read_n(m, 6), "^\\b^C\\r\\n", "VLNEXT echoes ^ backspace, then ^C");
	CHECK_STR(read_once(s), "\\x03\\n", "VLNEXT makes ^C data");
	put(m, "ab\x12"
	       "c\n");
	CHECK_STR(read_n(m, 11), "ab^R\\r\\nabc\\r\\n", "VREPRINT reprints the line");
	CHECK_STR(read_once(s), "abc\\n", "the line after VREPRINT");
	put(m, "\x04");
	CHECK(readable(s, WAIT_MS), "VEOF on an empty line makes the slave readable");
	CHECK_EQ(read(s, buf, sizeof(buf)), 0, "and the read returns 0");
	put(m, "part\x04");
	CHECK_STR(read_n(m, 4), "part", "echo before VEOF");
	CHECK_STR(read_once(s), "part", "VEOF ends a line without a newline");
	put(m, "cr\r");
	CHECK_STR(read_n(m, 4), "cr\\r\\n", "ICRNL: echo of CR as a newline");
	CHECK_STR(read_once(s), "cr\\n", "ICRNL: CR ends the line as NL");
	set_iflag(s, IGNCR, 0);
	put(m, "a\rb\n");
	CHECK_STR(read_n(m, 4), "ab\\r\\n", "IGNCR: no echo of CR");
	CHECK_STR(read_once(s), "ab\\n", "IGNCR drops CR");
	set_iflag(s, 0, IGNCR);
	set_lflag(s, 0, ECHO);
	put(m, "secret\n");
	CHECK_STR(read_once(s), "secret\\n", "ECHO off: the line");
	CHECK(!readable(m, QUIET_MS), "ECHO off: no echo");
	set_lflag(s, ECHONL, 0);
	put(m, "pw\n");
	CHECK_STR(read_n(m, 2), "\\r\\n", "ECHONL echoes the newline alone");
	CHECK_STR(read_once(s), "pw\\n", "ECHONL: the line");
	set_lflag(s, ECHO, ECHONL);
	put(m, "abc");
	CHECK_STR(read_n(m, 3), "abc", "echo before VINTR");
	put(m, "\x03");
	CHECK_STR(read_n(m, 2), "^C", "VINTR echoes ^C");
	put(m, "def\n");
	CHECK_STR(read_n(m, 5), "def\\r\\n", "echo after VINTR");
	CHECK_STR(read_once(s), "def\\n", "VINTR flushed the partial line");
}

static void modes(int m, int s)
{
	struct termios t, saved;
	char buf[64];
	int n = -1;

	tcgetattr(s, &saved);
	put(m, "ab\ncd");
	CHECK(readable(s, WAIT_MS), "a line waits");
	CHECK_EQ(ioctl(s, FIONREAD, &n), 0, "FIONREAD (canonical)");
	CHECK_EQ(n, 3, "FIONREAD counts whole lines");
	CHECK_STR(read_n(m, 7), "ab\\r\\ncd", "echo");
	CHECK_EQ(tcflush(s, TCIFLUSH), 0, "tcflush TCIFLUSH");
	CHECK_EQ(ioctl(s, FIONREAD, &n) == 0 ? n : -1, 0, "nothing waits after TCIFLUSH");
	CHECK_ERR(tcflush(s, 99), EINVAL, "tcflush of a bad queue");
	t = saved;
	t.c_oflag &= ~OPOST;
	tcsetattr(s, TCSANOW, &t);
	put(s, "a\nb");
	CHECK_STR(read_n(m, 3), "a\\nb", "OPOST off: output as written");
	t = saved;
	cfmakeraw(&t);
	CHECK_EQ(tcsetattr(s, TCSANOW, &t), 0, "tcsetattr cfmakeraw");
	tcgetattr(s, &t);
	printf("raw termios iflag %#o oflag %#o cflag %#o lflag %#o min %d time %d\n", t.c_iflag,
	       t.c_oflag, t.c_cflag, t.c_lflag, t.c_cc[VMIN], t.c_cc[VTIME]);
	put(m, "raw\x03\x04\x7f\r\n");
	CHECK_STR(read_n(s, 8), "raw\\x03\\x04\\x7f\\r\\n", "raw mode: bytes as written");
	CHECK(!readable(m, QUIET_MS), "raw mode: no echo");
	put(s, "x\ny");
	CHECK_STR(read_n(m, 3), "x\\ny", "raw mode: no output processing");
	put(m, "12345");
	CHECK(readable(s, WAIT_MS), "raw input waits");
	CHECK_EQ(ioctl(s, FIONREAD, &n) == 0 ? n : -1, 5, "FIONREAD (raw)");
	CHECK_EQ(read(s, buf, 2), 2, "a short read");
	CHECK_EQ(read(s, buf, sizeof(buf)), 3, "the rest");
	put(s, "xyz");
	CHECK(readable(m, WAIT_MS), "the master has output");
	CHECK_EQ(ioctl(m, FIONREAD, &n) == 0 ? n : -1, 3, "FIONREAD on the master");
	CHECK_EQ(tcflush(m, TCIFLUSH), 0, "tcflush on the master");
	CHECK(!readable(m, QUIET_MS), "the master's queue is empty");
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &t);
	CHECK_EQ(read(s, buf, sizeof(buf)), 0, "VMIN 0 VTIME 0: 0 at once");
	t.c_cc[VTIME] = 1;
	tcsetattr(s, TCSANOW, &t);
	CHECK_EQ(read(s, buf, sizeof(buf)), 0, "VMIN 0 VTIME 1: 0 after a tenth");
	put(m, "q");
	CHECK_EQ(read(s, buf, sizeof(buf)), 1, "VMIN 0 VTIME 1: a byte");
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &t);
	put(m, "abcd");
	CHECK_EQ(read(s, buf, sizeof(buf)) >= 3, 1, "VMIN 3: at least 3");
	tcflush(s, TCIFLUSH);
	t.c_cc[VMIN] = 1;
	t.c_iflag |= INLCR;
	tcsetattr(s, TCSANOW, &t);
	put(m, "x\n");
	CHECK_STR(read_n(s, 2), "x\\r", "INLCR: NL becomes CR");
	tcsetattr(s, TCSANOW, &saved);
	put(m, "back\n");
	CHECK_STR(read_n(m, 6), "back\\r\\n", "canonical again: echo");
	CHECK_STR(read_once(s), "back\\n", "canonical again: a line");
}

static void nonblocking_poll(int m, int s)
{
	struct pollfd p[2] = { { .fd = s, .events = POLLIN | POLLOUT },
			       { .fd = m, .events = POLLIN | POLLOUT } };
	struct epoll_event ev = { .events = EPOLLIN }, got;
	char buf[16];
	int ep;

	fcntl(s, F_SETFL, O_NONBLOCK);
	fcntl(m, F_SETFL, O_NONBLOCK);
	CHECK_ERR(read(s, buf, sizeof(buf)), EAGAIN, "non-blocking slave read: EAGAIN");
	CHECK_ERR(read(m, buf, sizeof(buf)), EAGAIN, "non-blocking master read: EAGAIN");
	CHECK_EQ(poll(p, 2, 0), 2, "poll: both writable");
	CHECK_EQ(p[0].revents, POLLOUT, "the slave: POLLOUT");
	CHECK_EQ(p[1].revents, POLLOUT, "the master: POLLOUT");
	ep = epoll_create1(0);
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), 0, "epoll_ctl the slave");
	CHECK_EQ(epoll_wait(ep, &got, 1, 0), 0, "epoll: nothing yet");
	put(m, "z\n");
	CHECK_EQ(epoll_wait(ep, &got, 1, WAIT_MS), 1, "epoll: a line arrived");
	CHECK_EQ(got.events, EPOLLIN, "EPOLLIN");
	CHECK_EQ(poll(p, 2, WAIT_MS), 2, "poll after the line");
	CHECK_EQ(p[0].revents, POLLIN | POLLOUT, "the slave: POLLIN POLLOUT");
	CHECK_EQ(p[1].revents, POLLIN | POLLOUT, "the master: its echo, POLLIN POLLOUT");
	CHECK_EQ(read(s, buf, sizeof(buf)), 2, "non-blocking read of the line");
	CHECK_STR(read_n(m, 3), "z\\r\\n", "the echo");
	close(ep);
	fcntl(s, F_SETFL, 0);
	fcntl(m, F_SETFL, 0);
}

static void window(int m, int s)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 }, got;

	CHECK_EQ(ioctl(m, TIOCSWINSZ, &ws), 0, "TIOCSWINSZ on the master");
	CHECK_EQ(ioctl(s, TIOCGWINSZ, &got), 0, "TIOCGWINSZ on the slave");
	CHECK_EQ(got.ws_row * 1000 + got.ws_col, 24080, "24x80");
	ws.ws_row = 50;
	ws.ws_col = 132;
	ws.ws_xpixel = 7;
	CHECK_EQ(ioctl(s, TIOCSWINSZ, &ws), 0, "TIOCSWINSZ on the slave");
	CHECK_EQ(ioctl(m, TIOCGWINSZ, &got), 0, "TIOCGWINSZ on the master");
	CHECK_EQ(got.ws_row * 1000 + got.ws_col, 50132, "50x132");
	CHECK_EQ(got.ws_xpixel, 7, "the pixel width");
}

static void ctty(int m, int s)
{
	int pgrp = -1;

	CHECK_EQ(ioctl(m, TIOCGPGRP, &pgrp), 0, "TIOCGPGRP on the master");
	CHECK_EQ(pgrp, 0, "no foreground group yet");
	CHECK_ERR(ioctl(s, TIOCGPGRP, &pgrp), ENOTTY, "TIOCGPGRP on a slave that is not ours");
	CHECK_ERR(ioctl(m, TIOCGSID, &pgrp), ENOTTY, "TIOCGSID without a session");
	CHECK_EQ(ioctl(s, TIOCSCTTY, 0), 0, "TIOCSCTTY");
	CHECK_EQ(ioctl(s, TIOCSCTTY, 0), 0, "TIOCSCTTY again");
	CHECK_EQ(ioctl(s, TIOCGPGRP, &pgrp), 0, "TIOCGPGRP on our terminal");
	CHECK(pgrp == getpgrp(), "the foreground group is ours");
	CHECK(tcgetpgrp(m) == getpgrp(), "tcgetpgrp on the master");
	CHECK(tcgetsid(s) == getsid(0), "tcgetsid is our session");
	CHECK_EQ(tcsetpgrp(s, getpgrp()), 0, "tcsetpgrp to our group");
	pgrp = -1;
	CHECK_ERR(ioctl(s, TIOCSPGRP, &pgrp), EINVAL, "TIOCSPGRP -1");
	pgrp = 0x3ffffff;
	CHECK_ERR(ioctl(s, TIOCSPGRP, &pgrp), ESRCH, "TIOCSPGRP to no group");
	CHECK_EQ(ioctl(s, TIOCNOTTY), 0, "TIOCNOTTY");
	CHECK_ERR(ioctl(s, TIOCGPGRP, &pgrp), ENOTTY, "no longer our terminal");
	CHECK_ERR(ioctl(m, TIOCNOTTY), ENOTTY, "TIOCNOTTY on the master");
}

static void peer(int m, const char *name)
{
	struct stat a, b;
	int p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);

	CHECK(p >= 0, "TIOCGPTPEER");
	CHECK(fstat(p, &a) == 0 && stat(name, &b) == 0 && a.st_rdev == b.st_rdev,
	      "TIOCGPTPEER opens the slave");
	CHECK_STR(ttyname(p), name, "its ttyname");
	put(p, "peer\n");
	CHECK_STR(read_n(m, 6), "peer\\r\\n", "written through the peer");
	close(p);
}

static void slave_closes(void)
{
	char buf[16];
	int m = posix_openpt(O_RDWR | O_NOCTTY), s;
	struct pollfd p = { .fd = m, .events = POLLIN };

	unlockpt(m);
	fcntl(m, F_SETFL, O_NONBLOCK);
	CHECK_ERR(read(m, buf, sizeof(buf)), EAGAIN, "a master whose slave never opened: EAGAIN");
	fcntl(m, F_SETFL, 0);
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	put(s, "bye\n");
	close(s);
	CHECK_STR(read_n(m, 5), "bye\\r\\n", "output queued before the slave closed");
	CHECK_ERR(read(m, buf, sizeof(buf)), EIO, "then the master reads EIO");
	CHECK_EQ(poll(&p, 1, 0), 1, "poll on the master");
	CHECK_EQ(p.revents, POLLHUP, "POLLHUP");
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "the slave opens again");
	CHECK_EQ(poll(&p, 1, 0), 0, "no POLLHUP with a slave open");
	close(s);
	close(m);
}

static void master_closes(int m, int s, const char *name)
{
	struct pollfd p = { .fd = s, .events = POLLIN | POLLOUT };
	struct termios t;
	char buf[16];

	put(m, "lost\n");
	CHECK_STR(read_n(m, 6), "lost\\r\\n", "the echo");
	close(m);
	CHECK_EQ(read(s, buf, sizeof(buf)), 0, "a hung-up slave reads 0");
	CHECK_ERR(write(s, "x", 1), EIO, "and writes EIO");
	CHECK_EQ(poll(&p, 1, 0), 1, "poll on it");
	printf("hung-up slave revents %#x\n", p.revents);
	CHECK_ERR(tcgetattr(s, &t), EIO, "tcgetattr EIO");
	CHECK(!isatty(s), "no longer a terminal to isatty");
	CHECK_ERR(open(name, O_RDWR | O_NOCTTY), ENOENT, "its node is gone");
	close(s);
}

int main(void)
{
	char name[64];
	int m, s;

	check_start();
	signal(SIGHUP, SIG_IGN); /* TIOCNOTTY sends it to the foreground group: us */
	(void)setsid();		 /* natively; in Mote the program leads its session already */
	open_close();
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m) || !ptsname(m)) {
		printf("FAIL a pty: %s\n", strerror(errno));
		return 1;
	}
	snprintf(name, sizeof(name), "%s", ptsname(m));
	s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "open the slave");
	defaults(m, s);
	canonical(m, s);
	modes(m, s);
	nonblocking_poll(m, s);
	window(m, s);
	ctty(m, s);
	peer(m, name);
	slave_closes();
	master_closes(m, s, name);
	return check_done();
}
