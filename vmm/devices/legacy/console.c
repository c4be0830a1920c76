/* console.c: Mote's console port (see console.h and include/abi/mote_abi.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi/mote_abi.h"
#include "devices/bus.h"
#include "devices/legacy/console.h"
#include "devices/legacy/serial.h"
#include "kvm/memory.h"
#include "log.h"
#include "vmm.h"

struct console {
	struct vmm *vmm;
	uint64_t bad_requests;
};

static uint32_t value(const uint8_t *data, unsigned len)
{
	uint32_t v = 0;

	memcpy(&v, data, len < 4 ? len : 4);
	return v;
}

/* Sets the request's done field; a request that is not RAM cannot be answered. */
static void answer(struct console *c, uint64_t req, uint32_t done)
{
	if (mem_write(&c->vmm->mem, req + MOTE_CONSOLE_REQ_DONE, &done, sizeof(done)) < 0)
		log_debug("console: request at %#llx is not RAM", (unsigned long long)req);
}

static void console_write(void *dev, uint64_t off, const uint8_t *data, unsigned len)
{
	struct console *c = dev;
	uint64_t req = value(data, len), buf;
	uint32_t n, stream;
	uint8_t *bytes;
	size_t done;

	if (mem_read(&c->vmm->mem, req + MOTE_CONSOLE_REQ_BUF, &buf, sizeof(buf)) < 0 ||
	    mem_read(&c->vmm->mem, req + MOTE_CONSOLE_REQ_LEN, &n, sizeof(n)) < 0 ||
	    mem_read(&c->vmm->mem, req + MOTE_CONSOLE_REQ_STREAM, &stream, sizeof(stream)) < 0)
		goto bad;
	if (n > MOTE_CONSOLE_MAX || stream < MOTE_CONSOLE_STDOUT || stream > MOTE_CONSOLE_READ)
		goto bad;
	bytes = mem_ptr(&c->vmm->mem, buf, n);
	if (!bytes && n)
		goto bad;
	if (stream == MOTE_CONSOLE_READ)
		done = serial_input(c->vmm->devices.serial, bytes, n);
	else
		done = serial_output(c->vmm->devices.serial, stream == MOTE_CONSOLE_STDERR, bytes,
				     n);
	answer(c, req, (uint32_t)done);
	return;
bad:
	if (!c->bad_requests++)
		log_warn("console: bad request at %#llx (not RAM, longer than %u bytes or an "
			 "unknown stream)",
			 (unsigned long long)req, MOTE_CONSOLE_MAX);
	answer(c, req, 0);
}

static void console_ctl_write(void *dev, uint64_t off, const uint8_t *data, unsigned len)
{
	struct console *c = dev;

	if (value(data, len) == MOTE_CONSOLE_CTL_EOF)
		serial_enable_eof(c->vmm->devices.serial);
}

static const struct bus_ops console_ops = {
	.write = console_write,
};

static const struct bus_ops console_ctl_ops = {
	.write = console_ctl_write,
};

static int console_init(struct vmm *vmm)
{
	struct console *c;
	int r;

	if (!vmm->devices.serial)
		return -ENODEV;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->vmm = vmm;
	vmm->devices.console = c;
	r = bus_register(&vmm->pio, MOTE_CONSOLE_PORT, 4, "console", &console_ops, c);
	if (!r)
		r = bus_register(&vmm->pio, MOTE_CONSOLE_CTL_PORT, 1, "console-ctl",
				 &console_ctl_ops, c);
	return r;
}

static void console_exit(struct vmm *vmm)
{
	free(vmm->devices.console);
	vmm->devices.console = NULL;
}

const struct device_ops console_device = {
	.name = "console", .create = console_init, .destroy = console_exit, .metrics = NULL
};
