/* The device region table (see bus.h). */
#include "bus.h"
#include <stddef.h>

static bool overlaps(const struct bus *bus, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < bus->count; i++) {
		const struct bus_region *r = &bus->regions[i];
		if (base < r->base + r->size && r->base < base + size)
			return true;
	}
	return false;
}

static struct bus_region *add(struct bus *bus, uint64_t base, uint64_t size, const char *name)
{
	if (bus->count == BUS_MAX_REGIONS || size == 0 || overlaps(bus, base, size))
		return NULL;
	struct bus_region *r = &bus->regions[bus->count++];
	*r = (struct bus_region){.base = base, .size = size, .name = name};
	return r;
}

bool bus_add(struct bus *bus, uint64_t base, uint64_t size, void *opaque, bus_read_fn read,
	     bus_write_fn write, const char *name)
{
	struct bus_region *r = add(bus, base, size, name);
	if (!r)
		return false;
	r->opaque = opaque;
	r->read = read;
	r->write = write;
	return true;
}

bool bus_add_rom(struct bus *bus, uint64_t base, uint64_t size, const uint8_t *data,
		 const char *name)
{
	struct bus_region *r = add(bus, base, size, name);
	if (!r)
		return false;
	r->rom = data;
	return true;
}

const struct bus_region *bus_find(const struct bus *bus, uint64_t pa, unsigned size)
{
	for (unsigned i = 0; i < bus->count; i++) {
		const struct bus_region *r = &bus->regions[i];
		if (pa >= r->base && pa - r->base < r->size && size <= r->size - (pa - r->base))
			return r;
	}
	return NULL;
}

void bus_set_sizes(struct bus *bus, uint64_t base, unsigned widths)
{
	for (unsigned i = 0; i < bus->count; i++)
		if (bus->regions[i].base == base)
			bus->regions[i].sizes =
			    (uint8_t)((widths & 1 ? 1 : 0) | (widths & 2 ? 2 : 0) |
				      (widths & 4 ? 4 : 0) | (widths & 8 ? 8 : 0));
}

static bool width_ok(const struct bus_region *r, unsigned size)
{
	return !r->sizes || (r->sizes & size);
}

bool bus_read(const struct bus *bus, uint64_t pa, unsigned size, uint64_t *val)
{
	const struct bus_region *r = bus_find(bus, pa, size);
	if (!r || !width_ok(r, size))
		return false;
	if (r->rom) {
		uint64_t v = 0;
		for (unsigned i = 0; i < size; i++)
			v |= (uint64_t)r->rom[pa - r->base + i] << (8 * i);
		*val = v;
		return true;
	}
	if (!r->read)
		return false;
	*val = r->read(r->opaque, pa - r->base, size);
	return true;
}

bool bus_write(const struct bus *bus, uint64_t pa, unsigned size, uint64_t val)
{
	const struct bus_region *r = bus_find(bus, pa, size);
	if (!r || !r->write || !width_ok(r, size))
		return false;
	r->write(r->opaque, pa - r->base, size, val);
	return true;
}
