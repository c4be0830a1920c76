/* closure.h: the shared libraries of every ELF file in an image, not only the program's. */
#ifndef MOTE_TOOLS_CLOSURE_H
#define MOTE_TOOLS_CLOSURE_H

#include <stdbool.h>
#include <stddef.h>

struct fileset;

struct closure_opts {
	const char *ldcache;   /* ld.so.cache to consult (default /etc/ld.so.cache) */
	const char *exe_rpath; /* the program's DT_RPATH, expanded: ld.so searches it last */
	bool verbose;	       /* print each library added to stderr */
};

/* What closure_add added, and what it could not find. */
struct closure_result {
	size_t n_libs;	 /* files added (libraries, ELF interpreters, glibc-hwcaps variants) */
	bool dynamic;	 /* some file it looked at has a PT_INTERP */
	char **warnings; /* "OBJECT needs NAME, not found", one per line, in the order met */
	size_t n_warnings;
};

/*
 * Resolves, for every x86-64 ELF file in fs from entry `first` on (those before it came with
 * their libraries already), its PT_INTERP and DT_NEEDED as ld.so would where the file sits in
 * the guest: DT_RPATH (its own, then its loaders' and the program's, unless it has a
 * DT_RUNPATH), DT_RUNPATH, ld.so.cache (with every glibc-hwcaps variant it lists), the default
 * directories, $ORIGIN being the file's guest directory; what the image already holds at a
 * path (following the image's own symlinks) counts, what it lacks is taken from the host.
 * Each library added is resolved in turn. A dependency found nowhere is not an error (a plugin
 * may have an optional one that is not installed): it becomes a line in res->warnings, unless
 * the image holds a file of that name elsewhere (ld.so takes one loaded already by that name).
 * Only regular files that start with the ELF magic are read, each ELF file once, each
 * (name, search path) resolved once. Returns 0, or -errno with the reason in err.
 */
int closure_add(struct fileset *fs, size_t first, const struct closure_opts *opts,
		struct closure_result *res, char *err, size_t errlen)
	__attribute__((warn_unused_result));

void closure_result_free(struct closure_result *res);

#endif /* MOTE_TOOLS_CLOSURE_H */
