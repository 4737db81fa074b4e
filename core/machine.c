/* Machine lifetime, RAM, time, and the hooks devices attach to the core. */
#include "machine.h"
#include "envcfg.h"
#include "guest_symbols.h"
#include "mmu.h"
#include "tb.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define TB_ARENA_BYTES (64u << 20)

uint64_t host_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Guest RAM: NORESERVE, so untouched RAM costs no host memory, and on
 * 2 MiB boundaries with transparent huge pages asked for, as QEMU does: a
 * guest that walks its memory (a kernel clearing free pages, a pointer
 * chase) takes 512 times fewer host page faults and TLB misses. */
#define HUGE_PAGE (2u << 20)
static uint8_t *map_guest_ram(uint64_t size)
{
	const size_t len = size + HUGE_PAGE;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	uint8_t *ram = (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (ram > p)
		munmap(p, (size_t)(ram - p));
	uint8_t *const end = ram + ((size + 4095) & ~(uint64_t)4095);
	if (end < p + len)
		munmap(end, (size_t)(p + len - end));
#ifdef MADV_HUGEPAGE
	madvise(ram, size, MADV_HUGEPAGE); /* a hint: failure changes nothing */
#endif
	return ram;
}

void machine_set_isa(struct machine *m, const struct isa *isa)
{
	m->isa = *isa;
	/* The reset values that depend on the extensions. */
	for (unsigned i = 0; i < m->nharts; i++) {
		m->harts[i]->misa = isa_misa(isa);
		m->harts[i]->menvcfg = menvcfg_reset(m);
	}
}

/* A user-mode address space: reserved, inaccessible until the front end
 * maps guest pages into it, and never counted against the host's commit
 * limit while unmapped. */
static uint8_t *reserve_user_space(uint64_t size)
{
	uint8_t *p =
	    mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static struct machine *machine_create(uint64_t ram_base, uint64_t ram_size, unsigned nharts,
				      uint64_t reset_pc, bool user)
{
	if (nharts == 0 || nharts > MAX_HARTS || ram_size == 0 || (ram_size & PAGE_OFFSET_MASK)) {
		fprintf(stderr, "rvjit: invalid machine configuration\n");
		return NULL;
	}
	struct machine *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->ram_base = ram_base;
	m->ram_size = ram_size;
	isa_default(&m->isa);
	m->log = stderr;
	m->clock_base_ns = host_monotonic_ns(); /* virtual time 0, running */
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->wake, NULL);
	pthread_cond_init(&m->parked, NULL);
	pthread_mutex_init(&m->tb_lock, NULL);
	pthread_mutex_init(&m->io_lock, NULL);
	m->ram = user ? reserve_user_space(ram_size) : map_guest_ram(ram_size);
	if (!m->ram) {
		fprintf(stderr, "rvjit: cannot allocate %llu MiB of guest %s: %s\n",
			(unsigned long long)(ram_size >> 20), user ? "address space" : "RAM",
			strerror(errno));
		machine_free(m);
		return NULL;
	}
	m->page_flags = calloc(ram_size >> PAGE_SHIFT, 1);
	if (user)
		m->user_prot = calloc(ram_size >> PAGE_SHIFT, 1);
	m->tb = m->page_flags && (!user || m->user_prot) ? tb_cache_new(m, TB_ARENA_BYTES) : NULL;
	if (!m->tb) {
		fprintf(stderr, "rvjit: out of memory\n");
		machine_free(m);
		return NULL;
	}
	for (unsigned i = 0; i < nharts; i++) {
		m->harts[i] = aligned_alloc(64, (sizeof(struct hart) + 63) & ~(size_t)63);
		if (!m->harts[i]) {
			machine_free(m);
			return NULL;
		}
		m->nharts = i + 1;
		hart_init(m->harts[i], m, i, reset_pc);
	}
	return m;
}

struct machine *machine_new(uint64_t ram_base, uint64_t ram_size, unsigned nharts,
			    uint64_t reset_pc)
{
	return machine_create(ram_base, ram_size, nharts, reset_pc, false);
}

struct machine *machine_new_user(uint64_t space_size, const struct isa *isa)
{
	struct machine *m = machine_create(0, space_size, 1, 0, true);
	if (m) {
		machine_set_isa(m, isa);
		hart_enter_user_mode(m->harts[0]); /* after the ISA's menvcfg reset */
	}
	return m;
}

struct hart *machine_add_hart(struct machine *m, unsigned index, const struct hart *from)
{
	if (index >= MAX_HARTS)
		return NULL;
	struct hart *h = m->harts[index];
	struct hart *fresh = NULL;
	if (!h && !(h = fresh = aligned_alloc(64, (sizeof(struct hart) + 63) & ~(size_t)63)))
		return NULL;
	/* Other harts' threads walk every TLB under tb_lock (pages becoming
	 * code: tlb_drop_writes_to) and every jump cache (a flush); an
	 * exclusive section zeroes every budget and reads nharts under
	 * m->lock. A retired hart's slot may still be seen by both. */
	machine_tb_lock(m);
	if (m->threaded)
		pthread_mutex_lock(&m->lock);
	void *const engine_hart = h->engine_hart;
	hart_init(h, m, index, from->pc);
	memcpy(h->x, from->x, sizeof(h->x));
	memcpy(h->f, from->f, sizeof(h->f));
	h->fflags = from->fflags;
	h->frm = from->frm;
	h->priv = from->priv;
	h->mstatus = from->mstatus;
	h->mcounteren = from->mcounteren;
	h->scounteren = from->scounteren;
	h->menvcfg = from->menvcfg;
	h->senvcfg = from->senvcfg;
	hart_update_mode(h);
	h->engine_hart = fresh ? NULL : engine_hart;
	const bool ok = !m->attach_hart || m->attach_hart(h);
	if (ok) {
		m->harts[index] = h;
		if (index >= m->nharts)
			m->nharts = index + 1;
	}
	if (m->threaded)
		pthread_mutex_unlock(&m->lock);
	machine_tb_unlock(m);
	if (!ok) {
		free(fresh);
		return NULL;
	}
	return h;
}

void machine_free(struct machine *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->nharts; i++)
		free(m->harts[i]);
	tb_cache_free(m->tb);
	guest_symbols_free(m->symbols);
	free(m->page_flags);
	free(m->user_prot);
	if (m->ram)
		munmap(m->ram, m->ram_size);
	pthread_cond_destroy(&m->wake);
	pthread_cond_destroy(&m->parked);
	pthread_mutex_destroy(&m->tb_lock);
	pthread_mutex_destroy(&m->io_lock);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void machine_request_stop(struct machine *m, enum machine_stop why, int exit_code)
{
	int expected = STOP_NONE;
	if (atomic_compare_exchange_strong(&m->stop, &expected, (int)why))
		m->exit_code = exit_code;
	machine_kick(m);
}

void machine_wait_wake(struct machine *m, uint64_t ns)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts); /* the condition variable's clock */
	ts.tv_sec += (time_t)(ns / 1000000000ULL);
	ts.tv_nsec += (long)(ns % 1000000000ULL);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&m->wake, &m->lock, &ts);
}

