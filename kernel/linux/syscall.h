/* syscall.h: system-call dispatch and the way a handler is written.
 *
 * A handler is defined with SYSCALL_DEFINEn(name, type, arg, ...) in the sys_*.c file of its
 * subject, and listed as SYS(nr, name) in syscalls.h (the one X-macro list that makes the
 * table, the names for tracing, and the declarations below). It returns a value >= 0 or
 * -errno, like Linux. It runs on the calling thread's kernel stack with interrupts enabled,
 * may sleep, and reaches the caller's registers through current_task()->tf (task.h).
 * User pointers are checked and copied with uaccess.h (a bad one gives -EFAULT).
 */
#ifndef MOTE_LINUX_SYSCALL_H
#define MOTE_LINUX_SYSCALL_H

#include "lib/types.h"

struct trapframe;

#define SYSCALL_MAX 512

#define SYSCALL_DEFINE0(name)              \
	static long do_sys_##name(void);   \
	long sys_##name(const uint64_t *a) \
	{                                  \
		(void)a;                   \
		return do_sys_##name();    \
	}                                  \
	static long do_sys_##name(void)
#define SYSCALL_DEFINE1(name, t1, a1)           \
	static long do_sys_##name(t1 a1);       \
	long sys_##name(const uint64_t *a)      \
	{                                       \
		return do_sys_##name((t1)a[0]); \
	}                                       \
	static long do_sys_##name(t1 a1)
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)             \
	static long do_sys_##name(t1 a1, t2 a2);          \
	long sys_##name(const uint64_t *a)                \
	{                                                 \
		return do_sys_##name((t1)a[0], (t2)a[1]); \
	}                                                 \
	static long do_sys_##name(t1 a1, t2 a2)
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)               \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3);             \
	long sys_##name(const uint64_t *a)                          \
	{                                                           \
		return do_sys_##name((t1)a[0], (t2)a[1], (t3)a[2]); \
	}                                                           \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3)
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)                 \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4);                \
	long sys_##name(const uint64_t *a)                                    \
	{                                                                     \
		return do_sys_##name((t1)a[0], (t2)a[1], (t3)a[2], (t4)a[3]); \
	}                                                                     \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4)
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)                   \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);                   \
	long sys_##name(const uint64_t *a)                                              \
	{                                                                               \
		return do_sys_##name((t1)a[0], (t2)a[1], (t3)a[2], (t4)a[3], (t5)a[4]); \
	}                                                                               \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6)                     \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6);                      \
	long sys_##name(const uint64_t *a)                                                        \
	{                                                                                         \
		return do_sys_##name((t1)a[0], (t2)a[1], (t3)a[2], (t4)a[3], (t5)a[4], (t6)a[5]); \
	}                                                                                         \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)

/* The declarations of every implemented handler. */
#define SYS(nr, name) long sys_##name(const uint64_t *a);
#define NOSYS(nr, name)
#include "linux/syscalls.h"
#undef SYS
#undef NOSYS

/* The numbers, by name: NR_read, NR_futex... (every call of the list, implemented or not). */
enum syscall_nr {
#define SYS(nr, name) NR_##name = (nr),
#define NOSYS(nr, name) NR_##name = (nr),
#include "linux/syscalls.h"
#undef SYS
#undef NOSYS
};

/* The name of system call nr ("?" if unknown). */
const char *syscall_name(uint64_t nr);

/*
 * Called by syscall.S with the frame it built: runs the handler of tf->rax with the
 * arguments in rdi, rsi, rdx, r10, r8, r9, stores the result in tf->rax, then runs the
 * return-to-application work (task_return_work: pending signals). Returns 0 to return by
 * the fast path (only rax, rcx, r11 differ from entry), 1 to restore the whole frame.
 */
int syscall_dispatch(struct trapframe *tf);

/* --strace: print every system call and its result. */
extern bool syscall_trace;

#endif /* MOTE_LINUX_SYSCALL_H */
