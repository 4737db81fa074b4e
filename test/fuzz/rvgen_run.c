/*
 * Running a generated program in both engines and comparing the results
 * (rvgen.h), and shrinking a program that diverges.
 *
 * The driver runs the harts round-robin on this thread, one quantum each,
 * until every hart is in wfi or the machine stops: the same order in both
 * engines, and with the program's quantum (machine.h quantum_blocks) the
 * same interleaving (rvgen.h). A threaded program (rvgen_program.threaded)
 * marks the machine threaded in both runs: only the translator's code and
 * the block cache's locking notice, and the flush that a threaded cache
 * asks for is done here, between quanta, where no hart is running.
 */
#include "core/machine.h"
#include "core/tb.h"
#include "devices/syscon.h"
#include "jit/jit.h"
#include "rvgen.h"
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* A program that does not finish in this many rounds hangs: on the
 * engines' own quanta, or this many blocks per hart on a fixed one. */
#define RUN_QUANTA 2000
#define RUN_BLOCKS (RUN_QUANTA * 256u)
#define NELEM(a)   (sizeof(a) / sizeof((a)[0]))

static const uint32_t handler[] = {
    0x34202ff3, /* csrr x31, mcause */
    0x00ff5e93, /* srli x29, x30, 15 */
    0x001efe93, /* andi x29, x29, 1 */
    0x000e9e63, /* bnez x29, 1f (the record area is full) */
    0x01ff3023, /* sd x31, 0(x30) */
    0x34102ff3, /* csrr x31, mepc */
    0x01ff3423, /* sd x31, 8(x30) */
    0x34302ff3, /* csrr x31, mtval */
    0x01ff3823, /* sd x31, 16(x30) */
    0x018f0f13, /* addi x30, x30, 24 */
    0x34102ef3, /* 1: csrr x29, mepc */
    0x000edf83, /* lhu x31, 0(x29) */
    0x003fff93, /* andi x31, x31, 3 */
    0xffdf8f93, /* addi x31, x31, -3 */
    0x002e8e93, /* addi x29, x29, 2 */
    0x000f9463, /* bnez x31, +8 */
    0x002e8e93, /* addi x29, x29, 2 */
    0x341e9073, /* csrw mepc, x29 */
    0x30200073, /* mret */
};

/* The regions (rvgen_regions) copied out one after the other. */
#define MEM_COPIED                                                                                 \
	(RVGEN_SCRATCH_SIZE + 0x1000 + RVGEN_MAX_HARTS * (RVGEN_CODE_MAX + RVGEN_RECORDS_SIZE))

struct outcome {
	struct hart h[RVGEN_MAX_HARTS]; /* copied out, up to the TLB */
	enum machine_stop stop;
	bool hung;
	uint8_t mem[MEM_COPIED]; /* the regions, one after the other */
};

