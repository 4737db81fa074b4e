/*
 * PLIC tests (devices/plic.c): registers driven through the physical bus,
 * results checked in the harts' mip. Register map: SiFive PLIC as on QEMU
 * virt; semantics: RISC-V PLIC spec 1.0.0 with level-triggered gateways.
 */
#include "core/machine.h"
#include "devices/plic.h"

#include <criterion/criterion.h>
#include <stdlib.h>

#define PRIORITY(id)   (PLIC_BASE + 4 * (id))
#define PENDING(w)     (PLIC_BASE + 0x1000 + 4 * (w))
#define ENABLE(ctx, w) (PLIC_BASE + 0x2000 + 0x80 * (ctx) + 4 * (w))
#define THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx)     (PLIC_BASE + 0x200004 + 0x1000 * (ctx))

/* Contexts on QEMU virt: 2*hart is M-mode, 2*hart+1 is S-mode. */
#define MCTX(h) (2 * (h))
#define SCTX(h) (2 * (h) + 1)

static struct machine *m;
static struct plic *plic;

static void setup(void)
{
	m = machine_new(0x80000000, 1 << 20, 2, 0x80000000);
	cr_assert_not_null(m);
	plic = plic_new(m, PLIC_BASE, PLIC_VIRT_SOURCES);
	cr_assert_not_null(plic);
}

static void teardown(void)
{
	machine_free(m);
	plic_free(plic);
}

TestSuite(plic, .init = setup, .fini = teardown, .timeout = 60);

static uint64_t rd(uint64_t pa)
{
	uint64_t v = 0xdeadbeef;
	cr_assert(bus_read(&m->bus, pa, 4, &v), "bus_read %#lx failed", (unsigned long)pa);
	return v;
}

static void wr(uint64_t pa, uint64_t v)
{
	cr_assert(bus_write(&m->bus, pa, 4, v), "bus_write %#lx failed", (unsigned long)pa);
}

static uint64_t mip(unsigned h)
{
	return __atomic_load_n(&m->harts[h]->mip, __ATOMIC_RELAXED);
}

static bool pending(unsigned id)
{
	return rd(PENDING(id / 32)) >> (id % 32) & 1;
}

Test(plic, reset_state)
{
	for (unsigned id = 0; id < PLIC_VIRT_SOURCES; id++)
		cr_expect_eq(rd(PRIORITY(id)), 0);
	for (unsigned ctx = 0; ctx < 4; ctx++) {
		cr_expect_eq(rd(ENABLE(ctx, 0)), 0);
		cr_expect_eq(rd(THRESHOLD(ctx)), 0);
		cr_expect_eq(rd(CLAIM(ctx)), 0);
	}
	cr_expect_eq(mip(0) & (MIP_MEIP | MIP_SEIP), 0);
	cr_expect_eq(mip(1) & (MIP_MEIP | MIP_SEIP), 0);
}

Test(plic, priorities_are_3_bits)
{
	wr(PRIORITY(5), 7);
	cr_expect_eq(rd(PRIORITY(5)), 7);
	wr(PRIORITY(5), 0xfffffff9); /* WARL: the upper bits are dropped */
	cr_expect_eq(rd(PRIORITY(5)), 1);
	wr(PRIORITY(95), 3);
	cr_expect_eq(rd(PRIORITY(95)), 3);
	wr(PRIORITY(0), 5); /* source 0 does not exist */
	cr_expect_eq(rd(PRIORITY(0)), 0);
	wr(PRIORITY(96), 5); /* past the last source */
	cr_expect_eq(rd(PRIORITY(96)), 0);
	wr(THRESHOLD(3), 0x1f);
	cr_expect_eq(rd(THRESHOLD(3)), 7);
}

Test(plic, enables_per_context)
{
	wr(ENABLE(0, 0), 0xffffffff);
	wr(ENABLE(3, 2), 0xffffffff);
	cr_expect_eq(rd(ENABLE(0, 0)), 0xfffffffe, "source 0's bit is hardwired to 0");
	cr_expect_eq(rd(ENABLE(3, 2)), 0xffffffff, "ids 64..95");
	cr_expect_eq(rd(ENABLE(3, 3)), 0, "ids 96.. don't exist");
	cr_expect_eq(rd(ENABLE(1, 0)), 0);
	cr_expect_eq(rd(ENABLE(2, 0)), 0);

	/* An enabled pending source notifies only the contexts enabling it. */
	wr(PRIORITY(70), 1);
	plic_set_irq(plic, 70, true);
	cr_expect(pending(70));
	cr_expect(mip(1) & MIP_SEIP);
	cr_expect_not(mip(1) & MIP_MEIP);
	cr_expect_eq(mip(0) & (MIP_MEIP | MIP_SEIP), 0);
	wr(ENABLE(3, 2), 0);
	cr_expect_not(mip(1) & MIP_SEIP);
	cr_expect(pending(70), "disabling does not drop the request");
}

