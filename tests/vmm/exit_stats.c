/* exit_stats.c: --exit-stats reports KVM's own counters: a guest that writes a port OUTS
 * times costs at least OUTS more exits (and, where the host intercepts port I/O, OUTS more
 * io_exits) than one that does not; the line's format, the vCPU count, the Debug report and
 * the metrics' "kvm" group. */
#ifdef GUEST
#include "guest/guest.h"

/* Unassigned in include/abi/mote_abi.h: nothing on motevm's bus, nothing in KVM. */
#define STATS_PORT 0x6d7c

int guest_main(int kind, uint64_t info)
{
	uint64_t outs = guest_arg_num("outs", 0);

	/* The same text whatever OUTS is: the serial exits must not differ between runs. */
	gprintf("exit_stats guest: start\n");
	for (uint64_t i = 0; i < outs; i++)
		outb(STATS_PORT, (uint8_t)i);
	gprintf("exit_stats guest: done\n");
	return 0;
}
#else
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/vmmtest.h"

#define OUTS 1000
#define LINE_TAG "motevm stats: "

/* What one run's stats line said (absent counters: -1). */
struct stats {
	long long exits, io, vcpus;
	double wall_ms;
};

/*
 * The number after KEY in LINE, where KEY is a whole item: after a space or "(", followed
 * by a space and a digit ("irq" is neither "request_irq" nor "irq_window"). -1 if absent.
 */
static long long value_of(const char *line, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = strstr(line, key); p; p = strstr(p + 1, key)) {
		if (p > line && (p[-1] == ' ' || p[-1] == '(') && p[n] == ' ' && p[n + 1] >= '0' &&
		    p[n + 1] <= '9')
			return strtoll(p + n + 1, NULL, 10);
	}
	return -1;
}

/* The stats line in R's stderr (a copy without the newline), or NULL; checks there is one. */
static char *stats_line(const struct vm_result *r)
{
	const char *p = strstr(r->err, LINE_TAG), *end;
	char *line;

	CHECK(p != NULL, "no \"" LINE_TAG "\" line on stderr");
	if (!p)
		return NULL;
	CHECK(p == r->err || p[-1] == '\n', "the stats line does not start a line");
	CHECK(strstr(p + 1, LINE_TAG) == NULL, "more than one stats line");
	end = strchr(p, '\n');
	CHECK(end != NULL, "the stats line has no newline");
	line = strndup(p, end ? (size_t)(end - p) : strlen(p));
	if (!line)
		exit(1);
	return line;
}

/* Boots the guest writing the port OUTS times on VCPUS vCPUs, with --exit-stats and EXTRA
 * (NULL-terminated, up to 6). */
static struct stats run(unsigned outs, unsigned vcpus, const char *const *extra,
			struct vm_result *r)
{
	struct stats s = { -1, -1, -1, -1 };
	const char *a[12] = { "--no-api", "--exit-stats", "--config-file" };
	char boot_args[32];
	const char *wall;
	char *line;
	int n = 3;

	snprintf(boot_args, sizeof(boot_args), "outs=%u", outs);
	a[n++] = vmt_config("exit_stats.elf", boot_args, vcpus, 64);
	while (extra && *extra && n < 10)
		a[n++] = *extra++;
	a[n] = NULL;
	vmt_run(r, a, NULL, 0, 60);
	CHECK_STATUS(r, 0);
	CHECK(vmt_contains(r->out, r->out_len, "exit_stats guest: done"), "guest did not finish");
	line = stats_line(r);
	if (!line) {
		vmt_dump(r);
		return s;
	}
	printf("outs=%u vcpus=%u: %s\n", outs, vcpus, line);
	s.exits = value_of(line, "exits");
	s.io = value_of(line, "io");
	s.vcpus = value_of(line, "vcpus");
	wall = strstr(line, ", wall ");
	if (wall)
		s.wall_ms = strtod(wall + 7, NULL);
	CHECK(s.vcpus == vcpus, "vcpus %lld, expected %u", s.vcpus, vcpus);
	CHECK(wall && strcmp(line + strlen(line) - 3, " ms") == 0, "no \"wall T ms\" at the end");
	CHECK(s.wall_ms > 0 && s.wall_ms <= r->secs * 1000 + 100, "wall %.3f ms, run %.3f s",
	      s.wall_ms, r->secs);
	if (s.exits >= 0)
		CHECK(strncmp(line, LINE_TAG "exits ", strlen(LINE_TAG) + 6) == 0,
		      "exits not first: %s", line);
	if (s.exits >= 0 && s.io >= 0)
		CHECK(s.exits >= s.io, "exits %lld < io_exits %lld", s.exits, s.io);
	free(line);
	return s;
}

