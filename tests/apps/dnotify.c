/* dnotify.c: fcntl's owners and signals (F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX,
 * F_SETSIG, F_GETSIG) and directory notification (F_NOTIFY, Documentation/filesystems/
 * dnotify.txt): each DN_* event from the action that makes it, the signal and its siginfo
 * (si_fd, si_code, si_band), one-shot and multishot watches, their removal. */
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define SIG_DN (SIGRTMIN + 1)
#define MAX_EVENTS 32

struct event {
	int signo, code, fd;
	long band;
};

static volatile int nevents;
static struct event events[MAX_EVENTS];
static char dir[256], other[256];

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (nevents < MAX_EVENTS)
		events[nevents] = (struct event){ sig, si->si_code, si->si_fd, si->si_band };
	nevents++;
}

/* The signals come as the call that made the event returns; a moment's grace all the same. */
static int settle(void)
{
	struct timespec ts = { 0, 2000000 };

	nanosleep(&ts, NULL);
	return nevents;
}

static const char *in(const char *d, const char *name)
{
	static char bufs[4][512];
	static int k;
	char *b = bufs[k++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", d, name);
	return b;
}

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);

	if (fd >= 0)
		close(fd);
}

static void owners(void)
{
	struct f_owner_ex ex;
	int fd = open(in(dir, "owned"), O_CREAT | O_RDWR, 0644), fd2;
	pid_t child;

	CHECK(fd >= 0, "open a file to own");
	CHECK_EQ(fcntl(fd, F_GETOWN), 0, "F_GETOWN of a new file is 0");
	CHECK_EQ(fcntl(fd, F_GETOWN_EX, &ex), 0, "F_GETOWN_EX of a new file");
	CHECK_EQ(ex.type, F_OWNER_TID, "... type F_OWNER_TID");
	CHECK_EQ(ex.pid, 0, "... pid 0");
	CHECK_EQ(fcntl(fd, F_SETOWN, getpid()), 0, "F_SETOWN to the process");
	CHECK_EQ(fcntl(fd, F_GETOWN), getpid(), "F_GETOWN reads the process back");
	CHECK_EQ(fcntl(fd, F_GETOWN_EX, &ex), 0, "F_GETOWN_EX");
	CHECK(ex.type == F_OWNER_PID && ex.pid == getpid(), "... F_OWNER_PID and the pid");
	fd2 = dup(fd);
	CHECK_EQ(fcntl(fd2, F_GETOWN), getpid(), "a dup shares the owner");
	close(fd2);
	CHECK_EQ(fcntl(fd, F_SETOWN, -getpgrp()), 0, "F_SETOWN to the process group (negative)");
	CHECK_EQ(fcntl(fd, F_GETOWN), -getpgrp(), "F_GETOWN gives the group negative");
	CHECK_EQ(fcntl(fd, F_GETOWN_EX, &ex), 0, "F_GETOWN_EX of a group");
	CHECK(ex.type == F_OWNER_PGRP && ex.pid == getpgrp(), "... F_OWNER_PGRP and the group");
	ex = (struct f_owner_ex){ F_OWNER_TID, gettid() };
	CHECK_EQ(fcntl(fd, F_SETOWN_EX, &ex), 0, "F_SETOWN_EX to the thread");
	CHECK_EQ(fcntl(fd, F_GETOWN), gettid(), "F_GETOWN gives the thread");
	CHECK_EQ(fcntl(fd, F_GETOWN_EX, &ex), 0, "F_GETOWN_EX of a thread");
	CHECK(ex.type == F_OWNER_TID && ex.pid == gettid(), "... F_OWNER_TID and the thread");
	ex = (struct f_owner_ex){ 7, getpid() };
	CHECK_ERR(fcntl(fd, F_SETOWN_EX, &ex), EINVAL, "F_SETOWN_EX: an unknown type");
	CHECK_ERR(fcntl(fd, F_SETOWN, 0x3ffffff0), ESRCH, "F_SETOWN: no such process");
	CHECK_ERR(fcntl(fd, F_SETOWN, -0x3ffffff0), ESRCH, "F_SETOWN: no such group");
	CHECK_ERR(fcntl(fd, F_SETOWN, (int)0x80000000), EINVAL, "F_SETOWN: INT_MIN");
	CHECK_EQ(fcntl(fd, F_GETOWN), gettid(), "the failures changed nothing");
	CHECK_EQ(fcntl(fd, F_SETOWN, 0), 0, "F_SETOWN 0");
	CHECK_EQ(fcntl(fd, F_GETOWN), 0, "F_GETOWN is 0 again");

	child = fork();
	if (child == 0) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	CHECK_EQ(fcntl(fd, F_SETOWN, child), 0, "F_SETOWN to a child");
	CHECK_EQ(fcntl(fd, F_GETOWN), child, "F_GETOWN gives the child");
	CHECK_EQ(waitpid(child, NULL, 0), child, "the child ends and is reaped");
	CHECK_EQ(fcntl(fd, F_GETOWN), 0, "F_GETOWN of an owner gone is 0");

	CHECK_EQ(fcntl(fd, F_GETSIG), 0, "F_GETSIG of a new file is 0");
	CHECK_EQ(fcntl(fd, F_SETSIG, SIGRTMIN + 3), 0, "F_SETSIG a real-time signal");
	CHECK_EQ(fcntl(fd, F_GETSIG), SIGRTMIN + 3, "F_GETSIG reads it back");
	CHECK_ERR(fcntl(fd, F_SETSIG, 65), EINVAL, "F_SETSIG 65");
	CHECK_ERR(fcntl(fd, F_SETSIG, -1), EINVAL, "F_SETSIG -1");
	CHECK_EQ(fcntl(fd, F_SETSIG, 0), 0, "F_SETSIG 0");
	CHECK_EQ(fcntl(fd, F_GETSIG), 0, "F_GETSIG is 0 again");
	close(fd);
	unlink(in(dir, "owned"));
}

