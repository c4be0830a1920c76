/* boot_pvh.c: PVH boot: the guest checks every hvm_start_info field it is given (magic,
 * version, command line up to the 2047-byte limit, the e820 memory map for its RAM size,
 * the initrd as module 0 and its contents); bad command-line lengths are refused. */
#ifdef GUEST
#include "guest/guest.h"

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};
struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};
struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

int guest_main(int kind, uint64_t info)
{
	const struct hvm_start_info *si = (const void *)info;
	uint64_t mem = guest_arg_num("mem_mib", 0) << 20;
	uint64_t len = guest_arg_num("len", 0), isize = guest_arg_num("initrd_size", 0);
	const char *cmd = (const char *)si->cmdline_paddr;

	GUEST_ASSERT(kind == BOOT_PVH, "entered through %d", kind);
	GUEST_ASSERT(info == 0x6000, "start info at %lx", info);
	GUEST_ASSERT(si->magic == 0x336ec578, "magic %x", si->magic);
	GUEST_ASSERT(si->version == 1, "version %u", si->version);
	GUEST_ASSERT(si->rsdp_paddr == 0 && si->reserved == 0, "rsdp %lx", si->rsdp_paddr);
	GUEST_ASSERT(strlen(cmd) == len, "command line is %lu bytes, expected %lu", strlen(cmd),
		     len);
	GUEST_ASSERT(len < 10 || strcmp(cmd + len - 4, " END") == 0, "command line tail");

	GUEST_ASSERT(si->memmap_paddr && si->memmap_entries, "no memory map");
	{
		const struct hvm_memmap_entry *e = (const void *)si->memmap_paddr;
		uint64_t a, s;
		uint32_t t;
		unsigned n = expected_memmap(mem, 0, &a, &s, &t);

		GUEST_ASSERT(si->memmap_entries == n, "%u memory map entries, expected %u",
			     si->memmap_entries, n);
		for (unsigned i = 0; i < n; i++) {
			expected_memmap(mem, i, &a, &s, &t);
			gprintf("memmap %u: %lx +%lx type %u\n", i, e[i].addr, e[i].size,
				e[i].type);
			GUEST_ASSERT(e[i].addr == a && e[i].size == s && e[i].type == t,
				     "entry %u, expected %lx +%lx type %u", i, a, s, t);
		}
		/* The last low RAM byte is really there. */
		expected_memmap(mem, 2, &a, &s, &t);
		*(volatile uint8_t *)(a + s - 1) = 0x5a;
		GUEST_ASSERT(*(volatile uint8_t *)(a + s - 1) == 0x5a, "RAM end");
	}

	if (!isize) {
		GUEST_ASSERT(si->nr_modules == 0, "%u modules without an initrd", si->nr_modules);
	} else {
		const struct hvm_modlist_entry *m = (const void *)si->modlist_paddr;
		extern char _end[];

		GUEST_ASSERT(si->nr_modules == 1, "%u modules", si->nr_modules);
		gprintf("module: %lx +%lx\n", m->paddr, m->size);
		GUEST_ASSERT(m->size == isize, "module size %lu, expected %lu", m->size, isize);
		GUEST_ASSERT(m->paddr % 4096 == 0, "module not page-aligned");
		GUEST_ASSERT(m->paddr >= (uint64_t)_end, "module overlaps the kernel");
		GUEST_ASSERT(m->paddr + m->size <= (mem < 0xc0000000ul ? mem : 0xc0000000ul),
			     "module beyond low RAM");
		GUEST_ASSERT(fnv1a((const void *)m->paddr, m->size) ==
				     guest_arg_num("initrd_sum", 0),
			     "module contents differ");
		GUEST_ASSERT(m->cmdline_paddr == 0, "module command line");
	}
	gprintf("PVH start info OK\n");
	return 0;
}
#else
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/vmmtest.h"

