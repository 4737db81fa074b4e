/*
 * HTIF, the Berkeley host-target interface riscv-tests and Spike use: the
 * program writes a command word to its `tohost` variable in RAM. Only the
 * commands bare-metal tests use are understood (riscv-fesvr's htif.cc
 * conventions):
 *   device 0, command 0, payload with bit 0 set: exit with payload >> 1
 *   device 1, command 1: write the payload's low byte to the console
 * The word is consumed by clearing tohost; console writes are acknowledged
 * in fromhost. The program's `tohost` page is watched (PAGE_WATCH), so this
 * runs after every store to that page.
 */
#include "htif.h"
#include <stdlib.h>
#include <string.h>

struct htif {
	struct machine *m;
	uint64_t tohost, fromhost;
	void (*putc)(void *opaque, uint8_t byte);
	void *putc_opaque;
};

static uint64_t ram_read64(struct machine *m, uint64_t pa)
{
	uint64_t v = 0;
	const uint8_t *p = machine_host_ptr(m, pa, 8, false);
	if (p)
		memcpy(&v, p, 8);
	return v;
}

static void ram_write64(struct machine *m, uint64_t pa, uint64_t v)
{
	uint8_t *p = machine_host_ptr(m, pa, 8, true);
	if (p) {
		memcpy(p, &v, 8);
		machine_ram_written(m, pa, 8);
	}
}

static void htif_store(void *opaque, uint64_t pa, unsigned size)
{
	struct htif *hi = opaque;
	if (pa + size <= hi->tohost || pa >= hi->tohost + 8)
		return;
	const uint64_t cmd = ram_read64(hi->m, hi->tohost);
	if (cmd == 0)
		return;
	const unsigned device = (unsigned)(cmd >> 56);
	const unsigned command = (unsigned)(cmd >> 48) & 0xff;
	const uint64_t payload = cmd & ((1ULL << 48) - 1);
	if (device == 0 && command == 0 && (payload & 1)) {
		machine_request_stop(hi->m, STOP_EXIT, (int)(payload >> 1));
		return; /* tohost keeps the code, as a test harness would see it */
	}
	if (device == 1 && command == 1) {
		if (hi->putc)
			hi->putc(hi->putc_opaque, (uint8_t)payload);
		ram_write64(hi->m, hi->tohost, 0);
		if (hi->fromhost)
			ram_write64(hi->m, hi->fromhost, (1ULL << 56) | (1ULL << 48));
		return;
	}
	/* Anything else (the proxy-kernel syscall interface) is not served; a
	 * bare-metal test waiting on it would hang, so say why and stop. */
	fprintf(stderr, "rvjit: unsupported HTIF request %#llx in tohost\n",
		(unsigned long long)cmd);
	machine_request_stop(hi->m, STOP_FATAL, 1);
}

struct htif *htif_new(struct machine *m, uint64_t tohost, uint64_t fromhost,
		      void (*putc)(void *opaque, uint8_t byte), void *putc_opaque)
{
	if (!machine_is_ram(m, tohost, 8))
		return NULL;
	struct htif *hi = calloc(1, sizeof(*hi));
	if (!hi)
		return NULL;
	hi->m = m;
	hi->tohost = tohost;
	hi->fromhost = machine_is_ram(m, fromhost, 8) ? fromhost : 0;
	hi->putc = putc;
	hi->putc_opaque = putc_opaque;
	machine_watch_page(m, tohost, htif_store, hi);
	return hi;
}

void htif_free(struct htif *hi)
{
	free(hi);
}
