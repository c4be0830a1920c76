/* guest.h: the tiny freestanding runtime shared by the VMM test guests. */
#ifndef MOTE_TESTS_VMM_GUEST_H
#define MOTE_TESTS_VMM_GUEST_H

#include "abi/mote_abi.h"

typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef long int64_t;
typedef unsigned long size_t;
typedef unsigned long uintptr_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

/* How the guest was entered (the first argument of guest_main). */
enum boot_kind {
	BOOT_PVH = 1,	/* PVH entry: INFO is the hvm_start_info address */
	BOOT_LINUX = 2, /* Linux 64-bit entry: INFO is the zero page address */
};

/* The stack pointer the Linux 64-bit entry was given. */
extern uint64_t entry_rsp;

/* Each test guest defines this; its return value is the exit status. */
int guest_main(int kind, uint64_t info);

/* The command line the loader passed (from hvm_start_info or the zero page), or "". */
extern const char *guest_cmdline;
/* The value of "KEY=value" on the command line (up to the next space), or NULL. */
const char *guest_arg(const char *key);
/* The number after "KEY=" (decimal or 0x hex), or DEF. */
uint64_t guest_arg_num(const char *key, uint64_t def);

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void mmio_write8(uint64_t addr, uint8_t v)
{
	*(volatile uint8_t *)addr = v;
}
static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}
static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
#define READ_CR(n)                                                 \
	({                                                         \
		uint64_t v_;                                       \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_)); \
		v_;                                                \
	})
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* COM1, polled. */
void serial_putc(char c);
void serial_write(const void *buf, size_t len);
void serial_puts(const char *s);
bool serial_can_read(void);
uint8_t serial_getc(void);
int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ends the VM with STATUS: the Mote exit device, then isa-debug-exit (QEMU), then halts. */
void guest_exit(int status) __attribute__((noreturn));
/* Prints "FAIL: ..." and exits with status 99. */
#define GUEST_ASSERT(cond, ...)                                                       \
	do {                                                                          \
		if (!(cond)) {                                                        \
			gprintf("GUEST FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			gprintf(__VA_ARGS__);                                         \
			gprintf("\n");                                                \
			guest_exit(99);                                               \
		}                                                                     \
	} while (0)

/* FNV-1a over LEN bytes (the host side computes the same to check initrd contents). */
uint32_t fnv1a(const void *data, size_t len);

/*
 * The memory map motevm promises for MEM bytes of RAM: entry I's address, size and e820
 * type. Returns the number of entries (I beyond it: false).
 */
unsigned expected_memmap(uint64_t mem, unsigned i, uint64_t *addr, uint64_t *size, uint32_t *type);

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif /* MOTE_TESTS_VMM_GUEST_H */
