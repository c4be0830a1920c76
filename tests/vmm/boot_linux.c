/* boot_linux.c: the Linux 64-bit boot protocol, for an ELF vmlinux (no PVH note) and for a
 * bzImage: the guest checks the zero page (header, loader type, command line, initrd, e820),
 * its entry state (long mode, identity map, rsi/rsp, GDT) and, on kvm_pvm, the U bit in
 * motevm's page tables; the bzImage's own limits (cmdline_size, initrd_addr_max) hold. */
#ifdef GUEST
#include "guest/guest.h"

#define ZP(type, off) (*(const volatile type *)(zp + (off)))

static void check_e820(uint64_t zp, uint64_t mem)
{
	uint64_t a, s;
	uint32_t t;
	unsigned n = expected_memmap(mem, 0, &a, &s, &t);

	GUEST_ASSERT(ZP(uint8_t, 0x1e8) == n, "%u e820 entries, expected %u", ZP(uint8_t, 0x1e8),
		     n);
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = zp + 0x2d0 + 20 * i;

		expected_memmap(mem, i, &a, &s, &t);
		GUEST_ASSERT(*(volatile uint64_t *)e == a && *(volatile uint64_t *)(e + 8) == s &&
				     *(volatile uint32_t *)(e + 16) == t,
			     "e820 entry %u", i);
	}
}

static void check_cpu(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr;
	uint32_t a, b, c, d;
	uint64_t cr3 = READ_CR(3), *pml4 = (uint64_t *)(cr3 & ~0xfffUL);

	GUEST_ASSERT((READ_CR(0) & 0x80000001) == 0x80000001, "CR0 %lx", READ_CR(0));
	GUEST_ASSERT(READ_CR(4) & 0x20, "CR4.PAE clear");
	GUEST_ASSERT(rdmsr(0xc0000080) & 0x400, "EFER.LMA clear");
	GUEST_ASSERT(entry_rsp == 0x8ff0, "entry rsp %lx", entry_rsp);
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	GUEST_ASSERT(gdtr.base == 0x500, "GDT at %lx", gdtr.base);
	cpuid(MOTE_CPUID_INFO, 0, &a, &b, &c, &d);
	if (b & MOTE_FEAT_PVM) {
		uint64_t *pdpt = (uint64_t *)(pml4[0] & ~0xfffUL);
		uint64_t *pd = (uint64_t *)(pdpt[3] & ~0xfffUL);

		GUEST_ASSERT((pml4[0] & 4) && (pdpt[0] & 4) && (pd[511] & 4),
			     "kvm_pvm host but no U bit in the page tables");
		gprintf("kvm_pvm: U bit set\n");
	}
}

int guest_main(int kind, uint64_t info)
{
	const char *fmt = guest_arg("format");
	bool bz = fmt && strncmp(fmt, "bzimage", 7) == 0;
	uint64_t zp = info, mem = guest_arg_num("mem_mib", 0) << 20;
	uint64_t len = guest_arg_num("len", 0), isize = guest_arg_num("initrd_size", 0);
	uint64_t initrd_max = bz ? 0x4000000 : 0xc0000000ul;
	extern char _end[];

	GUEST_ASSERT(kind == BOOT_LINUX, "entered through %d", kind);
	GUEST_ASSERT(zp == 0x7000, "zero page at %lx", zp);
	GUEST_ASSERT(ZP(uint16_t, 0x1fe) == 0xaa55, "boot_flag");
	GUEST_ASSERT(ZP(uint32_t, 0x202) == 0x53726448, "header is not HdrS");
	GUEST_ASSERT(ZP(uint8_t, 0x210) == 0xff, "type_of_loader %x", ZP(uint8_t, 0x210));
	GUEST_ASSERT(ZP(uint32_t, 0xc8) == 0, "ext_cmd_line_ptr");
	GUEST_ASSERT(strlen(guest_cmdline) == len, "command line is %lu bytes, expected %lu",
		     strlen(guest_cmdline), len);
	GUEST_ASSERT((uint64_t)guest_cmdline == ZP(uint32_t, 0x228), "cmd_line_ptr");
	if (bz) {
		/* Copied from the image's setup header. */
		GUEST_ASSERT(ZP(uint16_t, 0x206) == 0x020f, "version %x", ZP(uint16_t, 0x206));
		GUEST_ASSERT(ZP(uint8_t, 0x1f1) == 1, "setup_sects");
		GUEST_ASSERT(ZP(uint16_t, 0x236) == 3, "xloadflags");
		GUEST_ASSERT(ZP(uint32_t, 0x238) == 255, "cmdline_size %u", ZP(uint32_t, 0x238));
		GUEST_ASSERT(ZP(uint64_t, 0x258) == 0x100000, "pref_address");
		GUEST_ASSERT(ZP(uint32_t, 0x22c) == 0x3ffffff, "initrd_addr_max");
		GUEST_ASSERT(ZP(uint32_t, 0x260) == (uint64_t)_end - 0x100000, "init_size %x",
			     ZP(uint32_t, 0x260));
	} else {
		GUEST_ASSERT(ZP(uint32_t, 0x230) == 0x1000000, "kernel_alignment");
		GUEST_ASSERT(ZP(uint32_t, 0x238) == 2047, "cmdline_size %u", ZP(uint32_t, 0x238));
	}
	check_e820(zp, mem);
	check_cpu();

	if (isize) {
		uint64_t addr = ZP(uint32_t, 0x218), size = ZP(uint32_t, 0x21c);

		gprintf("initrd: %lx +%lx\n", addr, size);
		GUEST_ASSERT(ZP(uint32_t, 0xc0) == 0 && ZP(uint32_t, 0xc4) == 0, "ext_ramdisk");
		GUEST_ASSERT(size == isize, "ramdisk_size %lu, expected %lu", size, isize);
		GUEST_ASSERT(addr % 4096 == 0 && addr >= (uint64_t)_end, "ramdisk_image %lx", addr);
		GUEST_ASSERT(addr + size <= initrd_max, "initrd above initrd_addr_max");
		GUEST_ASSERT(fnv1a((const void *)addr, size) == guest_arg_num("initrd_sum", 0),
			     "initrd contents differ");
	} else {
		GUEST_ASSERT(ZP(uint32_t, 0x218) == 0 && ZP(uint32_t, 0x21c) == 0, "ramdisk set");
	}
	/* The identity map reaches the end of RAM. */
	{
		volatile uint8_t *last =
			(volatile uint8_t *)((mem < 0xc0000000ul ? mem : 0xc0000000ul) - 1);

		*last = 0xa5;
		GUEST_ASSERT(*last == 0xa5, "RAM end");
	}
	gprintf("Linux boot (%s) zero page OK\n", bz ? "bzImage" : "vmlinux");
	return 0;
}
#else
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/vmmtest.h"

