/* fdops.c: descriptors: dup/dup2/dup3, fcntl flags, record locks (POSIX, OFD, blocking) and flock,
 * pipe2 and pipe semantics, terminal ioctls (on pipes, /dev/null, the console and /dev/tty). */
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <time.h>

static void dups(int dir)
{
	int a = openat(dir, "f", O_CREAT | O_RDWR, 0644), b = dup(a), c = dup(a), d;
	struct rlimit rl;

	CHECK(a >= 0 && b == a + 1 && c == a + 2, "dup returns the lowest free descriptors");
	close(b);
	CHECK_EQ(dup(a), b, "dup reuses a closed descriptor's number");
	CHECK(write(a, "abcdef", 6) == 6 && lseek(b, 0, SEEK_CUR) == 6,
	      "a dup shares the file offset");
	CHECK_EQ(dup2(a, a), a, "dup2 onto itself returns the descriptor");
	CHECK_ERR(dup3(a, a, 0), EINVAL, "dup3 onto itself: EINVAL");
	CHECK_EQ(dup3(a, c, O_CLOEXEC), c, "dup3 onto an open descriptor replaces it");
	CHECK_EQ(fcntl(c, F_GETFD), FD_CLOEXEC, "dup3 O_CLOEXEC sets FD_CLOEXEC");
	CHECK_EQ(fcntl(a, F_GETFD), 0, "close-on-exec is per descriptor");
	CHECK_EQ(fcntl(a, F_DUPFD, 100), 100, "F_DUPFD from 100 gives 100");
	CHECK_EQ(fcntl(a, F_DUPFD_CLOEXEC, 100), 101, "F_DUPFD_CLOEXEC from 100 gives 101");
	CHECK_EQ(fcntl(101, F_GETFD), FD_CLOEXEC, "and sets FD_CLOEXEC");
	CHECK(fcntl(101, F_SETFD, 0) == 0 && fcntl(101, F_GETFD) == 0, "F_SETFD clears it");
	CHECK_ERR(dup2(a, -1), EBADF, "dup2 to -1: EBADF");
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_ERR(dup2(a, (int)rl.rlim_cur), EBADF, "dup2 to RLIMIT_NOFILE: EBADF");
	CHECK_ERR(fcntl(12345, F_GETFD), EBADF, "fcntl on a closed descriptor: EBADF");
	CHECK_EQ(fcntl(a, F_GETFL) & (O_ACCMODE | O_APPEND), O_RDWR, "F_GETFL: O_RDWR");
	CHECK(fcntl(a, F_SETFL, O_APPEND | O_WRONLY) == 0 &&
		      (fcntl(b, F_GETFL) & (O_ACCMODE | O_APPEND)) == (O_RDWR | O_APPEND),
	      "F_SETFL sets O_APPEND, keeps the access mode, and a dup sees it");
	d = openat(dir, "f", O_RDONLY);
	CHECK(lseek(d, 0, SEEK_CUR) == 0, "a second open has its own offset");
	close(a), close(b), close(c), close(d), close(100), close(101);
}

static int ofd_b;
static volatile int locked;

