/* irq.h: the in-kernel interrupt controllers (PIC, IOAPIC, LAPIC) and PIT, and IRQ lines. */
#ifndef MOTE_VMM_KVM_IRQ_H
#define MOTE_VMM_KVM_IRQ_H

#include <stdbool.h>
#include <stdint.h>

/* Creates the in-kernel irqchip and PIT. Must run before any vCPU is created. 0 or -errno. */
int irq_create(int vm_fd);
/* Drives GSI to LEVEL (KVM_IRQ_LINE); callable from any thread. 0 or -errno. */
int irq_line(int vm_fd, unsigned gsi, bool level);
/* Eventfds KVM watches itself, so neither costs a trip to motevm: a write to EFD raises GSI
 * (an edge, KVM_IRQFD), and a guest's LEN-byte write of DATAMATCH at MMIO ADDR signals EFD
 * (KVM_IOEVENTFD) instead of exiting to userspace. 0 or -errno. */
int irq_fd_assign(int vm_fd, unsigned gsi, int efd);
int irq_ioeventfd_assign(int vm_fd, uint64_t addr, unsigned len, uint64_t datamatch, int efd);
/* Programs a vCPU's LAPIC as a BIOS leaves it: LINT0 ExtINT, LINT1 NMI. 0 or -errno. */
int irq_setup_lapic(int vcpu_fd);

#endif /* MOTE_VMM_KVM_IRQ_H */
