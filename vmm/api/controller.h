/* controller.h: what API requests act on: the configuration, the VM and its actions. */
#ifndef MOTE_VMM_API_CONTROLLER_H
#define MOTE_VMM_API_CONTROLLER_H

#include <stdbool.h>

#include "event.h"

struct vm_config;
struct vmm;
struct config_error;
struct logger_config;
struct metrics_config;

/*
 * Firecracker's PrebootApiController and RuntimeApiController in one: the VMM thread's view
 * of the microVM. Every function runs on the VMM thread.
 */
struct controller {
	struct vm_config *cfg;
	struct vmm *vmm;
	const char *version; /* motevm's, for GET / and GET /version */
	int metrics_timer_fd;
	struct event_handler metrics_ev;
};

/* Binds CTL to CFG and VMM (both outlive it). */
void controller_init(struct controller *ctl, struct vm_config *cfg, struct vmm *vmm,
		     const char *version);
void controller_exit(struct controller *ctl);
/* Whether the VM was started (InstanceStart succeeded): post-boot rules apply. */
bool controller_started(const struct controller *ctl);
/* "Not started", "Running" or "Paused" (GET /). */
const char *controller_state(const struct controller *ctl);

/*
 * InstanceStart: checks the configuration, builds and starts the VM, writes a metrics line
 * and starts the 60 s metrics timer. 0; or -1 with ERR set to Firecracker's "Start microvm
 * error: ..." text and *STATUS to the exit status a --config-file boot ends with (the VM is
 * then freed and motevm is configuring again).
 */
int controller_start(struct controller *ctl, struct config_error *err, int *status);
/* SendCtrlAltDel, FlushMetrics, Pause, Resume (post-boot). 0, or -1 with ERR set. */
int controller_ctrl_alt_del(struct controller *ctl, struct config_error *err);
int controller_flush_metrics(struct controller *ctl, struct config_error *err);
int controller_pause(struct controller *ctl, struct config_error *err);
int controller_resume(struct controller *ctl, struct config_error *err);
/* Applies a logger / metrics configuration (PUT /logger, PUT /metrics, --config-file,
 * the command line). 0, or -1 with ERR set ("Logger error: ...", "Metrics error: ..."). */
int controller_apply_logger(const struct logger_config *l, struct config_error *err);
int controller_apply_metrics(const struct metrics_config *m, struct config_error *err);
/* PUT /drives before boot: whether what the drive asks of this host is there (io_engine Async
 * needs io_uring). 0, or -1 with ERR set. */
int controller_check_drive(const struct drive_config *d, struct config_error *err);
/* PATCH /drives/{id} after boot: the drive ID's file becomes PATH (virtio_blk_set_file; NULL:
 * unchanged). 0; or -1 with ERR set (no such drive: Firecracker's "Device not found" words). */
int controller_patch_drive(struct controller *ctl, const char *id, const char *path,
			   struct config_error *err);
/* PUT /network-interfaces before boot: whether N's back end can be had, so that an interface
 * the API accepts works at InstanceStart (a TAP is opened and closed again; a host_socket
 * must be a socket: connecting would use up passt's one client). 0, or -1 with ERR set. */
int controller_check_net(const struct net_config *n, struct config_error *err);

#endif /* MOTE_VMM_API_CONTROLLER_H */