static void *lock_waiter(void *arg)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };

	if (fcntl(ofd_b, F_OFD_SETLKW, &fl) == 0)
		__atomic_store_n(&locked, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void locks(int dir)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	int a = openat(dir, "f", O_RDWR), b = openat(dir, "f", O_RDWR);
	struct timespec pause = { 0, 50000000 };
	pthread_t t;

	CHECK_EQ(fcntl(a, F_SETLK, &fl), 0, "F_SETLK a write lock on [0,10)");
	fl.l_start = 5;
	CHECK(fcntl(b, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK,
	      "F_GETLK: our own process never conflicts with itself");
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1 };
	CHECK(fcntl(b, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_start == 0 &&
		      fl.l_len == 10 && fl.l_pid == getpid(),
	      "F_OFD_GETLK sees the POSIX lock and its owner");
	close(openat(dir, "f", O_RDONLY));
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1 };
	CHECK(fcntl(b, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_UNLCK,
	      "closing any descriptor of the file drops our POSIX locks");

	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	CHECK_EQ(fcntl(a, F_OFD_SETLK, &fl), 0, "F_OFD_SETLK a write lock on [0,10)");
	fl.l_start = 5;
	CHECK_ERR(fcntl(b, F_OFD_SETLK, &fl), EAGAIN, "another open file's OFD lock conflicts");
	CHECK(fcntl(b, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_start == 0 &&
		      fl.l_len == 10 && fl.l_pid == -1,
	      "F_OFD_GETLK reports it with l_pid -1");
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 10 };
	CHECK_EQ(fcntl(b, F_OFD_SETLK, &fl), 0, "a read lock on [10,20) does not overlap");
	ofd_b = b;
	pthread_create(&t, NULL, lock_waiter, NULL);
	nanosleep(&pause, NULL);
	CHECK_EQ(__atomic_load_n(&locked, __ATOMIC_SEQ_CST), 0, "F_OFD_SETLKW in a thread waits");
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	CHECK_EQ(fcntl(a, F_OFD_SETLK, &fl), 0, "unlock");
	pthread_join(t, NULL);
	CHECK_EQ(locked, 1, "the waiting thread got the lock after the unlock");

	CHECK_EQ(flock(a, LOCK_EX), 0, "flock LOCK_EX");
	CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK, "a second open file: EWOULDBLOCK");
	CHECK(flock(a, LOCK_SH) == 0 && flock(b, LOCK_SH | LOCK_NB) == 0,
	      "two shared flocks coexist");
	CHECK(flock(a, LOCK_UN) == 0 && flock(b, LOCK_UN) == 0, "LOCK_UN");
	close(a);
	close(b);
}

static volatile sig_atomic_t got_sigpipe;

static void on_sigpipe(int sig)
{
	got_sigpipe = sig;
}

static void pipes(void)
{
	static char big[8192];
	char buf[64];
	int p[2], size, avail = 0, dirfd = open("/", O_RDONLY | O_DIRECTORY);
	long total = 0, n;

	CHECK_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0, "pipe2 O_CLOEXEC|O_NONBLOCK");
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC,
	      "both ends are close-on-exec");
	CHECK((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY &&
		      (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY,
	      "read end O_RDONLY, write end O_WRONLY");
	CHECK_ERR(read(p[0], buf, 1), EAGAIN, "read on an empty non-blocking pipe: EAGAIN");
	CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on a pipe: ESPIPE");
	CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE, "pread on a pipe: ESPIPE");
	CHECK(write(p[1], "hello", 5) == 5 && ioctl(p[0], FIONREAD, &avail) == 0 && avail == 5,
	      "FIONREAD counts 5 bytes");
	CHECK(read(p[0], buf, 3) == 3 && read(p[0], buf + 3, 10) == 2 &&
		      memcmp(buf, "hello", 5) == 0,
	      "read back in two pieces: hello");
	CHECK_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536, "F_GETPIPE_SZ: 64 KiB at first");
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 5000), 8192, "F_SETPIPE_SZ 5000: rounded to 8 KiB");
	CHECK(fcntl(p[0], F_GETPIPE_SZ) == 8192, "F_GETPIPE_SZ on the other end: 8 KiB too");
	CHECK_EQ(fcntl(p[1], F_SETPIPE_SZ, 1), 4096, "F_SETPIPE_SZ 1: a page at least");
	CHECK(write(p[1], "0123456789", 10) == 10 && fcntl(p[1], F_SETPIPE_SZ, 32768) == 32768 &&
		      read(p[0], buf, sizeof(buf)) == 10 && memcmp(buf, "0123456789", 10) == 0,
	      "bytes in the pipe survive a resize");
	CHECK_EQ(write(p[1], big, 5000), 5000, "5000 bytes into the 32 KiB pipe");
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY,
		  "F_SETPIPE_SZ below what the pipe holds: EBUSY");
	while (read(p[0], big, sizeof(big)) > 0)
		;
	CHECK_ERR(fcntl(dirfd, F_GETPIPE_SZ), EBADF, "F_GETPIPE_SZ on a directory: EBADF");
	close(dirfd);
	size = fcntl(p[1], F_SETPIPE_SZ, 8192);
	CHECK(size >= 8192 && fcntl(p[1], F_GETPIPE_SZ) == size, "F_SETPIPE_SZ then F_GETPIPE_SZ");
	while ((n = write(p[1], buf, sizeof(buf))) > 0)
		total += n;
	CHECK(total == size && errno == EAGAIN,
	      "a full pipe holds F_GETPIPE_SZ bytes, then EAGAIN");
	close(p[1]);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	CHECK_EQ(read(p[0], buf, 1), 0, "after the writer closes: EOF");
	close(p[0]);

	CHECK_EQ(pipe(p), 0, "pipe");
	close(p[0]);
	signal(SIGPIPE, on_sigpipe);
	CHECK_ERR(write(p[1], "x", 1), EPIPE, "write with no reader: EPIPE");
	CHECK_EQ(got_sigpipe, SIGPIPE, "and SIGPIPE was delivered");
	signal(SIGPIPE, SIG_IGN);
	got_sigpipe = 0;
	CHECK(write(p[1], "x", 1) < 0 && errno == EPIPE && !got_sigpipe,
	      "ignored SIGPIPE: EPIPE only");
	close(p[1]);
}

