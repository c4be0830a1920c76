/* metrics.c: the metrics line (see metrics.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "devices/legacy/i8042.h"
#include "devices/legacy/serial.h"
#include "log.h"
#include "metrics.h"
#include "vmm.h"

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

static json_t *vcpu_group(const struct vmm *vmm)
{
	struct vcpu_stats sum = { 0 };

	for (unsigned i = 0; i < vmm->nr_vcpus; i++) {
		const struct vcpu_stats *s = &vmm->vcpus[i].stats;

		sum.exit_io_in += s->exit_io_in;
		sum.exit_io_out += s->exit_io_out;
		sum.exit_mmio_read += s->exit_mmio_read;
		sum.exit_mmio_write += s->exit_mmio_write;
		sum.exit_intr += s->exit_intr;
		sum.exit_other += s->exit_other;
		sum.failures += s->failures;
	}
	return json_pack("{sIsIsIsIsIsIsI}", "exit_io_in", (json_int_t)sum.exit_io_in,
			 "exit_io_out", (json_int_t)sum.exit_io_out, "exit_mmio_read",
			 (json_int_t)sum.exit_mmio_read, "exit_mmio_write",
			 (json_int_t)sum.exit_mmio_write, "exit_intr", (json_int_t)sum.exit_intr,
			 "exit_other", (json_int_t)sum.exit_other, "failures",
			 (json_int_t)sum.failures);
}

int metrics_write(struct vmm *vmm, const char *path)
{
	struct serial_stats us = serial_get_stats(vmm->devices.serial);
	struct i8042_stats ks = i8042_get_stats(vmm->devices.i8042);
	struct timespec now;
	json_t *root;
	char *line;
	int fd, r = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	root = json_pack("{sIs{sIsIsI}s{sIsIsI}s{sIsIsssi}so}", "utc_timestamp_ms",
			 (json_int_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, "uart",
			 "write_count", (json_int_t)us.write_count, "read_count",
			 (json_int_t)us.read_count, "error_count", (json_int_t)us.error_count,
			 "i8042", "reset_count", (json_int_t)ks.reset_count, "read_count",
			 (json_int_t)ks.read_count, "write_count", (json_int_t)ks.write_count,
			 "vmm", "guest_boot_time_us", (json_int_t)vmm->boot_time_us, "uptime_us",
			 (json_int_t)(vmm_now_us() - vmm->opts.start_us), "stop_reason",
			 stop_names[vmm->stop_reason], "exit_status", vmm->exit_status, "vcpu",
			 vcpu_group(vmm));
	line = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!line) {
		log_err("metrics: out of memory");
		return -ENOMEM;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
		r = -errno;
		log_err("metrics %s: %s", path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	free(line);
	return r;
}
