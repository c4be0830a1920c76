/* controller_stub.c: the microVM side of the API for the fuzzer: state changes without KVM,
 * the logger and metrics validated but never opened (inputs must not create files). */
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "api/controller.h"
#include "config/serde.h"
#include "metrics.h"
#include "vmm.h"

void controller_init(struct controller *ctl, struct vm_config *cfg, struct vmm *vmm,
		     const char *version)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->cfg = cfg;
	ctl->vmm = vmm;
	ctl->version = version;
}

void controller_exit(struct controller *ctl)
{
}

bool controller_started(const struct controller *ctl)
{
	return ctl->vmm->state != VMM_CONFIGURING;
}

const char *controller_state(const struct controller *ctl)
{
	return ctl->vmm->state == VMM_CONFIGURING ? "Not started"
	       : ctl->vmm->state == VMM_PAUSED	  ? "Paused"
						  : "Running";
}

int controller_start(struct controller *ctl, struct config_error *err, int *status)
{
	*status = 1;
	if (config_validate_boot(ctl->cfg, err))
		return -1;
	ctl->vmm->state = VMM_RUNNING;
	return 0;
}

int controller_ctrl_alt_del(struct controller *ctl, struct config_error *err)
{
	return 0;
}

int controller_flush_metrics(struct controller *ctl, struct config_error *err)
{
	return 0;
}

int controller_pause(struct controller *ctl, struct config_error *err)
{
	ctl->vmm->state = VMM_PAUSED;
	return 0;
}

int controller_resume(struct controller *ctl, struct config_error *err)
{
	ctl->vmm->state = VMM_RUNNING;
	return 0;
}

int controller_apply_logger(const struct logger_config *l, struct config_error *err)
{
	return 0;
}

int controller_apply_metrics(const struct metrics_config *m, struct config_error *err)
{
	return 0;
}

/* No io_uring is probed while fuzzing. */
int controller_check_drive(const struct drive_config *d, struct config_error *err)
{
	return 0;
}

/* No drive is there to patch while fuzzing. */
int controller_patch_drive(struct controller *ctl, const char *id, const char *path,
			   struct config_error *err)
{
	return 0;
}

/* No TAP is opened while fuzzing. */
int controller_check_net(const struct net_config *n, struct config_error *err)
{
	return 0;
}

void metrics_inc(enum metric m)
{
}

void metrics_set(enum metric_value m, uint64_t v)
{
}

uint64_t vmm_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}