Test(plic, priority_zero_never_interrupts)
{
	wr(ENABLE(MCTX(0), 0), 1 << 4);
	plic_set_irq(plic, 4, true);
	cr_expect(pending(4));
	cr_expect_not(mip(0) & MIP_MEIP);
	cr_expect_eq(rd(CLAIM(MCTX(0))), 0);
	wr(PRIORITY(4), 1);
	cr_expect(mip(0) & MIP_MEIP);
}

Test(plic, threshold_masks)
{
	wr(PRIORITY(3), 3);
	wr(ENABLE(SCTX(0), 0), 1 << 3);
	wr(THRESHOLD(SCTX(0)), 3);
	plic_set_irq(plic, 3, true);
	cr_expect_not(mip(0) & MIP_SEIP, "priority must exceed the threshold");
	cr_expect_eq(rd(CLAIM(SCTX(0))), 0);
	cr_expect(pending(3), "a masked claim takes nothing");
	wr(THRESHOLD(SCTX(0)), 2);
	cr_expect(mip(0) & MIP_SEIP);
	wr(PRIORITY(3), 2);
	cr_expect_not(mip(0) & MIP_SEIP);
	wr(THRESHOLD(SCTX(0)), 0);
	cr_expect(mip(0) & MIP_SEIP);
}

Test(plic, claim_order_priority_then_id)
{
	static const struct {
		unsigned id, prio;
	} src[] = {
	    {40, 2}, {7, 5}, {9, 5}, {33, 7}, {2, 1}, {90, 5},
	};
	for (unsigned i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		wr(PRIORITY(src[i].id), src[i].prio);
		plic_set_irq(plic, src[i].id, true);
	}
	for (unsigned w = 0; w < 3; w++)
		wr(ENABLE(MCTX(1), w), 0xffffffff);

	static const unsigned order[] = {33, 7, 9, 90, 40, 2};
	for (unsigned i = 0; i < 6; i++) {
		cr_expect(mip(1) & MIP_MEIP);
		const uint64_t id = rd(CLAIM(MCTX(1)));
		cr_expect_eq(id, order[i], "claim %u: got %lu, want %u", i, (unsigned long)id,
			     order[i]);
		cr_expect_not(pending(order[i]), "claim clears the pending bit");
	}
	cr_expect_not(mip(1) & MIP_MEIP, "everything is in flight");
	cr_expect_eq(rd(CLAIM(MCTX(1))), 0);
}

Test(plic, gateway_latches_signals_like_qemu)
{
	wr(PRIORITY(10), 1);
	wr(ENABLE(SCTX(1), 0), 1 << 10);
	plic_set_irq(plic, 10, true);
	cr_expect(pending(10));
	cr_expect(mip(1) & MIP_SEIP);

	cr_expect_eq(rd(CLAIM(SCTX(1))), 10);
	cr_expect_not(pending(10));
	cr_expect_not(mip(1) & MIP_SEIP);

	/* Completion does not look at the line again: a device that keeps
	 * its line high without signalling (xv6's unacknowledged THRE) does
	 * not cause an interrupt storm. */
	wr(CLAIM(SCTX(1)), 10);
	cr_expect_not(pending(10));
	cr_expect_not(mip(1) & MIP_SEIP);
	cr_expect_eq(rd(CLAIM(SCTX(1))), 0);

	/* A new raise while in flight is latched and delivered after the
	 * completion. */
	plic_set_irq(plic, 10, true);
	cr_expect_eq(rd(CLAIM(SCTX(1))), 10);
	plic_set_irq(plic, 10, true);
	cr_expect_not(pending(10), "in flight: not claimable");
	cr_expect_eq(rd(CLAIM(SCTX(1))), 0);
	wr(CLAIM(SCTX(1)), 10);
	cr_expect(pending(10));
	cr_expect(mip(1) & MIP_SEIP);
	cr_expect_eq(rd(CLAIM(SCTX(1))), 10);

	/* The device is served: line low, completion, nothing pending. */
	plic_set_irq(plic, 10, false);
	wr(CLAIM(SCTX(1)), 10);
	cr_expect_not(pending(10));
	cr_expect_not(mip(1) & MIP_SEIP);
	cr_expect_eq(rd(CLAIM(SCTX(1))), 0);
}