static struct machine *setup(const struct rvgen_program *p, bool jit)
{
	const unsigned nharts = p->nharts ? p->nharts : 1;
	struct machine *m = machine_new(RVGEN_RAM_BASE, RVGEN_RAM_SIZE, nharts, RVGEN_CODE_PA(0));
	if (!m)
		return NULL;
	if (!syscon_add(m, 0x100000)) {
		machine_free(m);
		return NULL;
	}
	/* Every extension on (-cpu max): the generator emits the bit
	 * manipulation instructions too. */
	struct isa max;
	char err[128];
	if (isa_parse_cpu("max", &max, err, sizeof(err)) != 0) {
		machine_free(m);
		return NULL;
	}
	machine_set_isa(m, &max);
	m->threaded = p->threaded;
	m->quantum_blocks = p->quantum;
	memcpy(m->ram + (RVGEN_HANDLER_PA - RVGEN_RAM_BASE), handler, sizeof(handler));
	rvgen_initial_memory(p, m->ram);
	for (unsigned i = 0; i < nharts; i++) {
		const struct rvgen_hart_state *s = &p->hart[i];
		struct hart *h = m->harts[i];
		rvgen_initial_x(p, i, h->x);
		memcpy(h->f, s->f, sizeof(s->f));
		h->frm = s->frm;
		h->pc = RVGEN_CODE_PA(i);
		h->mtvec = RVGEN_HANDLER_PA;
		h->mstatus = (h->mstatus & ~MSTATUS_FS) | (s->fs_off ? 0 : (1ULL << 13));
		if (p->race) {
			/* S-mode: every trap enters the M-mode handler, whose
			 * mret comes back. One PMP entry (TOR, RWX) opens all
			 * memory, as xv6's start does; the counters are
			 * readable. */
			h->priv = PRIV_S;
			h->pmpaddr[0] = 0x3fffffffffffffULL;
			h->pmpcfg[0] = 0x0f;
			h->mcounteren = 7;
		}
		hart_update_mode(h);
	}
	if (jit) {
		/* Far more than a program needs: a threaded machine's full
		 * buffer would end the translator's quantum early, a schedule
		 * the interpreter does not share (no program of .ci/test's
		 * streams fills it). */
		const struct jit_options jo = {.code_size = 2u << 20};
		if (!jit_attach(m, &jo)) {
			machine_free(m);
			return NULL;
		}
	}
	return m;
}

static bool run(const struct rvgen_program *p, bool jit, struct outcome *o)
{
	struct machine *m = setup(p, jit);
	if (!m)
		return false;
	const unsigned rounds = p->quantum ? RUN_BLOCKS / p->quantum + 1 : RUN_QUANTA;
	unsigned q;
	bool stalled = false;
	uint64_t last[RVGEN_MAX_HARTS][65] = {{0}};
	for (q = 0; q < rounds && !atomic_load(&m->stop) && !stalled; q++) {
		bool ran = false;
		for (unsigned i = 0; i < m->nharts && !atomic_load(&m->stop); i++) {
			struct hart *h = m->harts[i];
			if (h->wfi)
				continue;
			ran = true;
			if (m->run_hart)
				m->run_hart(h);
			else
				interp_run_hart(h);
			if (atomic_load(&m->flush_requested))
				tb_flush(m);
		}
		if (!ran)
			break;
		/* A round after which no hart's registers changed is a hang
		 * (harts that all wait for a turn that never comes): end it
		 * now rather than after RUN_QUANTA rounds of polling. */
		bool same = q > 0, waiting = false;
		for (unsigned i = 0; i < m->nharts; i++) {
			const struct hart *h = m->harts[i];
			uint64_t now[65];
			memcpy(now, h->x, sizeof(h->x));
			memcpy(now + 32, h->f, sizeof(h->f));
			now[64] = h->pc;
			same &= !memcmp(now, last[i], sizeof(now));
			waiting |= !h->wfi;
			memcpy(last[i], now, sizeof(now));
		}
		stalled = same && waiting;
	}
	o->hung = q == rounds || stalled;
	o->stop = (enum machine_stop)atomic_load(&m->stop);
	for (unsigned i = 0; i < m->nharts; i++)
		memcpy(&o->h[i], m->harts[i], offsetof(struct hart, tlb));
	struct rvgen_region reg[RVGEN_MAX_REGIONS];
	const unsigned nreg = rvgen_regions(m->nharts, reg);
	size_t at = 0;
	for (unsigned i = 0; i < nreg; i++) {
		memcpy(o->mem + at, m->ram + (reg[i].pa - RVGEN_RAM_BASE), reg[i].size);
		at += reg[i].size;
	}
	jit_detach(m);
	machine_free(m);
	return true;
}

/* The translated run happens in a child process, so a host crash in
 * generated code is a finding (and minimisable) rather than the end. */
bool rvgen_fork_translated = true;

static int run_translated(const struct rvgen_program *p, struct outcome *shared)
{
	if (!rvgen_fork_translated)
		return run(p, true, shared) ? 0 : -1;
	fflush(NULL);
	const pid_t pid = fork();
	if (pid < 0)
		return run(p, true, shared) ? 0 : -1;
	if (pid == 0)
		_exit(run(p, true, shared) ? 0 : 3);
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WEXITSTATUS(status) ? -1 : 0;
}