/*
 * The console is a terminal inside Mote and a file natively; both must answer consistently.
 * Only reading ioctls: setting attributes from a background process group would stop us.
 */
static int tty_consistent(int fd)
{
	struct winsize ws;
	struct termios t;

	if (!isatty(fd))
		return errno == ENOTTY && ioctl(fd, TIOCGWINSZ, &ws) < 0 && errno == ENOTTY;
	return tcgetattr(fd, &t) == 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && (t.c_cflag & CREAD);
}

static void terminals(void)
{
	struct termios t;
	int p[2], fd, on = 1;

	pipe(p);
	CHECK_ERR(tcgetattr(p[0], &t), ENOTTY, "TCGETS on a pipe: ENOTTY");
	CHECK_EQ(isatty(p[0]), 0, "a pipe is not a tty");
	fd = open("/dev/null", O_RDWR);
	CHECK_ERR(ioctl(fd, TIOCGWINSZ, &t), ENOTTY, "TIOCGWINSZ on /dev/null: ENOTTY");
	close(fd);
	CHECK(ioctl(p[0], FIONBIO, &on) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK),
	      "FIONBIO sets O_NONBLOCK");
	CHECK(ioctl(p[0], FIOCLEX) == 0 && fcntl(p[0], F_GETFD) == FD_CLOEXEC, "FIOCLEX");
	CHECK(ioctl(p[0], FIONCLEX) == 0 && fcntl(p[0], F_GETFD) == 0, "FIONCLEX");
	close(p[0]);
	close(p[1]);
	CHECK(tty_consistent(1), "stdout: terminal ioctls agree with isatty");
	CHECK(tty_consistent(2), "stderr: terminal ioctls agree with isatty");
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	CHECK(fd >= 0 ? tty_consistent(fd) && isatty(fd) : errno == ENXIO,
	      "/dev/tty is a terminal, or ENXIO without a controlling one");
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	const char *tmp;
	int dir;

	check_start();
	tmp = check_tmpdir();
	dir = open(tmp, O_RDONLY | O_DIRECTORY);
	dups(dir);
	locks(dir);
	pipes();
	terminals();
	close(dir);
	CHECK_EQ(check_rmtree(tmp), 0, "remove the scratch directory");
	return check_done();
}
