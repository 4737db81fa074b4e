/*
 * The physical address space outside RAM: a table of device regions, each
 * with an opaque pointer and read/write callbacks (TinyEMU's iomem idea).
 * The bus knows no device and a device knows nothing of the CPU.
 *
 * Accesses are 1, 2, 4 or 8 bytes at an offset into the region. An address
 * in no region is a bus error, which the hart turns into an access fault.
 */
#ifndef RVJIT_BUS_H
#define RVJIT_BUS_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t (*bus_read_fn)(void *opaque, uint64_t offset, unsigned size);
typedef void (*bus_write_fn)(void *opaque, uint64_t offset, unsigned size, uint64_t val);

struct bus_region {
	uint64_t base;
	uint64_t size;
	const uint8_t *rom; /* memory-backed read-only region (boot ROM): read and
			       executed in place, writes fault; callbacks unused */
	void *opaque;
	bus_read_fn read;   /* NULL: reads fault */
	bus_write_fn write; /* NULL: writes fault */
	const char *name;
	uint8_t sizes; /* access widths the device accepts (bit n: 1 << n
			  bytes); 0 means all. Others are bus errors. */
};

#define BUS_MAX_REGIONS 32

struct bus {
	struct bus_region regions[BUS_MAX_REGIONS];
	unsigned count;
};

/* Add a region; false when the table is full or it overlaps another. */
bool bus_add(struct bus *bus, uint64_t base, uint64_t size, void *opaque, bus_read_fn read,
	     bus_write_fn write, const char *name);

/* Add a read-only memory region backed by `data` (which must outlive the bus). */
bool bus_add_rom(struct bus *bus, uint64_t base, uint64_t size, const uint8_t *data,
		 const char *name);

/* Restrict the access widths of the region at `base` (a mask of 1, 2, 4, 8). */
void bus_set_sizes(struct bus *bus, uint64_t base, unsigned widths);

/* The region holding [pa, pa+size), or NULL. */
const struct bus_region *bus_find(const struct bus *bus, uint64_t pa, unsigned size);

/* Device access; false on a bus error. */
bool bus_read(const struct bus *bus, uint64_t pa, unsigned size, uint64_t *val);
bool bus_write(const struct bus *bus, uint64_t pa, unsigned size, uint64_t val);

#endif
