/* irq.c: in-kernel irqchip, PIT and interrupt lines (see irq.h). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "kvm/irq.h"
#include "log.h"

#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_MODE_NMI 0x4
#define APIC_MODE_EXTINT 0x7

int irq_create(int vm_fd)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		int r = -errno;

		log_err("KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return r;
	}
	if (ioctl(vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		int r = -errno;

		log_err("KVM_CREATE_PIT2: %s", strerror(errno));
		return r;
	}
	return 0;
}

int irq_line(int vm_fd, unsigned gsi, bool level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	if (ioctl(vm_fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	return 0;
}

static void set_lvt(struct kvm_lapic_state *s, unsigned reg, unsigned mode)
{
	unsigned v;

	memcpy(&v, &s->regs[reg], sizeof(v));
	v = (v & ~0x700u) | (mode << 8);
	memcpy(&s->regs[reg], &v, sizeof(v));
}

int irq_setup_lapic(int vcpu_fd)
{
	struct kvm_lapic_state s;

	if (ioctl(vcpu_fd, KVM_GET_LAPIC, &s) < 0)
		goto err;
	set_lvt(&s, APIC_LVT0, APIC_MODE_EXTINT);
	set_lvt(&s, APIC_LVT1, APIC_MODE_NMI);
	if (ioctl(vcpu_fd, KVM_SET_LAPIC, &s) < 0)
		goto err;
	return 0;
err : {
	int r = -errno;

	log_err("LAPIC LINT set-up: %s", strerror(-r));
	return r;
}
}

int irq_fd_assign(int vm_fd, unsigned gsi, int efd)
{
	struct kvm_irqfd f = { .fd = (uint32_t)efd, .gsi = gsi };

	return ioctl(vm_fd, KVM_IRQFD, &f) < 0 ? -errno : 0;
}

int irq_ioeventfd_assign(int vm_fd, uint64_t addr, unsigned len, uint64_t datamatch, int efd)
{
	struct kvm_ioeventfd io = {
		.datamatch = datamatch,
		.addr = addr,
		.len = len,
		.fd = efd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	return ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}
