/* controller.c: the microVM's actions for the API and --config-file (see controller.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "abi/mote_abi.h"
#include "config/config.h"
#include "api/controller.h"
#include "config/serde.h"
#include "devices/legacy/i8042.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/blk_uring.h"
#include "devices/virtio/netbe.h"
#include "log.h"
#include "metrics.h"
#include "vmm.h"

#define METRICS_PERIOD_S 60 /* Firecracker's WRITE_METRICS_PERIOD_MS */

void controller_init(struct controller *ctl, struct vm_config *cfg, struct vmm *vmm,
		     const char *version)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->cfg = cfg;
	ctl->vmm = vmm;
	ctl->version = version;
	ctl->metrics_timer_fd = -1;
}

void controller_exit(struct controller *ctl)
{
	if (ctl->metrics_timer_fd >= 0) {
		event_del(&ctl->vmm->loop, &ctl->metrics_ev);
		close(ctl->metrics_timer_fd);
	}
	ctl->metrics_timer_fd = -1;
}

bool controller_started(const struct controller *ctl)
{
	return ctl->vmm->state != VMM_CONFIGURING;
}

const char *controller_state(const struct controller *ctl)
{
	switch (ctl->vmm->state) {
	case VMM_CONFIGURING:
		return "Not started";
	case VMM_PAUSED:
		return "Paused";
	default:
		return "Running";
	}
}

static void on_metrics_timer(struct event_handler *h, uint32_t events)
{
	struct controller *ctl = h->opaque;
	uint64_t expirations;

	if (read(h->fd, &expirations, sizeof(expirations)) < 0)
		return;
	metrics_flush(ctl->vmm);
}

/* Firecracker's PeriodicMetrics: a line now and every 60 s while the VM lives. */
static void start_metrics(struct controller *ctl)
{
	struct itimerspec t = { .it_interval = { METRICS_PERIOD_S, 0 },
				.it_value = { METRICS_PERIOD_S, 0 } };
	int fd;

	metrics_flush(ctl->vmm);
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0 || timerfd_settime(fd, 0, &t, NULL) < 0) {
		log_warn("metrics: no periodic timer: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	ctl->metrics_timer_fd = fd;
	ctl->metrics_ev = (struct event_handler){ .fd = fd, .fn = on_metrics_timer, .opaque = ctl };
	if (event_add(&ctl->vmm->loop, &ctl->metrics_ev, EPOLLIN)) {
		close(fd);
		ctl->metrics_timer_fd = -1;
	}
}

int controller_start(struct controller *ctl, struct config_error *err, int *status)
{
	struct vmm *vmm = ctl->vmm;
	int r;

	vmm_timeline(vmm, "InstanceStart");
	if (controller_started(ctl)) {
		*status = MOTE_STATUS_ERROR;
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "The requested operation is not supported after starting the "
				  "microVM.");
	}
	if (config_validate_boot(ctl->cfg, err)) {
		*status = MOTE_STATUS_BAD_CONFIG;
		return -1;
	}
	log_clear_error();
	r = vmm_create(vmm, ctl->cfg);
	if (r == 0)
		r = vmm_start(vmm);
	if (r) {
		const char *why = log_first_error();

		serde_fail(err, CONFIG_ERR_VALUE, "Start microvm error: %s",
			   why[0] ? why : "the VM could not be built");
		*status = r;
		/* vCPU threads that started see the stop request that vmm_start made. */
		if (vmm->state == VMM_CONFIGURING)
			vmm_release(vmm);
		return -1;
	}
	start_metrics(ctl);
	return 0;
}

int controller_ctrl_alt_del(struct controller *ctl, struct config_error *err)
{
	int r = i8042_send_ctrl_alt_del(ctl->vmm->devices.i8042);

	if (r == -ENOSPC)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Internal VMM error: I8042 error: i8042 internal buffer full.");
	if (r)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Internal VMM error: I8042 error: Keyboard interrupt disabled by "
				  "guest driver.");
	return 0;
}

int controller_flush_metrics(struct controller *ctl, struct config_error *err)
{
	int r = metrics_flush(ctl->vmm);

	if (r)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Internal VMM error: Metrics error: Failed to write metrics: %s",
				  config_os_error(-r));
	return 0;
}

