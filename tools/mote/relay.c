/* relay.c: QEMU's output files to mote's stdout and stderr (relay.h). */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

/* Writes LEN bytes of BUF to FD, waiting where QEMU made it non-blocking; false if FD went
 * away. */
static bool put(int fd, const char *buf, ssize_t len)
{
	ssize_t done = 0;

	while (done < len) {
		ssize_t w = write(fd, buf + done, (size_t)(len - done));

		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			(void)poll(&p, 1, -1);
		} else if (w < 0 && errno != EINTR) {
			return false;
		} else if (w > 0) {
			done += w;
		}
	}
	return true;
}

/* One pass over the files: true if anything was copied. */
static bool copy_all(const int *from, const int *to, int n, off_t *off, bool *ok,
		     void (*gone)(void))
{
	static char buf[65536];
	bool any = false;

	for (int i = 0; i < n; i++) {
		ssize_t r = pread(from[i], buf, sizeof(buf), off[i]);

		if (r <= 0)
			continue;
		any = true;
		if (ok[i] && !put(to[i], buf, r)) {
			/* a reader gone: as a native writer would end (SIGPIPE), end the VM */
			ok[i] = false;
			gone();
		}
		(void)fallocate(from[i], FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off[i], r);
		off[i] += r;
	}
	return any;
}

int relay_until_exit(pid_t child, const int *from, const int *to, int n, void (*gone)(void))
{
	char watch[32], ev[4096];
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK), wstatus = -1;
	bool ok[RELAY_MAX], exited = false;
	off_t off[RELAY_MAX] = { 0 };

	for (int i = 0; i < n && i < RELAY_MAX; i++) {
		ok[i] = true;
		snprintf(watch, sizeof(watch), "/proc/self/fd/%d", from[i]);
		if (in >= 0 && inotify_add_watch(in, watch, IN_MODIFY) < 0) {
			close(in);
			in = -1;
		}
	}
	n = n < RELAY_MAX ? n : RELAY_MAX;
	for (;;) {
		if (copy_all(from, to, n, off, ok, gone))
			continue;
		if (exited)
			break;
		/* nothing new: has QEMU exited (then one last look), else wait for more */
		if (waitpid(child, &wstatus, WNOHANG) == child) {
			exited = true;
			continue;
		}
		if (in >= 0) {
			struct pollfd p = { .fd = in, .events = POLLIN };

			if (poll(&p, 1, 100) > 0)
				while (read(in, ev, sizeof(ev)) > 0)
					;
		} else {
			usleep(10000);
		}
	}
	if (in >= 0)
		close(in);
	while (!exited && waitpid(child, &wstatus, 0) < 0 && errno == EINTR)
		;
	return wstatus;
}
