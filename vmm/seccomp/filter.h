/* filter.h: motevm's seccomp-BPF filters, one per thread category, as Firecracker has them. */
#ifndef MOTE_VMM_SECCOMP_FILTER_H
#define MOTE_VMM_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Thread categories: Firecracker's names, the top-level keys of a seccompiler JSON file. */
enum seccomp_thread {
	SECCOMP_VMM,  /* the main thread: event loop, devices, signals, timers, metrics, log */
	SECCOMP_API,  /* vmm/api/server.c's thread */
	SECCOMP_VCPU, /* each vCPU thread (vmm/kvm/vcpu.c) */
	SECCOMP_NR_THREADS,
};

/* seccompiler's comparisons. */
enum seccomp_op {
	SECCOMP_OP_EQ,
	SECCOMP_OP_NE,
	SECCOMP_OP_LT,
	SECCOMP_OP_LE,
	SECCOMP_OP_GT,
	SECCOMP_OP_GE,
	SECCOMP_OP_MASKED_EQ, /* (arg & mask) == val */
};

/* One condition on argument INDEX (0-5); a dword compares the low 32 bits only. */
struct seccomp_cond {
	uint8_t index;
	bool qword;
	enum seccomp_op op;
	uint64_t val;
	uint64_t mask; /* SECCOMP_OP_MASKED_EQ */
};

#define SECCOMP_MAX_CONDS 6

/* A call allowed when all its conditions hold; several rules of one call: any of them. */
struct seccomp_rule {
	const char *syscall;
	unsigned nr_conds;
	struct seccomp_cond conds[SECCOMP_MAX_CONDS];
};

/* seccompiler's actions; DATA is the errno or trace value. */
enum seccomp_action_kind {
	SECCOMP_ACT_ALLOW,
	SECCOMP_ACT_TRAP,
	SECCOMP_ACT_ERRNO,
	SECCOMP_ACT_TRACE,
	SECCOMP_ACT_LOG,
	SECCOMP_ACT_KILL_THREAD,
	SECCOMP_ACT_KILL_PROCESS,
};

struct seccomp_action {
	enum seccomp_action_kind kind;
	uint32_t data;
};

/* One thread category's filter: FILTER_ACTION for the rules' calls, DEFAULT_ACTION for the rest. */
struct seccomp_filter {
	struct seccomp_action default_action;
	struct seccomp_action filter_action;
	const struct seccomp_rule *rules;
	size_t nr_rules;
};

/* "vmm", "api", "vcpu". */
const char *seccomp_thread_name(enum seccomp_thread t);

/*
 * Compiles F (through libseccomp, for x86-64) into thread category T's BPF program, kept until
 * seccomp_apply(). 0, or -1 with the reason in ERR (an unknown call, a bad argument index...).
 * Also installs the SIGSYS handler that logs a trapped call and exits with
 * MOTE_STATUS_BAD_SYSCALL
 * (148, Firecracker's BadSyscall).
 */
int seccomp_compile(enum seccomp_thread t, const struct seccomp_filter *f, char *err, size_t size);

/* True once every category has a program. */
bool seccomp_ready(void);

/*
 * Installs category T's program in the calling thread (after PR_SET_NO_NEW_PRIVS), to stay
 * for the thread's life and be inherited by the threads it creates. Nothing if no program was
 * compiled (--no-seccomp). 0 or -errno.
 */
int seccomp_apply(enum seccomp_thread t);

#endif /* MOTE_VMM_SECCOMP_FILTER_H */