static int pause_or_resume(struct controller *ctl, bool pause, struct config_error *err)
{
	struct vmm *vmm = ctl->vmm;
	uint64_t t0 = vmm_now_us(), us;

	/* Pausing a paused VM (resuming a running one) is a no-op, as in Firecracker. */
	if (pause && vmm->state == VMM_RUNNING && vmm_pause(vmm))
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Internal VMM error: Failed to pause the vCPUs.");
	if (!pause && vmm->state == VMM_PAUSED && vmm_resume(vmm))
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Internal VMM error: Failed to resume the vCPUs.");
	us = vmm_now_us() - t0;
	metrics_set(pause ? METRIC_LAT_VMM_PAUSE : METRIC_LAT_VMM_RESUME, us);
	log_info("'%s vm' VMM action took %llu us.", pause ? "pause" : "resume",
		 (unsigned long long)us);
	return 0;
}

int controller_pause(struct controller *ctl, struct config_error *err)
{
	return pause_or_resume(ctl, true, err);
}

int controller_resume(struct controller *ctl, struct config_error *err)
{
	return pause_or_resume(ctl, false, err);
}

int controller_apply_logger(const struct logger_config *l, struct config_error *err)
{
	int r;

	if (l->log_path && (r = log_open(l->log_path)))
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Logger error: Failed to open target file: %s",
				  config_os_error(-r));
	log_set_level(l->level);
	log_set_format(l->has_show_level ? l->show_level : -1,
		       l->has_show_log_origin ? l->show_log_origin : -1);
	if (l->module && log_set_module(l->module))
		return serde_fail(err, CONFIG_ERR_VALUE, "Logger error: out of memory");
	return 0;
}

int controller_apply_metrics(const struct metrics_config *m, struct config_error *err)
{
	int r = metrics_init(m->metrics_path, m->emit_id, m->properties);

	if (r == -EALREADY)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Metrics error: Cannot initialize the metrics system due to bad "
				  "user input: Reinitialization of metrics not allowed.");
	if (r)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Metrics error: Cannot initialize the metrics system due to bad "
				  "user input: %s",
				  config_os_error(-r));
	return 0;
}

int controller_check_net(const struct net_config *n, struct config_error *err)
{
	struct net_backend *be;
	struct stat st;
	char why[256];

	if (n->host_socket) {
		bool found;

		if (strncmp(n->host_socket, "/dev/fd/", 8) == 0)
			return 0;
		found = stat(n->host_socket, &st) == 0;
		if (found && S_ISSOCK(st.st_mode))
			return 0;
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Network config error: host_socket %s is not a socket%s%s",
				  n->host_socket, found ? "" : ": ", found ? "" : strerror(errno));
	}
	be = tap_backend_open(n->host_dev_name, why, sizeof(why));
	if (!be)
		return serde_fail(err, CONFIG_ERR_VALUE,
				  "Network config error: Could not create the network device: %s",
				  why);
	be->ops->close(be);
	return 0;
}

int controller_patch_drive(struct controller *ctl, const char *id, const char *path,
			   struct config_error *err)
{
	const struct devices *devs = &ctl->vmm->devices;
	char why[512];

	for (unsigned i = 0; i < devs->nr_blks; i++) {
		struct virtio_blk *b = devs->blks[i];
		char *copy;

		if (strcmp(b->drive_id, id) != 0)
			continue;
		if (!path) /* nothing to change */
			return 0;
		if (virtio_blk_set_file(b, path, why, sizeof(why)))
			return serde_fail(
				err, CONFIG_ERR_VALUE,
				"Drive config error: Unable to patch the block device: %s", why);
		/* GET /vm/config says what the drive is now */
		for (unsigned k = 0; k < ctl->cfg->nr_drives; k++) {
			struct drive_config *d = &ctl->cfg->drives[k];

			if (strcmp(d->drive_id, id) == 0 && (copy = strdup(path))) {
				free(d->path_on_host);
				d->path_on_host = copy;
			}
		}
		return 0;
	}
	return serde_fail(
		err, CONFIG_ERR_VALUE,
		"Drive config error: Unable to patch the block device: Failed perform "
		"action on device: Device not found Please verify the request arguments.");
}

int controller_check_drive(const struct drive_config *d, struct config_error *err)
{
	if (d->io_engine == IO_ENGINE_ASYNC && !blk_uring_available())
		return serde_fail(
			err, CONFIG_ERR_VALUE,
			"Drive config error: Unable to create the virtio block device: "
			"io_engine Async needs io_uring, which this host's kernel does not "
			"give (too old, or kernel.io_uring_disabled)");
	return 0;
}
