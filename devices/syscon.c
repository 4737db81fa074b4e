/*
 * The virt board's test finisher (QEMU hw/misc/sifive_test.c behaviour, as
 * the DT's syscon-poweroff / syscon-reboot nodes and riscv test harnesses
 * use it). A 32-bit write of:
 *   0x5555               ends the run, exit status 0 (poweroff)
 *   (code << 16)|0x3333  ends the run, exit status `code`
 *   0x7777               resets the machine (reboot)
 * Other values are ignored; reads return 0.
 */
#include "syscon.h"

static uint64_t syscon_read(void *opaque, uint64_t offset, unsigned size)
{
	return 0;
}

static void syscon_write(void *opaque, uint64_t offset, unsigned size, uint64_t val)
{
	struct machine *m = opaque;
	if (offset != 0 || size < 4)
		return;
	switch (val & 0xffff) {
	case SYSCON_PASS:
		machine_request_stop(m, STOP_EXIT, 0);
		break;
	case SYSCON_FAIL:
		machine_request_stop(m, STOP_EXIT, (int)((val >> 16) & 0xffff));
		break;
	case SYSCON_RESET:
		machine_request_stop(m, STOP_RESET, 0);
		break;
	default:
		break;
	}
}

bool syscon_add(struct machine *m, uint64_t base)
{
	return bus_add(&m->bus, base, 0x1000, m, syscon_read, syscon_write, "test finisher");
}
