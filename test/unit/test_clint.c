/*
 * CLINT tests (devices/clint.c): registers driven through the physical bus,
 * results checked in the harts' mip. Register map: SiFive CLINT as on QEMU
 * virt (msip 0x0, mtimecmp 0x4000, mtime 0xbff8).
 */
#include "core/machine.h"
#include "devices/clint.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <time.h>

#define MSIP(h)	    (CLINT_BASE + 4 * (h))
#define MTIMECMP(h) (CLINT_BASE + 0x4000 + 8 * (h))
#define MTIME	    (CLINT_BASE + 0xbff8)

static struct machine *m;
static struct clint *clint;

static void setup(void)
{
	m = machine_new(0x80000000, 1 << 20, 2, 0x80000000);
	cr_assert_not_null(m);
	clint = clint_new(m, CLINT_BASE);
	cr_assert_not_null(clint);
}

static void teardown(void)
{
	machine_free(m);
	clint_free(clint);
}

TestSuite(clint, .init = setup, .fini = teardown, .timeout = 60);

static uint64_t rd(uint64_t pa, unsigned size)
{
	uint64_t v = 0xdeadbeef;
	cr_assert(bus_read(&m->bus, pa, size, &v), "bus_read %#lx failed", (unsigned long)pa);
	return v;
}

static void wr(uint64_t pa, unsigned size, uint64_t v)
{
	cr_assert(bus_write(&m->bus, pa, size, v), "bus_write %#lx failed", (unsigned long)pa);
}

