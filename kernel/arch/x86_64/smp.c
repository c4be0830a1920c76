/* smp.c: AP start-up (one at a time, through the real-mode trampoline at AP_TRAMPOLINE),
 * and the cross-CPU operations: TLB shootdown and stop. */
#include "arch/x86_64/smp.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/platform.h"
#include "arch/x86_64/pvm.h"
#include "arch/x86_64/traps.h"
#include "core/cmdline.h"
#include "core/mm/vm.h"
#include "core/panic.h"
#include "core/sched/sched.h"
#include "core/sched/sync.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define AP_WAIT_NS (100 * NSEC_PER_MSEC)
#define AP_POLL_NS (20 * NSEC_PER_USEC)
#define FLUSH_ALL_PAGES 32 /* above this many pages, flush the whole TLB */

struct tramp_data {
	uint64_t cr3, entry, percpu, stack, vif, kcr3;
};

extern char trampoline_start[], trampoline_end[], tramp_data[], boot_pml4[], ap_entry64[];
static volatile bool apic_ready, go;
static struct mutex smpboot_lock = MUTEX_INIT(smpboot_lock);
static struct thread *smpboot_thread; /* joined by the first smp_wait_all */
uint64_t online_us;

static struct mutex shootdown_lock = MUTEX_INIT(shootdown_lock);
static volatile uint64_t sd_va, sd_len, sd_drop;
static volatile uint32_t sd_pending;

static void flush_range(uint64_t va, uint64_t len)
{
	if (len / PAGE_SIZE > FLUSH_ALL_PAGES) {
		arch_flush_tlb_all();
		return;
	}
	for (uint64_t a = va; a < va + len; a += PAGE_SIZE)
		arch_flush_tlb_one(a);
}

/* Leave the root sd_drop for the kernel's (it is about to be freed). */
static void drop_root(void)
{
	struct cpu *c = this_cpu();

	if (sd_drop && c->cr3 == sd_drop)
		vm_load();
}

static void ipi_tlb(struct trapframe *tf)
{
	drop_root();
	flush_range(sd_va, sd_len);
	__atomic_fetch_sub(&sd_pending, 1, __ATOMIC_RELEASE);
}

static void ipi_stop(struct trapframe *tf)
{
	arch_halt_forever();
}

static void shootdown(uint64_t va, uint64_t len, uint64_t drop)
{
	if (ncpus == 1 || !current_thread()) {
		uint64_t f = arch_irq_save();

		sd_drop = drop;
		drop_root();
		sd_drop = 0;
		flush_range(va, len);
		arch_irq_restore(f);
		return;
	}
	BUG_ON(!arch_irq_enabled());
	mutex_lock(&shootdown_lock);
	sd_va = va;
	sd_len = len;
	sd_drop = drop;
	/* Every online CPU, this one too, flushes in its handler: a migration cannot skip one.
	 * (A CPU still booting loads the page table afresh when it comes online.) */
	{
		uint32_t n = __atomic_load_n(&ncpus, __ATOMIC_ACQUIRE);
		uint64_t f = arch_irq_save();

		sd_pending = n;
		for (uint32_t i = 0; i < n; i++)
			apic_send_ipi(cpus[i]->apic_id, VEC_IPI_TLB);
		arch_irq_restore(f);
	}
	while (__atomic_load_n(&sd_pending, __ATOMIC_ACQUIRE))
		cpu_relax();
	sd_drop = 0;
	mutex_unlock(&shootdown_lock);
}

void smp_tlb_shootdown(uint64_t va, uint64_t len)
{
	shootdown(va, len, 0);
}

void smp_drop_root(uint64_t root)
{
	shootdown(0, 0, root);
}

void smp_stop_others(void)
{
	if (apic_ready && ncpus > 1)
		apic_send_ipi_others(VEC_IPI_STOP);
}

void smp_ap_main(void *block)
{
	struct cpu *c = (struct cpu *)((char *)block + PERCPU_CPU_OFFSET);

	gdt_init_cpu(c);
	idt_load();
	/* The boot CPU may still be setting up what the rest needs. */
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		cpu_relax();
	apic_init_cpu();
	time_init_cpu();
	appcpu_init_cpu();
	if (cmdline.test_fault_ap) /* an invalid XCR0: #GP (#UD without xsave) on no thread stack */
		__asm__ volatile("xsetbv" : : "a"(0), "c"(0), "d"(0));
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	sched_ap_enter();
}