static void not_a_directory(void)
{
	int fd = open(in(other, "plain"), O_CREAT | O_RDWR, 0644);

	CHECK_ERR(fcntl(fd, F_NOTIFY, DN_CREATE), ENOTDIR, "F_NOTIFY on a file");
	CHECK_EQ(fcntl(fd, F_NOTIFY, 0), 0, "F_NOTIFY 0 on a file (nothing to remove)");
	CHECK_EQ(fcntl(fd, F_NOTIFY, DN_MULTISHOT), 0, "F_NOTIFY DN_MULTISHOT alone on a file");
	CHECK_ERR(fcntl(-1, F_NOTIFY, DN_CREATE), EBADF, "F_NOTIFY on a bad descriptor");
	close(fd);
	unlink(in(other, "plain"));
}

/* A one-shot watch for mask; miss (no event of mask) then hit (one); then hit again: none. */
static void one_event(int dfd, const char *what, unsigned long mask, void (*miss)(void),
		      void (*hit)(void))
{
	int n;

	CHECK_EQ(fcntl(dfd, F_NOTIFY, mask), 0, "watch %s", what);
	nevents = 0;
	if (miss) {
		miss();
		CHECK_EQ(settle(), 0, "%s: no signal for another event", what);
	}
	hit();
	n = settle();
	CHECK_EQ(n, 1, "%s: one signal", what);
	if (n == 1) {
		CHECK_EQ(events[0].signo, SIG_DN, "%s: the F_SETSIG signal", what);
		CHECK_EQ(events[0].fd, dfd, "%s: si_fd is the directory's descriptor", what);
		CHECK_EQ(events[0].code, POLL_MSG, "%s: si_code POLL_MSG", what);
		CHECK_EQ(events[0].band, POLLIN | POLLRDNORM | POLLMSG,
			 "%s: si_band POLLIN|POLLRDNORM|POLLMSG", what);
	}
	nevents = 0;
	hit();
	CHECK_EQ(settle(), 0, "%s: one-shot, so nothing the second time", what);
}

static void do_create(void)
{
	static int k;
	char name[32];

	snprintf(name, sizeof(name), "new%d", k++);
	touch(in(dir, name));
}

static void do_write(void)
{
	int fd = open(in(dir, "f"), O_WRONLY);

	(void)!write(fd, "data", 4);
	close(fd);
}

static void do_read(void)
{
	char buf[8];
	int fd = open(in(dir, "f"), O_RDONLY);

	(void)!read(fd, buf, sizeof(buf));
	close(fd);
}

static void do_chmod(void)
{
	chmod(in(dir, "f"), 0600);
}

static void do_list(void)
{
	char buf[4096];
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	(void)!syscall(SYS_getdents64, fd, buf, sizeof(buf));
	close(fd);
}

static void do_chmod_dir(void)
{
	chmod(dir, 0700);
}

static void do_truncate(void)
{
	(void)!truncate(in(dir, "f"), 1);
}

static void do_mkdir(void)
{
	static int k;
	char name[32];

	snprintf(name, sizeof(name), "sub%d", k++);
	mkdir(in(dir, name), 0755);
}

