/* bus.h: the port-I/O and MMIO range registries the vCPU exits dispatch through. */
#ifndef MOTE_VMM_DEVICES_BUS_H
#define MOTE_VMM_DEVICES_BUS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A device's side of an access: OFFSET is relative to the range's base, LEN is 1, 2, 4 or 8,
 * DATA is little-endian. Callbacks run on the vCPU thread that exited; devices lock their own
 * state. A read callback must fill all LEN bytes.
 */
struct bus_ops {
	void (*read)(void *dev, uint64_t offset, uint8_t *data, unsigned len);
	void (*write)(void *dev, uint64_t offset, const uint8_t *data, unsigned len);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const char *name;
	const struct bus_ops *ops;
	void *dev;
};

#define BUS_MAX_RANGES 16

struct bus {
	const char *name; /* "pio" or "mmio" */
	struct bus_range ranges[BUS_MAX_RANGES];
	int nr_ranges;
};

void bus_init(struct bus *bus, const char *name);
/* Adds [BASE, BASE + LEN); ranges may not overlap. 0, or -EEXIST / -ENOSPC after logging. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		 const struct bus_ops *ops, void *dev);
/* The range holding [ADDR, ADDR + LEN), or NULL. The table is read-only once vCPUs run. */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr, unsigned len);
/* Dispatch: false if nothing is there (DATA of a read is then left to the caller). */
bool bus_read(const struct bus *bus, uint64_t addr, uint8_t *data, unsigned len);
bool bus_write(const struct bus *bus, uint64_t addr, const uint8_t *data, unsigned len);

#endif /* MOTE_VMM_DEVICES_BUS_H */
