/* sys_epoll.c: epoll_create/create1/ctl/wait/pwait/pwait2 and eventfd/eventfd2 (the objects
 * are fs/epoll.c and fs/eventfd.c). */
#include "fs/epoll.h"
#include "fs/eventfd.h"
#include "fs/file.h"
#include "core/time.h"
#include "lib/errno.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/time.h"
#include "core/uaccess.h"

#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct epoll_event_k))

/* Install a new file at the lowest free descriptor; the descriptor or -errno. */
static long install(struct file *f, bool cloexec)
{
	int fd = fd_install(f, 0, cloexec);

	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL_DEFINE1(epoll_create1, int, flags)
{
	struct file *f;
	int r;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	r = epoll_create(&f);
	return r ? r : install(f, flags & O_CLOEXEC);
}

SYSCALL_DEFINE1(epoll_create, int, size)
{
	uint64_t a[1] = { 0 };

	if (size <= 0)
		return -EINVAL;
	return sys_epoll_create1(a);
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd, const struct epoll_event_k *, uev)
{
	struct epoll_event_k ev = { 0, 0 };
	struct file *ef, *tf;
	long r;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	ef = fd_get(epfd);
	if (!ef)
		return -EBADF;
	tf = fd_get(fd);
	if (!tf) {
		file_put(ef);
		return -EBADF;
	}
	r = epoll_ctl(ef, op, fd, tf, &ev);
	file_put(tf);
	file_put(ef);
	return r;
}

/* The common part of the epoll_wait family: umask NULL for no temporary mask. */
static long do_wait(int epfd, struct epoll_event_k *uev, int max, uint64_t deadline, bool nowait,
		    const uint64_t *umask, size_t masksize)
{
	struct file *f;
	uint64_t mask;
	long r;

	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	if (!user_range_ok(uev, (size_t)max * sizeof(*uev)))
		return -EFAULT;
	if (umask) {
		if (masksize != sizeof(mask))
			return -EINVAL;
		if (copy_from_user(&mask, umask, sizeof(mask)))
			return -EFAULT;
	}
	f = fd_get(epfd);
	if (!f)
		return -EBADF;
	if (umask)
		signal_wait_mask_begin(mask);
	r = epoll_wait(f, uev, max, deadline, nowait);
	if (umask)
		signal_wait_mask_end(r == -EINTR);
	file_put(f);
	return r;
}

static long wait_ms(int epfd, struct epoll_event_k *uev, int max, int ms, const uint64_t *umask,
		    size_t masksize)
{
	uint64_t deadline = ms > 0 ? time_ns() + (uint64_t)ms * NSEC_PER_MSEC : 0;

	return do_wait(epfd, uev, max, deadline, ms == 0, umask, masksize);
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, struct epoll_event_k *, uev, int, max, int, ms)
{
	return wait_ms(epfd, uev, max, ms, NULL, 0);
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, struct epoll_event_k *, uev, int, max, int, ms,
		const uint64_t *, umask, size_t, masksize)
{
	return wait_ms(epfd, uev, max, ms, umask, masksize);
}

SYSCALL_DEFINE6(epoll_pwait2, int, epfd, struct epoll_event_k *, uev, int, max,
		const struct timespec_k *, uts, const uint64_t *, umask, size_t, masksize)
{
	struct timespec_k ts = { 0, 0 };
	uint64_t deadline = 0;

	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		if (ts.tv_sec < 1000000000L) /* further away: no deadline at all */
			deadline = time_ns() + timespec_to_ns(&ts);
	}
	return do_wait(epfd, uev, max, deadline, uts && !ts.tv_sec && !ts.tv_nsec, umask, masksize);
}

SYSCALL_DEFINE2(eventfd2, uint32_t, initval, int, flags)
{
	struct file *f;
	int r;

	if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC))
		return -EINVAL;
	r = eventfd_create(initval, (uint32_t)flags & ~(uint32_t)EFD_CLOEXEC, &f);
	return r ? r : install(f, flags & EFD_CLOEXEC);
}

SYSCALL_DEFINE1(eventfd, uint32_t, initval)
{
	uint64_t a[2] = { initval, 0 };

	return sys_eventfd2(a);
}
