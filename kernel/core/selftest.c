/* selftest.c: the self-test registry and runner. */
#include "core/selftest.h"
#include "arch/x86_64/smp.h"
#include "core/panic.h"
#include "core/time.h"
#include "lib/printf.h"
#include "lib/string.h"

struct selftest {
	const char *name;
	int (*fn)(struct st *st);
	bool by_default; /* run by a bare --selftest */
};

static const struct selftest tests[] = {
	{ "page", test_page, true },   /* buddy allocator stress, out of memory, coalescing */
	{ "heap", test_heap, true },   /* kmalloc/kfree stress on all CPUs */
	{ "vm", test_vm, true },       /* map/unmap 4 KiB and 2 MiB pages, TLB shootdown */
	{ "timer", test_timer, true }, /* sleep accuracy, many timers */
	{ "smp", test_smp, true },     /* every CPU online and running threads */
	{ "sched", test_sched, true }, /* fairness and load balancing of CPU-bound threads */
	{ "sync", test_sync, true },   /* mutex/condvar/semaphore under contention */
	{ "futex", test_futex, true }, /* wait/wake, value mismatch, timeout */
	{ "churn", test_churn, true }, /* thread create/exit/join churn, no leaks */
	{ "fs", test_fs, true },       /* path walk: .., symlinks, loops, mounts (ramfs) */
	{ "fpu", test_fpu, true },     /* each thread's vector registers its own; guard words */
	{ "bench_boot", test_bench_boot, false },     /* us from first instruction to ready */
	{ "bench_switch", test_bench_switch, false }, /* ns per context switch (bench/) */
	{ "bench_thread", test_bench_thread, false }, /* ns per thread create+join (bench/) */
	{ "bench_trap", test_bench_trap, false },     /* ns per trap to the hypervisor (cpuid) */
	{ "crash", test_crash, false },		      /* deliberate page fault: report and status */
	{ "panic", test_panic, false },		      /* deliberate panic() */
	{ "echo", test_echo, false },		      /* console input: echo a line */
	{ "initrd", test_initrd, false },	      /* hash of the initrd (run after "page") */
	{ "virtio_rng", test_virtio_rng, false },     /* the virtio-rng device answers */
	{ "virtio_net", test_virtio_net, false },     /* DHCP DISCOVER -> OFFER, raw frames */
	{ "virtio_blk", test_virtio_blk, false },     /* patterns written, read back, threads */
	{ "virtio_net_batch", test_virtio_net_batch, false }, /* interrupts, notifications */
	{ "net_dhcp", test_net_dhcp, false },		      /* lwIP over virtio-net: DHCP binds */
	{ "ext4_commit", test_ext4_commit, false },	/* journal commits on scratch drives */
	{ "ext4_uncommit", test_ext4_uncommit, false }, /* ... the last one made to need replay */
	{ "ext4_crash", test_ext4_crash, false },	/* commits until the VM is killed */
};

int st_fail(struct st *st, const char *fmt, ...)
{
	va_list ap;

	if (!st->failed) {
		va_start(ap, fmt);
		vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
		va_end(ap);
		st->failed = true;
	}
	return -1;
}

int st_ok(struct st *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
	va_end(ap);
	return 0;
}

uint64_t st_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const struct selftest *find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
		if (strlen(tests[i].name) == len && !strncmp(tests[i].name, name, len))
			return &tests[i];
	return NULL;
}

static bool run_one(const struct selftest *t)
{
	struct st st = { .failed = false };
	uint64_t t0 = time_ns();
	int r = t->fn(&st);
	uint64_t ms = (time_ns() - t0) / NSEC_PER_MSEC;

	if (r || st.failed) {
		printk(LOG_NOTICE, "selftest %s: FAIL: %s\n", t->name, st.msg[0] ? st.msg : "?");
		return false;
	}
	printk(LOG_NOTICE, "selftest %s: ok (%s%s%lu ms)\n", t->name, st.msg, st.msg[0] ? ", " : "",
	       ms);
	return true;
}

int selftest_run(const char *names)
{
	int passed = 0, failed = 0;

	smp_wait_all(); /* the tests count on every CPU */
	if (!names) {
		for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
			if (!tests[i].by_default)
				continue;
			if (run_one(&tests[i]))
				passed++;
			else
				failed++;
		}
	} else {
		/* Check every name before running any. */
		for (const char *p = names; *p;) {
			size_t len = strchr(p, ',') ? (size_t)(strchr(p, ',') - p) : strlen(p);

			if (!find(p, len)) {
				printk(LOG_ERR, "selftest: unknown test '%.*s'\n", (int)len, p);
				return EXIT_BAD_CMDLINE;
			}
			p += len + (p[len] == ',');
		}
		for (const char *p = names; *p;) {
			size_t len = strchr(p, ',') ? (size_t)(strchr(p, ',') - p) : strlen(p);

			if (run_one(find(p, len)))
				passed++;
			else
				failed++;
			p += len + (p[len] == ',');
		}
	}
	printk(LOG_NOTICE, "selftest: %d passed, %d failed\n", passed, failed);
	return failed ? EXIT_SELFTEST_FAIL : EXIT_OK;
}