/* What a RAM address is, for the report. */
static const char *ram_region(uint64_t pa)
{
	if (pa >= RVGEN_SCRATCH_PA && pa < RVGEN_SCRATCH_PA + RVGEN_SCRATCH_SIZE)
		return "scratch";
	if (pa >= RVGEN_TURN_PA && pa < RVGEN_TURN_PA + 0x1000)
		return "turn";
	for (unsigned h = 0; h < RVGEN_MAX_HARTS; h++)
		if (pa >= RVGEN_CODE_PA(h) && pa < RVGEN_CODE_PA(h) + RVGEN_CODE_MAX)
			return "code";
	return "trap records";
}

static unsigned compare(const struct rvgen_program *p, const struct outcome *a,
			const struct outcome *b, FILE *out)
{
	unsigned diffs = 0;
	const unsigned nharts = p->nharts ? p->nharts : 1;
#define CMP(fmt, idx, field)                                                                       \
	do {                                                                                       \
		if (a->field != b->field) {                                                        \
			diffs++;                                                                   \
			if (out)                                                                   \
				fprintf(out,                                                       \
					"  %s" fmt ": translated %#" PRIx64                        \
					", interpreted %#" PRIx64 "\n",                            \
					prefix, idx, (uint64_t)a->field, (uint64_t)b->field);      \
		}                                                                                  \
	} while (0)
	for (unsigned k = 0; k < nharts; k++) {
		char prefix[24] = "";
		if (nharts > 1)
			snprintf(prefix, sizeof(prefix), "hart %u ", k);
		for (unsigned i = 0; i < 32; i++)
			CMP("x%u", i, h[k].x[i]);
		for (unsigned i = 0; i < 32; i++)
			CMP("f%u", i, h[k].f[i]);
		CMP("%s", "pc", h[k].pc);
		/* Several harts on the engines' own quanta: polls while
		 * waiting for a turn retire too. */
		if (nharts == 1 || p->quantum)
			CMP("%s", "instret", h[k].instret);
		CMP("%s", "priv", h[k].priv);
		CMP("%s", "fflags", h[k].fflags);
		CMP("%s", "frm", h[k].frm);
		CMP("%s", "mstatus", h[k].mstatus);
		CMP("%s", "mscratch", h[k].mscratch);
		CMP("%s", "mepc", h[k].mepc);
		CMP("%s", "mcause", h[k].mcause);
		CMP("%s", "mtval", h[k].mtval);
		CMP("%s", "reserved", h[k].reserved);
		CMP("%s", "wfi", h[k].wfi);
	}
	const char *prefix = "";
	CMP("%s", "stop", stop);
	/* Every generated program ends: a hang in both is a finding too. */
	if (a->hung || b->hung) {
		diffs++;
		if (out)
			fprintf(out, "  hung: translated %d, interpreted %d\n", a->hung, b->hung);
	}
#undef CMP
	unsigned shown = 0;
	struct rvgen_region reg[RVGEN_MAX_REGIONS];
	const unsigned nreg = rvgen_regions(nharts, reg);
	size_t at = 0;
	for (unsigned r = 0; r < nreg; at += reg[r++].size) {
		if (!memcmp(a->mem + at, b->mem + at, reg[r].size))
			continue;
		for (size_t i = 0; i < reg[r].size; i += 8) {
			if (!memcmp(a->mem + at + i, b->mem + at + i, 8))
				continue;
			uint64_t u, v;
			memcpy(&u, a->mem + at + i, 8);
			memcpy(&v, b->mem + at + i, 8);
			diffs++;
			const uint64_t pa = reg[r].pa + i;
			if (out && shown++ < 32)
				fprintf(out,
					"  %s %#" PRIx64 ": translated %#" PRIx64
					", interpreted %#" PRIx64 "\n",
					ram_region(pa), pa, u, v);
		}
	}
	return diffs;
}

