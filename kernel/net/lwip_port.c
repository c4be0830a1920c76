/* lwip_port.c: lwIP's platform hooks on the kernel: messages, assertions, random numbers, the
 * millisecond clock, and the one C-library function its sources call (atoi). */
#include "net/lwip_port.h"
#include "core/panic.h"
#include "core/time.h"
#include "lib/printf.h"
#include "lib/random.h"
#include "net/lwip/arch/cc.h"
#include "net/lwip/libc/stdlib.h"

void mote_lwip_diag(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk(LOG_DEBUG, "lwip: %s", buf);
}

void mote_lwip_assert(const char *msg, const char *file, int line)
{
	panic("lwip: %s (%s:%d)", msg, file, line);
}

uint32_t mote_lwip_rand(void)
{
	return (uint32_t)random_u64();
}

uint32_t sys_now(void)
{
	return (uint32_t)(time_ns() / NSEC_PER_MSEC);
}

int atoi(const char *s)
{
	int v = 0, neg = *s == '-';

	for (s += neg || *s == '+'; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}
