/* vcpu.c: vCPU threads and the KVM_RUN exit loop (see vcpu.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "abi/mote_abi.h"
#include "arch/x86_64/cpu.h"
#include "kvm/vcpu.h"
#include "log.h"
#include "seccomp/filter.h"
#include "vmm.h"

#define VCPU_STACK_SIZE (256u << 10)

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "UNKNOWN",
	[KVM_EXIT_EXCEPTION] = "EXCEPTION",
	[KVM_EXIT_IO] = "IO",
	[KVM_EXIT_HYPERCALL] = "HYPERCALL",
	[KVM_EXIT_DEBUG] = "DEBUG",
	[KVM_EXIT_HLT] = "HLT",
	[KVM_EXIT_MMIO] = "MMIO",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
	[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[KVM_EXIT_INTR] = "INTR",
	[KVM_EXIT_SET_TPR] = "SET_TPR",
	[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
	[KVM_EXIT_NMI] = "NMI",
	[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
};

static const char *exit_name(unsigned reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) && exit_names[reason])
		return exit_names[reason];
	return "?";
}

int vcpu_create(struct vcpu *vcpu, struct vmm *vmm, unsigned id)
{
	int r;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->fd = -1;
	vcpu->id = id;
	vcpu->vmm = vmm;
	vcpu->run_size = vmm->vm.run_size;
	snprintf(vcpu->name, sizeof(vcpu->name), "vcpu%u", id);
	vcpu->fd = ioctl(vmm->vm.vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0) {
		r = -errno;
		log_err("KVM_CREATE_VCPU %u: %s", id, strerror(-r));
		return r;
	}
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		r = -errno;
		vcpu->run = NULL;
		log_err("mmap of vCPU %u's kvm_run: %s", id, strerror(-r));
		return r;
	}
	return 0;
}

/* Stops the VM because of this vCPU's exit, with its registers in the log. */
static void fail(struct vcpu *vcpu, enum vmm_stop_reason reason, int status)
{
	vcpu->stats.failures++;
	cpu_dump_regs(vcpu->fd, LOG_ERROR);
	vmm_request_stop(vcpu->vmm, reason, status);
}

static void handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned size = run->io.size;
	const struct bus *bus = &vcpu->vmm->pio;

	/* String I/O (rep ins/outs) arrives as COUNT elements in one exit. */
	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			vcpu->stats.exit_io_out++;
			if (!bus_write(bus, run->io.port, data, size) && log_enabled(LOG_DEBUG))
				log_debug("write of %u bytes to unused port %#x ignored", size,
					  run->io.port);
		} else {
			vcpu->stats.exit_io_in++;
			/* Nothing there: the bus floats high, as on real hardware. */
			if (!bus_read(bus, run->io.port, data, size))
				memset(data, 0xff, size);
		}
	}
}

static void handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	const struct bus *bus = &vcpu->vmm->mmio;
	unsigned len = run->mmio.len;
	bool ok;

	if (run->mmio.is_write) {
		vcpu->stats.exit_mmio_write++;
		ok = len <= 8 && bus_write(bus, run->mmio.phys_addr, run->mmio.data, len);
	} else {
		vcpu->stats.exit_mmio_read++;
		ok = len <= 8 && bus_read(bus, run->mmio.phys_addr, run->mmio.data, len);
	}
	if (!ok) {
		log_err("%s: guest MMIO %s of %u bytes at %#llx: nothing is there", vcpu->name,
			run->mmio.is_write ? "write" : "read", len, run->mmio.phys_addr);
		fail(vcpu, VMM_STOP_GUEST_BAD_IO, MOTE_STATUS_GUEST_BAD_IO);
	}
}

static void handle_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_RESET:
		log_info("%s: guest reset", vcpu->name);
		vmm_request_stop(vcpu->vmm, VMM_STOP_GUEST_RESET, MOTE_STATUS_GUEST_RESET);
		break;
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		log_info("%s: guest shut down", vcpu->name);
		vmm_request_stop(vcpu->vmm, VMM_STOP_GUEST_EXIT, MOTE_STATUS_OK);
		break;
	default:
		log_err("%s: guest crashed (system event %u)", vcpu->name,
			vcpu->run->system_event.type);
		fail(vcpu, VMM_STOP_GUEST_CRASH, MOTE_STATUS_GUEST_CRASH);
	}
}

