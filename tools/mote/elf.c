/* elf.c: reading an ELF64 x86-64 file's type, interpreter and dynamic dependencies. */
#include "elf.h"
#include "errmsg.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * One open file, read in the pieces the parse asks for: mapping it costs far more (page faults,
 * and a TLB shootdown at munmap) than reading the few KiB that decide what it needs, and
 * mote reads every ELF file of an --add'ed tree.
 */
struct image {
	int fd;
	uint64_t size;
	void **bufs; /* what at() and str_at() handed out, freed with the image */
	size_t n_bufs;
};

/* A buffer of len bytes read at off, or NULL if they are not all in the file. */
static const void *at(struct image *im, uint64_t off, uint64_t len)
{
	void **v;
	char *buf;

	if (off > im->size || len > im->size - off)
		return NULL;
	v = realloc(im->bufs, (im->n_bufs + 1) * sizeof(*v));
	if (!v)
		return NULL;
	im->bufs = v;
	buf = malloc(len + 1);
	if (!buf)
		return NULL;
	v[im->n_bufs++] = buf;
	for (uint64_t done = 0; done < len;) {
		ssize_t n = pread(im->fd, buf + done, len - done, off + done);

		if (n <= 0)
			return NULL;
		done += n;
	}
	buf[len] = '\0';
	return buf;
}

/* Translates a virtual address to a file offset through the PT_LOAD segments. */
static int vaddr_to_off(const Elf64_Ehdr *eh, const Elf64_Phdr *phs, uint64_t vaddr, uint64_t *off)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = &phs[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (vaddr >= ph->p_vaddr && vaddr - ph->p_vaddr < ph->p_filesz) {
			*off = ph->p_offset + (vaddr - ph->p_vaddr);
			return 0;
		}
	}
	return -1;
}

/* A NUL-terminated string at off, or NULL if it runs past the end of the file. */
static const char *str_at(struct image *im, uint64_t off)
{
	/* names are short: read a little, and more only for a longer one */
	for (uint64_t len = 256;; len *= 2) {
		const char *s;

		if (off >= im->size)
			return NULL;
		if (len > im->size - off)
			len = im->size - off;
		s = at(im, off, len);
		if (!s)
			return NULL;
		if (memchr(s, '\0', len))
			return s;
		if (len == im->size - off)
			return NULL;
	}
}

static int check_header(const struct image *im, const Elf64_Ehdr *eh, const char *path, char *err,
			size_t errlen)
{
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return errmsg(err, errlen, -ENOEXEC, "%s: not an ELF file", path);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return errmsg(err, errlen, -ENOEXEC, "%s: not a 64-bit ELF file (Mote runs x86-64)",
			      path);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64)
		return errmsg(err, errlen, -ENOEXEC,
			      "%s: ELF for another architecture (machine %u), "
			      "not x86-64",
			      path, eh->e_machine);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return errmsg(err, errlen, -ENOEXEC,
			      "%s: ELF type %u is neither an executable nor a "
			      "shared object",
			      path, eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > im->size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > im->size - eh->e_phoff)
		return errmsg(err, errlen, -ENOEXEC, "%s: truncated or malformed program headers",
			      path);
	return 0;
}

