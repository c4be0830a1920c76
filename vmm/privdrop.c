/* privdrop.c: the calling thread's capabilities emptied, unused rlimits lowered (privdrop.h). */
#include <errno.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "privdrop.h"

/* Capability numbers are below 64 in every kernel's ABI (two 32-bit words, version 3). */
#define CAP_WORDS _LINUX_CAPABILITY_U32S_3
#define MAX_CAPS (32 * CAP_WORDS)

/* Limits motevm never needs once set up: no POSIX message queue, no real-time priority. */
static const int unused_limits[] = { RLIMIT_MSGQUEUE, RLIMIT_RTPRIO };

/* glibc has no wrapper for capget/capset (libcap's are not needed for this). */
static int caps(int nr, struct __user_cap_data_struct data[CAP_WORDS])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return syscall(nr, &hdr, data) < 0 ? -errno : 0;
}

static int has_effective(int cap)
{
	struct __user_cap_data_struct data[CAP_WORDS] = { 0 };

	if (caps(SYS_capget, data))
		return 0;
	return (data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap)) != 0;
}

/*
 * Each capability the kernel knows, up to the first it calls invalid: asking the kernel
 * rather than reading /proc/sys/kernel/cap_last_cap works in a jail without /proc.
 */
static int drop_bounding_set(void)
{
	for (int cap = 0; cap < MAX_CAPS; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL && cap > 0)
			return 0;
		return -errno;
	}
	return 0;
}

int privdrop_thread(void)
{
	struct __user_cap_data_struct none[CAP_WORDS] = { 0 };
	int r;

	/* The bounding set first: dropping it needs CAP_SETPCAP, which the capset below ends. */
	if (has_effective(CAP_SETPCAP)) {
		r = drop_bounding_set();
		if (r)
			return r;
	}
	/* EINVAL: a kernel before 4.3 has no ambient set, so nothing to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	/*
	 * No exec gains a privilege back (setuid, file capabilities), with --no-seccomp too:
	 * the one thing an unprivileged thread cannot take from its bounding set.
	 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	/* Lowering is always allowed: an empty set is a subset of any. */
	r = caps(SYS_capset, none);
	if (r)
		return r;
	for (unsigned i = 0; i < sizeof(unused_limits) / sizeof(unused_limits[0]); i++) {
		if (setrlimit(unused_limits[i], &(struct rlimit){ 0, 0 }) < 0)
			return -errno;
	}
	return 0;
}