static void do_unlink(void)
{
	static int k;
	char name[32];

	snprintf(name, sizeof(name), "new%d", k++);
	unlink(in(dir, name));
}

static void do_rmdir(void)
{
	static int k;
	char name[32];

	snprintf(name, sizeof(name), "sub%d", k++);
	rmdir(in(dir, name));
}

static void do_rename(void)
{
	static int k;
	char from[32], to[32];

	snprintf(from, sizeof(from), "r%d", k);
	snprintf(to, sizeof(to), "r%d", ++k);
	rename(in(dir, from), in(dir, to));
}

static void do_move_out(void)
{
	static int k;
	char name[32];

	snprintf(name, sizeof(name), "out%d", k++);
	touch(in(dir, name));
	rename(in(dir, name), in(other, name));
}

static void do_move_in(void)
{
	static int k;
	char name[32];

	snprintf(name, sizeof(name), "in%d", k++);
	touch(in(other, name));
	rename(in(other, name), in(dir, name));
}

static void do_nested(void)
{
	mkdir(in(dir, "nest"), 0755);
	nevents = 0; /* (the mkdir itself is not what this is about) */
	touch(in(dir, "nest/deep"));
}

static void events_one_shot(int dfd)
{
	touch(in(dir, "f"));
	touch(in(dir, "r0"));
	one_event(dfd, "DN_CREATE", DN_CREATE, do_write, do_create);
	one_event(dfd, "DN_MODIFY", DN_MODIFY, do_read, do_write);
	one_event(dfd, "DN_MODIFY by truncate", DN_MODIFY, NULL, do_truncate);
	one_event(dfd, "DN_ACCESS", DN_ACCESS, do_chmod, do_read);
	one_event(dfd, "DN_ATTRIB", DN_ATTRIB, do_write, do_chmod);
	one_event(dfd, "DN_ACCESS by listing the directory", DN_ACCESS, NULL, do_list);
	one_event(dfd, "DN_ATTRIB of the directory itself", DN_ATTRIB, NULL, do_chmod_dir);
	one_event(dfd, "DN_CREATE by mkdir", DN_CREATE, NULL, do_mkdir);
	one_event(dfd, "DN_DELETE by unlink", DN_DELETE, do_create, do_unlink);
	one_event(dfd, "DN_DELETE by rmdir", DN_DELETE, do_mkdir, do_rmdir);
	one_event(dfd, "DN_RENAME", DN_RENAME, do_move_out, do_rename);
	one_event(dfd, "DN_DELETE by a move out", DN_DELETE, NULL, do_move_out);
	one_event(dfd, "DN_CREATE by a move in", DN_CREATE, NULL, do_move_in);

	CHECK_EQ(fcntl(dfd, F_NOTIFY, DN_CREATE | DN_MULTISHOT), 0, "watch DN_CREATE multishot");
	nevents = 0;
	do_nested();
	CHECK_EQ(settle(), 0, "a file made in a subdirectory is no event here");
	CHECK_EQ(fcntl(dfd, F_NOTIFY, 0), 0, "remove the watch");
}

static void multishot(int dfd)
{
	int dfd2 = open(dir, O_RDONLY | O_DIRECTORY), seen = 0, n;

	CHECK_EQ(fcntl(dfd, F_NOTIFY, DN_CREATE | DN_MULTISHOT), 0, "watch DN_CREATE multishot");
	nevents = 0;
	do_create();
	do_create();
	do_create();
	CHECK_EQ(settle(), 3, "three creations, three signals");
	CHECK_EQ(fcntl(dfd, F_NOTIFY, DN_DELETE | DN_MULTISHOT), 0, "add DN_DELETE to the watch");
	nevents = 0;
	do_unlink();
	do_create();
	CHECK_EQ(settle(), 2, "an unlink and a creation: both events watched now");

	CHECK_EQ(fcntl(dfd, F_NOTIFY, DN_CREATE | DN_DELETE | DN_RENAME | DN_MULTISHOT), 0,
		 "watch creation, deletion and renaming");
	nevents = 0;
	do_rename();
	CHECK_EQ(settle(), 3, "a rename in the directory: three signals (rename, old name, new)");

	CHECK_EQ(fcntl(dfd2, F_SETSIG, SIG_DN), 0, "a second descriptor of the directory");
	CHECK_EQ(fcntl(dfd2, F_NOTIFY, DN_CREATE), 0, "... watches creations too");
	nevents = 0;
	do_create();
	n = settle();
	CHECK_EQ(n, 2, "one creation: a signal for each watch");
	for (int i = 0; i < n && i < MAX_EVENTS; i++)
		seen |= events[i].fd == dfd ? 1 : events[i].fd == dfd2 ? 2 : 4;
	CHECK_EQ(seen, 3, "... with si_fd each watch's descriptor");

	CHECK_EQ(fcntl(dfd, F_NOTIFY, 0), 0, "F_NOTIFY 0 removes the watch");
	nevents = 0;
	do_create();
	CHECK_EQ(settle(), 0, "no signal after removal");

	CHECK_EQ(fcntl(dfd2, F_NOTIFY, DN_CREATE | DN_MULTISHOT), 0, "watch again");
	close(dfd2);
	nevents = 0;
	do_create();
	CHECK_EQ(settle(), 0, "closing the descriptor ends the watch");
}

