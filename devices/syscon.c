/*
 * The virt board's test finisher (QEMU hw/misc/sifive_test.c behaviour, as
 * the DT's syscon-poweroff / syscon-reboot nodes and riscv test harnesses
 * use it). A 16- or 32-bit write (QEMU accepts both; 8- and 64-bit ones
 * fault) of:
 *   0x5555               ends the run, exit status 0 (poweroff)
 *   (code << 16)|0x3333  ends the run, exit status `code`
 *   0x7777               resets the machine (reboot)
 * Other values are ignored (-d guest_errors logs them in QEMU's words);
 * reads return 0.
 */
#include "syscon.h"
#include "core/guest_log.h"
#include "fdt/fdt.h"
#include <inttypes.h>

static uint64_t syscon_read(void *opaque, uint64_t offset, unsigned size)
{
	return 0;
}

static void syscon_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct machine *m = opaque;
	if (offset == 0) {
		switch (val & 0xffff) {
		case SYSCON_PASS:
			machine_request_stop(m, STOP_EXIT, 0);
			return;
		case SYSCON_FAIL:
			machine_request_stop(m, STOP_EXIT, (int)((val >> 16) & 0xffff));
			return;
		case SYSCON_RESET:
			machine_request_stop(m, STOP_RESET, 0);
			return;
		default:
			break;
		}
	}
	log_device_access(m, LOG_GUEST_ERRORS,
			  "sifive_test_write: write: addr=0x%x val=0x%016" PRIx64 "\n",
			  (unsigned)offset, val);
}

bool syscon_add(struct machine *m, uint64_t base)
{
	if (!bus_add(&m->bus, base, SYSCON_SIZE, m, syscon_read, syscon_write, "test finisher"))
		return false;
	/* QEMU's sifive_test takes 2- and 4-byte accesses (OpenSBI writes the
	 * finisher with a 16-bit store); other widths are access faults. */
	bus_set_sizes(&m->bus, base, 2 | 4);
	return true;
}

void syscon_fdt(struct fdt *f, uint64_t base, uint32_t phandle)
{
	fdt_begin_node_at(f, "test", base);
	fdt_prop_u32(f, "phandle", phandle);
	fdt_prop_strings(f, "compatible", "sifive,test1", "sifive,test0", "syscon", NULL);
	fdt_prop_reg(f, base, SYSCON_SIZE);
	fdt_end_node(f);
}

void syscon_fdt_power_nodes(struct fdt *f, uint32_t syscon_phandle)
{
	static const struct {
		const char *node, *compatible;
		uint32_t value;
	} nodes[] = {
	    {"poweroff", "syscon-poweroff", SYSCON_PASS},
	    {"reboot", "syscon-reboot", SYSCON_RESET},
	};
	for (unsigned i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		fdt_begin_node(f, nodes[i].node);
		fdt_prop_string(f, "compatible", nodes[i].compatible);
		fdt_prop_u32(f, "regmap", syscon_phandle);
		fdt_prop_u32(f, "offset", 0);
		fdt_prop_u32(f, "value", nodes[i].value);
		fdt_end_node(f);
	}
}
