/*
 * The CLINT of QEMU's `virt` board (see clint.h for the register map).
 *
 * Software interrupts: msip[hart] bit 0 is mip.MSIP of that hart; the other
 * bits are hardwired to zero (SiFive CLINT / ACLINT MSWI spec).
 *
 * Timer interrupts: mip.MTIP of hart i is the level mtime >= mtimecmp[i]
 * (priv spec 3.2.1). A write to mtimecmp re-evaluates that level at once;
 * mtime moving past mtimecmp is noticed by the poller, which the run loop
 * calls between rounds and which answers how long it may sleep until the
 * next compare fires.
 *
 * Reset values follow QEMU (hw/intc/riscv_aclint.c): riscv_aclint_mtimer_create()
 * sets every timecmp to 0 and the reset handler writes mtime = 0, which
 * re-evaluates 0 <= 0 and raises MTIP. So MTIP is pending from reset until
 * firmware programs mtimecmp; mie.MTIE (0 at reset) keeps it harmless.
 *
 * mtime is machine_mtime(): the 10 MHz count of the virtual clock (host
 * time less the time the machine spent paused) that the `time` CSR also
 * reads. QEMU lets software write mtime (it keeps a delta); we ignore such
 * writes so that mtime and the `time` CSR can never disagree without a
 * delta in core/. xv6, OpenSBI and Linux never write it.
 *
 * An access to no register reads 0 and writes nothing; -d unimp logs it in
 * QEMU's words.
 */
#include "clint.h"
#include "core/guest_log.h"
#include "core/machine.h"
#include "core/vmstate.h"
#include "fdt/fdt.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define CLINT_MSIP     0x0000
#define CLINT_MTIMECMP 0x4000
#define CLINT_MTIME    0xbff8

/* Every hart's msip and mtimecmp fit below mtime. */
_Static_assert(4 * MAX_HARTS <= CLINT_MTIMECMP && CLINT_MTIMECMP + 8 * MAX_HARTS <= CLINT_MTIME,
	       "MAX_HARTS exceeds the CLINT's register map");

struct clint {
	struct machine *m;
	unsigned nharts;
	/* Guards every field below: harts write registers while the run
	 * loop (with a thread per hart, the I/O thread) polls. */
	pthread_mutex_t lock;
	uint32_t msip[MAX_HARTS];
	uint64_t mtimecmp[MAX_HARTS];
	bool mtip[MAX_HARTS]; /* the MTIP level last sent to each hart */
};

/* Send MTIP of `hart` to the hart if it changed. Called with the lock held. */
static void update_mtip(struct clint *c, unsigned hart, uint64_t now)
{
	const bool level = now >= c->mtimecmp[hart];
	if (level == c->mtip[hart])
		return;
	c->mtip[hart] = level;
	hart_set_mip(c->m->harts[hart], MIP_MTIP, level);
}

/* Decode an mtimecmp offset: the hart, and whether the access is legal
 * (8 bytes at the register, or 4 bytes at either half). */
static bool mtimecmp_slot(const struct clint *c, uint64_t off, unsigned size, unsigned *hart)
{
	if (off < CLINT_MTIMECMP || off >= CLINT_MTIMECMP + 8ULL * c->nharts)
		return false;
	if (!(size == 8 || size == 4) || (off & (size - 1)))
		return false;
	*hart = (unsigned)((off - CLINT_MTIMECMP) / 8);
	return true;
}

/* True for a legal access to mtime (8 bytes, or 4 bytes at either half). */
static bool mtime_access(uint64_t off, unsigned size)
{
	if (off < CLINT_MTIME || off >= CLINT_MTIME + 8)
		return false;
	return (size == 8 || size == 4) && !(off & (size - 1));
}

/* Select the 4-byte half of `reg` at byte offset `off` of it, or all of it. */
static uint64_t reg_part(uint64_t reg, uint64_t off, unsigned size)
{
	if (size == 8)
		return reg;
	return (uint32_t)(reg >> (8 * (off & 4)));
}

/* -d unimp: QEMU's ACLINT words for an offset outside the registers, each
 * half (MSWI at 0, MTIMER at 0x4000) counting from its own base. */
static void log_unknown_register(struct clint *c, uint64_t off, const char *access)
{
	if (off < CLINT_MTIMECMP)
		log_device_access(c->m, LOG_UNIMP, "aclint-swi: invalid %s: %08x\n", access,
				  (uint32_t)off);
	else
		log_device_access(c->m, LOG_UNIMP, "aclint-mtimer: invalid %s: %08x\n", access,
				  (uint32_t)(off - CLINT_MTIMECMP));
}

static uint64_t clint_read(void *opaque, uint64_t off, unsigned size)
{
	struct clint *c = opaque;
	unsigned hart;
	uint64_t val = 0;

	if (mtime_access(off, size))
		return reg_part(machine_mtime(c->m), off, size);

	pthread_mutex_lock(&c->lock);
	if (off < 4ULL * c->nharts && size == 4 && !(off & 3))
		val = c->msip[off / 4];
	else if (mtimecmp_slot(c, off, size, &hart))
		val = reg_part(c->mtimecmp[hart], off, size);
	else
		log_unknown_register(c, off, "read");
	pthread_mutex_unlock(&c->lock);
	return val;
}