void machine_kick(struct machine *m)
{
	pthread_mutex_lock(&m->lock);
	m->kicked = true;
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

/*
 * The virtual clock is a sequence lock, as QEMU's (vm_clock_seqlock), so
 * the readers (every time CSR read, mtime read and timer poll, on every
 * hart thread) take no lock and write nothing shared. The writers,
 * machine_pause and machine_resume, take the clock by making clock_seq odd
 * (a compare-and-swap, so two writers cannot interleave), change the
 * fields, and make it even again; a reader that saw it odd, or saw it
 * change, reads again.
 *
 * Never backwards: a reader's host clock read may land a little after the
 * instant the pausing writer reads its own (the host's clock read is not
 * ordered against the loads around it, and two host CPUs may disagree by
 * a few nanoseconds), so the stopped clock stands CLOCK_PAUSE_SLACK_NS
 * ahead of the writer's reading; and a running clock never reads less
 * than where it last stood still.
 */
#define CLOCK_PAUSE_SLACK_NS 1000

static void clock_write_begin(struct machine *m)
{
	unsigned seq = atomic_load(&m->clock_seq);
	while ((seq & 1) || !atomic_compare_exchange_weak(&m->clock_seq, &seq, seq + 1))
		seq = atomic_load(&m->clock_seq);
}

static void clock_write_end(struct machine *m)
{
	atomic_fetch_add(&m->clock_seq, 1);
}

uint64_t machine_clock_ns(const struct machine *m)
{
	for (;;) {
		const unsigned seq = atomic_load_explicit(&m->clock_seq, memory_order_acquire);
		if (seq & 1)
			continue; /* a pause or resume is a few instructions long */
		const bool stopped = atomic_load_explicit(&m->clock_stopped, memory_order_relaxed);
		const uint64_t base = atomic_load_explicit(&m->clock_base_ns, memory_order_relaxed);
		const uint64_t frozen =
		    atomic_load_explicit(&m->clock_frozen_ns, memory_order_relaxed);
		uint64_t ns = frozen;
		if (!stopped) {
			const uint64_t now = host_monotonic_ns() - base;
			ns = now > frozen ? now : frozen;
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&m->clock_seq, memory_order_relaxed) == seq)
			return ns;
	}
}

