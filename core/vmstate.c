/*
 * The machine's part of a snapshot's state (core/vmstate.h): the stream
 * helpers, the header, the virtual clock, the harts and RAM.
 *
 * A hart's state is its architectural state only: registers, pc, privilege,
 * every CSR, the FP flags and rounding mode, wfi. What derives from it (the
 * TLBs, irq_take, the fetch epoch, the engines' caches) is rebuilt on load,
 * and a load reservation is dropped, as a trap would drop it: an SC after a
 * loadvm fails once, which the spec allows (priv 3.3.2, SC may fail).
 *
 * RAM is a bitmap of its non-zero pages followed by those pages: a fresh
 * guest's mostly empty RAM costs little.
 */
#include "vmstate.h"
#include "counters.h"
#include "machine.h"
#include "mmu.h"
#include "page.h"
#include <stdlib.h>
#include <string.h>

#define TAG_LEN 8

void vmstate_put(struct vmstate_out *o, const void *p, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 1u << 16;
		while (cap < o->len + n)
			cap *= 2;
		uint8_t *b = realloc(o->buf, cap);
		if (!b) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void vmstate_get(struct vmstate_in *in, void *p, size_t n)
{
	if (in->bad || n > in->len - in->at) {
		in->bad = true;
		memset(p, 0, n);
		return;
	}
	memcpy(p, in->buf + in->at, n);
	in->at += n;
}

/* A section tag as stored: at most 8 bytes, padded with NULs. */
static void tag_of(const char *tag, char t[TAG_LEN])
{
	const size_t n = strlen(tag);
	memset(t, 0, TAG_LEN);
	memcpy(t, tag, n < TAG_LEN ? n : TAG_LEN);
}

void vmstate_begin(struct vmstate_out *o, const char *tag)
{
	char t[TAG_LEN];
	tag_of(tag, t);
	vmstate_put(o, t, TAG_LEN);
	o->section = o->len;
	const uint64_t zero = 0;
	VMSTATE_PUT(o, zero);
}

void vmstate_end(struct vmstate_out *o)
{
	if (o->failed || !o->section)
		return;
	const uint64_t len = o->len - o->section - 8;
	memcpy(o->buf + o->section, &len, 8);
	o->section = 0;
}

/* The next section's tag and length, without taking it. */
static bool peek_section(const struct vmstate_in *in, char tag[TAG_LEN], uint64_t *len)
{
	if (in->len - in->at < TAG_LEN + 8)
		return false;
	memcpy(tag, in->buf + in->at, TAG_LEN);
	memcpy(len, in->buf + in->at + TAG_LEN, 8);
	return *len <= in->len - in->at - TAG_LEN - 8;
}

bool vmstate_section(struct vmstate_in *in, const char *tag, struct vmstate_in *sec)
{
	char t[TAG_LEN], want[TAG_LEN];
	uint64_t len;
	tag_of(tag, want);
	memset(sec, 0, sizeof(*sec));
	if (in->bad || !peek_section(in, t, &len) || memcmp(t, want, TAG_LEN)) {
		in->bad = sec->bad = true;
		return false;
	}
	sec->buf = in->buf + in->at + TAG_LEN + 8;
	sec->len = len;
	in->at += TAG_LEN + 8 + len;
	return true;
}

struct vmstate_header {
	char magic[8];
	uint32_t version;
	uint32_t nharts;
	uint64_t ram_base, ram_size;
};

/* Is the RAM section at in (len bytes) a bitmap and exactly its pages? */
static bool ram_fits(const struct vmstate_in *in, uint64_t ram_size, uint64_t len)
{
	const uint64_t pages = ram_size >> PAGE_SHIFT, map_len = (pages + 7) / 8;
	if (len < map_len)
		return false;
	const uint8_t *map = in->buf + in->at + TAG_LEN + 8;
	uint64_t n = 0;
	for (uint64_t p = 0; p < pages; p++)
		n += map[p / 8] >> (p % 8) & 1;
	return len == map_len + n * PAGE_SIZE;
}

bool vmstate_same_layout(const struct vmstate_in *a, const struct vmstate_in *b, char *err,
			 size_t errlen)
{
	struct vmstate_in x = *a, y = *b;
	struct vmstate_header ha, hb;
	VMSTATE_GET(&x, ha);
	VMSTATE_GET(&y, hb);
	if (x.bad || memcmp(ha.magic, VMSTATE_MAGIC, 8) || ha.version != VMSTATE_VERSION) {
		snprintf(err, errlen, "the VM state was not saved by this version of rvjit");
		return false;
	}
	if (ha.nharts != hb.nharts || ha.ram_base != hb.ram_base || ha.ram_size != hb.ram_size) {
		snprintf(err, errlen,
			 "the VM state is of another machine (%u harts, %llu MiB of RAM; this one "
			 "has %u, %llu MiB)",
			 ha.nharts, (unsigned long long)(ha.ram_size >> 20), hb.nharts,
			 (unsigned long long)(hb.ram_size >> 20));
		return false;
	}
	for (;;) {
		char ta[TAG_LEN] = {0}, tb[TAG_LEN] = {0};
		uint64_t la = 0, lb = 0;
		const bool more_a = peek_section(&x, ta, &la), more_b = peek_section(&y, tb, &lb);
		if (!more_a && !more_b && x.at == x.len && y.at == y.len)
			return true;
		if (!more_a || !more_b || memcmp(ta, tb, TAG_LEN) ||
		    (la != lb && memcmp(ta, "ram", 4))) {
			snprintf(err, errlen, "the VM state does not match this machine's devices");
			return false;
		}
		if (!memcmp(ta, "ram", 4) && !ram_fits(&x, ha.ram_size, la)) {
			snprintf(err, errlen, "the VM state's RAM is cut short");
			return false;
		}
		x.at += TAG_LEN + 8 + la;
		y.at += TAG_LEN + 8 + lb;
	}
}

/* The architectural state of a hart, in a fixed order. */
#define HART_FIELDS(X)                                                                             \
	X(x);                                                                                      \
	X(f);                                                                                      \
	X(pc);                                                                                     \
	X(priv);                                                                                   \
	X(instret);                                                                                \
	X(wfi);                                                                                    \
	X(mstatus);                                                                                \
	X(misa);                                                                                   \
	X(medeleg);                                                                                \
	X(mideleg);                                                                                \
	X(mie);                                                                                    \
	X(mip);                                                                                    \
	X(mtvec);                                                                                  \
	X(mscratch);                                                                               \
	X(mepc);                                                                                   \
	X(mcause);                                                                                 \
	X(mtval);                                                                                  \
	X(mcounteren);                                                                             \
	X(mcountinhibit);                                                                          \
	X(menvcfg);                                                                                \
	X(mstateen);                                                                               \
	X(pmpcfg);                                                                                 \
	X(pmpaddr);                                                                                \
	X(stvec);                                                                                  \
	X(sscratch);                                                                               \
	X(sepc);                                                                                   \
	X(scause);                                                                                 \
	X(stval);                                                                                  \
	X(scounteren);                                                                             \
	X(senvcfg);                                                                                \
	X(satp);                                                                                   \
	X(stimecmp);                                                                               \
	X(fflags);                                                                                 \
	X(frm);                                                                                    \
	X(ctr.base);                                                                               \
	X(ctr.mark);                                                                               \
	X(ctr.event)

static void save_hart(struct hart *h, struct vmstate_out *o)
{
	if (h->m->sync_fflags)
		h->m->sync_fflags(h);
#define PUT_FIELD(f) VMSTATE_PUT(o, h->f)
	HART_FIELDS(PUT_FIELD);
#undef PUT_FIELD
}

static void load_hart(struct hart *h, struct vmstate_in *in)
{
	/* Parked hart threads read wfi under m->lock (core/hart_threads.c);
	 * the rest they read only once they run again, after that lock. */
	pthread_mutex_lock(&h->m->lock);
#define GET_FIELD(f) VMSTATE_GET(in, h->f)
	HART_FIELDS(GET_FIELD);
#undef GET_FIELD
	h->x[0] = 0;
	h->reserved = false;
	pthread_mutex_unlock(&h->m->lock);
	tlb_flush_all(h);
	counters_recompute(h);
	hart_update_mode(h); /* TLB pointers, fs_off, irq_take (the flush above
				started a new fetch epoch) */
	hart_note_interrupt_event(h);
}

static bool page_zero(const uint8_t *p)
{
	for (size_t i = 0; i < PAGE_SIZE; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		if (v)
			return false;
	}
	return true;
}

void vmstate_save_machine(struct machine *m, struct vmstate_out *o)
{
	struct vmstate_header h = {.version = VMSTATE_VERSION,
				   .nharts = m->nharts,
				   .ram_base = m->ram_base,
				   .ram_size = m->ram_size};
	memcpy(h.magic, VMSTATE_MAGIC, 8);
	VMSTATE_PUT(o, h);
	vmstate_begin(o, "clock");
	const uint64_t ns = machine_clock_ns(m);
	VMSTATE_PUT(o, ns);
	VMSTATE_PUT(o, m->icount_ns);
	vmstate_end(o);
	for (unsigned i = 0; i < m->nharts; i++) {
		vmstate_begin(o, "hart");
		save_hart(m->harts[i], o);
		vmstate_end(o);
	}
	vmstate_begin(o, "ram");
	const uint64_t pages = m->ram_size >> PAGE_SHIFT;
	uint8_t *map = calloc((pages + 7) / 8, 1);
	if (!map) {
		o->failed = true;
		return;
	}
	for (uint64_t p = 0; p < pages; p++)
		if (!page_zero(m->ram + (p << PAGE_SHIFT)))
			map[p / 8] |= (uint8_t)(1u << (p % 8));
	vmstate_put(o, map, (pages + 7) / 8);
	for (uint64_t p = 0; p < pages; p++)
		if (map[p / 8] >> (p % 8) & 1)
			vmstate_put(o, m->ram + (p << PAGE_SHIFT), PAGE_SIZE);
	free(map);
	vmstate_end(o);
}

/* The virtual clock, stopped (the machine is paused), at ns: loadvm moves
 * it back to the snapshot's time. A write of machine.c's sequence lock. */
static void set_clock(struct machine *m, uint64_t ns)
{
	atomic_fetch_add(&m->clock_seq, 1);
	atomic_store(&m->clock_frozen_ns, ns);
	atomic_store(&m->clock_stopped, true);
	atomic_fetch_add(&m->clock_seq, 1);
}

void vmstate_load_machine(struct machine *m, struct vmstate_in *in)
{
	struct vmstate_header h;
	VMSTATE_GET(in, h);
	struct vmstate_in sec;
	uint64_t ns;
	if (vmstate_section(in, "clock", &sec)) {
		VMSTATE_GET(&sec, ns);
		VMSTATE_GET(&sec, m->icount_ns);
		set_clock(m, ns);
	}
	for (unsigned i = 0; i < m->nharts; i++)
		if (vmstate_section(in, "hart", &sec))
			load_hart(m->harts[i], &sec);
	if (!vmstate_section(in, "ram", &sec))
		return;
	const uint64_t pages = m->ram_size >> PAGE_SHIFT;
	const uint8_t *map = sec.buf;
	sec.at = (pages + 7) / 8;
	for (uint64_t p = 0; p < pages; p++) {
		uint8_t *page = m->ram + (p << PAGE_SHIFT);
		if (map[p / 8] >> (p % 8) & 1)
			vmstate_get(&sec, page, PAGE_SIZE);
		else
			memset(page, 0, PAGE_SIZE);
	}
	machine_ram_written(m, m->ram_base, m->ram_size);
	machine_drop_code(m);
}
