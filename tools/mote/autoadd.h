/* autoadd.h: the host files a command line names (a script, a jar, a class directory, a
 * configuration file), added at their own paths, and the current directory's path. */
#ifndef MOTE_TOOLS_AUTOADD_H
#define MOTE_TOOLS_AUTOADD_H

#include "lines.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fileset;

/* Past these a path named on the command line is not added (a warning says so): the image
 * lives in the guest's memory. */
#define AUTOADD_MAX_BYTES (128ull << 20)
#define AUTOADD_MAX_ENTRIES 10000

/* What autoadd_add did. */
struct autoadd_result {
	/* the host's current directory when an argument names a host path relative to it (the
	 * program must start there for the argument to mean the same); "" otherwise */
	char start_dir[4096];
	size_t n_paths;	       /* paths named and added */
	size_t n_entries;      /* image entries added */
	uint64_t bytes;	       /* ... their files' bytes */
	struct lines notes;    /* for -v and --verbose: each path added, or passed over and why */
	struct lines warnings; /* paths named but not added for their size */
};

/*
 * For each of the n words in args (the program's arguments), its candidates — the word, what
 * follows its first '=' (--config=FILE), and each ':'-separated part of either (a class
 * path) — that exist on the host, relative to the current directory or absolute: adds each at
 * its own absolute path, a file as it is, a directory with its contents; then the current
 * directory's path (empty, unless named). Never added: "/", paths in /proc, /sys, /dev and
 * /run (the guest's own), directories in the system's trees (/bin, /boot, /etc, /lib*, /sbin,
 * /usr, /var: the image has its own view of those), and a path over AUTOADD_MAX_BYTES or
 * AUTOADD_MAX_ENTRIES (a warning). Returns 0, or -errno with the reason in err.
 */
int autoadd_add(struct fileset *fs, char *const *args, int n, struct autoadd_result *res, char *err,
		size_t errlen) __attribute__((warn_unused_result));

/* For -v: what was added from the command line, and where the program starts. */
void autoadd_print(const struct autoadd_result *res, FILE *f);

void autoadd_result_free(struct autoadd_result *res);

#endif /* MOTE_TOOLS_AUTOADD_H */