static int add_needed(struct elf_info *info, const char *name)
{
	char **v = realloc(info->needed, (info->n_needed + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	info->needed = v;
	v[info->n_needed] = strdup(name);
	if (!v[info->n_needed])
		return -ENOMEM;
	info->n_needed++;
	return 0;
}

static int read_dynamic(struct image *im, const Elf64_Ehdr *eh, const Elf64_Phdr *phs,
			const Elf64_Phdr *dyn_ph, struct elf_info *info, const char *path,
			char *err, size_t errlen)
{
	const Elf64_Dyn *dyn = at(im, dyn_ph->p_offset, dyn_ph->p_filesz);
	size_t n = dyn_ph->p_filesz / sizeof(*dyn);
	uint64_t strtab = 0, stroff;
	bool have_strtab = false;

	if (!dyn)
		return errmsg(err, errlen, -ENOEXEC, "%s: truncated dynamic section", path);
	for (size_t i = 0; i < n && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_STRTAB) {
			strtab = dyn[i].d_un.d_ptr;
			have_strtab = true;
		} else if (dyn[i].d_tag == DT_FLAGS_1 && (dyn[i].d_un.d_val & DF_1_NODEFLIB)) {
			info->nodeflib = true;
		}
	}
	if (!have_strtab)
		return 0;
	if (vaddr_to_off(eh, phs, strtab, &stroff) < 0)
		return errmsg(err, errlen, -ENOEXEC, "%s: dynamic string table outside the file",
			      path);

	for (size_t i = 0; i < n && dyn[i].d_tag != DT_NULL; i++) {
		int64_t tag = dyn[i].d_tag;
		const char *s;
		char **slot = NULL;

		if (tag != DT_NEEDED && tag != DT_RPATH && tag != DT_RUNPATH && tag != DT_SONAME)
			continue;
		s = str_at(im, stroff + dyn[i].d_un.d_val);
		if (!s)
			return errmsg(err, errlen, -ENOEXEC, "%s: bad dynamic string", path);
		if (tag == DT_NEEDED) {
			if (add_needed(info, s) < 0)
				return errmsg(err, errlen, -ENOMEM, "out of memory");
			continue;
		}
		slot = tag == DT_RPATH	   ? &info->rpath
		       : tag == DT_RUNPATH ? &info->runpath
					   : &info->soname;
		free(*slot);
		*slot = strdup(s);
		if (!*slot)
			return errmsg(err, errlen, -ENOMEM, "out of memory");
	}
	return 0;
}

static int parse(struct image *im, struct elf_info *info, const char *path, char *err,
		 size_t errlen)
{
	const Elf64_Ehdr *eh = at(im, 0, sizeof(*eh));
	const Elf64_Phdr *phs;
	int ret;

	ret = check_header(im, eh, path, err, errlen);
	if (ret < 0)
		return ret;
	phs = at(im, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(*phs));
	if (!phs)
		return errmsg(err, errlen, -EIO, "%s: cannot read the program headers", path);
	info->kind = eh->e_type == ET_EXEC ? ELF_EXEC : ELF_DYN;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = &phs[i];

		if (ph->p_type == PT_INTERP) {
			const char *s = at(im, ph->p_offset, ph->p_filesz);

			if (!s || ph->p_filesz == 0 || s[ph->p_filesz - 1] != '\0')
				return errmsg(err, errlen, -ENOEXEC, "%s: malformed PT_INTERP",
					      path);
			info->interp = strdup(s);
			if (!info->interp)
				return errmsg(err, errlen, -ENOMEM, "out of memory");
		} else if (ph->p_type == PT_DYNAMIC) {
			ret = read_dynamic(im, eh, phs, ph, info, path, err, errlen);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

int elf_read(const char *path, struct elf_info *info, char *err, size_t errlen)
{
	struct image im = { .fd = -1 };
	struct stat st;
	int ret;

	memset(info, 0, sizeof(*info));
	im.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (im.fd < 0)
		return errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fstat(im.fd, &st) < 0) {
		ret = errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = errmsg(err, errlen, -ENOEXEC, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		ret = errmsg(err, errlen, -ENOEXEC, "%s: not an ELF file (too short)", path);
		goto out;
	}
	im.size = st.st_size;
	ret = parse(&im, info, path, err, errlen);
	if (ret < 0)
		elf_free(info);
out:
	for (size_t i = 0; i < im.n_bufs; i++)
		free(im.bufs[i]);
	free(im.bufs);
	close(im.fd);
	return ret;
}

bool elf_is_x86_64(const char *path)
{
	Elf64_Ehdr eh;
	bool ok = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &eh, sizeof(eh)) == (ssize_t)sizeof(eh))
		ok = memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
		     eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_machine == EM_X86_64;
	close(fd);
	return ok;
}

void elf_free(struct elf_info *info)
{
	for (size_t i = 0; i < info->n_needed; i++)
		free(info->needed[i]);
	free(info->needed);
	free(info->interp);
	free(info->rpath);
	free(info->runpath);
	free(info->soname);
	memset(info, 0, sizeof(*info));
}