static void clint_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct clint *c = opaque;
	unsigned hart;

	pthread_mutex_lock(&c->lock);
	if (off < 4ULL * c->nharts && size == 4 && !(off & 3)) {
		hart = (unsigned)(off / 4);
		const uint32_t bit = val & 1;
		if (bit != c->msip[hart]) {
			c->msip[hart] = bit;
			hart_set_mip(c->m->harts[hart], MIP_MSIP, bit);
		} else if (bit) {
			/* Another IPI on top of a pending one still wakes a hart
			 * that polls in wfi (core/hart_threads.c). */
			hart_note_interrupt_event(c->m->harts[hart]);
		}
	} else if (mtimecmp_slot(c, off, size, &hart)) {
		uint64_t cmp = c->mtimecmp[hart];
		if (size == 8)
			cmp = val;
		else if (off & 4)
			cmp = (cmp & 0xffffffffULL) | (val << 32);
		else
			cmp = (cmp & ~0xffffffffULL) | (uint32_t)val;
		c->mtimecmp[hart] = cmp;
		update_mtip(c, hart, machine_mtime(c->m));
	} else if (!mtime_access(off, size)) {
		log_unknown_register(c, off, "write");
	}
	/* mtime writes and everything else: ignored (see the file comment). */
	pthread_mutex_unlock(&c->lock);
}

/* Raise or lower MTIP of every hart, and say when the next one rises. */
static uint64_t clint_poll(void *opaque)
{
	struct clint *c = opaque;
	uint64_t next = UINT64_MAX;

	pthread_mutex_lock(&c->lock);
	const uint64_t now = machine_mtime(c->m);
	for (unsigned i = 0; i < c->nharts; i++) {
		update_mtip(c, i, now);
		if (c->mtimecmp[i] > now) {
			const uint64_t ticks = c->mtimecmp[i] - now;
			const uint64_t ns = ticks > UINT64_MAX / NS_PER_MTIME_TICK
						? UINT64_MAX
						: ticks * NS_PER_MTIME_TICK;
			if (ns < next)
				next = ns;
		}
	}
	pthread_mutex_unlock(&c->lock);
	/* A stopped clock brings no compare nearer: no need to poll again. */
	return machine_clock_stopped(c->m) ? UINT64_MAX : next;
}

struct clint *clint_new(struct machine *m, uint64_t base)
{
	struct clint *c = calloc(1, sizeof(*c));
	if (!c) {
		fprintf(stderr, "rvjit: clint: out of memory\n");
		return NULL;
	}
	c->m = m;
	c->nharts = m->nharts;
	pthread_mutex_init(&c->lock, NULL);

	/* mtimecmp = 0 (QEMU), so MTIP starts pending: see the file comment. */
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < c->nharts; i++)
		update_mtip(c, i, machine_mtime(m));
	pthread_mutex_unlock(&c->lock);

	/* Check for a poller slot first so that no failure leaves a table
	 * pointing to freed memory. */
	if (m->npollers == MAX_POLLERS) {
		fprintf(stderr, "rvjit: clint: too many device pollers\n");
		clint_free(c);
		return NULL;
	}
	if (!bus_add(&m->bus, base, CLINT_SIZE, c, clint_read, clint_write, "clint")) {
		fprintf(stderr, "rvjit: clint: cannot map at %#llx (bus full or overlap)\n",
			(unsigned long long)base);
		clint_free(c);
		return NULL;
	}
	(void)machine_add_poller(m, clint_poll, c);
	return c;
}

void clint_free(struct clint *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void clint_fdt(struct fdt *f, uint64_t base, const uint32_t *intc, unsigned nharts)
{
	uint32_t cells[4 * MAX_HARTS];
	for (unsigned h = 0; h < nharts; h++) {
		cells[4 * h + 0] = intc[h];
		cells[4 * h + 1] = 3; /* machine software interrupt (msip) */
		cells[4 * h + 2] = intc[h];
		cells[4 * h + 3] = 7; /* machine timer interrupt (mtimecmp) */
	}
	fdt_begin_node_at(f, "clint", base);
	fdt_prop_strings(f, "compatible", "sifive,clint0", "riscv,clint0", NULL);
	fdt_prop_reg(f, base, CLINT_SIZE);
	fdt_prop_cells(f, "interrupts-extended", cells, 4 * nharts);
	fdt_end_node(f);
}

/* The snapshot state (core/vmstate.h): the registers and what the device
 * keeps between accesses, not its configuration. */
void clint_save(struct clint *d, struct vmstate_out *o)
{
	pthread_mutex_lock(&d->lock);
	VMSTATE_PUT(o, d->msip);
	VMSTATE_PUT(o, d->mtimecmp);
	VMSTATE_PUT(o, d->mtip);
	pthread_mutex_unlock(&d->lock);
}

void clint_load(struct clint *d, struct vmstate_in *in)
{
	pthread_mutex_lock(&d->lock);
	VMSTATE_GET(in, d->msip);
	VMSTATE_GET(in, d->mtimecmp);
	VMSTATE_GET(in, d->mtip);
	/* The harts' mip came back with them; the levels are re-sent only
	 * where the restored clock says otherwise. */
	const uint64_t now = machine_mtime(d->m);
	for (unsigned h = 0; h < d->nharts; h++)
		update_mtip(d, h, now);
	pthread_mutex_unlock(&d->lock);
}
