/* vmm_inherit_test.c: motevm's "/dev/fd/N" paths (vmm/inherit.c): a descriptor the caller
 * passed opens with the access it was opened with, shares its file, and still opens where
 * there is no /proc (a chroot, as in mote-jailer's jail); one motevm opened itself, a
 * closed one, or one lacking the asked access, does not. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "inherit.h"

static char path_buf[32];

static const char *fd_path(int fd)
{
	snprintf(path_buf, sizeof(path_buf), "/dev/fd/%d", fd);
	return path_buf;
}

static void test_parse(void)
{
	CHECK(inherit_fd_of("/dev/fd/7") == 7);
	CHECK(inherit_fd_of("/dev/fd/1023") == 1023);
	CHECK(inherit_fd_of("/dev/fd/") == -1);
	CHECK(inherit_fd_of("/dev/fd/7x") == -1);
	CHECK(inherit_fd_of("/dev/fd/-1") == -1);
	CHECK(inherit_fd_of("/dev/fd7") == -1);
	CHECK(inherit_fd_of("/tmp/x") == -1);
	CHECK(inherit_fd_of("/dev/fd/99999999999999999999") == -1);
}

/* 0 if inherit_open(PATH, FLAGS) gives a descriptor of 3 or more (closed again), else its
 * errno. */
static int opens(const char *path, int flags)
{
	int fd;

	errno = 0;
	fd = inherit_open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return errno ? errno : -1;
	close(fd);
	return fd >= 3 ? 0 : -1;
}

/* RW and RO were open "at start"; LATE was opened after. */
static void test_open(int rw, int ro, int late)
{
	char buf[8] = { 0 };
	int fd;

	CHECK(inherit_is(rw) && inherit_is(ro) && !inherit_is(late));
	CHECK(!inherit_is(0) && !inherit_is(2) && !inherit_is(-1) && !inherit_is(1000) &&
	      !inherit_is(1024));
	/* the same file, its offset shared: motevm reads at explicit offsets */
	fd = inherit_open(fd_path(rw), O_RDWR | O_CLOEXEC);
	CHECK(fd >= 3 && fd != rw);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(pwrite(fd, "jailed", 6, 0) == 6);
	CHECK(pread(rw, buf, 6, 0) == 6 && !memcmp(buf, "jailed", 6));
	close(fd);
	/* read-only: read yes, read-write no; a read-write descriptor serves a read too */
	CHECK(opens(fd_path(ro), O_RDONLY) == 0);
	CHECK(opens(fd_path(ro), O_RDWR) == EACCES);
	CHECK(opens(fd_path(ro), O_WRONLY) == EACCES);
	CHECK(opens(fd_path(rw), O_RDONLY) == 0);
	/* not passed by the caller, or standard streams: refused, not opened through /proc */
	CHECK(opens(fd_path(late), O_RDONLY) == EBADF);
	CHECK(opens("/dev/fd/0", O_RDONLY) == EBADF);
	/* other paths are plain opens */
	fd = inherit_open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	close(fd);
	errno = 0;
	CHECK(inherit_open("/nonexistent/x", O_RDONLY) == -1 && errno == ENOENT);
}

/* In a chroot without /proc or /dev (as the jail after pivot_root): still the file. */
static void test_chroot(int rw, const char *dir)
{
	pid_t pid;
	int st;

	if (geteuid() != 0) {
		printf("SKIP chroot part: not root\n");
		return;
	}
	pid = fork();
	if (pid == 0) {
		char buf[8] = { 0 };
		int fd;

		if (unshare(CLONE_NEWNS) < 0 || chroot(dir) < 0 || chdir("/") < 0)
			_exit(2);
		if (access("/proc/self", F_OK) == 0)
			_exit(3);
		fd = inherit_open(fd_path(rw), O_RDWR | O_CLOEXEC);
		if (fd < 0 || pread(fd, buf, 6, 0) != 6 || memcmp(buf, "jailed", 6))
			_exit(4);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
	char dir[] = "/tmp/mote-inherit.XXXXXX", file[64];
	int rw, ro, late;

	test_parse();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(file, sizeof(file), "%s/f", dir);
	rw = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ro = open(file, O_RDONLY);
	CHECK(rw >= 3 && ro >= 3);
	CHECK(dup2(ro, 700) == 700); /* a high number, as a caller's dup2 may give */
	inherit_note();		     /* motevm's start */
	CHECK(inherit_is(700) && !inherit_is(701) && !inherit_is(699));
	close(700);
	late = open(file, O_RDONLY);
	CHECK(late >= 3);
	test_open(rw, ro, late);
	test_chroot(rw, dir);
	close(rw);
	close(ro);
	close(late);
	unlink(file);
	rmdir(dir);
	return check_done();
}
