/* elf.h: reading the parts of an ELF file that decide what it needs to run. */
#ifndef MOTE_TOOLS_ELF_H
#define MOTE_TOOLS_ELF_H

#include <stdbool.h>
#include <stddef.h>

enum elf_kind {
	ELF_EXEC, /* ET_EXEC: fixed-address executable */
	ELF_DYN,  /* ET_DYN: shared object or PIE */
};

/* What mote needs to know of one ELF64 x86-64 file. Strings are owned by the struct. */
struct elf_info {
	enum elf_kind kind;
	char *interp;  /* PT_INTERP path, or NULL (static) */
	char **needed; /* DT_NEEDED names */
	size_t n_needed;
	char *rpath;   /* DT_RPATH, or NULL */
	char *runpath; /* DT_RUNPATH, or NULL */
	char *soname;  /* DT_SONAME, or NULL */
	bool nodeflib; /* DF_1_NODEFLIB: skip ld.so.cache and default dirs */
};

/*
 * Reads the ELF file at path. Returns 0, or -errno with a one-line reason in err (size errlen):
 * -ENOEXEC for "not an ELF file", "not 64-bit", "not x86-64" or a malformed header.
 */
int elf_read(const char *path, struct elf_info *info, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Returns true if path is an ELF64 x86-64 file (used to skip wrong-arch libraries). */
bool elf_is_x86_64(const char *path);

void elf_free(struct elf_info *info);

#endif /* MOTE_TOOLS_ELF_H */
