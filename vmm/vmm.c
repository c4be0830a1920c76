/* vmm.c: one microVM's life: configuring -> running -> stopped (see vmm.h). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "abi/mote_abi.h"
#include "arch/x86_64/cpu.h"
#include "boot/boot.h"
#include "devices/virtio/console.h"
#include "kvm/irq.h"
#include "log.h"
#include "metrics.h"
#include "privdrop.h"
#include "seccomp/filter.h"
#include "vmm.h"

#define TEARDOWN_MAX_FD 256

uint64_t vmm_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

uint64_t vmm_cpu_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

void vmm_timeline(const struct vmm *vmm, const char *what)
{
	log_debug("timeline: %s at %llu us", what,
		  (unsigned long long)(vmm_now_us() - vmm->opts.start_us));
}

static int create_vcpus(struct vmm *vmm)
{
	const struct machine_config *mc = &vmm->cfg->machine;
	int r;

	for (unsigned i = 0; i < mc->vcpu_count; i++) {
		r = vcpu_create(&vmm->vcpus[i], vmm, i);
		if (r)
			return r;
		vmm->nr_vcpus++;
	}
	return 0;
}

/*
 * KVM's statistics of the VM and its vCPUs, for the metrics, --exit-stats and the Debug
 * report at exit. Opening costs a few system calls per vCPU, so only when one of them will
 * read them: all three are decided before the VM is built (metrics and logger are pre-boot).
 */
static void open_kvm_stats(struct vmm *vmm)
{
	int fds[CONFIG_VCPU_MAX];

	if (!vmm->opts.exit_stats && !metrics_initialized() && !log_enabled(LOG_DEBUG))
		return;
	for (unsigned i = 0; i < vmm->nr_vcpus; i++)
		fds[i] = vmm->vcpus[i].fd;
	kvm_stats_open(&vmm->kvm_stats, vmm->vm.vm_fd, fds, vmm->nr_vcpus);
	vmm_timeline(vmm, "KVM statistics opened");
}

/* Which of motevm's stdin, stdout, stderr are terminals, and the terminal's size. */
static void console_ttys(struct mote_leaves *ml)
{
	struct winsize ws;

	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd))
			ml->ttys |= 1u << fd; /* MOTE_TTY_STDIN, _STDOUT, _STDERR */
	for (int fd = 1; fd >= 0; fd--) {
		if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
			ml->rows = ws.ws_row;
			ml->cols = ws.ws_col;
			break;
		}
	}
}

/*
 * CPUID, MSRs, FPU and LAPIC of every vCPU (the boot registers come with the kernel). 0, or
 * the exit status after logging: MOTE_STATUS_BAD_ARGS for --cpuid/--cpu-hide edits that
 * cannot apply, MOTE_STATUS_ERROR for the rest.
 */
static int setup_vcpus(struct vmm *vmm)
{
	const struct machine_config *mc = &vmm->cfg->machine;
	struct cpu_cpuid_opts o = {
		.ml.features = MOTE_FEAT_EXIT | MOTE_FEAT_CONSOLE | MOTE_FEAT_CONSOLE_EOF |
			       MOTE_FEAT_CONSOLE_READ | MOTE_FEAT_CONSOLE_TTYS,
		.tsc_deadline = vmm->vm.tsc_deadline,
		.edits = vmm->opts.cpuid_edits,
	};
	bool bad_edit;

	if (vm_get_cpuid(&vmm->vm))
		return MOTE_STATUS_ERROR;
	vmm->pvm = cpu_probe_pvm(vmm->vcpus[0].fd);
	if (vmm->pvm)
		o.ml.features |= MOTE_FEAT_PVM;
	log_debug("host KVM is %s", vmm->pvm ? "kvm_pvm" : "hardware-assisted");
	if (vmm->pvm)
		cpu_log_xcr0(vmm->vm.supported_cpuid);
	console_ttys(&o.ml);
	for (unsigned i = 0; i < vmm->nr_vcpus; i++) {
		struct cpu_topology topo = { .id = i, .nr = vmm->nr_vcpus, .smt = mc->smt };
		int fd = vmm->vcpus[i].fd;

		if (cpu_setup_cpuid(fd, vmm->vm.supported_cpuid, &topo, &o, &bad_edit))
			return bad_edit ? MOTE_STATUS_BAD_ARGS : MOTE_STATUS_ERROR;
		if (cpu_setup_msrs(fd) || cpu_setup_fpu(fd) || irq_setup_lapic(fd))
			return MOTE_STATUS_ERROR;
	}
	return 0;
}