Test(plic, line_dropping_before_claim_unpends)
{
	wr(PRIORITY(1), 1);
	wr(ENABLE(MCTX(0), 0), 1 << 1);
	plic_set_irq(plic, 1, true);
	cr_expect(mip(0) & MIP_MEIP);
	plic_set_irq(plic, 1, false);
	cr_expect_not(pending(1));
	cr_expect_not(mip(0) & MIP_MEIP);
}

Test(plic, complete_needs_enable)
{
	wr(PRIORITY(5), 1);
	wr(ENABLE(MCTX(0), 0), 1 << 5);
	plic_set_irq(plic, 5, true);
	cr_expect_eq(rd(CLAIM(MCTX(0))), 5);

	/* Spec: a completion for a source the context doesn't enable is
	 * ignored, so the source stays in flight. */
	wr(CLAIM(SCTX(0)), 5);
	cr_expect_not(pending(5));
	wr(CLAIM(MCTX(0)), 6);
	cr_expect_not(pending(5));
	/* Still in flight: a new signal is latched but not claimable. */
	plic_set_irq(plic, 5, true);
	cr_expect_not(pending(5));
	wr(CLAIM(MCTX(0)), 5);
	cr_expect(pending(5));
}

Test(plic, s_and_m_contexts_drive_their_bits)
{
	wr(PRIORITY(1), 1);
	wr(PRIORITY(2), 1);
	wr(ENABLE(MCTX(0), 0), 1 << 1);
	wr(ENABLE(SCTX(1), 0), 1 << 2);

	plic_set_irq(plic, 1, true);
	cr_expect_eq(mip(0) & (MIP_MEIP | MIP_SEIP), MIP_MEIP);
	cr_expect_eq(mip(1) & (MIP_MEIP | MIP_SEIP), 0);

	plic_set_irq(plic, 2, true);
	cr_expect_eq(mip(0) & (MIP_MEIP | MIP_SEIP), MIP_MEIP);
	cr_expect_eq(mip(1) & (MIP_MEIP | MIP_SEIP), MIP_SEIP);

	/* A source both contexts enable: the first claim wins, the other
	 * context's notification drops. */
	wr(ENABLE(SCTX(1), 0), (1 << 2) | (1 << 1));
	cr_expect(mip(1) & MIP_SEIP);
	plic_set_irq(plic, 2, false);
	cr_expect(mip(1) & MIP_SEIP, "source 1 still pending for hart 1 S");
	cr_expect_eq(rd(CLAIM(MCTX(0))), 1);
	cr_expect_eq(mip(0) & (MIP_MEIP | MIP_SEIP), 0);
	cr_expect_eq(mip(1) & (MIP_MEIP | MIP_SEIP), 0);
	cr_expect_eq(rd(CLAIM(SCTX(1))), 0);
}

Test(plic, irq_line_object)
{
	const struct irq_line line = plic_line(plic, 8);
	wr(PRIORITY(8), 2);
	wr(ENABLE(SCTX(0), 0), 1 << 8);
	irq_set(&line, true);
	cr_expect(mip(0) & MIP_SEIP);
	irq_set(&line, false);
	cr_expect_not(mip(0) & MIP_SEIP);

	/* Lines out of range are ignored. */
	plic_set_irq(plic, 0, true);
	plic_set_irq(plic, 96, true);
	plic_set_irq(plic, 5000, true);
	cr_expect_eq(rd(PENDING(0)), 0);
	cr_expect_eq(rd(PENDING(3)), 0);
}

/* xv6-riscv kernel/plic.c, plicinit() and plicinithart(), then the path of
 * one UART interrupt through kernel/trap.c devintr(). */