static uint64_t mip(unsigned h)
{
	return __atomic_load_n(&m->harts[h]->mip, __ATOMIC_RELAXED);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

Test(clint, reset_state_matches_qemu)
{
	/* QEMU: mtimecmp = 0 after reset, so MTIP is pending (mie masks it). */
	for (unsigned h = 0; h < 2; h++) {
		cr_expect_eq(rd(MTIMECMP(h), 8), 0);
		cr_expect_eq(rd(MSIP(h), 4), 0);
		cr_expect(mip(h) & MIP_MTIP);
		cr_expect_not(mip(h) & MIP_MSIP);
	}
}

Test(clint, msip_per_hart)
{
	wr(MSIP(1), 4, 1);
	cr_expect_eq(rd(MSIP(1), 4), 1);
	cr_expect_eq(rd(MSIP(0), 4), 0);
	cr_expect(mip(1) & MIP_MSIP);
	cr_expect_not(mip(0) & MIP_MSIP);

	wr(MSIP(0), 4, 0xffffffff); /* only bit 0 exists */
	cr_expect_eq(rd(MSIP(0), 4), 1);
	cr_expect(mip(0) & MIP_MSIP);

	wr(MSIP(1), 4, 0);
	cr_expect_eq(rd(MSIP(1), 4), 0);
	cr_expect_not(mip(1) & MIP_MSIP);
	cr_expect(mip(0) & MIP_MSIP);

	wr(MSIP(0), 4, 2); /* bit 0 clear */
	cr_expect_not(mip(0) & MIP_MSIP);
}

Test(clint, mtimecmp_past_and_future)
{
	wr(MTIMECMP(0), 8, UINT64_MAX);
	cr_expect_eq(rd(MTIMECMP(0), 8), UINT64_MAX);
	cr_expect_not(mip(0) & MIP_MTIP);
	cr_expect(mip(1) & MIP_MTIP, "hart 1 keeps its own compare");

	wr(MTIMECMP(0), 8, rd(MTIME, 8)); /* now: mtime >= mtimecmp */
	cr_expect(mip(0) & MIP_MTIP);

	wr(MTIMECMP(1), 8, rd(MTIME, 8) + 10000000ULL * 3600); /* an hour ahead */
	cr_expect_not(mip(1) & MIP_MTIP);
	cr_expect(mip(0) & MIP_MTIP);
}

Test(clint, mtimecmp_32bit_halves)
{
	/* RV32 software writes the high half first with all ones so that the
	 * compare never fires between the two stores. */
	wr(MTIMECMP(1) + 4, 4, 0xffffffff);
	cr_expect_not(mip(1) & MIP_MTIP);
	wr(MTIMECMP(1), 4, 0x12345678);
	cr_expect_eq(rd(MTIMECMP(1), 8), 0xffffffff12345678ULL);
	wr(MTIMECMP(1) + 4, 4, 0x9abcdef0);
	cr_expect_eq(rd(MTIMECMP(1), 8), 0x9abcdef012345678ULL);
	cr_expect_eq(rd(MTIMECMP(1), 4), 0x12345678);
	cr_expect_eq(rd(MTIMECMP(1) + 4, 4), 0x9abcdef0);
	cr_expect_not(mip(1) & MIP_MTIP);

	wr(MTIMECMP(1) + 4, 4, 0);
	wr(MTIMECMP(1), 4, 0);
	cr_expect(mip(1) & MIP_MTIP);
}

Test(clint, mtime_advances)
{
	const uint64_t t0 = rd(MTIME, 8);
	sleep_ms(5);
	const uint64_t t1 = rd(MTIME, 8);
	/* 10 MHz: 5 ms is 50000 ticks; allow a slow or loaded host. */
	cr_expect_geq(t1 - t0, 40000, "mtime moved %lu ticks in 5 ms", (unsigned long)(t1 - t0));
	cr_expect_lt(t1 - t0, 10000000, "mtime moved more than a second");
	cr_expect_leq(t1, machine_mtime(m));

	const uint64_t lo = rd(MTIME, 4), hi = rd(MTIME + 4, 4);
	cr_expect_leq(lo, 0xffffffffULL);
	cr_expect_eq(hi, machine_mtime(m) >> 32);

	wr(MTIME, 8, 0); /* ignored: mtime is the host clock */
	cr_expect_geq(rd(MTIME, 8), t1);
}

Test(clint, poller_raises_mtip_and_reports_deadline)
{
	cr_assert_eq(m->npollers, 1);
	const device_poll_fn poll = m->pollers[0].fn;
	void *const opaque = m->pollers[0].opaque;

	wr(MTIMECMP(0), 8, UINT64_MAX);
	wr(MTIMECMP(1), 8, UINT64_MAX);
	cr_expect_eq(poll(opaque), UINT64_MAX, "no compare ahead: no deadline");

	/* 20 ms ahead (200000 ticks): the deadline is at most 20 ms away. */
	wr(MTIMECMP(1), 8, rd(MTIME, 8) + 200000);
	cr_expect_not(mip(1) & MIP_MTIP);
	uint64_t ns = poll(opaque);
	cr_expect_leq(ns, 20000000);
	cr_expect_gt(ns, 0);
	cr_expect_not(mip(1) & MIP_MTIP);

	/* The nearest compare wins. */
	wr(MTIMECMP(0), 8, rd(MTIME, 8) + 10000000);
	cr_expect_leq(poll(opaque), 20000000);

	sleep_ms(30);
	cr_expect_not(mip(1) & MIP_MTIP, "MTIP waits for the poller");
	ns = poll(opaque);
	cr_expect(mip(1) & MIP_MTIP);
	cr_expect_not(mip(0) & MIP_MTIP);
	cr_expect_gt(ns, 900000000, "next deadline is hart 0's, ~1 s away");
	cr_expect_leq(ns, 1000000000);
}

Test(clint, bad_accesses_are_harmless)
{
	wr(MSIP(0), 4, 1);
	/* Wrong sizes and misaligned offsets: read 0, write ignored. */
	cr_expect_eq(rd(MSIP(0), 1), 0);
	cr_expect_eq(rd(MSIP(0), 8), 0);
	wr(MSIP(0), 2, 0);
	cr_expect(mip(0) & MIP_MSIP);
	cr_expect_eq(rd(MTIMECMP(0) + 2, 4), 0);
	cr_expect_eq(rd(MTIMECMP(0) + 4, 8), 0);
	wr(MTIMECMP(0) + 4, 8, 0);
	wr(MTIMECMP(0), 2, 0);
	cr_expect_eq(rd(MTIMECMP(0), 8), 0);
	cr_expect_eq(rd(MTIME, 2), 0);
	/* Harts that don't exist. */
	wr(MSIP(2), 4, 1);
	cr_expect_eq(rd(MSIP(2), 4), 0);
	wr(MTIMECMP(2), 8, 5);
	cr_expect_eq(rd(MTIMECMP(2), 8), 0);

	srand(1);
	static const unsigned sizes[] = {1, 2, 4, 8};
	for (uint64_t off = 0; off < CLINT_SIZE; off++) {
		const unsigned size = sizes[rand() % 4];
		if (off + size > CLINT_SIZE)
			continue;
		uint64_t v = (uint64_t)rand() << 33 ^ (uint64_t)rand();
		bus_write(&m->bus, CLINT_BASE + off, size, v);
		bus_read(&m->bus, CLINT_BASE + off, size, &v);
	}
	cr_expect_eq(mip(0) & ~(MIP_MSIP | MIP_MTIP), 0);
	cr_expect_eq(mip(1) & ~(MIP_MSIP | MIP_MTIP), 0);
}
