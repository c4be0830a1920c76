/* vm.h: the KVM system and VM file descriptors, and what KVM tells about itself. */
#ifndef MOTE_VMM_KVM_VM_H
#define MOTE_VMM_KVM_VM_H

#include <stdbool.h>

struct kvm_cpuid2;

struct kvm_vm {
	int kvm_fd;			    /* /dev/kvm */
	int vm_fd;			    /* KVM_CREATE_VM */
	int run_size;			    /* size of each vCPU's struct kvm_run mapping */
	int max_vcpus;			    /* KVM_CAP_MAX_VCPUS (or NR_VCPUS) */
	bool tsc_deadline;		    /* KVM_CAP_TSC_DEADLINE_TIMER: its LAPIC emulates it */
	struct kvm_cpuid2 *supported_cpuid; /* KVM_GET_SUPPORTED_CPUID, after vm_get_cpuid() */
};

/*
 * Opens /dev/kvm, checks the API version and the capabilities motevm needs, creates the VM
 * and places KVM's TSS. 0, or -errno after logging what is missing.
 */
int vm_create(struct kvm_vm *vm);
/* Fills vm->supported_cpuid. 0 or -errno. */
int vm_get_cpuid(struct kvm_vm *vm);
/* Closes everything vm_create opened; safe after a failed vm_create. */
void vm_destroy(struct kvm_vm *vm);

#endif /* MOTE_VMM_KVM_VM_H */
