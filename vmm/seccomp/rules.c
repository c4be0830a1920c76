/* rules.c: the calls each of motevm's threads makes once its filter is on (rules.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/kvm.h>

#include "seccomp/rules.h"

/*
 * A rule per line: CALL(name) allows any arguments; WITH(name, conditions...) only those.
 * Conditions compare one argument (a dword, the low 32 bits, unless said): EQ(i, v), and
 * NONE_OF(i, bits) for "none of these bits set".
 */
#define NCONDS(...) (sizeof((struct seccomp_cond[]){ __VA_ARGS__ }) / sizeof(struct seccomp_cond))
#define CALL(name)              \
	{                       \
		.syscall = name \
	}
#define WITH(name, ...)                                                                    \
	{                                                                                  \
		.syscall = name, .nr_conds = NCONDS(__VA_ARGS__), .conds = { __VA_ARGS__ } \
	}
#define EQ(i, v)                                            \
	{                                                   \
		.index = i, .op = SECCOMP_OP_EQ, .val = (v) \
	}
#define NONE_OF(i, bits)                                                         \
	{                                                                        \
		.index = i, .op = SECCOMP_OP_MASKED_EQ, .mask = (bits), .val = 0 \
	}
#define MASKED(i, bits, v)                                                         \
	{                                                                          \
		.index = i, .op = SECCOMP_OP_MASKED_EQ, .mask = (bits), .val = (v) \
	}
#define IOCTL(request) WITH("ioctl", EQ(1, request))
#define FCNTL(cmd) WITH("fcntl", EQ(1, cmd))

/* The vCPU kick (vcpu_kick): glibc's SIGRTMIN, checked at start-up (seccomp_rules_compile). */
#define KICK_SIGNAL 34

/*
 * Every thread: glibc's malloc (brk, anonymous private mappings, a thread's arena made
 * read-write by mprotect, madvise and munmap to give memory back, mremap for realloc), its
 * locks and condition variables (futex), the log (one write per line), the clock when the
 * vDSO is not there, signal masks and returns (the vCPU kick's handler, glibc's thread exit),
 * and the end of a thread or of motevm. No mapping or protection change ever asks for
 * PROT_EXEC: a guest that took over a thread cannot make new code.
 */
static const struct seccomp_rule common[] = {
	CALL("write"),
	CALL("futex"),
	CALL("brk"),
	WITH("mmap", NONE_OF(2, PROT_EXEC),
	     MASKED(3, MAP_ANONYMOUS | MAP_SHARED | MAP_PRIVATE, MAP_ANONYMOUS | MAP_PRIVATE)),
	WITH("mprotect", NONE_OF(2, PROT_EXEC)),
	CALL("munmap"),
	CALL("mremap"),
	CALL("madvise"),
	CALL("clock_gettime"),
	CALL("rt_sigprocmask"),
	CALL("rt_sigreturn"),
	CALL("restart_syscall"),
	CALL("sched_yield"),
	CALL("exit"),
	CALL("exit_group"),
};

/*
 * The devices' work, on the event loop (ioeventfd) and on a vCPU thread (an MMIO access, or
 * a notification where KVM_IOEVENTFD failed): stdin, stdout, stderr and eventfds (read,
 * write, readv, writev; poll while stdout is full), drives (preadv, pwritev, fdatasync,
 * fallocate for discard and write-zeroes, io_uring_enter for the Async engine), the TAP
 * (readv, writev) and passt's socket (sendmsg, sendto, recvfrom, recvmsg), virtio-rng
 * (getrandom), interest changes in the event loop (epoll_ctl), interrupts that are not
 * irqfds (KVM_IRQ_LINE: serial, i8042), the TAP's offloads set when the driver starts
 * virtio-net (TUNSETOFFLOAD, from the vCPU writing the status register), a stop requested
 * (getpid and tgkill: a kick to each vCPU thread; tgkill's thread group is motevm itself,
 * added when the rules are built: own_process).
 */
static const struct seccomp_rule devices[] = {
	CALL("read"),
	CALL("readv"),
	CALL("writev"),
	CALL("pread64"),
	CALL("preadv"),
	CALL("pwritev"),
	CALL("fdatasync"),
	CALL("fsync"),
	CALL("fallocate"),
	CALL("io_uring_enter"),
	CALL("getrandom"),
	CALL("sendmsg"),
	CALL("sendto"),
	CALL("recvfrom"),
	CALL("recvmsg"),
	CALL("poll"),
	CALL("ppoll"),
	CALL("epoll_ctl"),
	IOCTL(KVM_IRQ_LINE),
	IOCTL(TUNSETOFFLOAD),
	CALL("getpid"),
	CALL("gettid"),
	WITH("tgkill", EQ(2, KICK_SIGNAL)),
};

/*
 * The main thread after InstanceStart: the event loop, signals (signalfd) and the terminal's
 * size (SIGWINCH), the metrics timer set up after the start (timerfd) and the KVM statistics
 * it reads (pread64), PATCH /drives (open an existing file: never O_CREAT; or duplicate a
 * "/dev/fd/N" motevm was started with, F_DUPFD_CLOEXEC; its size), the
 * terminal and stdio flags restored at the end (TCSETS, F_SETFL), the vCPU threads joined,
 * the API socket file removed, and the VM handed to the teardown helper (clone with CLONE_VM,
 * which runs under this filter: PR_SET_PDEATHSIG, getppid, close, pause).
 */
