/* filter.c: thread-category filters compiled with libseccomp, installed per thread (filter.h). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "abi/mote_abi.h"
#include "log.h"
#include "seccomp/filter.h"

/* Call numbers named in the SIGSYS line; x86-64 has fewer than this. */
#define NR_NAMES 512

static const char *const thread_names[SECCOMP_NR_THREADS] = {
	[SECCOMP_VMM] = "vmm",
	[SECCOMP_API] = "api",
	[SECCOMP_VCPU] = "vcpu",
};

/* The compiled programs, loaded by each thread of the category at its start. */
static struct sock_fprog progs[SECCOMP_NR_THREADS];
/* Names resolved before any filter runs: the SIGSYS handler must not allocate. */
static char *names[NR_NAMES];

const char *seccomp_thread_name(enum seccomp_thread t)
{
	return t < SECCOMP_NR_THREADS ? thread_names[t] : "?";
}

static int fail(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A trapped call: one log line naming it, then Firecracker's BadSyscall status. The line is
 * formatted into a buffer and written with one write(2), which every category allows.
 */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	int nr = si->si_syscall;
	const char *name = nr >= 0 && nr < NR_NAMES && names[nr] ? names[nr] : "unknown";

	(void)sig;
	(void)uc;
	log_msg(LOG_ERROR, __FILE__, __LINE__,
		"Shutting down VM after intercepting a bad syscall (%d: %s)", nr, name);
	_exit(MOTE_STATUS_BAD_SYSCALL);
}

static int setup_sigsys(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

	if (!names[0]) {
		for (int nr = 0; nr < NR_NAMES; nr++)
			names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
	}
	sigfillset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL) < 0 ? -errno : 0;
}

