/* exit_stats.c: KVM's counters when the VM ends (see exit_stats.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exit_stats.h"
#include "kvm/stats.h"
#include "log.h"
#include "vmm.h"

#define LINE_MAX_LEN 1024
#define EXITS_SUFFIX "_exits"

struct line {
	char buf[LINE_MAX_LEN];
	size_t len;
	const char *sep; /* what goes before the next item */
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	r = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (r > 0)
		l->len += (size_t)r;
	if (l->len > sizeof(l->buf) - 1)
		l->len = sizeof(l->buf) - 1; /* truncated */
}

/* "name N" items of the present counters, the vCPUs' (VCPU) or the VM's. */
static void add_all(struct line *l, const struct kvm_stats_sample *s, bool vcpu)
{
	for (unsigned i = 0; i < KVM_STAT_NR; i++) {
		if (!s->present[i] || kvm_stats_per_vcpu(i) != vcpu)
			continue;
		add(l, "%s%s %llu", l->sep, kvm_stats_name(i), (unsigned long long)s->value[i]);
		l->sep = ", ";
	}
}

/* The length of NAME without "_exits" if it names a kind of exit ("io_exits"), else 0. */
static size_t exit_kind(const char *name)
{
	size_t n = strlen(name), k = strlen(EXITS_SUFFIX);

	return n > k && strcmp(name + n - k, EXITS_SUFFIX) == 0 ? n - k : 0;
}

/* --exit-stats: the exits with their kinds in parentheses, the other vCPU counters. */
static void print_line(const struct vmm *vmm, const struct kvm_stats_sample *s)
{
	struct line l = { .len = 0, .sep = " " };
	bool grouped = s->present[KVM_STAT_EXITS], paren = false;
	uint64_t wall = vmm_now_us() - vmm->opts.start_us;

	add(&l, "motevm stats:");
	if (grouped) {
		add(&l, " exits %llu", (unsigned long long)s->value[KVM_STAT_EXITS]);
		for (unsigned i = 0; i < KVM_STAT_NR; i++) {
			size_t k = exit_kind(kvm_stats_name(i));

			if (!s->present[i] || !kvm_stats_per_vcpu(i) || !k)
				continue;
			add(&l, "%s%.*s %llu", paren ? ", " : " (", (int)k, kvm_stats_name(i),
			    (unsigned long long)s->value[i]);
			paren = true;
		}
		if (paren)
			add(&l, ")");
		l.sep = ", ";
	}
	for (unsigned i = 0; i < KVM_STAT_NR; i++) {
		if (!s->present[i] || !kvm_stats_per_vcpu(i) || i == KVM_STAT_EXITS ||
		    (grouped && exit_kind(kvm_stats_name(i))))
			continue;
		add(&l, "%s%s %llu", l.sep, kvm_stats_name(i), (unsigned long long)s->value[i]);
		l.sep = ", ";
	}
	add(&l, "%svcpus %u, wall %llu.%03llu ms\n", l.sep, vmm->nr_vcpus,
	    (unsigned long long)(wall / 1000), (unsigned long long)(wall % 1000));
	if (l.buf[l.len - 1] != '\n')
		l.buf[l.len - 1] = '\n';
	/* One write: the line stays whole beside the guest's and the logger's output. */
	if (write(STDERR_FILENO, l.buf, l.len) < 0)
		log_debug("--exit-stats: cannot write to stderr");
}

void exit_stats_report(const struct vmm *vmm)
{
	struct kvm_stats_sample s;
	struct line l = { .len = 0, .sep = "" };

	if (!vmm->built)
		return;
	kvm_stats_read(&vmm->kvm_stats, &s);
	if (log_enabled(LOG_DEBUG) && s.nr_vcpus) {
		add_all(&l, &s, true);
		log_debug("KVM statistics at exit, summed over %u vCPUs: %s", s.nr_vcpus, l.buf);
		l = (struct line){ .len = 0, .sep = "" };
		add_all(&l, &s, false);
		if (l.len)
			log_debug("KVM statistics of the VM at exit: %s", l.buf);
	}
	if (vmm->opts.exit_stats)
		print_line(vmm, &s);
}
