/* runtimes.h: recipes for the language runtimes of the host (python3, perl, java, node, lua,
 * ruby): the files each loads beyond its executable, found from its own configuration. */
#ifndef MOTE_TOOLS_RUNTIMES_H
#define MOTE_TOOLS_RUNTIMES_H

#include "lines.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fileset;

struct runtimes_opts {
	bool site; /* --runtime-site: the third-party package directories, whatever their size */
};

/* What runtimes_add did. */
struct runtimes_result {
	const char *name;      /* the recipe that applied ("python3"), or NULL */
	size_t n_entries;      /* image entries it added */
	uint64_t bytes;	       /* ... their files' bytes */
	unsigned mem_mib;      /* its default guest memory (0: mote's) */
	unsigned cpus;	       /* its default vCPU count (0: mote's) */
	struct lines notes;    /* for -v and --verbose: what it asked, added and left out */
	struct lines warnings; /* what it could not add (each a line on stderr) */
};

/*
 * Recognises the runtime of exe — the ELF file that runs the program (elfdeps_result.exe: the
 * program itself, or a script's interpreter) — by its name (as found, or its real path's) or
 * a library it needs (DT_NEEDED), from the table in runtimes.c, and adds that runtime's files
 * to fs at their own paths: the directories the runtime names when asked (its standard
 * library, its third-party package directories when small or with o->site), or its home tree
 * (java: JAVA_HOME, two levels above the launcher's real path), less what it never loads at
 * run time, and the files their symlinks point to outside them. A runtime's answer is kept in
 * the cache (runtimes/), keyed by its executable's identity. No recipe for exe: nothing is
 * done. Returns 0, or -errno with the reason in err (what it cannot add is a warning in
 * res->warnings, not an error).
 */
int runtimes_add(struct fileset *fs, const char *exe, const struct runtimes_opts *o,
		 struct runtimes_result *res, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* For -v: the recipe that applied, what it added, and its notes (nothing if none applied). */
void runtimes_print(const struct runtimes_result *res, FILE *f);

void runtimes_result_free(struct runtimes_result *res);

#endif /* MOTE_TOOLS_RUNTIMES_H */
