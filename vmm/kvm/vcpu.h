/* vcpu.h: one vCPU: its KVM file descriptor, its thread and its exit loop. */
#ifndef MOTE_VMM_KVM_VCPU_H
#define MOTE_VMM_KVM_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vmm;
struct kvm_run;

/* Exit counters (Firecracker's vcpu metrics group where it has a name). */
struct vcpu_stats {
	uint64_t exit_io_in;
	uint64_t exit_io_out;
	uint64_t exit_mmio_read;
	uint64_t exit_mmio_write;
	uint64_t exit_intr;	      /* KVM_RUN interrupted by a signal */
	uint64_t exit_other;	      /* anything else that was handled */
	uint64_t failures;	      /* exits that stopped the VM */
	uint64_t kvmclock_ctrl_fails; /* KVM_KVMCLOCK_CTRL failed at a pause */
};

struct vcpu {
	unsigned id;
	int fd;
	struct kvm_run *run;
	int run_size;
	pthread_t thread;
	bool started;
	struct vmm *vmm;
	char name[16]; /* "vcpu0": the thread's and the log's name */
	struct vcpu_stats stats;
};

/* Creates vCPU ID of VMM's VM and maps its kvm_run. 0 or -errno after logging. */
int vcpu_create(struct vcpu *vcpu, struct vmm *vmm, unsigned id);
/* Starts the vCPU's thread running the KVM_RUN loop. 0 or -errno. */
int vcpu_start(struct vcpu *vcpu);
/* Makes a running vCPU leave KVM_RUN soon (the thread then sees the stop request). */
void vcpu_kick(struct vcpu *vcpu);
/* Waits for the thread to end. */
void vcpu_join(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);

#endif /* MOTE_VMM_KVM_VCPU_H */
