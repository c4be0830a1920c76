/* printf.c: vsnprintf (d i u x X p s c %, flags - 0 #, width, precision for s, l ll z) and printk. */
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/spinlock.h"

int printk_level = LOG_NOTICE;
static struct spinlock console_lock = SPINLOCK_INIT;
static volatile int panic_mode;

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, bool upper, int width, bool zero,
		    bool left, bool neg)
{
	char tmp[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int k = 0, len;

	do {
		tmp[k++] = digits[v % base];
		v /= base;
	} while (v);
	len = k + neg;
	if (neg && zero)
		put(o, '-');
	if (!left)
		for (; width > len; width--)
			put(o, zero ? '0' : ' ');
	if (neg && !zero)
		put(o, '-');
	while (k)
		put(o, tmp[--k]);
	for (; left && width > len; width--)
		put(o, ' ');
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };

	for (; *fmt; fmt++) {
		bool zero = false, left = false, alt = false;
		int width = 0, prec = -1, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		if (*fmt == '.') {
			prec = 0;
			if (fmt[1] == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = prec * 10 + (*fmt - '0');
		}
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			put_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false, width, zero,
				left, v < 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);

			if (alt && *fmt != 'u') {
				put(&o, '0');
				put(&o, 'x');
			}
			put_num(&o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, zero, left,
				false);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uint64_t)va_arg(ap, void *), 16, false, width, zero, left,
				false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t len;

			if (!s)
				s = "(null)";
			len = prec >= 0 ? strnlen(s, prec) : strlen(s);
			for (; !left && width > (int)len; width--)
				put(&o, ' ');
			for (size_t i = 0; i < len; i++)
				put(&o, s[i]);
			for (; left && width > (int)len; width--)
				put(&o, ' ');
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '%');
			if (!*fmt)
				goto out;
			put(&o, *fmt);
		}
	}
out:
	if (n)
		buf[o.len < n ? o.len : n - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

static const struct console_sink *sink;

void console_set_sink(const struct console_sink *s)
{
	sink = s;
}

void console_write(const char *s, size_t n)
{
	uint64_t f = arch_irq_save();

	if (!panic_mode)
		spin_lock_raw(&console_lock);
	if (sink)
		sink->write(s, n);
	if (!panic_mode)
		spin_unlock_raw(&console_lock);
	arch_irq_restore(f);
}

void console_write_stream(int stream, const char *s, size_t n)
{
	uint64_t f = arch_irq_save();

	if (!panic_mode)
		spin_lock_raw(&console_lock);
	if (sink)
		sink->write_stream(stream, s, n);
	if (!panic_mode)
		spin_unlock_raw(&console_lock);
	arch_irq_restore(f);
}

void console_panic_mode(void)
{
	panic_mode = 1;
}

void printk(int level, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int len;

	if (level > printk_level)
		return;
	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(buf))
		len = sizeof(buf) - 1;
	console_write(buf, len);
}
