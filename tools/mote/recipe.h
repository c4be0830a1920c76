/* recipe.h: what goes into an image for a given program and options, and its cache key. */
#ifndef MOTE_TOOLS_RECIPE_H
#define MOTE_TOOLS_RECIPE_H

#include "autoadd.h"
#include "closure.h"
#include "elfdeps.h"
#include "fileset.h"
#include "lines.h"
#include "image.h"
#include "runtimes.h"

#include <stdint.h>

/* Longest kernel command line mote writes (motevm's limit for the Mote kernel). */
#define RECIPE_CMDLINE_MAX 4096

struct mote_opts;

#define RECIPE_WITH_RUNTIMES 8 /* more than runtimes.c knows */

struct recipe {
	struct fileset fs;
	struct elfdeps_result deps;
	struct closure_result closure;	/* the libraries of the other ELF files, and warnings */
	struct runtimes_result runtime; /* the runtime recipe's files (runtimes.c) */
	/* the --with programs' runtimes other than the main one's (each once) */
	struct runtimes_result with_runtime[RECIPE_WITH_RUNTIMES];
	size_t n_with_runtime;
	char **with_exe; /* each --with program's ELF that runs it (elfdeps_result.exe) */
	size_t n_with_exe;
	struct autoadd_result autoadd; /* the files the arguments name (autoadd.c) */
	struct lines libdata;	       /* what libdata.c added for the libraries */
	unsigned mem_mib, cpus;	       /* the machine: the options', else the recipe's */
	char cmdline[RECIPE_CMDLINE_MAX];
	uint64_t key[2];   /* identity of the file set: a new key means a new image */
	double resolve_ms; /* time spent finding the files */
	double closure_ms; /* ... of which on the other ELF files' libraries */
};

/*
 * Resolves the program in o->argv[0] and each --with program, with their libraries, the --add
 * paths, the files of the program's runtime (runtimes.c), glibc's run-time files and the host
 * paths its arguments name (autoadd.c), then the libraries of every other ELF file among them,
 * and composes the kernel command line. Returns 0 or -errno with a message in err naming what is
 * missing or wrong: a library the program or a --with program needs and the host lacks is an
 * error; one that another ELF file needs (a plugin in an --add'ed tree) is a warning kept in
 * r->closure.warnings.
 */
int recipe_make(const struct mote_opts *o, struct recipe *r, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The manifest for r's image, with machine defaults from o; strings point into r/o. */
void recipe_manifest(const struct recipe *r, const struct mote_opts *o, struct image_manifest *m);

/* Prints r's warnings on stderr, a "mote: warning: " line each. */
void recipe_print_warnings(const struct recipe *r);
/* Prints what the runtime recipe and the arguments added, for -v and --verbose. */
void recipe_print_notes(const struct recipe *r);

void recipe_free(struct recipe *r);

#endif /* MOTE_TOOLS_RECIPE_H */
