/* bad_image.c: wrong or truncated kernel images and initrds are refused before anything
 * runs, with exit status 152 and an error naming the file and the problem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/vmmtest.h"

static unsigned char *elf, *bz;
static size_t elf_len, bz_len;

static void expect(const char *what, const char *kernel, const char *initrd, unsigned mem,
		   const char *problem)
{
	struct vm_result r;
	const char *cfg = vmt_write_file(
		"bad.json",
		"{\"boot-source\": {\"kernel_image_path\": \"%s\"%s%s%s}, \"machine-config\": "
		"{\"vcpu_count\": 1, \"mem_size_mib\": %u}}",
		kernel, initrd ? ", \"initrd_path\": \"" : "", initrd ? initrd : "",
		initrd ? "\"" : "", mem);
	const char *named = initrd ? initrd : kernel;

	vmt_run_config(&r, cfg, 30);
	printf("%-34s -> %d  %s", what, r.status, r.err);
	CHECK_STATUS(&r, MOTE_STATUS_BAD_CONFIG);
	CHECK(vmt_contains(r.err, r.err_len, named), "%s: the error does not name %s", what, named);
	CHECK(vmt_contains(r.err, r.err_len, problem), "%s: the error does not say \"%s\"", what,
	      problem);
	CHECK(r.out_len == 0, "%s: the guest ran", what);
	vmt_result_free(&r);
}

/* A copy of IMAGE (LEN bytes, truncated to KEEP) with a 16/32/64-bit value patched at OFF. */
static const char *variant(const char *name, const unsigned char *image, size_t len, size_t keep,
			   size_t off, unsigned width, unsigned long long value)
{
	unsigned char *c = malloc(len);
	const char *path;

	memcpy(c, image, len);
	if (width)
		memcpy(c + off, &value, width);
	path = vmt_write_bytes(name, c, keep);
	free(c);
	return path;
}

int main(void)
{
	unsigned char garbage[4096];
	unsigned long long phoff;
	size_t ph0;

	vmt_begin("bad_image");
	vmt_require_kvm();
	elf = (unsigned char *)vmt_read_file(vmt_file("exit.elf"), &elf_len);
	bz = (unsigned char *)vmt_read_file(vmt_file("boot_linux.bzImage"), &bz_len);
	memcpy(&phoff, elf + 32, 8);
	ph0 = (size_t)phoff; /* first program header: the text PT_LOAD */
	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (unsigned char)(i * 7 + 3);

	expect("missing file", "/nonexistent/vmlinux", NULL, 64, "No such file or directory");
	expect("directory", vmt_file("."), NULL, 64, "not a regular file");
	expect("empty file", vmt_write_bytes("empty", "", 0), NULL, 64, "empty file");
	expect("garbage", vmt_write_bytes("garbage", garbage, sizeof(garbage)), NULL, 64,
	       "neither an ELF file nor a bzImage");
	expect("ELF cut in its header", variant("cut40.elf", elf, elf_len, 40, 0, 0, 0), NULL, 64,
	       "truncated: shorter than an ELF header");
	expect("ELF cut in its segments", variant("cut.elf", elf, elf_len, 4200, 0, 0, 0), NULL, 64,
	       "truncated");
	expect("ELF for another machine", variant("arm.elf", elf, elf_len, elf_len, 18, 2, 183),
	       NULL, 64, "not an x86-64 ELF file");
	expect("ELF relocatable object", variant("rel.elf", elf, elf_len, elf_len, 16, 2, 1), NULL,
	       64, "not an executable ELF file");
	expect("ELF phdrs beyond the file",
	       variant("phoff.elf", elf, elf_len, elf_len, 32, 8, 1ull << 40), NULL, 64,
	       "program headers lie beyond the end of the file");
	expect("ELF segment below 1 MiB",
	       variant("low.elf", elf, elf_len, elf_len, ph0 + 24, 8, 0x1000), NULL, 64,
	       "below 1 MiB");
	expect("ELF segment beyond RAM",
	       variant("high.elf", elf, elf_len, elf_len, ph0 + 24, 8, 0x7ff00000), NULL, 64,
	       "does not fit in guest RAM");
	expect("bzImage without boot flag", variant("noflag.bz", bz, bz_len, bz_len, 0x1fe, 2, 0),
	       NULL, 64, "boot flag");
	expect("bzImage protocol 2.00", variant("old.bz", bz, bz_len, bz_len, 0x206, 2, 0x200),
	       NULL, 64, "boot protocol 2.00 is too old");
	expect("bzImage without 64-bit entry", variant("no64.bz", bz, bz_len, bz_len, 0x236, 2, 0),
	       NULL, 64, "no 64-bit entry point");
	expect("bzImage cut short", variant("cut.bz", bz, bz_len, 1500, 0, 0, 0), NULL, 64,
	       "truncated");
	expect("missing initrd", vmt_file("exit.elf"), "/nonexistent/initrd", 64,
	       "No such file or directory");
	{
		size_t big = 5u << 20;
		char *blob = calloc(1, big);

		expect("initrd larger than RAM", vmt_file("exit.elf"),
		       vmt_write_bytes("big.initrd", blob, big), 4, "do not fit in guest RAM");
		free(blob);
	}
	free(elf);
	free(bz);
	return vmt_end();
}
