/*
 * A snapshot's machine state (core/vmstate.c): what one machine saves,
 * another of the same shape loads exactly (registers, CSRs, RAM, the
 * clock), and a stream that is not this version's, not this machine's or
 * cut short is refused by the layout check before anything is loaded.
 */
#include "core/csr.h"
#include "core/machine.h"
#include "core/vmstate.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define RAM (1u << 20)

static struct machine *new_machine(unsigned nharts)
{
	struct machine *m = machine_new(0x80000000, RAM, nharts, 0x80000000);
	cr_assert_not_null(m);
	machine_pause(m);
	return m;
}

/* A machine with state worth saving. */
static struct machine *busy_machine(void)
{
	struct machine *m = new_machine(2);
	for (unsigned h = 0; h < 2; h++) {
		for (unsigned i = 1; i < 32; i++)
			m->harts[h]->x[i] = 0x1000u * h + i;
		m->harts[h]->f[5] = 0x400921fb54442d18ull;
		m->harts[h]->pc = 0x80001234 + h;
		m->harts[h]->priv = 1;
		m->harts[h]->satp = 0x8000000000080123ull;
		m->harts[h]->stvec = 0x80002000;
		m->harts[h]->frm = 3;
		/* The counters (core/counters.c): each counter's value lives in
		 * its own base, not in instret. */
		cr_assert(csr_debug_write(m->harts[h], CSR_MINSTRET, 777 + h));
		cr_assert(csr_debug_write(m->harts[h], CSR_MHPMEVENT3, 2));
		cr_assert(csr_debug_write(m->harts[h], CSR_MHPMCOUNTER3, 12345));
		cr_assert(csr_debug_write(m->harts[h], CSR_MCOUNTINHIBIT, 0x10));
	}
	memset(m->ram + 4096, 0xab, 4096);
	m->ram[RAM - 1] = 0x5c;
	return m;
}

static void save(struct machine *m, struct vmstate_out *o)
{
	memset(o, 0, sizeof(*o));
	vmstate_save_machine(m, o);
	cr_assert(!o->failed);
}

TestSuite(vmstate, .timeout = 30);

Test(vmstate, round_trip)
{
	struct machine *a = busy_machine();
	struct vmstate_out o;
	save(a, &o);
	/* Zero pages cost nothing: two non-zero pages and the bitmap. */
	cr_expect_lt(o.len, 3 * 4096 + 2048);

	struct machine *b = new_machine(2);
	memset(b->ram, 0x77, RAM); /* what the load must overwrite, zeros too */
	struct vmstate_out cur;
	save(b, &cur);
	const struct vmstate_in in = {.buf = o.buf, .len = o.len};
	const struct vmstate_in mine = {.buf = cur.buf, .len = cur.len};
	char err[200];
	cr_assert(vmstate_same_layout(&in, &mine, err, sizeof(err)), "%s", err);
	struct vmstate_in rd = in;
	vmstate_load_machine(b, &rd);
	cr_expect(!rd.bad);
	for (unsigned h = 0; h < 2; h++) {
		cr_expect_eq(memcmp(a->harts[h]->x, b->harts[h]->x, sizeof(a->harts[h]->x)), 0);
		cr_expect_eq(b->harts[h]->f[5], 0x400921fb54442d18ull);
		cr_expect_eq(b->harts[h]->pc, 0x80001234 + h);
		cr_expect_eq(b->harts[h]->priv, 1);
		cr_expect_eq(b->harts[h]->satp, 0x8000000000080123ull);
		cr_expect_eq(b->harts[h]->stvec, 0x80002000);
		cr_expect_eq(b->harts[h]->frm, 3);
		uint64_t v;
		cr_expect(csr_debug_read(b->harts[h], CSR_MINSTRET, &v) && v == 777 + h);
		cr_expect(csr_debug_read(b->harts[h], CSR_MHPMEVENT3, &v) && v == 2);
		cr_expect(csr_debug_read(b->harts[h], CSR_MHPMCOUNTER3, &v) && v == 12345);
		cr_expect(csr_debug_read(b->harts[h], CSR_MCOUNTINHIBIT, &v) && v == 0x10);
		/* what is derived from them is recomputed: counter 3 runs */
		cr_expect_eq(b->harts[h]->ctr.running, a->harts[h]->ctr.running);
		cr_expect(b->harts[h]->ctr.running & (1u << 3));
	}
	cr_expect_eq(memcmp(a->ram, b->ram, RAM), 0);
	/* The clock stands where the save was taken. */
	cr_expect_eq(machine_clock_ns(b), machine_clock_ns(a));
	free(o.buf);
	free(cur.buf);
	machine_free(a);
	machine_free(b);
}

/* The layout check's answer for a changed copy of a's stream. */
static bool accepted(void (*change)(struct vmstate_out *o), unsigned nharts, char *err,
		     size_t errlen)
{
	struct machine *a = busy_machine(), *b = new_machine(nharts);
	struct vmstate_out o, cur;
	save(a, &o);
	save(b, &cur);
	if (change)
		change(&o);
	const struct vmstate_in in = {.buf = o.buf, .len = o.len};
	const struct vmstate_in mine = {.buf = cur.buf, .len = cur.len};
	const bool ok = vmstate_same_layout(&in, &mine, err, errlen);
	free(o.buf);
	free(cur.buf);
	machine_free(a);
	machine_free(b);
	return ok;
}

static void other_version(struct vmstate_out *o)
{
	o->buf[8]++; /* the version follows the 8-byte magic */
}

static void not_ours(struct vmstate_out *o)
{
	memcpy(o->buf, "QEVM\0\0\0\3", 8); /* QEMU's migration stream starts so */
}

static void cut_short(struct vmstate_out *o)
{
	o->len -= 100;
}

static void ram_page_missing(struct vmstate_out *o)
{
	/* Claim one more page in the bitmap than the stream carries: the RAM
	 * section starts after the last hart's; its bitmap's first byte is
	 * 16 bytes (tag and length) in. Find the tag. */
	for (size_t i = 0; i + 8 <= o->len; i++)
		if (!memcmp(o->buf + i, "ram\0\0\0\0\0", 8)) {
			o->buf[i + 16] |= 1; /* page 0 is all zeros in the save */
			return;
		}
	cr_assert_fail("no ram section");
}

Test(vmstate, foreign_streams_are_refused)
{
	char err[200];
	cr_expect(accepted(NULL, 2, err, sizeof(err)), "%s", err);
	cr_expect(!accepted(other_version, 2, err, sizeof(err)));
	cr_expect_str_eq(err, "the VM state was not saved by this version of rvjit");
	cr_expect(!accepted(not_ours, 2, err, sizeof(err)));
	cr_expect_str_eq(err, "the VM state was not saved by this version of rvjit");
	cr_expect(!accepted(NULL, 1, err, sizeof(err)));
	cr_expect(strstr(err, "another machine"), "%s", err);
	cr_expect(!accepted(cut_short, 2, err, sizeof(err)));
	cr_expect(!accepted(ram_page_missing, 2, err, sizeof(err)));
	cr_expect_str_eq(err, "the VM state's RAM is cut short");
}
