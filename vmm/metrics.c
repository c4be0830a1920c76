/* metrics.c: Firecracker's metrics lines (see metrics.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "kvm/stats.h"
#include "log.h"
#include "metrics.h"
#include "vmm.h"

struct metric_name {
	const char *group;
	const char *name;
};

#define METRICS_NAME(id, g, n) [METRIC_##id] = { g, n },
static const struct metric_name counter_names[] = { METRICS_COUNTERS(METRICS_NAME) };
static const struct metric_name value_names[] = { METRICS_VALUES(METRICS_NAME) };
#undef METRICS_NAME

static uint64_t counters[METRIC_NR], counters_last[METRIC_NR];
static uint64_t values[METRIC_VALUE_NR];
static int metrics_fd = -1;
static bool emit_id;
static json_t *properties;

/* What the vCPUs and KVM had counted at the last line (their counters only grow). */
static struct vcpu_stats vcpu_last;
static uint64_t kvm_last[KVM_STAT_NR];

static const char *const stop_names[] = {
	[VMM_STOP_NONE] = "none",
	[VMM_STOP_GUEST_EXIT] = "guest-exit",
	[VMM_STOP_GUEST_RESET] = "guest-reset",
	[VMM_STOP_GUEST_CRASH] = "guest-crash",
	[VMM_STOP_GUEST_BAD_IO] = "guest-bad-io",
	[VMM_STOP_GUEST_UNKNOWN] = "guest-unknown-exit",
	[VMM_STOP_SIGNAL] = "signal",
	[VMM_STOP_ERROR] = "error",
};

void metrics_inc(enum metric m)
{
	__atomic_add_fetch(&counters[m], 1, __ATOMIC_RELAXED);
}

void metrics_set(enum metric_value m, uint64_t v)
{
	__atomic_store_n(&values[m], v, __ATOMIC_RELAXED);
}

uint64_t metrics_total(enum metric m)
{
	return __atomic_load_n(&counters[m], __ATOMIC_RELAXED);
}

int metrics_init(const char *path, bool id, json_t *props)
{
	int fd;

	if (metrics_fd >= 0)
		return -EALREADY;
	fd = log_open_file(path);
	if (fd < 0)
		return fd;
	metrics_fd = fd;
	emit_id = id;
	properties = props ? json_deep_copy(props) : NULL;
	return 0;
}

bool metrics_initialized(void)
{
	return metrics_fd >= 0;
}

/* GROUP inside ROOT, created on first use (jansson keeps insertion order). */
static json_t *group(json_t *root, const char *name)
{
	json_t *g = json_object_get(root, name);

	if (!g) {
		g = json_object();
		json_object_set_new(root, name, g);
	}
	return g;
}

static int set_u64(json_t *root, const char *g, const char *name, uint64_t v)
{
	json_t *obj = group(root, g);

	return obj ? json_object_set_new(obj, name, json_integer((json_int_t)v)) : -1;
}

void metrics_put(json_t *root, const char *group, const char *name, uint64_t v)
{
	set_u64(root, group, name, v);
}

static void add_vcpu(json_t *root, const struct vmm *vmm)
{
	struct vcpu_stats sum = { 0 };

	for (unsigned i = 0; vmm && i < vmm->nr_vcpus; i++) {
		const struct vcpu_stats *s = &vmm->vcpus[i].stats;

		sum.exit_io_in += __atomic_load_n(&s->exit_io_in, __ATOMIC_RELAXED);
		sum.exit_io_out += __atomic_load_n(&s->exit_io_out, __ATOMIC_RELAXED);
		sum.exit_mmio_read += __atomic_load_n(&s->exit_mmio_read, __ATOMIC_RELAXED);
		sum.exit_mmio_write += __atomic_load_n(&s->exit_mmio_write, __ATOMIC_RELAXED);
		sum.exit_intr += __atomic_load_n(&s->exit_intr, __ATOMIC_RELAXED);
		sum.exit_other += __atomic_load_n(&s->exit_other, __ATOMIC_RELAXED);
		sum.failures += __atomic_load_n(&s->failures, __ATOMIC_RELAXED);
		sum.kvmclock_ctrl_fails +=
			__atomic_load_n(&s->kvmclock_ctrl_fails, __ATOMIC_RELAXED);
	}
	/* A new VM after a failed start counts from zero again. */
	if (sum.exit_io_in < vcpu_last.exit_io_in || sum.exit_intr < vcpu_last.exit_intr)
		memset(&vcpu_last, 0, sizeof(vcpu_last));
#define D(f) set_u64(root, "vcpu", #f, sum.f - vcpu_last.f)
	D(exit_io_in);
	D(exit_io_out);
	D(exit_mmio_read);
	D(exit_mmio_write);
	D(failures);
	D(kvmclock_ctrl_fails);
	D(exit_intr);
	D(exit_other);
#undef D
	vcpu_last = sum;
}