static char *make_args(const char *format, unsigned mem, size_t len, size_t isize, uint32_t sum)
{
	char head[200], *a = malloc(len + 1);
	size_t h = (size_t)snprintf(head, sizeof(head),
				    "format=%s mem_mib=%u len=%zu initrd_size=%zu initrd_sum=%u ",
				    format, mem, len, isize, sum);

	if (h + 4 > len) {
		fprintf(stderr, "make_args: %zu bytes cannot hold the arguments\n", len);
		exit(2);
	}
	memset(a, 'x', len);
	memcpy(a, head, h);
	a[len] = 0;
	return a;
}

static void boot(const char *kernel, const char *format, unsigned mem, size_t len,
		 const char *initrd, size_t isize, uint32_t sum, int want, const char *want_text)
{
	char *args = make_args(format, mem, len, isize, sum);
	const char *cfg;
	struct vm_result r;

	cfg = vmt_write_file("linux.json",
			     "{\"boot-source\": {\"kernel_image_path\": \"%s\", \"boot_args\": "
			     "\"%s\"%s%s%s},\n \"machine-config\": {\"vcpu_count\": 1, "
			     "\"mem_size_mib\": %u}}\n",
			     vmt_file(kernel), args, initrd ? ", \"initrd_path\": \"" : "",
			     initrd ? initrd : "", initrd ? "\"" : "", mem);
	vmt_run_config(&r, cfg, 60);
	printf("%s, %u MiB, %zu-byte command line%s -> %d\n", kernel, mem, len,
	       initrd ? ", initrd" : "", r.status);
	CHECK_STATUS(&r, want);
	CHECK(vmt_contains(want ? r.err : r.out, want ? r.err_len : r.out_len, want_text),
	      "%s: expected \"%s\"", kernel, want_text);
	if (!want && vmt_host_is_pvm())
		CHECK(vmt_contains(r.out, r.out_len, "kvm_pvm: U bit set"), "U bit not checked");
	vmt_result_free(&r);
	free(args);
}

int main(void)
{
	enum { ISIZE = 30000 };
	unsigned char *data = malloc(ISIZE);
	const char *initrd;
	uint32_t sum;

	vmt_begin("boot_linux");
	vmt_require_kvm();
	srand(7);
	for (int i = 0; i < ISIZE; i++)
		data[i] = (unsigned char)rand();
	initrd = vmt_write_bytes("initrd.bin", data, ISIZE);
	sum = vmt_fnv1a(data, ISIZE);

	boot("boot_linux.vmlinux", "vmlinux", 128, 2047, initrd, ISIZE, sum, 0,
	     "Linux boot (vmlinux) zero page OK");
	boot("boot_linux.vmlinux", "vmlinux", 256, 100, NULL, 0, 0, 0,
	     "Linux boot (vmlinux) zero page OK");
	boot("boot_linux.vmlinux", "vmlinux", 128, 2048, NULL, 0, 0, MOTE_STATUS_BAD_CONFIG,
	     "at most 2047");
	boot("boot_linux.bzImage", "bzimage", 128, 255, initrd, ISIZE, sum, 0,
	     "Linux boot (bzImage) zero page OK");
	boot("boot_linux.bzImage", "bzimage", 32, 80, initrd, ISIZE, sum, 0,
	     "Linux boot (bzImage) zero page OK");
	/* The bzImage declares cmdline_size 255: motevm holds to it. */
	boot("boot_linux.bzImage", "bzimage", 128, 256, NULL, 0, 0, MOTE_STATUS_BAD_CONFIG,
	     "at most 255");
	free(data);
	return vmt_end();
}
#endif
