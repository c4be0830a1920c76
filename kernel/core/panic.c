/* panic.c: panic(), fatal exception reports with a symbolised backtrace, and the VM exit. */
#include "core/panic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/smp.h"
#include "abi/mote_abi.h"
#include "core/cmdline.h"
#include "core/stats.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BACKTRACE_MAX 24

/* The symbol table, generated from the first link (kernel/tools/ksyms.sh). */
struct ksym {
	uint64_t addr;
	uint32_t name;
	uint32_t pad;
};
extern const uint64_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern char _text_start[], _text_end[];

static volatile int panicking;
static volatile int panic_cpu = -1;

/* The whole status in decimal to QEMU's debugcon (mote_abi.h; ignored where there is none). */
static void report_status(int status)
{
	char d[12];
	int n = 0;
	uint32_t v = (uint32_t)status;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < (int)sizeof(d));
	while (n)
		outb(MOTE_QEMU_STATUS_PORT, (uint8_t)d[--n]);
}

void kernel_exit(int status)
{
	if (cmdline.stats && !panicking)
		stats_print();
	arch_irq_disable();
	if (mote_features & MOTE_FEAT_EXIT)
		outl(MOTE_EXIT_PORT, (uint32_t)status);
	else
		report_status(status);
	outl(MOTE_DEBUG_EXIT_PORT, (uint32_t)status);
	/* Neither device: reset through the keyboard controller, then a triple fault. */
	outb(0x64, 0xfe);
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
	arch_halt_forever();
}

int ksym_lookup(uint64_t addr, char *buf, size_t n)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (addr < (uint64_t)_text_start || addr >= (uint64_t)_text_end || !hi)
		return -ENOENT;
	while (hi - lo > 1) {
		uint64_t mid = (lo + hi) / 2;

		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_table[lo].addr > addr)
		return -ENOENT;
	snprintf(buf, n, "%s+0x%lx", ksyms_names + ksyms_table[lo].name,
		 addr - ksyms_table[lo].addr);
	return 0;
}

/* A frame pointer we may follow: kernel-half, 8-aligned (stacks live in the image or the
 * direct map of RAM). */
static bool frame_ok(uint64_t rbp)
{
	return rbp >= PHYS_OFFSET && !(rbp & 7) && rbp < 0xfffffffffffff000;
}

static void print_frame(int i, uint64_t rip)
{
	char name[96];

	if (ksym_lookup(rip, name, sizeof(name)))
		snprintf(name, sizeof(name), "?");
	printk(LOG_EMERG, "  #%-2d %016lx %s\n", i, rip, name);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	int i = 0;

	printk(LOG_EMERG, "backtrace:\n");
	print_frame(i++, rip);
	while (i < BACKTRACE_MAX && frame_ok(rbp)) {
		uint64_t next, ret;

		/* Read through the fault fix-ups: a bad frame ends the trace, not the report. */
		if (arch_probe_read((const void *)rbp, &next) ||
		    arch_probe_read((const void *)(rbp + 8), &ret) || !ret)
			break;
		/* A return address points after the call: look up the call itself. */
		print_frame(i++, ret - 1);
		if (next <= rbp)
			break;
		rbp = next;
	}
}

/* Returns with this CPU the only one reporting (or ends the VM at once on a fault inside
 * the report itself: a panic must never hang). */
static void enter_panic(int status)
{
	arch_irq_disable();
	if (panic_cpu == (int)this_cpu()->id) {
		console_write("\nfault while reporting a fault\n", 31);
		kernel_exit(status);
	}
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST)) {
		/* Another CPU is already reporting: let it finish and end the VM. */
		arch_halt_forever();
	}
	panic_cpu = (int)this_cpu()->id;
	console_panic_mode();
	smp_stop_others();
}

void panic(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	uint64_t rbp;

	enter_panic(EXIT_PANIC);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk(LOG_EMERG, "\nkernel panic on cpu %u: %s\n", this_cpu()->id, buf);
	__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
	backtrace_print((uint64_t)__builtin_return_address(0),
			frame_ok(rbp) ? *(uint64_t *)rbp : 0);
	printk(LOG_EMERG, "exit status %d\n", EXIT_PANIC);
	kernel_exit(EXIT_PANIC);
}

static const char *const exc_names[32] = {
	"divide error",
	"debug",
	"NMI",
	"breakpoint",
	"overflow",
	"bound range",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor overrun",
	"invalid TSS",
	"segment not present",
	"stack fault",
	"general protection",
	"page fault",
	"reserved",
	"x87 FPU error",
	"alignment check",
	"machine check",
	"SIMD error",
	"virtualization",
	"control protection",
};

void panic_trap(const struct trapframe *tf)
{
	const char *name = tf->vector < 32 && exc_names[tf->vector] ? exc_names[tf->vector] : "?";
	int status = EXIT_EXCEPTION_BASE + (int)(tf->vector < 28 ? tf->vector : 27);

	enter_panic(status);
	printk(LOG_EMERG, "\nkernel exception on cpu %u: vector %lu (%s), error code %#lx\n",
	       this_cpu()->id, tf->vector, name, tf->error);
	if (tf->vector == 14)
		printk(LOG_EMERG, "page fault address %#lx (%s, %s)\n", arch_read_cr2(),
		       tf->error & 1 ? "protection" : "not present",
		       tf->error & 2 ? "write" : "read");
	printk(LOG_EMERG, "rip %016lx cs %04lx rflags %08lx rsp %016lx ss %04lx\n", tf->rip, tf->cs,
	       tf->rflags, tf->rsp, tf->ss);
	printk(LOG_EMERG, "rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", tf->rax, tf->rbx,
	       tf->rcx, tf->rdx);
	printk(LOG_EMERG, "rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", tf->rsi, tf->rdi,
	       tf->rbp, tf->r8);
	printk(LOG_EMERG, "r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", tf->r9, tf->r10, tf->r11,
	       tf->r12);
	printk(LOG_EMERG, "r13 %016lx r14 %016lx r15 %016lx cr3 %016lx\n", tf->r13, tf->r14,
	       tf->r15, read_cr3());
	backtrace_print(tf->rip, tf->rbp);
	printk(LOG_EMERG, "exit status %d\n", status);
	kernel_exit(status);
}
