/* i8042.c: minimal PS/2 controller with CPU reset (see i8042.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "abi/mote_abi.h"
#include "arch/x86_64/layout.h"
#include "devices/bus.h"
#include "devices/legacy/i8042.h"
#include "kvm/irq.h"
#include "log.h"
#include "metrics.h"
#include "vmm.h"

#define DATA_PORT 0 /* 0x60 */
#define CMD_PORT 4  /* 0x64: status (read), command (write) */

#define STATUS_OBF 0x01	 /* output buffer full */
#define STATUS_SYS 0x04	 /* system flag: self-test passed */
#define STATUS_CMD 0x08	 /* last write was a command */
#define CTR_KBD_INT 0x01 /* keyboard interrupt enable */

#define CMD_READ_CTR 0x20
#define CMD_WRITE_CTR 0x60
#define CMD_AUX_DISABLE 0xa7
#define CMD_AUX_ENABLE 0xa8
#define CMD_SELF_TEST 0xaa
#define CMD_KBD_TEST 0xab
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE 0xae
#define CMD_READ_OUTP 0xd0
#define CMD_WRITE_OUTP 0xd1
#define CMD_RESET_CPU 0xfe

#define KBD_ACK 0xfa
#define KBD_RESET 0xff
#define KBD_BAT_OK 0xaa

#define OUTBUF_SIZE 16 /* Firecracker's */

struct i8042 {
	pthread_mutex_t lock;
	struct vmm *vmm;
	uint8_t status;
	uint8_t ctr;
	uint8_t outp;
	uint8_t pending_cmd; /* a command waiting for its data byte, or 0 */
	uint8_t out[OUTBUF_SIZE];
	unsigned out_head, out_count;
	bool irq_level;
	struct i8042_stats stats;
};

static void update_irq(struct i8042 *d)
{
	bool level = d->out_count && (d->ctr & CTR_KBD_INT);

	if (level != d->irq_level) {
		irq_line(d->vmm->vm.vm_fd, I8042_IRQ, level);
		d->irq_level = level;
	}
}

static void push(struct i8042 *d, uint8_t b)
{
	if (d->out_count < OUTBUF_SIZE)
		d->out[(d->out_head + d->out_count++) % OUTBUF_SIZE] = b;
}

static void i8042_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct i8042 *d = dev;
	uint8_t v = 0;

	pthread_mutex_lock(&d->lock);
	d->stats.read_count++;
	if (off == DATA_PORT) {
		if (d->out_count) {
			v = d->out[d->out_head];
			d->out_head = (d->out_head + 1) % OUTBUF_SIZE;
			d->out_count--;
		}
		update_irq(d);
	} else if (off == CMD_PORT) {
		v = d->status | (d->out_count ? STATUS_OBF : 0);
	}
	pthread_mutex_unlock(&d->lock);
	memset(data, 0, len);
	data[0] = v;
}

static void command(struct i8042 *d, uint8_t cmd)
{
	d->status |= STATUS_CMD;
	switch (cmd) {
	case CMD_READ_CTR:
		push(d, d->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTP:
		d->pending_cmd = cmd;
		break;
	case CMD_READ_OUTP:
		push(d, d->outp);
		break;
	case CMD_SELF_TEST:
		push(d, 0x55);
		break;
	case CMD_KBD_TEST:
		push(d, 0x00);
		break;
	case CMD_RESET_CPU:
		d->stats.reset_count++;
		log_info("guest requested a reset through the i8042: stopping");
		vmm_request_stop(d->vmm, VMM_STOP_GUEST_RESET, MOTE_STATUS_GUEST_RESET);
		break;
	default: /* enable/disable ports and the rest: accepted, nothing to do */
		break;
	}
}

static void i8042_write(void *dev, uint64_t off, const uint8_t *data, unsigned len)
{
	struct i8042 *d = dev;
	uint8_t v = data[0];

	pthread_mutex_lock(&d->lock);
	d->stats.write_count++;
	if (off == CMD_PORT) {
		command(d, v);
	} else if (off == DATA_PORT) {
		d->status &= ~STATUS_CMD;
		if (d->pending_cmd == CMD_WRITE_CTR)
			d->ctr = v;
		else if (d->pending_cmd == CMD_WRITE_OUTP)
			d->outp = v;
		else {
			/* A keyboard command: acknowledge it (and pass the self-test on reset). */
			push(d, KBD_ACK);
			if (v == KBD_RESET)
				push(d, KBD_BAT_OK);
		}
		d->pending_cmd = 0;
	}
	update_irq(d);
	pthread_mutex_unlock(&d->lock);
}

static const struct bus_ops i8042_ops = {
	.read = i8042_read,
	.write = i8042_write,
};

static int i8042_init(struct vmm *vmm)
{
	struct i8042 *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->lock, NULL);
	d->vmm = vmm;
	d->status = STATUS_SYS;
	d->ctr = CTR_KBD_INT;
	d->outp = 0x01; /* the reset line not asserted */
	vmm->devices.i8042 = d;
	return bus_register(&vmm->pio, I8042_PORT, 5, "i8042", &i8042_ops, d);
}

static void i8042_exit(struct vmm *vmm)
{
	struct i8042 *d = vmm->devices.i8042;

	if (!d)
		return;
	pthread_mutex_destroy(&d->lock);
	free(d);
	vmm->devices.i8042 = NULL;
}

int i8042_send_ctrl_alt_del(struct i8042 *d)
{
	static const uint8_t keys[] = { 0x14, 0x11, 0xe0, 0x71 }; /* Ctrl, Alt, Del */
	int r = 0;

	pthread_mutex_lock(&d->lock);
	if (!(d->ctr & CTR_KBD_INT))
		r = -EPERM;
	else if (OUTBUF_SIZE - d->out_count < sizeof(keys))
		r = -ENOSPC;
	for (unsigned i = 0; r == 0 && i < sizeof(keys); i++)
		push(d, keys[i]);
	if (r == 0)
		update_irq(d);
	pthread_mutex_unlock(&d->lock);
	return r;
}

struct i8042_stats i8042_get_stats(struct i8042 *d)
{
	struct i8042_stats st = { 0 };

	if (d) {
		pthread_mutex_lock(&d->lock);
		st = d->stats;
		pthread_mutex_unlock(&d->lock);
	}
	return st;
}

/* Firecracker's "i8042" group. */
static void i8042_metrics(const struct vmm *vmm, json_t *root)
{
	static struct i8042_stats last; /* at the previous line */
	struct i8042_stats k = i8042_get_stats(vmm ? vmm->devices.i8042 : NULL);

	if (k.read_count < last.read_count || k.write_count < last.write_count)
		memset(&last, 0, sizeof(last)); /* a new VM after a failed start */
	metrics_put(root, "i8042", "error_count", 0);
	metrics_put(root, "i8042", "missed_read_count", 0);
	metrics_put(root, "i8042", "missed_write_count", 0);
	metrics_put(root, "i8042", "read_count", k.read_count - last.read_count);
	metrics_put(root, "i8042", "reset_count", k.reset_count - last.reset_count);
	metrics_put(root, "i8042", "write_count", k.write_count - last.write_count);
	last = k;
}

const struct device_ops i8042_device = {
	.name = "i8042", .create = i8042_init, .destroy = i8042_exit, .metrics = i8042_metrics
};