/* Without F_SETSIG the watch sends SIGIO, from the kernel, without the fd. */
static void plain_sigio(int dfd)
{
	CHECK_EQ(fcntl(dfd, F_SETSIG, 0), 0, "F_SETSIG 0: plain SIGIO");
	CHECK_EQ(fcntl(dfd, F_NOTIFY, DN_CREATE), 0, "watch DN_CREATE");
	nevents = 0;
	do_create();
	CHECK_EQ(settle(), 1, "one signal");
	CHECK_EQ(events[0].signo, SIGIO, "it is SIGIO");
	CHECK_EQ(events[0].code, SI_KERNEL, "si_code SI_KERNEL");

	CHECK_EQ(fcntl(dfd, F_SETSIG, SIGIO), 0, "F_SETSIG SIGIO");
	CHECK_EQ(fcntl(dfd, F_NOTIFY, DN_CREATE), 0, "watch DN_CREATE");
	nevents = 0;
	do_create();
	CHECK_EQ(settle(), 1, "one signal");
	CHECK_EQ(events[0].signo, SIGIO, "it is SIGIO");
	CHECK_EQ(events[0].code, POLL_MSG, "si_code POLL_MSG, as SIGIO was asked for by name");
	CHECK_EQ(events[0].fd, dfd, "si_fd the directory's descriptor");

	CHECK_EQ(fcntl(dfd, F_SETSIG, SIGRTMIN + 2), 0, "F_SETSIG another signal");
	CHECK_EQ(fcntl(dfd, F_SETOWN, 0), 0, "F_SETOWN 0 (nobody)");
	CHECK_EQ(fcntl(dfd, F_NOTIFY, DN_CREATE), 0, "watch DN_CREATE");
	CHECK_EQ(fcntl(dfd, F_GETOWN), getpid(), "the watch made the process the owner");
	nevents = 0;
	do_create();
	CHECK_EQ(settle(), 1, "one signal");
	CHECK_EQ(events[0].signo, SIGRTMIN + 2, "the signal F_SETSIG named when it came");

	CHECK_EQ(fcntl(dfd, F_SETOWN, -getpgrp()), 0, "F_SETOWN to the process group");
	CHECK_EQ(fcntl(dfd, F_NOTIFY, DN_CREATE), 0, "watch DN_CREATE");
	CHECK_EQ(fcntl(dfd, F_GETOWN), -getpgrp(), "the watch leaves an owner F_SETOWN named");
	nevents = 0;
	do_create();
	CHECK_EQ(settle(), 1, "the group (this process) gets the signal");
	CHECK_EQ(fcntl(dfd, F_SETSIG, SIG_DN), 0, "F_SETSIG back");
}

int main(void)
{
	const char *tmp;
	struct sigaction sa = { 0 };
	int dfd;

	check_start();
	/* a group of its own: the signals sent to "the process group" must reach only this */
	setpgid(0, 0);
	tmp = check_tmpdir();
	snprintf(dir, sizeof(dir), "%s/watched", tmp);
	snprintf(other, sizeof(other), "%s/other", tmp);
	mkdir(dir, 0755);
	mkdir(other, 0755);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIG_DN, &sa, NULL);
	sigaction(SIGRTMIN + 2, &sa, NULL);
	sigaction(SIGIO, &sa, NULL);

	owners();
	not_a_directory();
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0, "open the directory");
	CHECK_EQ(fcntl(dfd, F_SETSIG, SIG_DN), 0, "F_SETSIG on the directory");
	events_one_shot(dfd);
	multishot(dfd);
	plain_sigio(dfd);
	close(dfd);
	check_rmtree(tmp);
	return check_done();
}
