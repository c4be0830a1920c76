/* virtio_devices.c: the virtio devices of the configuration (see virtio_devices.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <unistd.h>

#include "devices/legacy/serial.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/console.h"
#include "devices/virtio/net.h"
#include "devices/virtio/netbe.h"
#include "devices/virtio/rng.h"
#include "devices/virtio/virtio_devices.h"
#include "log.h"
#include "metrics.h"
#include "vmm.h"

/* --virtio-console in SLOT: stdout and stderr, and stdin unless it is a terminal (that stays
 * with COM1, whose raw mode and line of bytes a terminal wants); the UART lets go of it. */
static int console_init(struct vmm *vmm, const struct virtio_env *env, unsigned slot)
{
	bool take_input = !isatty(STDIN_FILENO);

	/* first: stdin can be in the event loop once only (the console would take it for a
	 * regular file, and block the loop reading it) */
	if (take_input)
		serial_release_input(vmm->devices.serial);
	vmm->devices.vconsole = virtio_console_create(env, slot, take_input ? STDIN_FILENO : -1,
						      STDOUT_FILENO, STDERR_FILENO);
	return vmm->devices.vconsole ? 0 : -EIO;
}

/* The virtio devices the configuration asks for, each in the next transport slot. */
static int virtio_init(struct vmm *vmm)
{
	const struct vm_config *cfg = vmm->cfg;
	struct devices *devs = &vmm->devices;
	struct virtio_env env = {
		.mem = &vmm->mem, .loop = &vmm->loop, .mmio = &vmm->mmio, .vm_fd = vmm->vm.vm_fd
	};
	unsigned slot = 0;

	for (unsigned i = 0; i < cfg->nr_drives; i++) {
		const struct drive_config *dc = &cfg->drives[i];
		bool bad;

		if (devs->nr_blks == DEVICES_BLK_MAX) {
			log_err("drives: more than %d", DEVICES_BLK_MAX);
			return -ENOSPC;
		}
		if (dc->rate_limiter.present)
			log_warn("drives %s: its rate limiter is not enforced yet", dc->drive_id);
		devs->blks[devs->nr_blks] = virtio_blk_create(&env, slot++, dc, &bad);
		if (!devs->blks[devs->nr_blks])
			return bad ? -EINVAL : -EIO;
		devs->nr_blks++;
	}
	for (unsigned i = 0; i < cfg->nr_nets; i++) {
		const struct net_config *n = &cfg->nets[i];
		struct net_backend *be;
		char err[256];

		if (devs->nr_nets == DEVICES_NET_MAX) {
			log_err("network-interfaces: more than %d", DEVICES_NET_MAX);
			return -ENOSPC;
		}
		be = n->host_socket ? stream_backend_open(n->host_socket, err, sizeof(err))
				    : tap_backend_open(n->host_dev_name, err, sizeof(err));
		if (!be) {
			log_err("network-interfaces %s: %s", n->iface_id, err);
			return -EINVAL;
		}
		if (n->rx_rate_limiter.present || n->tx_rate_limiter.present)
			log_warn("network-interfaces %s: rate limiters are not enforced yet",
				 n->iface_id);
		devs->nets[devs->nr_nets] = virtio_net_create(&env, slot++, n, be);
		if (!devs->nets[devs->nr_nets])
			return -EIO;
		devs->nr_nets++;
	}
	if (cfg->entropy.present) {
		if (cfg->entropy.rate_limiter.present)
			log_warn("entropy: its rate limiter is not enforced yet");
		devs->rng = virtio_rng_create(&env, slot++);
		if (!devs->rng)
			return -EIO;
	}
	return vmm->opts.virtio_console ? console_init(vmm, &env, slot) : 0;
}

static void virtio_exit(struct vmm *vmm)
{
	struct devices *devs = &vmm->devices;

	virtio_console_destroy(devs->vconsole);
	devs->vconsole = NULL;
	virtio_rng_destroy(devs->rng);
	devs->rng = NULL;
	for (unsigned i = 0; i < devs->nr_nets; i++)
		virtio_net_destroy(devs->nets[i]);
	devs->nr_nets = 0;
	for (unsigned i = 0; i < devs->nr_blks; i++)
		virtio_blk_destroy(devs->blks[i]);
	devs->nr_blks = 0;
}

int virtio_devices_cmdline(const struct devices *devs, char *buf, size_t size)
{
	int r = 0;

	for (unsigned i = 0; i < devs->nr_blks && !r; i++)
		r = virtio_cmdline(&devs->blks[i]->dev, buf, size);
	for (unsigned i = 0; i < devs->nr_nets && !r; i++)
		r = virtio_cmdline(&devs->nets[i]->dev, buf, size);
	if (devs->rng && !r)
		r = virtio_cmdline(&devs->rng->dev, buf, size);
	if (devs->vconsole && !r)
		r = virtio_cmdline(&devs->vconsole->dev, buf, size);
	return r;
}

