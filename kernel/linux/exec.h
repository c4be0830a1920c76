/* exec.h: loading a program: ELF (static, static-PIE, dynamic with PT_INTERP) and "#!"
 * scripts, the initial stack (argv, envp, auxv), the registers it starts with. */
#ifndef MOTE_LINUX_EXEC_H
#define MOTE_LINUX_EXEC_H

#include "lib/types.h"

struct trapframe;

#define EXEC_MAX_ARGS 4096
#define EXEC_FATAL (-100000)	      /* failed after the point of no return */
#define EXEC_MAX_STRINGS (256 * 1024) /* bytes of argv + envp strings */

/* Strings in kernel memory: one buffer holding argv then envp. */
struct exec_args {
	int argc, envc;
	char **argv, **envp; /* point into buf */
	char *buf;
	size_t used, size;
};

/* Start with an empty set / add a string (copied) to argv or envp. 0 or -E2BIG/-ENOMEM. */
int exec_args_init(struct exec_args *a) __must_check;
int exec_args_push(struct exec_args *a, bool env, const char *s) __must_check;
/* Insert s at argv[i] (shifting the rest): "#!" interpreters go in front. */
int exec_args_insert(struct exec_args *a, int i, const char *s) __must_check;
void exec_args_free(struct exec_args *a);

/*
 * Replace the running program with path (resolved from the working directory): on success
 * the address space holds the new program and tf is its starting frame (returns 0). Before
 * the point of no return an error leaves the old program intact and returns -errno
 * (-ENOENT, -EACCES, -ENOEXEC, -ELIBBAD for a missing interpreter...) with a one-line
 * description in why (if why is not NULL). After it, a failure returns EXEC_FATAL: the
 * caller must end the process.
 */
int exec_program(const char *path, struct exec_args *args, struct trapframe *tf, char *why,
		 size_t whylen) __must_check;

#endif /* MOTE_LINUX_EXEC_H */
