/* elf.c: ELF kernel loader with the PVH entry note (see elf.h). */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/layout.h"
#include "boot/boot.h"
#include "boot/elf.h"
#include "kvm/memory.h"
#include "log.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define MAX_PHDRS 64
#define MAX_NOTES_SIZE 65536

/* Program headers of either class, widened. */
struct phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

bool elf_is_elf(const uint8_t *head, uint64_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

static int bad(const struct kernel_image *ki, const char *what)
{
	log_err("kernel image %s: %s", ki->path, what);
	return -EINVAL;
}

/* Reads and widens the program headers; checks they lie inside the file. */
static int read_phdrs(int fd, uint64_t size, const struct kernel_image *ki, bool is64,
		      const uint8_t *eh, struct phdr *ph, unsigned *nr)
{
	uint64_t phoff;
	unsigned phnum, phentsize, want;
	uint8_t buf[MAX_PHDRS * sizeof(Elf64_Phdr)];
	int r;

	if (is64) {
		const Elf64_Ehdr *h = (const Elf64_Ehdr *)eh;

		phoff = h->e_phoff, phnum = h->e_phnum, phentsize = h->e_phentsize;
		want = sizeof(Elf64_Phdr);
	} else {
		const Elf32_Ehdr *h = (const Elf32_Ehdr *)eh;

		phoff = h->e_phoff, phnum = h->e_phnum, phentsize = h->e_phentsize;
		want = sizeof(Elf32_Phdr);
	}
	if (phnum == 0)
		return bad(ki, "ELF file has no program headers");
	if (phnum > MAX_PHDRS)
		return bad(ki, "ELF file has too many program headers");
	if (phentsize != want)
		return bad(ki, "ELF program header size is wrong");
	if (phoff > size || (uint64_t)phnum * phentsize > size - phoff)
		return bad(ki, "truncated: program headers lie beyond the end of the file");
	r = boot_read(fd, buf, (uint64_t)phnum * phentsize, phoff);
	if (r)
		return r;
	for (unsigned i = 0; i < phnum; i++) {
		if (is64) {
			Elf64_Phdr p;

			memcpy(&p, buf + i * want, sizeof(p));
			ph[i] = (struct phdr){ p.p_type, p.p_offset, p.p_paddr, p.p_filesz,
					       p.p_memsz };
		} else {
			Elf32_Phdr p;

			memcpy(&p, buf + i * want, sizeof(p));
			ph[i] = (struct phdr){ p.p_type, p.p_offset, p.p_paddr, p.p_filesz,
					       p.p_memsz };
		}
		if (ph[i].offset > size || ph[i].filesz > size - ph[i].offset) {
			if (ph[i].type == PT_LOAD || ph[i].type == PT_NOTE)
				return bad(ki,
					   "truncated: a segment lies beyond the end of the file");
		}
	}
	*nr = phnum;
	return 0;
}

/* Looks for the PVH entry note in one PT_NOTE segment; 0 with *ENTRY set or left alone. */
static int scan_notes(int fd, const struct kernel_image *ki, const struct phdr *p, uint64_t *entry)
{
	uint8_t *buf;
	uint64_t off = 0, len = p->filesz;
	int r;

	if (len > MAX_NOTES_SIZE)
		return bad(ki, "ELF note segment is implausibly large");
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	r = boot_read(fd, buf, len, p->offset);
	while (!r && len - off >= 12) {
		uint32_t namesz, descsz, type;
		uint64_t name_off, desc_off, next;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		name_off = off + 12;
		desc_off = name_off + (((uint64_t)namesz + 3) & ~3ull);
		next = desc_off + (((uint64_t)descsz + 3) & ~3ull);
		if (desc_off > len || next > len) {
			r = bad(ki, "malformed ELF note");
			break;
		}
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
		    memcmp(buf + name_off, "Xen", 4) == 0) {
			uint32_t e32;

			if (descsz != 4 && descsz != 8) {
				r = bad(ki, "PVH entry note has a bad size");
				break;
			}
			/* The entry is a 32-bit physical address (8-byte notes hold it zero-extended). */
			memcpy(&e32, buf + desc_off, 4);
			*entry = e32;
		}
		off = next;
	}
	free(buf);
	return r;
}

