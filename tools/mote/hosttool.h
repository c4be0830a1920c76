/* hosttool.h: running the host's programs (e2fsprogs' mkfs.ext4, e2fsck, debugfs; runtimes). */
#ifndef MOTE_TOOLS_HOSTTOOL_H
#define MOTE_TOOLS_HOSTTOOL_H

#include <stddef.h>

/* Program name on $PATH, else in /usr/sbin or /sbin (not on a user's $PATH on Debian), into
 * buf; NULL when absent. */
const char *hosttool_find(const char *name, char *buf, size_t n);

/* Run argv (argv[0] a path), its output on ours; its exit status, or -1 when it could not run
 * or was killed. */
int hosttool_run(char *const argv[]);

/* Run argv with its stdout captured into buf (NUL-ended, at most cap - 1 bytes; more is an
 * error) and its stderr dropped; the bytes captured, or -1 when it failed, was killed, exited
 * non-zero or wrote too much. */
long hosttool_output(char *const argv[], char *buf, size_t cap);
/* The same with the environment envp (not mote's) and stdin from /dev/null, for asking a
 * program of the host about itself untouched by the user's variables; killed (a failure)
 * after timeout_ms if more than 0. */
long hosttool_output_env(char *const argv[], char *const envp[], int timeout_ms, char *buf,
			 size_t cap);

#endif