static const struct seccomp_rule vmm[] = {
	CALL("epoll_wait"),
	CALL("epoll_pwait"),
	CALL("close"),
	IOCTL(TCGETS),
	IOCTL(TCSETS),
	IOCTL(TIOCGWINSZ),
	FCNTL(F_GETFL),
	FCNTL(F_SETFL),
	FCNTL(F_GETFD),
	FCNTL(F_DUPFD_CLOEXEC),
	WITH("timerfd_create", EQ(0, CLOCK_MONOTONIC)),
	CALL("timerfd_settime"),
	WITH("openat", NONE_OF(2, O_CREAT)),
	CALL("newfstatat"),
	CALL("fstat"),
	CALL("lseek"),
	CALL("unlink"),
	WITH("clone", EQ(0, CLONE_VM | CLONE_UNTRACED)),
	WITH("prctl", EQ(0, PR_SET_PDEATHSIG)),
	CALL("getppid"),
	CALL("pause"),
};

/*
 * The API thread: its epoll loop over the listening socket, the connections and its shutdown
 * eventfd; accept4 (non-blocking, close-on-exec) of clients, recvfrom and sendto (recv, send)
 * on them, close; a request handed to the main thread through an eventfd (write) and a
 * condition variable. It opens nothing and makes no socket: the listener is bound before.
 */
static const struct seccomp_rule api[] = {
	CALL("epoll_wait"), CALL("epoll_pwait"),
	CALL("epoll_ctl"),  WITH("accept4", EQ(3, SOCK_NONBLOCK | SOCK_CLOEXEC)),
	CALL("recvfrom"),   CALL("sendto"),
	CALL("close"),	    CALL("read"),
};

/*
 * A vCPU thread: KVM_RUN; KVM_KVMCLOCK_CTRL when paused; KVM_GET_REGS and KVM_GET_SREGS for
 * the register dump of a failing guest; and the devices' work (above). Nothing that creates a
 * file descriptor.
 */
static const struct seccomp_rule vcpu[] = {
	IOCTL(KVM_RUN),
	IOCTL(KVM_KVMCLOCK_CTRL),
	IOCTL(KVM_GET_REGS),
	IOCTL(KVM_GET_SREGS),
};

struct group {
	const struct seccomp_rule *rules;
	size_t n;
};

#define GROUP(a)                            \
	{                                   \
		a, sizeof(a) / sizeof(a[0]) \
	}

static const struct group groups[SECCOMP_NR_THREADS][3] = {
	[SECCOMP_VMM] = { GROUP(common), GROUP(devices), GROUP(vmm) },
	[SECCOMP_API] = { GROUP(common), GROUP(api) },
	[SECCOMP_VCPU] = { GROUP(common), GROUP(devices), GROUP(vcpu) },
};

/*
 * tgkill's thread group (argument 0) made motevm's own pid, a value only known at run time:
 * a kick goes to one of motevm's threads, never to another process of the same uid. In a
 * PID namespace of its own motevm is 1, which is still itself.
 */
static void own_process(struct seccomp_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct seccomp_rule *r = &rules[i];

		if (strcmp(r->syscall, "tgkill") || r->nr_conds >= SECCOMP_MAX_CONDS)
			continue;
		r->conds[r->nr_conds++] = (struct seccomp_cond){ .index = 0,
								 .op = SECCOMP_OP_EQ,
								 .val = (uint64_t)getpid() };
	}
}

int seccomp_rules_builtin(enum seccomp_thread t, struct seccomp_filter *f,
			  struct seccomp_rule **rules)
{
	size_t n = 0;

	for (int g = 0; g < 3; g++)
		n += groups[t][g].n;
	*rules = calloc(n, sizeof(**rules));
	if (!*rules)
		return -ENOMEM;
	n = 0;
	for (int g = 0; g < 3; g++) {
		memcpy(*rules + n, groups[t][g].rules, groups[t][g].n * sizeof(**rules));
		n += groups[t][g].n;
	}
	own_process(*rules, n);
	*f = (struct seccomp_filter){
		.default_action = { SECCOMP_ACT_TRAP },
		.filter_action = { SECCOMP_ACT_ALLOW },
		.rules = *rules,
		.nr_rules = n,
	};
	return 0;
}

int seccomp_rules_compile(char *err, size_t size)
{
	if (SIGRTMIN != KICK_SIGNAL) {
		snprintf(err, size, "SIGRTMIN is %d, the vCPU filter allows kicks with %d",
			 SIGRTMIN, KICK_SIGNAL);
		return -1;
	}
	for (int t = 0; t < SECCOMP_NR_THREADS; t++) {
		struct seccomp_filter f;
		struct seccomp_rule *rules;
		int r;

		if (seccomp_rules_builtin(t, &f, &rules)) {
			snprintf(err, size, "out of memory");
			return -1;
		}
		r = seccomp_compile(t, &f, err, size);
		free(rules);
		if (r)
			return r;
	}
	return 0;
}