static uint32_t action(const struct seccomp_action *a)
{
	switch (a->kind) {
	case SECCOMP_ACT_ALLOW:
		return SCMP_ACT_ALLOW;
	case SECCOMP_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case SECCOMP_ACT_ERRNO:
		return SCMP_ACT_ERRNO(a->data);
	case SECCOMP_ACT_TRACE:
		return SCMP_ACT_TRACE(a->data);
	case SECCOMP_ACT_LOG:
		return SCMP_ACT_LOG;
	case SECCOMP_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case SECCOMP_ACT_KILL_PROCESS:
		break;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static const enum scmp_compare ops[] = {
	[SECCOMP_OP_EQ] = SCMP_CMP_EQ,
	[SECCOMP_OP_NE] = SCMP_CMP_NE,
	[SECCOMP_OP_LT] = SCMP_CMP_LT,
	[SECCOMP_OP_LE] = SCMP_CMP_LE,
	[SECCOMP_OP_GT] = SCMP_CMP_GT,
	[SECCOMP_OP_GE] = SCMP_CMP_GE,
	[SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/*
 * A dword compares the argument's low half, as seccompiler does: an int argument's upper half
 * is whatever the caller's register held (-1 is 0xffffffffffffffff as a long). Equality and
 * masks take the mask; an order on a dword compares the whole value, which is the same for
 * the non-negative numbers (flags, commands, requests) such rules name.
 */
static struct scmp_arg_cmp arg_cmp(const struct seccomp_cond *c)
{
	struct scmp_arg_cmp a = { .arg = c->index, .op = ops[c->op], .datum_a = c->val };

	if (c->op == SECCOMP_OP_MASKED_EQ) {
		a.datum_a = c->qword ? c->mask : c->mask & 0xffffffffu;
		a.datum_b = c->qword ? c->val : c->val & 0xffffffffu;
	} else if (c->op == SECCOMP_OP_EQ && !c->qword) {
		a.op = SCMP_CMP_MASKED_EQ;
		a.datum_a = 0xffffffffu;
		a.datum_b = c->val & 0xffffffffu;
	}
	return a;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t act, const struct seccomp_rule *r, char *err,
		    size_t size)
{
	struct scmp_arg_cmp cmp[SECCOMP_MAX_CONDS];
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, r->syscall);
	int e;

	if (nr == __NR_SCMP_ERROR || nr < 0)
		return fail(err, size, "unknown system call \"%s\"", r->syscall);
	if (r->nr_conds > SECCOMP_MAX_CONDS)
		return fail(err, size, "%s: more than %d arguments", r->syscall, SECCOMP_MAX_CONDS);
	for (unsigned i = 0; i < r->nr_conds; i++) {
		const struct seccomp_cond *c = &r->conds[i];

		if (c->index > 5)
			return fail(err, size, "%s: argument index %u (0 to 5)", r->syscall,
				    c->index);
		if (c->op > SECCOMP_OP_MASKED_EQ)
			return fail(err, size, "%s: bad comparison", r->syscall);
		if (!c->qword && (c->val > 0xffffffffu || c->mask > 0xffffffffu))
			return fail(err, size, "%s: argument %u: %#llx does not fit a dword",
				    r->syscall, c->index, (unsigned long long)c->val);
		cmp[i] = arg_cmp(c);
	}
	e = seccomp_rule_add_exact_array(ctx, act, nr, r->nr_conds, cmp);
	if (e)
		return fail(err, size, "%s: libseccomp refused the rule: %s", r->syscall,
			    strerror(-e));
	return 0;
}

/* libseccomp's program for CTX, copied out of a memory file (its only export). */
static int export(scmp_filter_ctx ctx, struct sock_fprog *prog, char *err, size_t size)
{
	int fd = memfd_create("motevm-seccomp", MFD_CLOEXEC), e;
	struct stat st;
	void *buf;

	if (fd < 0)
		return fail(err, size, "memfd_create: %s", strerror(errno));
	e = seccomp_export_bpf(ctx, fd);
	if (e || fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(struct sock_filter) ||
	    st.st_size > BPF_MAXINSNS * (off_t)sizeof(struct sock_filter)) {
		close(fd);
		return fail(err, size, "exporting the filter: %s",
			    e ? strerror(-e) : "too long (more than 4096 instructions)");
	}
	buf = malloc((size_t)st.st_size);
	if (!buf || pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		close(fd);
		return fail(err, size, "reading the exported filter back");
	}
	close(fd);
	free(prog->filter);
	prog->filter = buf;
	prog->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	return 0;
}

int seccomp_compile(enum seccomp_thread t, const struct seccomp_filter *f, char *err, size_t size)
{
	uint32_t def = action(&f->default_action), act = action(&f->filter_action);
	scmp_filter_ctx ctx;
	int r = 0;

	if (t >= SECCOMP_NR_THREADS)
		return fail(err, size, "no thread category %d", (int)t);
	if (def == act)
		return fail(err, size, "%s: filter_action is the default_action: nothing to filter",
			    thread_names[t]);
	if (setup_sigsys())
		return fail(err, size, "SIGSYS handler: %s", strerror(errno));
	ctx = seccomp_init(def);
	if (!ctx)
		return fail(err, size, "libseccomp: cannot start a filter");
	/* motevm sets PR_SET_NO_NEW_PRIVS itself before loading (seccomp_apply). */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t i = 0; i < f->nr_rules && r == 0; i++) {
		r = add_rule(ctx, act, &f->rules[i], err, size);
		if (r) {
			/* the category first: "vcpu: unknown system call..." */
			char why[256];

			snprintf(why, sizeof(why), "%s", err);
			fail(err, size, "%s: %s", thread_names[t], why);
		}
	}
	if (r == 0)
		r = export(ctx, &progs[t], err, size);
	seccomp_release(ctx);
	return r;
}

bool seccomp_ready(void)
{
	for (int t = 0; t < SECCOMP_NR_THREADS; t++)
		if (!progs[t].filter)
			return false;
	return true;
}

int seccomp_apply(enum seccomp_thread t)
{
	if (t >= SECCOMP_NR_THREADS)
		return -EINVAL;
	if (!progs[t].filter)
		return 0;
	/* Required of an unprivileged process, and keeps an exec'd program from gaining any. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &progs[t]) < 0)
		return -errno;
	return 0;
}
