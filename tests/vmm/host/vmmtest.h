/* vmmtest.h: the host side of the VMM tests: run build/motevm on a test guest, check results. */
#ifndef MOTE_TESTS_VMM_VMMTEST_H
#define MOTE_TESTS_VMM_VMMTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "abi/mote_abi.h"

#define KSKIP 77

/* What one motevm run produced. */
struct vm_result {
	int status; /* exit status, or 128 + signal if killed; -1 on timeout */
	char *out;  /* stdout (NUL-terminated, may contain NULs before) */
	size_t out_len;
	char *err; /* stderr (NUL-terminated) */
	size_t err_len;
	double secs; /* wall time */
};

/* Exits 77 with the reason as the last line if /dev/kvm cannot run a VM here. */
void vmt_require_kvm(void);
/* Whether /dev/kvm can run a VM here; if not, WHY (LEN bytes) says why. */
bool vmt_kvm_usable(char *why, size_t len);
/* Whether the host's KVM is kvm_pvm (from /sys/module, independent of motevm). */
bool vmt_host_is_pvm(void);

/* Paths next to the test binary: build/tests/vmm/NAME, and build/motevm. */
const char *vmt_file(const char *name);
const char *vmt_motevm(void);
/* A fresh file in the test's temporary directory (removed at exit) holding the printf text. */
const char *vmt_write_file(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *vmt_write_bytes(const char *name, const void *data, size_t len);
/* A config file for KERNEL (relative names resolve with vmt_file) with BOOT_ARGS, VCPUS, MEM. */
const char *vmt_config(const char *kernel, const char *boot_args, unsigned vcpus, unsigned mem_mib);

/*
 * Runs motevm with ARGS (NULL-terminated, without argv[0]), feeding IN (LEN bytes) on stdin
 * then closing it (IN NULL: stdin is /dev/null), for at most TIMEOUT_S seconds.
 */
void vmt_run(struct vm_result *r, const char *const *args, const void *in, size_t len,
	     int timeout_s);
/* The usual case: motevm --no-api --config-file CONFIG [EXTRA...] */
void vmt_run_config(struct vm_result *r, const char *config, int timeout_s);
void vmt_result_free(struct vm_result *r);

/* Starts motevm in the background with stdin/stdout/stderr to files; returns its pid. */
pid_t vmt_spawn(const char *const *args, const char *out_path, const char *err_path);
/* The same with stdin from the file IN_PATH. */
pid_t vmt_spawn_in(const char *const *args, const char *in_path, const char *out_path,
		   const char *err_path);
/* Waits up to TIMEOUT_S for PID; returns its status as vm_result.status (or -1, then kills). */
int vmt_wait(pid_t pid, int timeout_s);
/* Reads a whole file (NUL-terminated); exits the test on failure. */
char *vmt_read_file(const char *path, size_t *len);

/* FNV-1a, as the guests' fnv1a(). */
uint32_t vmt_fnv1a(const void *data, size_t len);

/* Whether HAY (LEN bytes) contains NEEDLE. */
bool vmt_contains(const char *hay, size_t len, const char *needle);

/* Test bookkeeping: the name shown in messages, failure counting. */
void vmt_begin(const char *name);
void vmt_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints the summary and returns the process exit status (0 if every CHECK held). */
int vmt_end(void);
/* Dumps a result's outputs (on failure, for the log). */
void vmt_dump(const struct vm_result *r);

/* A failing CHECK is recorded and printed; the test goes on to the end and fails then. */
#define CHECK(cond, ...)                                           \
	do {                                                       \
		if (!(cond))                                       \
			vmt_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

/* Checks the status and, if wrong, shows the run's outputs. */
#define CHECK_STATUS(r, want)                                                                    \
	do {                                                                                     \
		if ((r)->status != (want)) {                                                     \
			vmt_fail(__FILE__, __LINE__, "exit status %d, expected %d", (r)->status, \
				 (want));                                                        \
			vmt_dump(r);                                                             \
		}                                                                                \
	} while (0)

#endif /* MOTE_TESTS_VMM_VMMTEST_H */
