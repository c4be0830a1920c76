/* mptable.c: the Intel MultiProcessor table (Firecracker and motevm write one at 0x9fc00). */
#include "arch/x86_64/platform.h"
#include "core/mm/vm.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MP_PROCESSOR 0
#define MP_IOAPIC 2

static bool sum_ok(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s == 0;
}

static uint64_t scan(uint64_t start, uint64_t len)
{
	for (uint64_t p = start; p + 16 <= start + len; p += 16)
		if (!memcmp(P2V(p), "_MP_", 4) && sum_ok(P2V(p), 16))
			return p;
	return 0;
}

int mptable_parse(void)
{
	uint64_t ebda = (uint64_t) * (const uint16_t *)P2V(0x40e) << 4, fp = 0;
	const uint8_t *t, *p, *end;
	uint16_t count;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		fp = scan(ebda, 1024);
	if (!fp)
		fp = scan(0x9fc00, 1024);
	if (!fp)
		fp = scan(0xf0000, 0x10000);
	if (!fp || !*(const uint32_t *)((const uint8_t *)P2V(fp) + 4))
		return -ENOENT;
	/* The floating pointer is in the first MiB (always mapped); its table may be anywhere. */
	t = vm_map_phys(*(const uint32_t *)((const uint8_t *)P2V(fp) + 4), 44);
	if (!t || memcmp(t, "PCMP", 4) || !vm_map_phys(V2P(t), *(const uint16_t *)(t + 4)) ||
	    !sum_ok(t, *(const uint16_t *)(t + 4)))
		return -ENOENT;
	count = *(const uint16_t *)(t + 34);
	platform.lapic_pa = *(const uint32_t *)(t + 36);
	p = t + 44;
	end = t + *(const uint16_t *)(t + 4);
	for (uint16_t i = 0; i < count && p < end; i++) {
		if (p[0] == MP_PROCESSOR) {
			if ((p[3] & 1) && platform.ncpus < MAX_CPUS)
				platform.apic_ids[platform.ncpus++] = p[1];
			p += 20;
			continue;
		}
		if (p[0] == MP_IOAPIC && (p[3] & 1) && !platform.ioapic_pa)
			platform.ioapic_pa = *(const uint32_t *)(p + 4);
		p += 8;
	}
	platform.source = "MP table";
	return platform.ncpus ? 0 : -ENOENT;
}