/* One exit; the VM's stop flag tells the loop whether to go on. */
static void handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vcpu);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(vcpu);
		break;
	case KVM_EXIT_INTR:
		vcpu->stats.exit_intr++;
		break;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; the guest sleeps until the next interrupt. */
		vcpu->stats.exit_other++;
		break;
	case KVM_EXIT_SHUTDOWN:
		log_err("%s: guest triple fault (KVM_EXIT_SHUTDOWN)", vcpu->name);
		fail(vcpu, VMM_STOP_GUEST_CRASH, MOTE_STATUS_GUEST_CRASH);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(vcpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		log_err("%s: KVM internal error, suberror %u%s", vcpu->name, run->internal.suberror,
			run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
				? " (instruction emulation failed)"
				: "");
		fail(vcpu, VMM_STOP_GUEST_UNKNOWN, MOTE_STATUS_GUEST_UNKNOWN);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		log_err("%s: VM entry failed, hardware reason %#llx", vcpu->name,
			run->fail_entry.hardware_entry_failure_reason);
		fail(vcpu, VMM_STOP_GUEST_UNKNOWN, MOTE_STATUS_GUEST_UNKNOWN);
		break;
	default:
		log_err("%s: unhandled KVM exit %u (%s)", vcpu->name, run->exit_reason,
			exit_name(run->exit_reason));
		fail(vcpu, VMM_STOP_GUEST_UNKNOWN, MOTE_STATUS_GUEST_UNKNOWN);
	}
}

/* Paused: waits outside KVM_RUN (the vCPU's state stays in KVM) until resumed or stopped. */
static void park(struct vcpu *vcpu)
{
	struct vmm *vmm = vcpu->vmm;

	/* Tell a kvmclock guest it was stopped, so its watchdogs do not fire at the resume.
	 * EINVAL: the guest does not use kvmclock. */
	if (ioctl(vcpu->fd, KVM_KVMCLOCK_CTRL, 0) < 0 && errno != EINVAL)
		vcpu->stats.kvmclock_ctrl_fails++;
	pthread_mutex_lock(&vmm->pause_lock);
	vmm->parked++;
	pthread_cond_broadcast(&vmm->pause_cond);
	while (atomic_load(&vmm->pause_requested) && !atomic_load(&vmm->stopping))
		pthread_cond_wait(&vmm->pause_cond, &vmm->pause_lock);
	vmm->parked--;
	pthread_mutex_unlock(&vmm->pause_lock);
	/* The pause's kick set it; the loop re-checks stop and pause before KVM_RUN. */
	__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
}

/*
 * The thread's own filter first, then the wait for the main thread's (vmm_start): no guest
 * instruction runs before every thread of motevm is filtered. False if the VM must stop.
 */
static bool filter_and_wait(struct vcpu *vcpu)
{
	struct vmm *vmm = vcpu->vmm;
	int r = seccomp_apply(SECCOMP_VCPU);

	if (r) {
		log_err("%s: installing its seccomp filter: %s", vcpu->name, strerror(-r));
		vmm_request_stop(vmm, VMM_STOP_ERROR, MOTE_STATUS_ERROR);
		return false;
	}
	pthread_mutex_lock(&vmm->pause_lock);
	while (!vmm->vcpus_released && !atomic_load(&vmm->stopping))
		pthread_cond_wait(&vmm->pause_cond, &vmm->pause_lock);
	pthread_mutex_unlock(&vmm->pause_lock);
	return true;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vmm *vmm = vcpu->vmm;

	log_set_thread(vcpu->name);
	if (!filter_and_wait(vcpu))
		return NULL;
	while (!atomic_load(&vmm->stopping)) {
		if (atomic_load(&vmm->pause_requested)) {
			park(vcpu);
			continue;
		}
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			/* EINTR: kicked. EAGAIN: an AP left wait-for-SIPI. Both: just go on. */
			if (errno == EINTR || errno == EAGAIN) {
				vcpu->stats.exit_intr++;
				continue;
			}
			log_err("%s: KVM_RUN: %s", vcpu->name, strerror(errno));
			fail(vcpu, VMM_STOP_GUEST_UNKNOWN, MOTE_STATUS_GUEST_UNKNOWN);
			break;
		}
		handle_exit(vcpu);
	}
	return NULL;
}

static void kick_handler(int sig)
{
	(void)sig; /* only there so the signal interrupts KVM_RUN */
}

int vcpu_start(struct vcpu *vcpu)
{
	static bool handler_installed;
	pthread_attr_t attr;
	sigset_t all, old;
	int r;

	if (!handler_installed) {
		struct sigaction sa = { .sa_handler = kick_handler };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGRTMIN, &sa, NULL) < 0)
			return -errno;
		handler_installed = true;
	}
	/* The thread takes only the kick signal; SIGTERM/SIGINT go to the event loop. */
	sigfillset(&all);
	sigdelset(&all, SIGRTMIN);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGSYS); /* blocked, a trapped call would kill without its log line */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_STACK_SIZE);
	r = -pthread_create(&vcpu->thread, &attr, vcpu_thread, vcpu);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		log_err("starting %s: %s", vcpu->name, strerror(-r));
		return r;
	}
	vcpu->started = true;
	return 0;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	/* immediate_exit covers a thread between its stop check and KVM_RUN; the signal one
	 * already inside KVM_RUN. */
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(vcpu->thread, SIGRTMIN);
}

void vcpu_join(struct vcpu *vcpu)
{
	if (vcpu->started)
		pthread_join(vcpu->thread, NULL);
	vcpu->started = false;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}
