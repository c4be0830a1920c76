/* inherit.c: "/dev/fd/N" paths to descriptors motevm was started with (inherit.h). */
#include "inherit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

static uint64_t inherited[INHERIT_MAX_FD / 64]; /* bit N: descriptor N was open at start */

/* One poll over every descriptor number, not a call each: a closed one answers POLLNVAL. */
void inherit_note(void)
{
	static struct pollfd p[INHERIT_MAX_FD];
	struct rlimit r;
	int n = INHERIT_MAX_FD;

	/* poll takes no more than the descriptor limit (the jailer's no-file may be lower) */
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < (rlim_t)n)
		n = (int)r.rlim_cur;
	for (int fd = 0; fd < n; fd++)
		p[fd] = (struct pollfd){ .fd = fd };
	if (poll(p, (nfds_t)n, 0) < 0)
		return;
	for (int fd = 3; fd < n; fd++)
		if (!(p[fd].revents & POLLNVAL))
			inherited[fd / 64] |= 1ULL << (fd % 64);
}

int inherit_fd_of(const char *path)
{
	static const char prefix[] = "/dev/fd/";
	const char *s = path + sizeof(prefix) - 1;
	long n = 0;

	if (strncmp(path, prefix, sizeof(prefix) - 1) || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > 1 << 20)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return (int)n;
}

bool inherit_is(int fd)
{
	return fd >= 3 && fd < INHERIT_MAX_FD && (inherited[fd / 64] >> (fd % 64) & 1);
}

int inherit_open(const char *path, int flags)
{
	return inherit_open_mode(path, flags, 0);
}

int inherit_open_mode(const char *path, int flags, mode_t create_mode)
{
	int fd = inherit_fd_of(path), mode, want = flags & O_ACCMODE;

	if (fd < 0)
		return open(path, flags, create_mode);
	if (!inherit_is(fd)) {
		errno = EBADF;
		return -1;
	}
	mode = fcntl(fd, F_GETFL);
	if (mode < 0)
		return -1;
	mode &= O_ACCMODE;
	if (mode != O_RDWR && mode != want) {
		errno = EACCES;
		return -1;
	}
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}