/* Prepare CPU id (per-CPU block, idle thread, trampoline data) and send INIT-SIPI. */
static int kick_ap(uint32_t id, uint32_t apic)
{
	struct tramp_data *td =
		P2V(AP_TRAMPOLINE + ((uint64_t)tramp_data - (uint64_t)trampoline_start));
	void *block = percpu_alloc(id, apic);
	struct thread *idle;

	if (!block)
		return -ENOMEM;
	idle = sched_create_idle(id);
	if (!idle)
		return -ENOMEM;
	td->cr3 = KV2P(boot_pml4);
	td->entry = (uint64_t)ap_entry64;
	td->percpu = (uint64_t)block;
	td->stack = (uint64_t)idle->kstack + KSTACK_SIZE - 16;
	td->vif = pvm_active ? pvm_vif_msr_value(V2P(block)) : 0;
	td->kcr3 = vm_root();
	((struct cpu *)((char *)block + PERCPU_CPU_OFFSET))->cr3 = td->kcr3;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	apic_send_startup(apic, true, 0);
	apic_send_startup(apic, false, AP_TRAMPOLINE);
	return 0;
}

static bool wait_online(const struct cpu *c, uint64_t ns)
{
	uint64_t end = time_ns() + ns;

	/* Sleep between looks: on a busy host, a spinning vCPU can keep the AP's from running. */
	while (time_ns() < end) {
		if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			return true;
		sleep_ns(AP_POLL_NS);
	}
	return __atomic_load_n(&c->online, __ATOMIC_ACQUIRE);
}

/* The APs, in firmware order (the boot CPU skipped); index n of them. */
static uint32_t ap_apic(uint32_t n)
{
	uint32_t me = cpus[0]->apic_id;

	for (uint32_t i = 0; i < platform.ncpus; i++)
		if (platform.apic_ids[i] != me && !n--)
			return platform.apic_ids[i];
	return ~0u;
}

/* Nothing to do here: the interrupt's way back into the application delivers the signal
 * (linux/signal.c sends this to a CPU running the target thread's application code). */
static void ipi_signal(struct trapframe *tf)
{
}

static uint32_t naps, started;

void smp_start(void)
{
	trap_set_handler(VEC_IPI_TLB, ipi_tlb);
	trap_set_handler(VEC_IPI_STOP, ipi_stop);
	trap_set_handler(VEC_IPI_SIGNAL, ipi_signal);
	apic_ready = true;
	naps = platform.ncpus > 1 ? MIN(platform.ncpus - 1, MAX_CPUS - 1) : 0;
	if (!naps)
		return;
	memcpy(P2V(AP_TRAMPOLINE), trampoline_start,
	       (uint64_t)trampoline_end - (uint64_t)trampoline_start);
	/* The first AP starts now and boots while this CPU carries on (smp_wait). */
	if (!kick_ap(1, ap_apic(0)))
		started = 1;
}

/* The "smpboot" thread: lets the first AP finish, then starts the others one at a time
 * (they share the trampoline's data block), while the boot CPU goes on to ready to exec. */
static void smpboot(void *unused)
{
	__atomic_store_n(&go, true, __ATOMIC_RELEASE);
	for (uint32_t n = 0; n < naps; n++) {
		uint32_t apic = ap_apic(n), id = ncpus;

		if (n >= started && kick_ap(id, apic)) {
			printk(LOG_WARN, "smp: out of memory starting the CPU with APIC id %u\n",
			       apic);
			break;
		}
		if (!wait_online(cpus[id], AP_WAIT_NS)) {
			apic_send_startup(apic, false, AP_TRAMPOLINE);
			if (!wait_online(cpus[id], AP_WAIT_NS)) {
				printk(LOG_WARN, "smp: CPU with APIC id %u did not start\n", apic);
				break;
			}
		}
		__atomic_store_n(&ncpus, ncpus + 1, __ATOMIC_RELEASE);
	}
	online_us = time_tsc_to_us(bootinfo.tsc0, rdtsc());
	printk(LOG_INFO, "smp: %u CPUs online %lu us after the first instruction\n", ncpus,
	       online_us);
}

void smp_continue(void)
{
	struct thread *t;

	if (!naps) {
		online_us = time_tsc_to_us(bootinfo.tsc0, rdtsc());
		return;
	}
	t = thread_create("smpboot", smpboot, NULL, 0);
	if (!t)
		panic("smp: out of memory for the smpboot thread");
	smpboot_thread = t;
}

void smp_wait_all(void)
{
	/* Joined, not just waited for: its stack is freed before anyone goes on (the page
	 * self-test counts free pages from here). */
	mutex_lock(&smpboot_lock);
	if (smpboot_thread) {
		thread_join(smpboot_thread);
		smpboot_thread = NULL;
	}
	mutex_unlock(&smpboot_lock);
}