/* One interface's counters since the last line (D) into GROUP. */
static void add_net_group(json_t *root, const char *g, const struct virtio_net_stats *d)
{
	metrics_put(root, g, "rx_bytes_count", d->rx_bytes);
	metrics_put(root, g, "rx_packets_count", d->rx_packets);
	metrics_put(root, g, "rx_fails", d->rx_fails);
	metrics_put(root, g, "rx_queue_event_count", d->rx_queue_events);
	metrics_put(root, g, "rx_tap_event_count", d->rx_tap_events);
	metrics_put(root, g, "tx_bytes_count", d->tx_bytes);
	metrics_put(root, g, "tx_packets_count", d->tx_packets);
	metrics_put(root, g, "tx_fails", d->tx_fails);
	metrics_put(root, g, "tx_queue_event_count", d->tx_queue_events);
}

/* One drive's counters since the last line (D) into GROUP. */
static void add_blk_group(json_t *root, const char *g, const struct virtio_blk_stats *d)
{
	metrics_put(root, g, "read_bytes", d->read_bytes);
	metrics_put(root, g, "write_bytes", d->write_bytes);
	metrics_put(root, g, "read_count", d->read_count);
	metrics_put(root, g, "write_count", d->write_count);
	metrics_put(root, g, "flush_count", d->flush_count);
	metrics_put(root, g, "invalid_reqs_count", d->invalid_reqs);
	metrics_put(root, g, "execute_fails", d->execute_fails);
	metrics_put(root, g, "queue_event_count", d->queue_events);
}

/* Firecracker's "block" (every drive) and "block_<drive_id>" groups. */
static void blk_metrics(const struct vmm *vmm, json_t *root)
{
	struct virtio_blk_stats sum = { 0 };

	for (unsigned i = 0; vmm && i < vmm->devices.nr_blks; i++) {
		struct virtio_blk *b = vmm->devices.blks[i];
		struct virtio_blk_stats d = virtio_blk_stats_since(b, &sum);
		char g[96];

		snprintf(g, sizeof(g), "block_%s", b->drive_id);
		add_blk_group(root, g, &d);
	}
	add_blk_group(root, "block", &sum);
}

/* motevm's "vconsole" group (--virtio-console; zeros without it). */
static void console_metrics(const struct vmm *vmm, json_t *root)
{
	struct virtio_console_stats d = { 0 };

	if (vmm && vmm->devices.vconsole)
		d = virtio_console_stats_since(vmm->devices.vconsole);
	metrics_put(root, "vconsole", "rx_bytes", d.rx_bytes);
	metrics_put(root, "vconsole", "rx_buffers", d.rx_buffers);
	metrics_put(root, "vconsole", "rx_queue_event_count", d.rx_queue_events);
	metrics_put(root, "vconsole", "rx_input_event_count", d.rx_input_events);
	metrics_put(root, "vconsole", "tx_bytes", d.tx_bytes);
	metrics_put(root, "vconsole", "tx_stderr_bytes", d.tx_err_bytes);
	metrics_put(root, "vconsole", "tx_buffers", d.tx_buffers);
	metrics_put(root, "vconsole", "tx_queue_event_count", d.tx_queue_events);
	metrics_put(root, "vconsole", "tx_blocked_count", d.tx_blocked);
	metrics_put(root, "vconsole", "tx_fails", d.tx_fails);
	metrics_put(root, "vconsole", "control_msgs", d.ctrl_msgs);
	metrics_put(root, "vconsole", "bad_control_msgs", d.bad_ctrl_msgs);
}

/* Firecracker's "block" and "block_<id>", "net" (every interface) and "net_<iface_id>"
 * groups, and "entropy". */
static void virtio_metrics(const struct vmm *vmm, json_t *root)
{
	struct virtio_net_stats sum = { 0 };
	static struct virtio_rng_stats rng_last;
	struct virtio_rng_stats rs = { 0 };

	blk_metrics(vmm, root);
	for (unsigned i = 0; vmm && i < vmm->devices.nr_nets; i++) {
		struct virtio_net *n = vmm->devices.nets[i];
		struct virtio_net_stats d = virtio_net_stats_since(n, &sum);
		char g[96];

		snprintf(g, sizeof(g), "net_%s", n->iface_id);
		add_net_group(root, g, &d);
	}
	add_net_group(root, "net", &sum);
	if (vmm && vmm->devices.rng)
		rs = virtio_rng_stats(vmm->devices.rng);
	if (rs.bytes < rng_last.bytes)
		memset(&rng_last, 0, sizeof(rng_last));
	metrics_put(root, "entropy", "entropy_event_count", rs.requests - rng_last.requests);
	metrics_put(root, "entropy", "entropy_bytes", rs.bytes - rng_last.bytes);
	metrics_put(root, "entropy", "host_rng_fails", rs.fails - rng_last.fails);
	rng_last = rs;
	console_metrics(vmm, root);
}

const struct device_ops virtio_devices = {
	.name = "virtio",
	.create = virtio_init,
	.destroy = virtio_exit,
	.metrics = virtio_metrics,
};
