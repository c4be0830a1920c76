/* elfdeps.h: finding everything a program needs to run, the way ld.so and execve find it. */
#ifndef MOTE_TOOLS_ELFDEPS_H
#define MOTE_TOOLS_ELFDEPS_H

#include <stdbool.h>
#include <stddef.h>

struct fileset;

struct elfdeps_opts {
	const char *ldcache; /* ld.so.cache to consult (default /etc/ld.so.cache) */
	bool verbose;	     /* print each resolution to stderr */
};

/* What elfdeps_add_program learnt about the program. */
struct elfdeps_result {
	char program[4096]; /* absolute path of the program as the guest will exec it */
	/* the ELF file that runs it: the program, or for a script its interpreter (for
	 * #!/usr/bin/env NAME, NAME), as found (runtimes.c tells the language by it) */
	char exe[4096];
	bool dynamic;  /* it (or its script interpreter) has a PT_INTERP */
	size_t n_libs; /* shared objects added */
	/* the executable's DT_RPATH, $ORIGIN expanded ("" without one, or with a DT_RUNPATH) */
	char rpath[4096];
	bool rpath_set;
};

/*
 * Resolves `program` (a path, or a name looked up in $PATH), then adds to fs: the program, its
 * `#!` interpreter chain if it is a script, its ELF interpreter (PT_INTERP) and every DT_NEEDED
 * object, recursively, found through DT_RPATH/DT_RUNPATH ($ORIGIN, $LIB, $PLATFORM expanded),
 * the ld.so cache and the default directories, skipping non-x86-64 candidates as ld.so does.
 * Returns 0, or -errno with a message naming what is missing or wrong in err.
 */
int elfdeps_add_program(struct fileset *fs, const char *program, const struct elfdeps_opts *opts,
			struct elfdeps_result *res, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Debian's x86-64 glibc's default library directories, searched after ld.so.cache. */
#define ELFDEPS_N_DEFAULT_DIRS 4
extern const char *const elfdeps_default_dirs[ELFDEPS_N_DEFAULT_DIRS];

/* Expands $ORIGIN (as origin), $LIB and $PLATFORM, also as ${...}, in len bytes of a search path. */
void elfdeps_expand(const char *in, size_t len, const char *origin, char *out, size_t outlen);

/* Looks name up in $PATH (or returns it if it has a '/'); writes an absolute path to out. */
int elfdeps_find_in_path(const char *name, char *out, size_t outlen);

#endif /* MOTE_TOOLS_ELFDEPS_H */