/* Boot args "mem_mib=M len=L initrd_size=S initrd_sum=X <padding> END" of exactly LEN bytes. */
static char *make_args(unsigned mem, size_t len, size_t isize, uint32_t sum)
{
	char head[160], *a = malloc(len + 1);
	size_t h;

	h = (size_t)snprintf(head, sizeof(head),
			     "mem_mib=%u len=%zu initrd_size=%zu initrd_sum=%u ", mem, len, isize,
			     sum);
	if (h + 4 > len) {
		fprintf(stderr, "make_args: %zu bytes cannot hold the arguments\n", len);
		exit(2);
	}
	memset(a, 'x', len);
	memcpy(a, head, h);
	memcpy(a + len - 4, " END", 4);
	a[len] = 0;
	return a;
}

static const char *config_for(const char *kernel, unsigned mem, const char *args,
			      const char *initrd)
{
	static int seq;
	char name[32];

	snprintf(name, sizeof(name), "pvh%d.json", seq++);
	return vmt_write_file(name,
			      "{\"boot-source\": {\"kernel_image_path\": \"%s\", \"boot_args\": "
			      "\"%s\"%s%s%s},\n \"machine-config\": {\"vcpu_count\": 1, "
			      "\"mem_size_mib\": %u}}\n",
			      vmt_file(kernel), args, initrd ? ", \"initrd_path\": \"" : "",
			      initrd ? initrd : "", initrd ? "\"" : "", mem);
}

static const char *config(unsigned mem, const char *args, const char *initrd)
{
	return config_for("boot_pvh.elf", mem, args, initrd);
}

int main(void)
{
	enum { ISIZE = 20000 + 123 };
	unsigned char *data = malloc(ISIZE);
	const char *initrd;
	struct vm_result r;
	uint32_t sum;
	char *args;

	vmt_begin("boot_pvh");
	vmt_require_kvm();
	srand(42);
	for (int i = 0; i < ISIZE; i++)
		data[i] = (unsigned char)rand();
	initrd = vmt_write_bytes("initrd.bin", data, ISIZE);
	sum = vmt_fnv1a(data, ISIZE);

	/* 128 MiB, an initrd, the longest command line (2047 bytes + NUL). */
	args = make_args(128, 2047, ISIZE, sum);
	vmt_run_config(&r, config(128, args, initrd), 60);
	CHECK_STATUS(&r, 0);
	CHECK(vmt_contains(r.out, r.out_len, "PVH start info OK"), "guest did not finish");
	vmt_result_free(&r);
	free(args);

	/* No initrd; RAM above the 3 GiB hole (3.5 GiB). */
	args = make_args(3584, 100, 0, 0);
	vmt_run_config(&r, config(3584, args, NULL), 60);
	CHECK_STATUS(&r, 0);
	CHECK(vmt_contains(r.out, r.out_len, "memmap 3: 100000000 +20000000 type 1"),
	      "no RAM above 4 GiB in the memory map");
	vmt_result_free(&r);
	free(args);

	/* The same guest as ELF32 (the PVH note and segments of a 32-bit container). */
	args = make_args(256, 200, ISIZE, sum);
	vmt_run_config(&r, config_for("boot_pvh.elf32", 256, args, initrd), 60);
	CHECK_STATUS(&r, 0);
	CHECK(vmt_contains(r.out, r.out_len, "PVH start info OK"), "ELF32 guest did not finish");
	vmt_result_free(&r);
	free(args);

	/* One byte too long: refused before the guest runs, naming the limit. */
	args = make_args(128, 2048, 0, 0);
	vmt_run_config(&r, config(128, args, NULL), 60);
	CHECK_STATUS(&r, MOTE_STATUS_BAD_CONFIG);
	CHECK(vmt_contains(r.err, r.err_len, "boot_args is 2048 bytes") &&
		      vmt_contains(r.err, r.err_len, "at most 2047"),
	      "no clear error for a long command line");
	CHECK(r.out_len == 0, "the guest ran");
	vmt_result_free(&r);
	free(args);
	free(data);
	return vmt_end();
}
#endif