static int setup_signals(struct vmm *vmm)
{
	sigset_t set;

	/* SIGTERM, SIGINT and SIGWINCH become events: every thread blocks them from here on. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGWINCH);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	vmm->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vmm->signal_fd < 0)
		return -errno;
	vmm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return vmm->stop_fd < 0 ? -errno : 0;
}

static void on_signal(struct event_handler *h, uint32_t events);
static void on_stop(struct event_handler *h, uint32_t events);

int vmm_init(struct vmm *vmm, const struct vmm_options *opts)
{
	int r;

	memset(vmm, 0, sizeof(*vmm));
	vmm->state = VMM_CONFIGURING;
	vmm->opts = *opts;
	vmm->signal_fd = vmm->stop_fd = vmm->loop.epfd = -1;
	vmm->vm.kvm_fd = vmm->vm.vm_fd = -1;
	pthread_mutex_init(&vmm->pause_lock, NULL);
	pthread_cond_init(&vmm->pause_cond, NULL);
	vmm->sig_ev = (struct event_handler){ .fn = on_signal, .opaque = vmm };
	vmm->stop_ev = (struct event_handler){ .fn = on_stop, .opaque = vmm };
	if ((r = setup_signals(vmm)) || (r = event_init(&vmm->loop))) {
		log_err("event loop set-up: %s", strerror(-r));
		return r;
	}
	vmm->sig_ev.fd = vmm->signal_fd;
	vmm->stop_ev.fd = vmm->stop_fd;
	if ((r = event_add(&vmm->loop, &vmm->sig_ev, EPOLLIN)) ||
	    (r = event_add(&vmm->loop, &vmm->stop_ev, EPOLLIN))) {
		log_err("event loop: %s", strerror(-r));
		return r;
	}
	return 0;
}

/* machine-config's huge_pages as guest memory's backing. */
static enum mem_pages mem_pages(enum huge_pages h)
{
	return h == HUGE_PAGES_2M	     ? MEM_PAGES_2M
	       : h == HUGE_PAGES_TRANSPARENT ? MEM_PAGES_THP
					     : MEM_PAGES_4K;
}

int vmm_create(struct vmm *vmm, const struct vm_config *cfg)
{
	const struct machine_config *mc = &cfg->machine;
	int r;

	vmm->cfg = cfg;
	vmm->built = true;
	vmm->nr_vcpus = 0;
	vmm->boot_time_us = 0;
	memset(&vmm->devices, 0, sizeof(vmm->devices));
	bus_init(&vmm->pio, "pio");
	bus_init(&vmm->mmio, "mmio");
	/*
	 * Order matters for speed: on our hosts a memory slot added after the irqchip waits
	 * for an SRCU grace period (~6 ms); added first it costs ~0.1 ms. The irqchip and PIT
	 * must precede the vCPUs.
	 */
	if (vm_create(&vmm->vm))
		return MOTE_STATUS_ERROR;
	vmm_timeline(vmm, "VM created");
	if ((int)mc->vcpu_count > vmm->vm.max_vcpus) {
		log_err("machine-config: vcpu_count %u exceeds what this host's KVM allows (%d)",
			mc->vcpu_count, vmm->vm.max_vcpus);
		return MOTE_STATUS_BAD_CONFIG;
	}
	if (mem_create(&vmm->mem, (uint64_t)mc->mem_size_mib << 20, mem_pages(mc->huge_pages)) ||
	    mem_register(&vmm->mem, vmm->vm.vm_fd))
		return MOTE_STATUS_ERROR;
	vmm_timeline(vmm, "guest memory");
	if (irq_create(vmm->vm.vm_fd))
		return MOTE_STATUS_ERROR;
	vmm_timeline(vmm, "irqchip and PIT");
	if (create_vcpus(vmm))
		return MOTE_STATUS_ERROR;
	vmm_timeline(vmm, "vCPUs created");
	open_kvm_stats(vmm);
	r = setup_vcpus(vmm);
	if (r)
		return r;
	r = devices_init(vmm);
	if (r) /* -EINVAL: what the configuration names cannot be used (a TAP) */
		return r == -EINVAL ? MOTE_STATUS_BAD_CONFIG : MOTE_STATUS_ERROR;
	vmm_timeline(vmm, "CPUID, MSRs, LAPICs, devices");
	/* Only a bad image or configuration is -EINVAL here; the rest is the host's doing. */
	r = boot_load(vmm);
	if (r)
		return r == -EINVAL ? MOTE_STATUS_BAD_CONFIG : MOTE_STATUS_ERROR;
	vmm_timeline(vmm, "kernel loaded");
	return 0;
}

static void free_vm(struct vmm *vmm)
{
	kvm_stats_close(&vmm->kvm_stats);
	for (unsigned i = 0; i < vmm->nr_vcpus; i++)
		vcpu_destroy(&vmm->vcpus[i]);
	vmm->nr_vcpus = 0;
	mem_destroy(&vmm->mem);
	vm_destroy(&vmm->vm);
}

void vmm_release(struct vmm *vmm)
{
	if (!vmm->built)
		return;
	devices_exit(vmm);
	free_vm(vmm);
	vmm->built = false;
	vmm->cfg = NULL;
	vmm->state = VMM_CONFIGURING;
}

int vmm_start(struct vmm *vmm)
{
	int r;

	vmm->state = VMM_RUNNING;
	vmm->vcpus_released = false;
	/*
	 * Whatever could need a capability is done (/dev/kvm, the TAPs and drives opened, the
	 * guest's memory mapped): the main thread drops them before creating the vCPU threads,
	 * which inherit the empty sets. Afterwards only a PATCHed drive's file is opened (as
	 * motevm's uid, without CAP_DAC_OVERRIDE); TUNSETOFFLOAD acts on a TAP already held.
	 */
	r = privdrop_thread();
	if (r) {
		log_err("dropping the main thread's capabilities: %s", strerror(-r));
		vmm_request_stop(vmm, VMM_STOP_ERROR, MOTE_STATUS_ERROR);
		return MOTE_STATUS_ERROR;
	}
	/* As Firecracker: the vCPU threads filter themselves and wait; the main thread's filter
	 * comes after their creation (they would inherit it) and before any guest code. */
	for (unsigned i = 0; i < vmm->nr_vcpus; i++) {
		if (vcpu_start(&vmm->vcpus[i])) {
			vmm_request_stop(vmm, VMM_STOP_ERROR, MOTE_STATUS_ERROR);
			return MOTE_STATUS_ERROR;
		}
	}
	r = seccomp_apply(SECCOMP_VMM);
	if (r) {
		log_err("installing the main thread's seccomp filter: %s", strerror(-r));
		vmm_request_stop(vmm, VMM_STOP_ERROR, MOTE_STATUS_ERROR);
		return MOTE_STATUS_ERROR;
	}
	pthread_mutex_lock(&vmm->pause_lock);
	vmm->vcpus_released = true;
	pthread_cond_broadcast(&vmm->pause_cond);
	pthread_mutex_unlock(&vmm->pause_lock);
	vmm_timeline(vmm, "vCPUs running");
	return 0;
}

void vmm_request_stop(struct vmm *vmm, enum vmm_stop_reason reason, int status)
{
	bool expected = false;
	uint64_t one = 1;

	if (!atomic_compare_exchange_strong(&vmm->stopping, &expected, true))
		return;
	vmm->stop_reason = reason;
	vmm->exit_status = status;
	/* Parked vCPUs wake up and see the stop. */
	pthread_mutex_lock(&vmm->pause_lock);
	pthread_cond_broadcast(&vmm->pause_cond);
	pthread_mutex_unlock(&vmm->pause_lock);
	for (unsigned i = 0; i < vmm->nr_vcpus; i++)
		vcpu_kick(&vmm->vcpus[i]);
	if (write(vmm->stop_fd, &one, sizeof(one)) < 0)
		log_debug("stop eventfd: %s", strerror(errno));
}

/* The terminal on stdout changed its size: the guest hears it through the virtio console,
 * whose kernel sends SIGWINCH to the console's foreground job. */
static void window_changed(struct vmm *vmm)
{
	struct winsize ws;

	if (vmm->devices.vconsole && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws))
		virtio_console_resize(vmm->devices.vconsole, ws.ws_row, ws.ws_col);
}