/* KVM's exits over every metrics line (each has those since the line before), or -1. */
static long long metrics_exits(const char *metrics)
{
	long long sum = -1;

	for (const char *p = strstr(metrics, "\"kvm\":{"); p; p = strstr(p + 1, "\"kvm\":{")) {
		const char *e = strstr(p, "\"exits\":"), *close = strchr(p, '}');

		if (e && close && e < close)
			sum = (sum < 0 ? 0 : sum) + strtoll(e + 8, NULL, 10);
	}
	return sum;
}

int main(void)
{
	struct vm_result r;
	struct stats base, many, two;
	const char *metrics_path;
	char *metrics;
	long long m;
	bool pvm = vmt_host_is_pvm();

	vmt_begin("exit_stats");
	vmt_require_kvm();

	base = run(0, 1, NULL, &r);
	vmt_result_free(&r);
	if (base.exits < 0 && base.vcpus == 1) {
		printf("SKIP: this host's KVM has no binary statistics (KVM_GET_STATS_FD, Linux "
		       "5.14+)\n");
		return KSKIP;
	}
	many = run(OUTS, 1, NULL, &r);
	vmt_result_free(&r);
	printf("%d port writes: exits +%lld, io_exits +%lld%s\n", OUTS, many.exits - base.exits,
	       many.io - base.io, pvm ? " (kvm_pvm host)" : "");
	/* Each write to a port nobody emulates in the kernel returns to motevm: an exit. */
	CHECK(many.exits - base.exits >= OUTS, "exits grew by %lld for %d port writes",
	      many.exits - base.exits, OUTS);
	/*
	 * VMX and SVM count each port-I/O intercept in io_exits. kvm_pvm does not intercept
	 * port I/O: a guest's CPL0 `out` runs in KVM's instruction emulator (emulated mode) or
	 * faults into it (#GP), which counts insn_emulation, not io_exits; there only exits
	 * are sure to grow.
	 */
	if (!pvm) {
		CHECK(many.io >= OUTS, "io_exits %lld < %d", many.io, OUTS);
		CHECK(many.io - base.io >= OUTS && many.io - base.io <= 2 * OUTS,
		      "io_exits grew by %lld for %d port writes", many.io - base.io, OUTS);
	}

	/* Two vCPUs (summed; the AP never starts), the Debug report, the metrics' group. */
	metrics_path = vmt_write_file("metrics.json", "%s", "");
	{
		const char *extra[] = { "--level", "Debug", "--metrics-path", metrics_path, NULL };

		two = run(10, 2, extra, &r);
	}
	CHECK(two.exits >= 10, "exits %lld with 10 port writes on 2 vCPUs", two.exits);
	CHECK(vmt_contains(r.err, r.err_len, "KVM statistics at exit, summed over 2 vCPUs: exits "),
	      "no Debug report of KVM's statistics");
	vmt_result_free(&r);
	metrics = vmt_read_file(metrics_path, NULL);
	m = metrics_exits(metrics);
	printf("metrics: kvm.exits %lld over all lines\n", m);
	CHECK(m >= 10, "metrics lack the \"kvm\" group's exits (%lld): %s", m, metrics);
	free(metrics);
	return vmt_end();
}
#endif