bool rvgen_check(const struct rvgen_program *p, FILE *out)
{
	/* Both outcomes outlive a call (the child writes the first). */
	static struct outcome *shared, *local;
	if (!shared) {
		shared = mmap(NULL, 2 * sizeof(*shared), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED) {
			shared = NULL;
			return true;
		}
		local = shared + 1;
	}
	const int sig = run_translated(p, shared);
	if (sig > 0) {
		if (out)
			fprintf(out, "  the translated run crashed the host (signal %d, %s)\n", sig,
				strsignal(sig));
		return false;
	}
	if (sig < 0 || !run(p, false, local)) {
		if (out)
			fprintf(out, "rvgen: cannot create a machine\n");
		return true;
	}
	if (getenv("RVGEN_VERBOSE"))
		fprintf(stderr,
			"rvgen: %u items, %u harts%s%s, quantum %u, instret %" PRIu64 ", %" PRIu64
			" traps, stop %d%s\n",
			p->n, p->nharts, p->threaded ? " threaded" : "", p->race ? " racing" : "",
			p->quantum, local->h[0].instret,
			(uint64_t)((local->h[0].x[30] - RVGEN_RECORD_PA(0)) / 24), (int)local->stop,
			local->hung ? " (hung)" : "");
	return compare(p, shared, local, out) == 0;
}

/* p without items [start, start + len), except the pinned hand-overs
 * (FIX_SYNC); calls of a removed function go too, and loops whose first
 * body item went start at the next one. False when nothing would change. */
static bool remove_items(struct rvgen_program *p, unsigned start, unsigned len)
{
	bool gone[RVGEN_MAX_ITEMS] = {false};
	bool any = false;
	for (unsigned i = start; i < start + len && i < p->n; i++)
		if (p->item[i].fix != FIX_SYNC)
			gone[i] = any = true;
	if (!any)
		return false;
	for (unsigned i = 0; i < p->n; i++)
		if (p->item[i].fix == FIX_CALL && gone[i + (unsigned)(int)p->item[i].to])
			gone[i] = true;
	unsigned renum[RVGEN_MAX_ITEMS + 1], n = 0;
	for (unsigned i = 0; i < p->n; i++) {
		renum[i] = n;
		n += !gone[i];
	}
	renum[p->n] = n;
	struct rvgen_program q = *p;
	q.n = 0;
	for (unsigned i = 0; i < p->n; i++) {
		if (gone[i])
			continue;
		struct rvgen_item it = p->item[i];
		if (it.fix == FIX_BACK || it.fix == FIX_CALL) {
			const unsigned t = (unsigned)((int)i + it.to);
			/* A removed loop start: renum[t] is the next item kept. */
			it.to = (int16_t)((int)renum[t] - (int)renum[i]);
		}
		q.item[q.n++] = it;
	}
	*p = q;
	return true;
}

static bool check_diverges(const struct rvgen_program *p, void *unused)
{
	(void)unused;
	return !rvgen_check(p, NULL);
}

void rvgen_minimise(struct rvgen_program *p)
{
	rvgen_minimise_by(p, check_diverges, NULL);
}

void rvgen_minimise_by(struct rvgen_program *p,
		       bool (*diverges)(const struct rvgen_program *, void *), void *ctx)
{
	/* ddmin-style: drop chunks of items, halving the chunk size down to
	 * single items. Forward branches keep counting items, so they stay
	 * forward; loops and calls are renumbered (remove_items). */
	static struct rvgen_program work, trial;
	work = *p;
	for (unsigned chunk = work.n / 2 ? work.n / 2 : 1; chunk >= 1; chunk /= 2) {
		for (unsigned start = 0; start < work.n;) {
			trial = work;
			if (remove_items(&trial, start, chunk) && trial.n && diverges(&trial, ctx))
				work = trial;
			else
				start += chunk;
		}
		if (chunk == 1)
			break;
	}
	*p = work;
}