static void on_signal(struct event_handler *h, uint32_t events)
{
	struct vmm *vmm = h->opaque;
	struct signalfd_siginfo si;

	if (read(h->fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGWINCH) {
		window_changed(vmm);
		return;
	}
	log_info("received %s: stopping", strsignal((int)si.ssi_signo));
	vmm_request_stop(vmm, VMM_STOP_SIGNAL, 128 + (int)si.ssi_signo);
}

static void on_stop(struct event_handler *h, uint32_t events)
{
	uint64_t v;

	if (read(h->fd, &v, sizeof(v)) < 0)
		return;
}

int vmm_run(struct vmm *vmm)
{
	int r;

	while (!atomic_load(&vmm->stopping)) {
		r = event_wait(&vmm->loop, -1);
		if (r) {
			log_err("event loop: %s", strerror(-r));
			vmm_request_stop(vmm, VMM_STOP_ERROR, MOTE_STATUS_ERROR);
		}
	}
	vmm_timeline(vmm, "VM stop requested");
	/* Again: a vCPU started while the stop was requested may have missed its kick. */
	for (unsigned i = 0; i < vmm->nr_vcpus; i++)
		vcpu_kick(&vmm->vcpus[i]);
	for (unsigned i = 0; i < vmm->nr_vcpus; i++)
		vcpu_join(&vmm->vcpus[i]);
	vmm->state = VMM_STOPPED;
	vmm_timeline(vmm, "vCPU threads joined");
	return vmm->exit_status;
}

#define PAUSE_WAIT_NS 1000000000L /* for a vCPU blocked in host I/O (a full stdout) */

int vmm_pause(struct vmm *vmm)
{
	struct timespec deadline;
	int r = 0;

	if (vmm->state != VMM_RUNNING)
		return -EINVAL;
	pthread_mutex_lock(&vmm->pause_lock);
	atomic_store(&vmm->pause_requested, true);
	pthread_mutex_unlock(&vmm->pause_lock);
	for (unsigned i = 0; i < vmm->nr_vcpus; i++)
		vcpu_kick(&vmm->vcpus[i]);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += PAUSE_WAIT_NS % 1000000000L;
	deadline.tv_sec += PAUSE_WAIT_NS / 1000000000L + deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&vmm->pause_lock);
	while (vmm->parked < vmm->nr_vcpus && !atomic_load(&vmm->stopping) && r == 0)
		r = pthread_cond_timedwait(&vmm->pause_cond, &vmm->pause_lock, &deadline);
	if (vmm->parked < vmm->nr_vcpus)
		log_warn("pause: %u of %u vCPUs are busy in host I/O; they stop before they "
			 "re-enter the guest",
			 vmm->nr_vcpus - vmm->parked, vmm->nr_vcpus);
	pthread_mutex_unlock(&vmm->pause_lock);
	vmm->state = VMM_PAUSED;
	return 0;
}