bool machine_clock_stopped(const struct machine *m)
{
	return atomic_load_explicit(&m->clock_stopped, memory_order_relaxed);
}

void machine_pause(struct machine *m)
{
	clock_write_begin(m);
	if (!atomic_load(&m->clock_stopped)) {
		const uint64_t now = host_monotonic_ns() - atomic_load(&m->clock_base_ns);
		const uint64_t frozen = atomic_load(&m->clock_frozen_ns);
		atomic_store(&m->clock_frozen_ns,
			     (now > frozen ? now : frozen) + CLOCK_PAUSE_SLACK_NS);
		atomic_store(&m->clock_stopped, true);
	}
	atomic_store(&m->paused, true);
	clock_write_end(m);
}

void machine_resume(struct machine *m)
{
	clock_write_begin(m);
	if (atomic_load(&m->clock_stopped)) {
		atomic_store(&m->clock_base_ns,
			     host_monotonic_ns() - atomic_load(&m->clock_frozen_ns));
		atomic_store(&m->clock_stopped, false);
	}
	atomic_store(&m->paused, false);
	clock_write_end(m);
	machine_kick(m); /* harts parked while paused run at once */
}

uint64_t machine_mtime(const struct machine *m)
{
	if (m->icount) {
		uint64_t ns = m->icount_ns;
		/* (instret only grows: a guest write to minstret goes to the
		 * counters, core/counters.c, not to instret.) */
		if (m->icount_hart && m->icount_hart->instret > m->icount_hart_start)
			ns += (m->icount_hart->instret - m->icount_hart_start) << m->icount_shift;
		return ns / NS_PER_MTIME_TICK;
	}
	return machine_clock_ns(m) / NS_PER_MTIME_TICK;
}

uint8_t *machine_host_ptr(struct machine *m, uint64_t pa, uint64_t len, bool write)
{
	if (machine_is_ram(m, pa, len))
		return m->ram + (pa - m->ram_base);
	if (write)
		return NULL;
	const struct bus_region *r = bus_find(&m->bus, pa, (unsigned)len);
	if (r && r->rom)
		return (uint8_t *)r->rom + (pa - r->base);
	return NULL;
}

void machine_watch_page(struct machine *m, uint64_t pa, ram_watch_fn watch, void *opaque)
{
	if (!machine_is_ram(m, pa, 1))
		return;
	m->watch = watch;
	m->watch_opaque = opaque;
	page_flags_add(m, (pa - m->ram_base) >> PAGE_SHIFT, PAGE_WATCH);
	tlb_drop_writes_to(m, (uintptr_t)(m->ram + ((pa - m->ram_base) & ~PAGE_OFFSET_MASK)));
}

void machine_ram_written(struct machine *m, uint64_t pa, uint64_t len)
{
	if (!len || pa + len < pa || pa >= m->ram_base + m->ram_size || pa + len <= m->ram_base)
		return; /* (callers pass ranges they found in RAM) */
	const uint64_t lo = pa > m->ram_base ? pa - m->ram_base : 0;
	const uint64_t end = pa + len - m->ram_base;
	const uint64_t hi = end < m->ram_size ? end : m->ram_size;
	for (uint64_t page = lo >> PAGE_SHIFT; page <= (hi - 1) >> PAGE_SHIFT; page++) {
		if (page_flags_of(m, page) & PAGE_CODE)
			tb_invalidate_page(m, m->ram_base + (page << PAGE_SHIFT));
	}
}

void machine_flush_tlbs(struct machine *m)
{
	for (unsigned i = 0; i < m->nharts; i++)
		tlb_flush_all(m->harts[i]);
}

bool machine_add_poller(struct machine *m, device_poll_fn fn, void *opaque)
{
	if (m->npollers == MAX_POLLERS)
		return false;
	m->pollers[m->npollers].fn = fn;
	m->pollers[m->npollers].opaque = opaque;
	m->npollers++;
	return true;
}

void machine_poll_devices(struct machine *m)
{
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < m->npollers; i++) {
		const uint64_t d = m->pollers[i].fn(m->pollers[i].opaque);
		if (d < next)
			next = d;
	}
	m->next_deadline_ns = next;
}

unsigned machine_idle_budget_ms(const struct machine *m)
{
	/* Sleep until the nearest device deadline, but wake at least every
	 * 100 ms so a stop request from a signal is noticed. */
	const uint64_t ms = m->next_deadline_ns / 1000000;
	return ms == 0 ? 1 : ms > 100 ? 100 : (unsigned)ms;
}
