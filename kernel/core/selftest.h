/* selftest.h: in-kernel self-tests (--selftest[=NAME,...]), one registry in selftest.c. */
#ifndef MOTE_CORE_SELFTEST_H
#define MOTE_CORE_SELFTEST_H

#include "lib/types.h"

/* What a test reports: a failure message, or details of a pass. */
struct st {
	char msg[200];
	bool failed;
};

/* Record a failure (the first one wins) and return -1, so tests can `return st_fail(...)`. */
int st_fail(struct st *st, const char *fmt, ...) __printf(2, 3);
/* Record details for the "ok (...)" line; returns 0. */
int st_ok(struct st *st, const char *fmt, ...) __printf(2, 3);
/* A small fast PRNG for the stress tests. */
uint64_t st_rand(uint64_t *state);

/*
 * Run the named tests (comma-separated; NULL: the default set), printing
 * "selftest NAME: ok (details)" or "selftest NAME: FAIL: message" for each, then
 * "selftest: N passed, N failed". Returns EXIT_OK if all passed, EXIT_SELFTEST_FAIL if any
 * failed, EXIT_BAD_CMDLINE if a name is unknown.
 */
int selftest_run(const char *names);

/* The tests (kernel/test/). Each returns 0 or -1 and fills st. */
int test_page(struct st *st);
int test_heap(struct st *st);
int test_vm(struct st *st);
int test_timer(struct st *st);
int test_sched(struct st *st);
int test_smp(struct st *st);
int test_sync(struct st *st);
int test_futex(struct st *st);
int test_churn(struct st *st);
int test_bench_boot(struct st *st);
int test_bench_switch(struct st *st);
int test_bench_thread(struct st *st);
int test_bench_trap(struct st *st);
int test_fpu(struct st *st);
int test_virtio_rng(struct st *st);
int test_virtio_net(struct st *st);
int test_virtio_blk(struct st *st);
int test_virtio_net_batch(struct st *st);
int test_net_dhcp(struct st *st);
int test_crash(struct st *st);
int test_panic(struct st *st);
int test_echo(struct st *st);
int test_initrd(struct st *st);
int test_fs(struct st *st);
int test_ext4_commit(struct st *st);
int test_ext4_uncommit(struct st *st);
int test_ext4_crash(struct st *st);

#endif /* MOTE_CORE_SELFTEST_H */
