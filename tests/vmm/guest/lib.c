/* lib.c: the test guests' runtime: serial, printf, exit, command line, string helpers. */
#include "guest.h"

#define COM1 0x3f8

const char *guest_cmdline = "";

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *dp = d;

	while (n--)
		*dp++ = (uint8_t)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

uint32_t fnv1a(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

unsigned expected_memmap(uint64_t mem, unsigned i, uint64_t *addr, uint64_t *size, uint32_t *type)
{
	const uint64_t hole = 0xc0000000ul, low = mem < hole ? mem : hole;
	const uint64_t a[] = { 0, 0x9fc00, 0x100000, 0x100000000ul };
	const uint64_t s[] = { 0x9fc00, 0x100000 - 0x9fc00, low - 0x100000, mem - low };
	const uint32_t t[] = { 1, 2, 1, 1 };
	unsigned n = mem > hole ? 4 : 3;

	if (i < n) {
		*addr = a[i];
		*size = s[i];
		*type = t[i];
	}
	return n;
}

void serial_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

void serial_write(const void *buf, size_t len)
{
	const char *p = buf;

	while (len--)
		serial_putc(*p++);
}

void serial_puts(const char *s)
{
	serial_write(s, strlen(s));
}

bool serial_can_read(void)
{
	return inb(COM1 + 5) & 0x01;
}

uint8_t serial_getc(void)
{
	while (!serial_can_read())
		;
	return inb(COM1);
}

static void put_num(uint64_t v, unsigned base, int width, char pad)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width--)
		serial_putc(pad);
	while (n)
		serial_putc(buf[--n]);
}

int gprintf(const char *fmt, ...)
{
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int lng = 0, width = 0;
		char pad = ' ';

		if (*fmt != '%') {
			serial_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			int64_t v = lng ? __builtin_va_arg(ap, long) : __builtin_va_arg(ap, int);

			if (v < 0) {
				serial_putc('-');
				v = -v;
			}
			put_num((uint64_t)v, 10, width, pad);
			break;
		}
		case 'u':
			put_num(lng ? __builtin_va_arg(ap, unsigned long)
				    : __builtin_va_arg(ap, unsigned int),
				10, width, pad);
			break;
		case 'x':
			put_num(lng ? __builtin_va_arg(ap, unsigned long)
				    : __builtin_va_arg(ap, unsigned int),
				16, width, pad);
			break;
		case 'p':
			serial_puts("0x");
			put_num((uint64_t) __builtin_va_arg(ap, void *), 16, 0, ' ');
			break;
		case 'c':
			serial_putc((char)__builtin_va_arg(ap, int));
			break;
		case 's': {
			const char *s = __builtin_va_arg(ap, const char *);

			serial_puts(s ? s : "(null)");
			break;
		}
		case '%':
			serial_putc('%');
			break;
		default:
			serial_putc('?');
		}
	}
	__builtin_va_end(ap);
	return 0;
}

void guest_exit(int status)
{
	outl(MOTE_EXIT_PORT, (uint32_t)status);
	outl(MOTE_DEBUG_EXIT_PORT, (uint32_t)status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

const char *guest_arg(const char *key)
{
	size_t n = strlen(key);

	for (const char *p = guest_cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			return p + n + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

uint64_t guest_arg_num(const char *key, uint64_t def)
{
	const char *p = guest_arg(key);
	uint64_t v = 0;
	unsigned base = 10;

	if (!p || !*p || *p == ' ')
		return def;
	if (p[0] == '0' && p[1] == 'x') {
		base = 16;
		p += 2;
	}
	for (;; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else
			break;
		v = v * base + d;
	}
	return v;
}

/* hvm_start_info.cmdline_paddr and boot_params.hdr.cmd_line_ptr. */
#define PVH_CMDLINE_OFF 24
#define ZP_CMDLINE_OFF 0x228

/* Called by the entry code with the boot kind and the boot information's address. */
void guest_start(int kind, uint64_t info);
void guest_start(int kind, uint64_t info)
{
	uint64_t cmdline = 0;

	if (kind == BOOT_PVH)
		cmdline = *(volatile uint64_t *)(info + PVH_CMDLINE_OFF);
	else if (kind == BOOT_LINUX)
		cmdline = *(volatile uint32_t *)(info + ZP_CMDLINE_OFF);
	if (cmdline)
		guest_cmdline = (const char *)cmdline;
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0x01); /* FIFO on */
	guest_exit(guest_main(kind, info));
}