/*
 * KVM's own statistics by KVM's names (motevm's addition): counters of events as the rest,
 * since the last line; current and peak values as they are. No group where KVM has none.
 */
static void add_kvm(json_t *root, const struct vmm *vmm)
{
	struct kvm_stats_sample s;

	if (!vmm || !kvm_stats_available(&vmm->kvm_stats))
		return;
	kvm_stats_read(&vmm->kvm_stats, &s);
	for (unsigned i = 0; i < KVM_STAT_NR; i++) {
		uint64_t v = s.value[i];

		if (!s.present[i])
			continue;
		if (s.cumulative[i]) {
			/* A new VM after a failed start counts from zero again. */
			if (v < kvm_last[i])
				kvm_last[i] = 0;
			v -= kvm_last[i];
			kvm_last[i] = s.value[i];
		}
		set_u64(root, "kvm", kvm_stats_name(i), v);
	}
}

static void add_vmm(json_t *root, const struct vmm *vmm)
{
	json_t *g = group(root, "vmm");

	set_u64(root, "vmm", "panic_count", 0);
	if (!vmm)
		return;
	set_u64(root, "vmm", "guest_boot_time_us", vmm->boot_time_us);
	set_u64(root, "vmm", "uptime_us", vmm_now_us() - vmm->opts.start_us);
	json_object_set_new(g, "stop_reason", json_string(stop_names[vmm->stop_reason]));
	set_u64(root, "vmm", "exit_status", (uint64_t)vmm->exit_status);
}

static json_t *build(const struct vmm *vmm)
{
	struct timespec now;
	json_t *root = json_object();

	if (!root)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &now);
	json_object_set_new(root, "utc_timestamp_ms",
			    json_integer((json_int_t)now.tv_sec * 1000 + now.tv_nsec / 1000000));
	if (emit_id)
		json_object_set_new(root, "id", json_string(log_get_id()));
	if (properties)
		json_object_set(root, "properties", properties);
	for (unsigned i = 0; i < METRIC_VALUE_NR; i++)
		set_u64(root, value_names[i].group, value_names[i].name,
			__atomic_load_n(&values[i], __ATOMIC_RELAXED));
	for (unsigned i = 0; i < METRIC_NR; i++) {
		uint64_t v = __atomic_load_n(&counters[i], __ATOMIC_RELAXED);

		set_u64(root, counter_names[i].group, counter_names[i].name, v - counters_last[i]);
		counters_last[i] = v;
	}
	add_vcpu(root, vmm);
	add_kvm(root, vmm);
	add_vmm(root, vmm);
	devices_metrics(vmm, root);
	return root;
}

int metrics_flush(const struct vmm *vmm)
{
	json_t *root;
	char *line;
	size_t len;
	ssize_t n;
	int r = 0;

	if (metrics_fd < 0)
		return 0;
	/* Lines the logger lost since the last metrics line. */
	for (uint64_t k = log_take_missed(); k; k--)
		metrics_inc(METRIC_MISSED_LOG);
	root = build(vmm);
	line = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!line) {
		metrics_inc(METRIC_METRICS_FAILS);
		log_err("metrics: out of memory");
		return -ENOMEM;
	}
	len = strlen(line);
	line[len++] = '\n'; /* json_dumps' NUL becomes the newline: one write per line */
	n = write(metrics_fd, line, len);
	if (n != (ssize_t)len) {
		r = n < 0 ? -errno : -EIO;
		metrics_inc(r == -EAGAIN ? METRIC_MISSED_METRICS : METRIC_METRICS_FAILS);
		if (r != -EAGAIN)
			log_err("metrics: writing a line: %s", strerror(-r));
	}
	free(line);
	return r;
}
