/* vmm.h: one microVM: what it owns and its state machine. */
#ifndef MOTE_VMM_VMM_H
#define MOTE_VMM_VMM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "devices/bus.h"
#include "devices/devices.h"
#include "event.h"
#include "kvm/memory.h"
#include "kvm/stats.h"
#include "kvm/vcpu.h"
#include "kvm/vm.h"

struct cpuid_edits;

/* configuring -> running <-> paused -> stopped */
enum vmm_state { VMM_CONFIGURING, VMM_RUNNING, VMM_PAUSED, VMM_STOPPED };

/* Why the VM stopped; each maps to motevm's exit status (docs/motevm.md). */
enum vmm_stop_reason {
	VMM_STOP_NONE,
	VMM_STOP_GUEST_EXIT,	/* exit device or isa-debug-exit: the guest's status */
	VMM_STOP_GUEST_RESET,	/* i8042 reset: MOTE_STATUS_GUEST_RESET */
	VMM_STOP_GUEST_CRASH,	/* triple fault: MOTE_STATUS_GUEST_CRASH */
	VMM_STOP_GUEST_BAD_IO,	/* MMIO to nothing: MOTE_STATUS_GUEST_BAD_IO */
	VMM_STOP_GUEST_UNKNOWN, /* unhandled exit: MOTE_STATUS_GUEST_UNKNOWN */
	VMM_STOP_SIGNAL,	/* SIGTERM/SIGINT: 128 + signal */
	VMM_STOP_ERROR,		/* motevm failed while running: MOTE_STATUS_ERROR */
};

/* Command-line settings that are not part of the VM configuration. */
struct vmm_options {
	bool boot_timer;       /* --boot-timer */
	bool exit_stats;       /* --exit-stats: KVM's exit counters on stderr at the end */
	bool virtio_console;   /* --virtio-console: stdio through a virtio console too */
	uint64_t start_us;     /* CLOCK_MONOTONIC at process start */
	uint64_t start_cpu_us; /* process CPU time at process start */
	bool async_teardown;   /* leave KVM's VM teardown to a helper (vmm_destroy) */
	const struct cpuid_edits *cpuid_edits; /* --cpuid/--cpu-hide (tests only); NULL: none */
};

struct vmm {
	enum vmm_state state;
	const struct vm_config *cfg;
	struct vmm_options opts;
	struct kvm_vm vm;
	struct guest_mem mem;
	struct vcpu vcpus[CONFIG_VCPU_MAX];
	unsigned nr_vcpus;
	struct bus pio;
	struct bus mmio;
	struct devices devices;
	struct event_loop loop;
	bool pvm; /* the host is kvm_pvm */
	/* KVM's statistics files, open while the VM exists if anyone reads them (metrics,
	 * --exit-stats, Debug); empty otherwise or where KVM has none. */
	struct kvm_stats kvm_stats;

	bool built; /* the KVM VM exists (vmm_create succeeded or is half done) */

	atomic_bool stopping;
	enum vmm_stop_reason stop_reason;
	int exit_status;
	int stop_fd;   /* eventfd: wakes the event loop when a stop is requested */
	int signal_fd; /* signalfd for SIGTERM and SIGINT */
	struct event_handler sig_ev, stop_ev;
	uint64_t boot_time_us; /* guest boot time from the boot timer, 0 if not signalled */
	pid_t pid;	       /* motevm's pid, for the teardown helper */

	/* Pause: vCPU threads park outside KVM_RUN while pause_requested is set. */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	atomic_bool pause_requested;
	unsigned parked; /* vCPU threads parked (under pause_lock) */
	/* vCPU threads may enter the guest: the main thread's filter is on (under pause_lock). */
	bool vcpus_released;
};

/*
 * Once, at process start: VMM's event loop, SIGTERM/SIGINT as events (every thread created
 * afterwards blocks them) and the stop event. 0 or -errno after logging.
 */
int vmm_init(struct vmm *vmm, const struct vmm_options *opts);
/*
 * configuring: creates the VM, its vCPUs, memory and devices for CFG (which must stay alive
 * and unchanged while the VM exists) and loads the kernel. Returns 0, or the exit status
 * motevm should end with (MOTE_STATUS_BAD_CONFIG for a bad image or configuration,
 * MOTE_STATUS_ERROR for host failures) after logging why; then call vmm_release.
 */
int vmm_create(struct vmm *vmm, const struct vm_config *cfg);
/* Frees what a failed vmm_create built, at once: VMM is configuring again. */
void vmm_release(struct vmm *vmm);
/* running: starts the vCPU threads. 0, or MOTE_STATUS_ERROR after logging (a stop is then
 * requested). */
int vmm_start(struct vmm *vmm);
/*
 * Runs the event loop (API requests, devices, timers, signals) until a stop is requested,
 * then joins the vCPU threads. Returns motevm's exit status.
 */
int vmm_run(struct vmm *vmm);
/*
 * running -> paused: every vCPU thread leaves KVM_RUN and parks (its state stays in KVM);
 * returns when all are parked (a vCPU busy in host I/O parks before it re-enters the guest).
 * paused -> running: they go on. Both run on the VMM thread; 0 or -EINVAL in the wrong state.
 */
int vmm_pause(struct vmm *vmm);
int vmm_resume(struct vmm *vmm);
/* Asks the VM to stop (from any thread, idempotent: the first request decides the status). */
void vmm_request_stop(struct vmm *vmm, enum vmm_stop_reason reason, int status);
/* stopped: stops the devices and frees the VM (or, with opts.async_teardown, leaves that to a
 * helper; the process must then exit). */
void vmm_destroy(struct vmm *vmm);
/* A Debug "timeline:" line: WHAT happened so many microseconds after motevm started. */
void vmm_timeline(const struct vmm *vmm, const char *what);

/* Microseconds of CLOCK_MONOTONIC / of process CPU time. */
uint64_t vmm_now_us(void);
uint64_t vmm_cpu_us(void);

#endif /* MOTE_VMM_VMM_H */
