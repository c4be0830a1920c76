/* acpi.c: just enough ACPI to read the MADT: RSDP -> RSDT/XSDT -> "APIC". */
#include "arch/x86_64/platform.h"
#include "arch/x86_64/boot.h"
#include "core/mm/vm.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

struct platform platform;

struct sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

/* A firmware table in the direct map: its header first, then all of it. NULL if unusable. */
static const struct sdt_header *table(uint64_t pa)
{
	const struct sdt_header *h = vm_map_phys(pa, sizeof(*h));

	if (!pa || !h || h->length < sizeof(*h) || !vm_map_phys(pa, h->length))
		return NULL;
	return h;
}

static bool sum_ok(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s == 0;
}

static uint64_t scan_rsdp(uint64_t start, uint64_t len)
{
	for (uint64_t p = start; p + 20 <= start + len; p += 16)
		if (!memcmp(P2V(p), "RSD PTR ", 8) && sum_ok(P2V(p), 20))
			return p;
	return 0;
}

static void parse_madt(const struct sdt_header *h)
{
	const uint8_t *p = (const uint8_t *)h + 44, *end = (const uint8_t *)h + h->length;

	platform.lapic_pa = *(const uint32_t *)((const uint8_t *)h + 36);
	for (; p + 2 <= end && p[1] >= 2; p += p[1]) {
		switch (p[0]) {
		case 0: /* processor local APIC: enabled or online-capable */
			if ((*(const uint32_t *)(p + 4) & 3) && platform.ncpus < MAX_CPUS)
				platform.apic_ids[platform.ncpus++] = p[3];
			break;
		case 1: /* IOAPIC: the first one routes the ISA IRQs */
			if (!platform.ioapic_pa) {
				platform.ioapic_pa = *(const uint32_t *)(p + 4);
				platform.ioapic_gsi_base = *(const uint32_t *)(p + 8);
			}
			break;
		case 2: /* interrupt source override */
			if (p[3] < NR_ISA_IRQS) {
				platform.isa_gsi[p[3]] = *(const uint32_t *)(p + 4);
				platform.isa_flags[p[3]] = *(const uint16_t *)(p + 8);
			}
			break;
		case 5: /* 64-bit LAPIC address */
			platform.lapic_pa = *(const uint64_t *)(p + 4);
			break;
		case 9: /* x2APIC */
			if ((*(const uint32_t *)(p + 8) & 3) && platform.ncpus < MAX_CPUS)
				platform.apic_ids[platform.ncpus++] = *(const uint32_t *)(p + 4);
			break;
		}
	}
}

int acpi_parse(uint64_t rsdp_pa)
{
	const uint8_t *rsdp;
	uint64_t root;
	const struct sdt_header *h;
	bool x;
	uint32_t n;

	if (!rsdp_pa) {
		uint64_t ebda = (uint64_t) * (const uint16_t *)P2V(0x40e) << 4;

		if (ebda >= 0x80000 && ebda < 0xa0000)
			rsdp_pa = scan_rsdp(ebda, 1024);
		if (!rsdp_pa)
			rsdp_pa = scan_rsdp(0xe0000, 0x20000);
	}
	if (!rsdp_pa)
		return -ENOENT;
	rsdp = vm_map_phys(rsdp_pa, 36);
	if (!rsdp)
		return -ENOENT;
	x = rsdp[15] >= 2 && *(const uint64_t *)(rsdp + 24);
	root = x ? *(const uint64_t *)(rsdp + 24) : *(const uint32_t *)(rsdp + 16);
	h = table(root);
	if (!h || memcmp(h->sig, x ? "XSDT" : "RSDT", 4) || !sum_ok(h, h->length))
		return -ENOENT;
	n = (h->length - sizeof(*h)) / (x ? 8 : 4);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *ent = (const uint8_t *)(h + 1) + i * (x ? 8 : 4);
		uint64_t pa = x ? *(const uint64_t *)ent : *(const uint32_t *)ent;
		const struct sdt_header *t = table(pa);

		if (t && !memcmp(t->sig, "APIC", 4) && sum_ok(t, t->length)) {
			parse_madt(t);
			platform.source = "ACPI MADT";
			return platform.ncpus ? 0 : -ENOENT;
		}
	}
	return -ENOENT;
}

void platform_init(void)
{
	for (int i = 0; i < NR_ISA_IRQS; i++)
		platform.isa_gsi[i] = i;
	/* The loader's RSDP first; then the MP table (Firecracker, motevm), found in two small
	 * areas, before scanning 128 KiB of BIOS area for an RSDP (each page costs a fault). */
	if (bootinfo.rsdp_pa && !acpi_parse(bootinfo.rsdp_pa))
		goto out;
	if (!mptable_parse() || !acpi_parse(0))
		goto out;
	platform.source = "none";
	platform.ncpus = 0;
out:
	if (!platform.lapic_pa)
		platform.lapic_pa = LAPIC_DEFAULT;
	if (!platform.ioapic_pa)
		platform.ioapic_pa = IOAPIC_DEFAULT;
	printk(LOG_INFO, "platform: %s: %u CPUs, LAPIC %#lx, IOAPIC %#lx\n", platform.source,
	       platform.ncpus, platform.lapic_pa, platform.ioapic_pa);
}