int vmm_resume(struct vmm *vmm)
{
	if (vmm->state != VMM_PAUSED)
		return -EINVAL;
	pthread_mutex_lock(&vmm->pause_lock);
	atomic_store(&vmm->pause_requested, false);
	pthread_cond_broadcast(&vmm->pause_cond);
	pthread_mutex_unlock(&vmm->pause_lock);
	vmm->state = VMM_RUNNING;
	return 0;
}

/* The teardown helper: holds the VM's last references until motevm has exited. */
static int teardown_helper(void *arg)
{
	const struct vmm *vmm = arg;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != vmm->pid)
		_exit(0); /* motevm is already gone */
	/* Keep only KVM's descriptors: stdout, stderr and pipes must reach EOF with motevm. */
	for (int fd = 0; fd < TEARDOWN_MAX_FD; fd++) {
		bool keep = fd == vmm->vm.vm_fd || fd == vmm->vm.kvm_fd;

		for (unsigned i = 0; i < vmm->nr_vcpus; i++)
			keep |= fd == vmm->vcpus[i].fd;
		if (!keep)
			close(fd);
	}
	for (;;)
		pause();
}

/*
 * Hands KVM's VM teardown to a helper process sharing our memory: destroying a VM with an
 * in-kernel irqchip and PIT waits for SRCU grace periods (15-25 ms here), and so would our
 * exit. The helper keeps the last references and dies with motevm (PR_SET_PDEATHSIG), after
 * its exit has been reported, as QEMU's -async-teardown does. False if it cannot start.
 */
static bool teardown_async(struct vmm *vmm)
{
	enum { STACK = 64 << 10 };
	void *stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	if (stack == MAP_FAILED)
		return false;
	vmm->pid = getpid();
	if (clone(teardown_helper, (char *)stack + STACK, CLONE_VM | CLONE_UNTRACED, vmm) < 0) {
		munmap(stack, STACK);
		return false;
	}
	return true;
}

void vmm_destroy(struct vmm *vmm)
{
	/* Read for the last time by now (metrics, exit report); the helper needs none. */
	kvm_stats_close(&vmm->kvm_stats);
	if (vmm->built)
		devices_exit(vmm);
	if (vmm->opts.async_teardown && vmm->built && vmm->vm.vm_fd >= 0 && teardown_async(vmm)) {
		/* The process is about to exit: the helper owns the VM and its memory now. */
		free(vmm->vm.supported_cpuid);
		vmm->vm.supported_cpuid = NULL;
		vmm_timeline(vmm, "teardown handed to the helper");
		return;
	}
	if (vmm->built)
		free_vm(vmm);
	vmm->built = false;
	event_destroy(&vmm->loop);
	if (vmm->signal_fd >= 0)
		close(vmm->signal_fd);
	if (vmm->stop_fd >= 0)
		close(vmm->stop_fd);
	vmm->signal_fd = vmm->stop_fd = -1;
	vmm_timeline(vmm, "VM torn down");
}
