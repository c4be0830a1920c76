/* uaccess.h: reading and writing the application's memory from the kernel (system calls, and
 * the files and sockets they reach). The application shares the kernel's address space, so a
 * user pointer is used directly, but only after a range check (the lower half) and through
 * accessors that turn an unresolvable fault into -EFAULT instead of a kernel crash. */
#ifndef MOTE_CORE_UACCESS_H
#define MOTE_CORE_UACCESS_H

#include "lib/types.h"
#include "lib/errno.h"
#include "arch/x86_64/percpu.h"
#include "core/sched/thread.h"

#define USER_TOP 0x0000800000000000UL /* end of the application's half */

int arch_copy_user(void *dst, const void *src, size_t n) __must_check;
int arch_clear_user(void *dst, size_t n) __must_check;
long arch_strnlen_user(const char *s, size_t max);
int arch_cmpxchg_user32(uint32_t *p, uint32_t *old, uint32_t nv) __must_check;
int arch_xchg_user32(uint32_t *p, uint32_t *val) __must_check;

/* Let the accessors below take kernel buffers too (a file or socket call made on behalf of
 * the kernel: kernel_read, sendfile, sendmsg's gathered bytes) until uaccess_kernel_end,
 * which puts back what uaccess_kernel_begin returned (so they nest). */
static inline bool uaccess_kernel_begin(void)
{
	struct thread *t = current_thread();
	bool old = t->kernel_ds;

	t->kernel_ds = true;
	return old;
}

static inline void uaccess_kernel_end(bool old)
{
	current_thread()->kernel_ds = old;
}

/* True if [p, p+n) lies in the application's half (or anywhere, inside kernel_read). */
static inline bool user_range_ok(const void *p, size_t n)
{
	uint64_t a = (uint64_t)p;

	if (unlikely(current_thread()->kernel_ds))
		return a + n >= a;
	return a + n >= a && a + n <= USER_TOP;
}

/* Copy n bytes from / to the application; 0 or -EFAULT. */
static inline int __must_check copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return arch_copy_user(dst, usrc, n);
}

static inline int __must_check copy_to_user(void *udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return arch_copy_user(udst, src, n);
}

static inline int __must_check clear_user(void *udst, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return arch_clear_user(udst, n);
}

#define get_user(val, uptr) copy_from_user(&(val), (uptr), sizeof(*(uptr)))
#define put_user(val, uptr)                              \
	({                                               \
		__typeof__(*(uptr)) __v = (val);         \
		copy_to_user((uptr), &__v, sizeof(__v)); \
	})

/*
 * Copy a NUL-terminated string of at most max-1 characters into buf (size max). Returns its
 * length, -EFAULT, or -ENAMETOOLONG if it does not fit.
 */
long strncpy_from_user(char *buf, const char *ustr, size_t max) __must_check;

#endif /* MOTE_CORE_UACCESS_H */
