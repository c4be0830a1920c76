/* bus.c: port-I/O and MMIO range registries (see bus.h). */
#include <errno.h>
#include <string.h>

#include "devices/bus.h"
#include "log.h"

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

static bool overlaps(const struct bus_range *r, uint64_t base, uint64_t len)
{
	return base < r->base + r->len && r->base < base + len;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		 const struct bus_ops *ops, void *dev)
{
	if (len == 0 || base + len < base)
		return -EINVAL;
	for (int i = 0; i < bus->nr_ranges; i++) {
		if (overlaps(&bus->ranges[i], base, len)) {
			log_err("%s bus: %s at %#llx overlaps %s", bus->name, name,
				(unsigned long long)base, bus->ranges[i].name);
			return -EEXIST;
		}
	}
	if (bus->nr_ranges == BUS_MAX_RANGES) {
		log_err("%s bus: no room for %s", bus->name, name);
		return -ENOSPC;
	}
	bus->ranges[bus->nr_ranges++] = (struct bus_range){ base, len, name, ops, dev };
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr, unsigned len)
{
	for (int i = 0; i < bus->nr_ranges; i++) {
		const struct bus_range *r = &bus->ranges[i];

		if (addr >= r->base && addr - r->base < r->len && len <= r->len - (addr - r->base))
			return r;
	}
	return NULL;
}

bool bus_read(const struct bus *bus, uint64_t addr, uint8_t *data, unsigned len)
{
	const struct bus_range *r = bus_find(bus, addr, len);

	if (!r)
		return false;
	if (r->ops->read)
		r->ops->read(r->dev, addr - r->base, data, len);
	else
		memset(data, 0xff, len);
	return true;
}

bool bus_write(const struct bus *bus, uint64_t addr, const uint8_t *data, unsigned len)
{
	const struct bus_range *r = bus_find(bus, addr, len);

	if (!r)
		return false;
	if (r->ops->write)
		r->ops->write(r->dev, addr - r->base, data, len);
	return true;
}
