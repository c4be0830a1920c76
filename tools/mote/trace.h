/* trace.h: --trace, running the program once on the host under ptrace to learn which host files
 * it uses, and adding them to its image (docs/mote.md, "--trace"). */
#ifndef MOTE_TOOLS_TRACE_H
#define MOTE_TOOLS_TRACE_H

#include "pathindex.h"

#include <stdbool.h>
#include <stddef.h>

struct fileset;
struct mote_opts;

/* What the program did with a path; a path collects every flag it earned. */
enum trace_flag {
	TRACE_OPENED = 1,  /* opened (any mode) and there before the call */
	TRACE_EXECED = 2,  /* execve'd */
	TRACE_STATED = 4,  /* a stat or access call on it succeeded */
	TRACE_LINK = 8,	   /* readlink succeeded: a symlink it looked at */
	TRACE_DIR = 16,	   /* a directory it listed, changed into or made something in */
	TRACE_CREATED = 32 /* it made the path itself: later uses of it are not recorded */
};

struct trace_path {
	char *path; /* absolute, normalised */
	unsigned flags;
};

/* The paths seen, each once (a hash table over v). */
struct trace_paths {
	struct trace_path *v;
	size_t n, cap;
	struct pathindex index; /* each entry by its path */
};

/* Records flag on path. A path the program created earns nothing more: what it wrote itself
 * is not the host's to copy. 0, or -ENOMEM. */
int trace_paths_mark(struct trace_paths *t, const char *path, unsigned flag);
void trace_paths_free(struct trace_paths *t);

/* Paths under /proc, /sys and /dev: the guest kernel has its own, none is copied. */
bool trace_ignored(const char *path);

struct trace_spec {
	const char *program; /* the path execve'd */
	char *const *argv;
	char *const *envp;
	const char *cwd;    /* where it runs; NULL: mote's own working directory */
	unsigned timeout_s; /* then it is killed, with everything it started */
	bool show_output;   /* its stdout and stderr are mote's; else /dev/null */
};

struct trace_outcome {
	double secs;	/* wall time of the run */
	bool timed_out; /* killed at timeout_s */
	bool ended;	/* the first process ended (its children may have run on) */
	int status;	/* the first process's wait status */
};

/*
 * Runs the program under ptrace, following every fork, vfork, clone and exec, and records in
 * out the paths it opens, executes, stats, reads as links and lists (see enum trace_flag).
 * /proc, /sys and /dev are left out. Returns 0 (whatever the program's status), or -errno with
 * a message in err when the run could not be traced at all.
 */
int trace_run(const struct trace_spec *s, struct trace_paths *out, struct trace_outcome *res,
	      char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * The recipe's --trace step: traces o's program (program: its resolved path) with o's
 * arguments, --env values and --cwd, adds each host file it used to fs at its own path (every
 * program it ran as elfdeps adds a program; the libraries of the other ELF files are the
 * closure's, after), and prints the summary on stderr. 0, or -errno with a message in err.
 */
int trace_add(struct fileset *fs, const struct mote_opts *o, const char *program, char *err,
	      size_t errlen) __attribute__((warn_unused_result));

#endif /* MOTE_TOOLS_TRACE_H */
