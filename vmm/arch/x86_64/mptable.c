/* mptable.c: the MP specification table (see mptable.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86_64/layout.h"
#include "arch/x86_64/mptable.h"
#include "kvm/memory.h"

#define MP_SPEC_REV 4
#define APIC_VERSION 0x14
#define IOAPIC_VERSION 0x11
#define IOAPIC_PINS 24
#define MAX_VCPUS 254 /* APIC IDs 0..253; the IOAPIC takes the next one */

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

struct mpf_intel {
	char signature[4]; /* "_MP_" */
	uint32_t physptr;
	uint8_t length; /* in 16-byte units */
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mpc_table {
	char signature[4]; /* "PCMP" */
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag; /* bit 0 enabled, bit 1 boot processor */
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags; /* bit 0 enabled */
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

_Static_assert(sizeof(struct mpf_intel) == 16, "MP floating pointer is 16 bytes");
_Static_assert(sizeof(struct mpc_table) == 44, "MP config header is 44 bytes");
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry is 20 bytes");
_Static_assert(sizeof(struct mpc_intsrc) == 8, "MP interrupt entry is 8 bytes");

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

static size_t table_size(unsigned nr_vcpus)
{
	return sizeof(struct mpf_intel) + sizeof(struct mpc_table) +
	       nr_vcpus * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) +
	       sizeof(struct mpc_ioapic) + (IOAPIC_PINS + 2) * sizeof(struct mpc_intsrc);
}

int mptable_write(const struct guest_mem *mem, unsigned nr_vcpus)
{
	size_t size = table_size(nr_vcpus);
	uint8_t *base, *p;
	struct mpf_intel *mpf;
	struct mpc_table *mpc;
	uint8_t ioapic_id = (uint8_t)nr_vcpus;
	uint16_t count = 0;

	if (nr_vcpus == 0 || nr_vcpus > MAX_VCPUS || MPTABLE_ADDR + size > SYSTEM_MEM_END)
		return -EINVAL;
	base = mem_ptr(mem, MPTABLE_ADDR, size);
	if (!base)
		return -EFAULT;
	memset(base, 0, size);
	mpf = (struct mpf_intel *)base;
	mpc = (struct mpc_table *)(base + sizeof(*mpf));
	p = (uint8_t *)(mpc + 1);

	for (unsigned i = 0; i < nr_vcpus; i++, count++) {
		struct mpc_cpu c = {
			.type = MP_PROCESSOR,
			.apicid = (uint8_t)i,
			.apicver = APIC_VERSION,
			.cpuflag = 1 | (i == 0 ? 2 : 0),
			.cpufeature = 0x600, /* family 6, as Firecracker and kvmtool report */
			.featureflag = (1u << 0) | (1u << 9), /* FPU, APIC */
		};
		memcpy(p, &c, sizeof(c));
		p += sizeof(c);
	}
	{
		struct mpc_bus b = { .type = MP_BUS,
				     .busid = 0,
				     .bustype = { 'I', 'S', 'A', ' ', ' ', ' ' } };
		struct mpc_ioapic io = { .type = MP_IOAPIC,
					 .apicid = ioapic_id,
					 .apicver = IOAPIC_VERSION,
					 .flags = 1,
					 .apicaddr = (uint32_t)IOAPIC_ADDR };

		memcpy(p, &b, sizeof(b));
		p += sizeof(b);
		memcpy(p, &io, sizeof(io));
		p += sizeof(io);
		count += 2;
	}
	for (unsigned irq = 0; irq < IOAPIC_PINS; irq++, count++) {
		struct mpc_intsrc s = {
			.type = MP_INTSRC,
			.irqtype = MP_INT,
			.irqflag = 0, /* conforms to the bus: ISA is edge, active high */
			.srcbus = 0,
			.srcbusirq = (uint8_t)irq,
			.dstapic = ioapic_id,
			.dstirq = (uint8_t)irq,
		};
		memcpy(p, &s, sizeof(s));
		p += sizeof(s);
	}
	for (unsigned lint = 0; lint < 2; lint++, count++) {
		struct mpc_intsrc s = {
			.type = MP_LINTSRC,
			.irqtype = lint == 0 ? MP_EXTINT : MP_NMI,
			.srcbus = 0,
			.srcbusirq = 0,
			.dstapic = 0xff, /* every local APIC */
			.dstirq = (uint8_t)lint,
		};
		memcpy(p, &s, sizeof(s));
		p += sizeof(s);
	}

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = (uint16_t)(p - (uint8_t *)mpc);
	mpc->spec = MP_SPEC_REV;
	memcpy(mpc->oem, "MOTEVM  ", 8);
	memcpy(mpc->productid, "000000000000", 12);
	mpc->oemcount = count;
	mpc->lapic = (uint32_t)LAPIC_ADDR;
	mpc->checksum = checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint32_t)(MPTABLE_ADDR + sizeof(*mpf));
	mpf->length = 1;
	mpf->specification = MP_SPEC_REV;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
	return 0;
}
