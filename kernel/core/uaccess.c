/* uaccess.c: string copies from the application (uaccess.h). */
#include "core/uaccess.h"

long strncpy_from_user(char *buf, const char *ustr, size_t max)
{
	uint64_t a = (uint64_t)ustr;
	size_t lim = max;
	long n;

	if (!current_thread()->kernel_ds) {
		if (a >= USER_TOP)
			return -EFAULT;
		lim = MIN(max, USER_TOP - a);
	}
	n = arch_strnlen_user(ustr, lim);
	if (n < 0)
		return n;
	if ((size_t)n >= max)
		return -ENAMETOOLONG;
	if ((size_t)n == lim) /* ran into the end of the application's half */
		return -EFAULT;
	if (arch_copy_user(buf, ustr, (size_t)n))
		return -EFAULT;
	buf[n] = 0;
	return n;
}