Test(plic, xv6_sequence)
{
	enum { UART0_IRQ = 10, VIRTIO0_IRQ = 1 };
	wr(PLIC_BASE + UART0_IRQ * 4, 1);
	wr(PLIC_BASE + VIRTIO0_IRQ * 4, 1);
	for (unsigned hart = 0; hart < 2; hart++) {
		wr(PLIC_BASE + 0x2080 + hart * 0x100, (1 << UART0_IRQ) | (1 << VIRTIO0_IRQ));
		wr(PLIC_BASE + 0x201000 + hart * 0x2000, 0);
	}

	plic_set_irq(plic, UART0_IRQ, true);
	cr_expect(mip(0) & MIP_SEIP);
	cr_expect(mip(1) & MIP_SEIP);
	cr_expect_eq(mip(0) & MIP_MEIP, 0);

	const uint64_t irq = rd(PLIC_BASE + 0x201004 + 1 * 0x2000); /* hart 1 claims */
	cr_expect_eq(irq, UART0_IRQ);
	cr_expect_not(mip(0) & MIP_SEIP);
	cr_expect_not(mip(1) & MIP_SEIP);
	plic_set_irq(plic, UART0_IRQ, false); /* uartintr() drained the FIFO */
	wr(PLIC_BASE + 0x201004 + 1 * 0x2000, irq);
	cr_expect_not(mip(0) & MIP_SEIP);
	cr_expect_not(mip(1) & MIP_SEIP);
	cr_expect_eq(rd(PLIC_BASE + 0x201004), 0, "hart 0 finds nothing");
}

Test(plic, bad_accesses_are_harmless)
{
	wr(PRIORITY(3), 4);
	uint64_t v;
	cr_expect(bus_read(&m->bus, PRIORITY(3), 1, &v));
	cr_expect_eq(v, 0, "byte reads: 0");
	cr_expect(bus_read(&m->bus, PRIORITY(3), 8, &v));
	cr_expect_eq(v, 0, "8-byte reads: 0");
	bus_write(&m->bus, PRIORITY(3), 2, 1);
	bus_write(&m->bus, PRIORITY(3) + 1, 4, 1);
	cr_expect_eq(rd(PRIORITY(3)), 4);
	wr(PENDING(0), 0xffffffff); /* read-only */
	cr_expect_eq(rd(PENDING(0)), 0);
	wr(ENABLE(4, 0), 0xffffffff); /* hart 2 doesn't exist */
	cr_expect_eq(rd(ENABLE(4, 0)), 0);
	wr(THRESHOLD(4), 3);
	cr_expect_eq(rd(THRESHOLD(4)), 0);
	cr_expect_eq(rd(THRESHOLD(0) + 8), 0);
	cr_expect_eq(rd(PLIC_BASE + PLIC_SIZE - 4), 0);
	cr_expect_not(bus_read(&m->bus, PLIC_BASE + PLIC_SIZE, 4, &v), "past the region");

	/* Random values everywhere, every size, across the whole region. */
	srand(2);
	static const unsigned sizes[] = {1, 2, 4, 8};
	for (unsigned line = 0; line < 100; line++)
		plic_set_irq(plic, (unsigned)rand() % 200, rand() & 1);
	for (uint64_t off = 0; off < PLIC_SIZE; off += 1 + (uint64_t)(rand() % 3)) {
		const unsigned size = sizes[rand() % 4];
		if (off + size > PLIC_SIZE)
			continue;
		v = (uint64_t)rand() << 33 ^ (uint64_t)rand();
		bus_write(&m->bus, PLIC_BASE + off, size, v);
		bus_read(&m->bus, PLIC_BASE + off, size, &v);
		if ((off & 0xffff) == 0)
			plic_set_irq(plic, (unsigned)rand() % 100, rand() & 1);
	}
	/* Dense 4-byte pass over the registers that exist. */
	for (uint64_t off = 0; off < 0x3000; off += 4)
		wr(PLIC_BASE + off, (uint64_t)rand());
	for (uint64_t off = 0x200000; off < 0x204000; off += 4) {
		wr(PLIC_BASE + off, (uint64_t)rand() % 128);
		v = rd(PLIC_BASE + off);
	}
	cr_expect_eq(mip(0) & ~(MIP_MEIP | MIP_SEIP), 0);
	cr_expect_eq(mip(1) & ~(MIP_MEIP | MIP_SEIP), 0);
}

Test(plic, rejects_bad_source_counts)
{
	cr_expect_null(plic_new(m, 0x20000000, 0));
	cr_expect_null(plic_new(m, 0x20000000, PLIC_MAX_SOURCES + 1));
	cr_expect_null(plic_new(m, PLIC_BASE, 32), "overlaps the first PLIC");
}