int elf_load(const struct guest_mem *mem, int fd, uint64_t size, struct kernel_image *ki)
{
	uint8_t eh[sizeof(Elf64_Ehdr)];
	struct phdr ph[MAX_PHDRS];
	uint64_t pvh_entry = 0, e_entry;
	unsigned nr, loads = 0;
	bool is64;
	int r;

	if (size < sizeof(Elf32_Ehdr))
		return bad(ki, "truncated: shorter than an ELF header");
	r = boot_read(fd, eh, size < sizeof(eh) ? size : sizeof(eh), 0);
	if (r)
		return r;
	if (eh[EI_CLASS] != ELFCLASS64 && eh[EI_CLASS] != ELFCLASS32)
		return bad(ki, "unknown ELF class");
	is64 = eh[EI_CLASS] == ELFCLASS64;
	if (is64 && size < sizeof(Elf64_Ehdr))
		return bad(ki, "truncated: shorter than an ELF header");
	if (eh[EI_DATA] != ELFDATA2LSB)
		return bad(ki, "not a little-endian ELF file");
	if (is64) {
		const Elf64_Ehdr *h = (const Elf64_Ehdr *)eh;

		if (h->e_machine != EM_X86_64)
			return bad(ki, "not an x86-64 ELF file");
		if (h->e_type != ET_EXEC)
			return bad(ki, "not an executable ELF file (ET_EXEC)");
		e_entry = h->e_entry;
	} else {
		const Elf32_Ehdr *h = (const Elf32_Ehdr *)eh;

		if (h->e_machine != EM_386 && h->e_machine != EM_X86_64)
			return bad(ki, "not an x86 ELF file");
		if (h->e_type != ET_EXEC)
			return bad(ki, "not an executable ELF file (ET_EXEC)");
		e_entry = h->e_entry;
	}
	r = read_phdrs(fd, size, ki, is64, eh, ph, &nr);
	if (r)
		return r;

	ki->load_start = UINT64_MAX;
	ki->load_end = 0;
	for (unsigned i = 0; i < nr; i++) {
		const struct phdr *p = &ph[i];
		void *dst;

		if (p->type == PT_NOTE) {
			r = scan_notes(fd, ki, p, &pvh_entry);
			if (r)
				return r;
		}
		if (p->type != PT_LOAD || p->memsz == 0)
			continue;
		if (p->filesz > p->memsz)
			return bad(ki, "a segment's file size exceeds its memory size");
		if (p->paddr < HIMEM_START) {
			log_err("kernel image %s: segment at %#llx is below 1 MiB (%#llx)",
				ki->path, (unsigned long long)p->paddr, HIMEM_START);
			return -EINVAL;
		}
		dst = mem_ptr(mem, p->paddr, p->memsz);
		if (!dst) {
			log_err("kernel image %s: segment [%#llx, +%#llx) does not fit in guest "
				"RAM (%llu MiB)",
				ki->path, (unsigned long long)p->paddr,
				(unsigned long long)p->memsz,
				(unsigned long long)(mem->size >> 20));
			return -EINVAL;
		}
		/* Fresh anonymous memory is already zero: the bss needs no memset (or RSS). */
		r = boot_read(fd, dst, p->filesz, p->offset);
		if (r)
			return r == -EIO ? bad(ki, "truncated segment") : r;
		if (p->paddr < ki->load_start)
			ki->load_start = p->paddr;
		if (p->paddr + p->memsz > ki->load_end)
			ki->load_end = p->paddr + p->memsz;
		loads++;
	}
	if (!loads)
		return bad(ki, "ELF file has no loadable segment");
	if (pvh_entry) {
		ki->format = KERNEL_ELF_PVH;
		ki->entry = pvh_entry;
	} else {
		if (!is64)
			return bad(ki, "32-bit ELF kernel without a PVH note cannot boot");
		ki->format = KERNEL_ELF_LINUX;
		ki->entry = e_entry;
	}
	if (!mem_is_ram(mem, ki->entry)) {
		log_err("kernel image %s: entry point %#llx is not in guest RAM", ki->path,
			(unsigned long long)ki->entry);
		return -EINVAL;
	}
	return 0;
}
