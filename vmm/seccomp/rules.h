/* rules.h: motevm's own allow-lists per thread category, in seccompiler's structure. */
#ifndef MOTE_VMM_SECCOMP_RULES_H
#define MOTE_VMM_SECCOMP_RULES_H

#include <stddef.h>

#include "seccomp/filter.h"

/*
 * Category T's built-in filter (default action trap, filter action allow) as one rule array
 * in *RULES (malloc'd: the caller frees it), tgkill limited to the caller's pid. 0 or -ENOMEM.
 */
int seccomp_rules_builtin(enum seccomp_thread t, struct seccomp_filter *f,
			  struct seccomp_rule **rules);

/*
 * Compiles the built-in filters of every category. Their tgkill names the caller's pid: a
 * process forked afterwards compiles its own. 0, or -1 with the reason in ERR.
 */
int seccomp_rules_compile(char *err, size_t size);

#endif /* MOTE_VMM_SECCOMP_RULES_H */
