/*
 * Reading the final states the oracle harness prints (oracle_print.c) and
 * comparing rvjit's with QEMU's.
 *
 * Where QEMU 7.2 and the specification disagree the specification wins,
 * and the comparison masks QEMU's side; each such deviation is listed
 * here with its clause, and masks only the difference it explains.
 */
#include "oracle.h"
#include "oracle_layout.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

bool oracle_parse(const char *text, struct oracle_state *s)
{
	memset(s, 0, sizeof(*s));
	const char *p = strstr(text, "oracle-begin\n");
	if (!p)
		return false;
	p += strlen("oracle-begin\n");
	while (*p) {
		if (!strncmp(p, "oracle-end\n", 11)) {
			s->complete = true;
			return true;
		}
		char *end;
		if (p[0] == 's' && p[1] == ' ') {
			const uint64_t h = strtoull(p + 2, &end, 16);
			const uint64_t i = strtoull(end, &end, 16);
			const uint64_t v = strtoull(end, &end, 16);
			if (h >= RVGEN_MAX_HARTS || i >= ORACLE_SAVE_WORDS)
				return false;
			s->save[h][i] = v;
		} else if (p[0] == 'm' && p[1] == ' ') {
			const uint64_t pa = strtoull(p + 2, &end, 16);
			const uint64_t v = strtoull(end, &end, 16);
			if (s->nwords == ORACLE_MAX_WORDS)
				return false;
			s->word_pa[s->nwords] = pa;
			s->word[s->nwords++] = v;
		} else {
			return false;
		}
		p = strchr(p, '\n');
		if (!p)
			return false;
		p++;
	}
	return false;
}

#define SV_FCSR	   (ORACLE_SV_FCSR / 8)
#define SV_MSTATUS (ORACLE_SV_MSTATUS / 8)
#define SV_MEPC	   (ORACLE_SV_MEPC / 8)
#define SV_MCAUSE  (ORACLE_SV_MCAUSE / 8)
#define SV_MTVAL   (ORACLE_SV_MTVAL / 8)
#define SV_MIP	   (ORACLE_SV_MIP / 8)

static const char *const save_names[ORACLE_SAVE_WORDS] = {
    [SV_FCSR] = "fcsr",
    [SV_MSTATUS] = "mstatus",
    [ORACLE_SV_MSCRATCH / 8] = "mscratch",
    [ORACLE_SV_MEPC / 8] = "mepc",
    [ORACLE_SV_MCAUSE / 8] = "mcause",
    [ORACLE_SV_MTVAL / 8] = "mtval",
    [ORACLE_SV_MIE / 8] = "mie",
    [ORACLE_SV_MIP / 8] = "mip",
    [ORACLE_SV_DONE / 8] = "done",
};

static void save_name(unsigned i, char *buf, size_t len)
{
	if (i < 32)
		snprintf(buf, len, "x%u", i);
	else if (i < 64)
		snprintf(buf, len, "f%u", i - 32);
	else
		snprintf(buf, len, "%s", save_names[i] ? save_names[i] : "?");
}

/* --- Known QEMU 7.2 deviations ------------------------------------------ */

#define MSTATUS_FS (3ULL << 13)
#define MSTATUS_SD (1ULL << 63)

/* Privileged spec 3.1.6.6: an instruction that changes the floating-point
 * state, fcsr's flags included, sets FS to Dirty. QEMU 7.2 leaves FS
 * Initial when an instruction only raised flags (it marks Dirty only on
 * writes to f registers). */
static bool fs_left_initial(uint64_t qemu, uint64_t rvjit)
{
	return (qemu & MSTATUS_FS) == 1ULL << 13 && (rvjit & MSTATUS_FS) == MSTATUS_FS &&
	       ((qemu ^ rvjit) & ~(MSTATUS_FS | MSTATUS_SD)) == 0;
}

/* Privileged spec 3.1.16: when a misaligned load or store takes an access
 * fault, a nonzero mtval is "the virtual address of the portion of the
 * access that caused the fault". QEMU 7.2 splits such an access into
 * aligned ones and reports the first one's address: the access's address
 * rounded down to its size, which is not in the access at all. */
static bool misaligned_fault_rounded(uint64_t cause, uint64_t qemu, uint64_t rvjit)
{
	if (cause != 5 && cause != 7)
		return false;
	for (uint64_t size = 2; size <= 8; size *= 2)
		if ((rvjit & (size - 1)) && qemu == (rvjit & ~(size - 1)))
			return true;
	return false;
}

/* Privileged spec 3.7.1 (and the unprivileged A chapter): an AMO is a
 * store for exceptions, so a misaligned one raises a store/AMO address
 * misaligned exception (6). QEMU 7.2 raises a load address misaligned
 * exception (4) for some. (LR is a load: 4 is right for it.) */
static bool amo_misaligned_cause(uint64_t qemu, uint64_t rvjit, uint32_t insn)
{
	return qemu == 4 && rvjit == 6 && (insn & 0x7f) == 0x2f && (insn >> 27) != 0x02;
}

/* Sstc: while menvcfg.STCE is set, mip.STIP is stimecmp <= time. QEMU 7.2
 * only evaluates that when stimecmp is written, so a program that sets
 * STCE without writing stimecmp (which starts at 0) sees STIP clear. */
#define MIP_STIP (1ULL << 5)

/* Not deviations but choices the specification leaves open, where QEMU
 * and rvjit chose differently; both are allowed, so either is accepted.
 * Privileged spec 3.1.16: on a breakpoint, mtval is the faulting address
 * (rvjit: the ebreak's own) or zero (QEMU 7.2). */
static bool ebreak_tval(uint64_t cause, uint64_t qemu, uint64_t rvjit, uint64_t epc)
{
	return cause == 3 && qemu == 0 && rvjit == epc;
}

static uint32_t initial_insn(const uint8_t *ram, uint64_t pa)
{
	uint32_t v = 0;
	if (pa >= RVGEN_RAM_BASE && pa - RVGEN_RAM_BASE <= ORACLE_RAM_SIZE - 4)
		memcpy(&v, ram + (pa - RVGEN_RAM_BASE), 4);
	return v;
}

/* User mode (oracle_user.c records signal << 32 | si_code, pc, si_addr):
 * Linux's SIGSEGV for an access the page tables cannot hold carries the
 * address in si_addr (riscv's do_page_fault and vmalloc_fault pass stval
 * on). qemu-riscv64 7.2 reports 0 for an address beyond the guest address
 * space it keeps (at least 2^38, Sv39's user half). */
static bool segv_addr_dropped(uint64_t cause, uint64_t qemu, uint64_t rvjit)
{
	return cause >> 32 == 11 && qemu == 0 && rvjit >= 1ULL << 38;
}

/* A trap value both are allowed to give, for a trap of this cause at epc. */
static bool tval_allowed(uint64_t cause, uint64_t epc, uint64_t qemu, uint64_t rvjit)
{
	return misaligned_fault_rounded(cause, qemu, rvjit) ||
	       ebreak_tval(cause, qemu, rvjit, epc) || segv_addr_dropped(cause, qemu, rvjit);
}

/* --- The comparison ----------------------------------------------------- */

/* A difference in word i of a hart's saved state that both machines are
 * allowed. The trap CSRs hold the last trap, whose mepc the handler
 * moved past the trapping instruction (2 or 4 bytes). */
static bool save_allowed(const uint8_t *ram, const uint64_t *q, const uint64_t *r, unsigned i)
{
	const uint64_t mepc = q[SV_MEPC], cause = q[SV_MCAUSE];
	if (i == SV_MIP)
		return ((q[i] ^ r[i]) & ~MIP_STIP) == 0;
	if (mepc != r[SV_MEPC])
		return false;
	if (i == SV_MCAUSE)
		return q[SV_MTVAL] == r[SV_MTVAL] &&
		       amo_misaligned_cause(q[i], r[i], initial_insn(ram, mepc - 4));
	if (i != SV_MTVAL || cause != r[SV_MCAUSE])
		return false;
	for (uint64_t len = 2; len <= 4; len += 2)
		if (tval_allowed(cause, mepc - len, q[i], r[i]))
			return true;
	return false;
}

static uint64_t initial_word(const uint8_t *ram, uint64_t pa)
{
	uint64_t v = 0;
	if (pa >= RVGEN_RAM_BASE && pa - RVGEN_RAM_BASE <= ORACLE_RAM_SIZE - 8)
		memcpy(&v, ram + (pa - RVGEN_RAM_BASE), 8);
	return v;
}

static bool find_word(const struct oracle_state *s, uint64_t pa, uint64_t *v)
{
	for (unsigned i = 0; i < s->nwords; i++)
		if (s->word_pa[i] == pa) {
			*v = s->word[i];
			return true;
		}
	return false;
}

static uint64_t final_word(const uint8_t *ram, const struct oracle_state *s, uint64_t pa)
{
	uint64_t v = initial_word(ram, pa);
	find_word(s, pa, &v);
	return v;
}

/* Which word of a trap record (cause, epc, tval) pa is, if it is one:
 * 0, 1 or 2, with the record's start; -1 for other memory. */
static int record_field(uint64_t pa, uint64_t *record)
{
	for (unsigned h = 0; h < RVGEN_MAX_HARTS; h++) {
		const uint64_t base = RVGEN_RECORD_PA(h);
		if (pa < base || pa >= base + RVGEN_RECORDS_SIZE)
			continue;
		*record = pa - (pa - base) % 24;
		return (int)((pa - base) % 24 / 8);
	}
	return -1;
}

/* A difference in a trap record that both machines are allowed: the other
 * fields must agree. */
static bool record_allowed(const uint8_t *ram, const struct oracle_state *qemu,
			   const struct oracle_state *rvjit, uint64_t pa, uint64_t q, uint64_t r)
{
	uint64_t rec = 0;
	const int field = record_field(pa, &rec);
	if (field < 0)
		return false;
	const uint64_t cause = final_word(ram, qemu, rec), epc = final_word(ram, qemu, rec + 8);
	if (epc != final_word(ram, rvjit, rec + 8))
		return false;
	if (field == 0)
		return final_word(ram, qemu, rec + 16) == final_word(ram, rvjit, rec + 16) &&
		       amo_misaligned_cause(q, r, initial_insn(ram, epc));
	return field == 2 && cause == final_word(ram, rvjit, rec) && tval_allowed(cause, epc, q, r);
}

static unsigned compare_word(const uint8_t *ram, const struct oracle_state *qemu,
			     const struct oracle_state *rvjit, uint64_t pa, const char *engine,
			     FILE *out)
{
	const uint64_t q = final_word(ram, qemu, pa), r = final_word(ram, rvjit, pa);
	if (q == r)
		return 0;
	if (record_allowed(ram, qemu, rvjit, pa, q, r))
		return 0;
	if (out)
		fprintf(out, "  memory %#" PRIx64 ": QEMU %#" PRIx64 ", %s %#" PRIx64 "\n", pa, q,
			engine, r);
	return 1;
}

unsigned oracle_compare(const struct rvgen_program *p, const uint8_t *ram,
			const struct oracle_state *qemu, const struct oracle_state *rvjit,
			const char *engine, FILE *out)
{
	if (!qemu->complete || !rvjit->complete) {
		if (out)
			fprintf(out, "  no final state from %s\n",
				!qemu->complete ? "QEMU" : engine);
		return 1;
	}
	unsigned diffs = 0;
	const unsigned nharts = p->nharts ? p->nharts : 1;
	for (unsigned h = 0; h < nharts; h++)
		for (unsigned i = 0; i < ORACLE_SAVE_WORDS; i++) {
			const uint64_t q = qemu->save[h][i], r = rvjit->save[h][i];
			if (q == r || (i == SV_MSTATUS && fs_left_initial(q, r)))
				continue;
			if (save_allowed(ram, qemu->save[h], rvjit->save[h], i))
				continue;
			diffs++;
			if (out) {
				char name[16];
				save_name(i, name, sizeof(name));
				fprintf(out, "  hart %u %s: QEMU %#" PRIx64 ", %s %#" PRIx64 "\n",
					h, name, q, engine, r);
			}
		}
	/* Every word either machine changed, each once. */
	for (unsigned i = 0; i < qemu->nwords; i++)
		diffs += compare_word(ram, qemu, rvjit, qemu->word_pa[i], engine, out);
	for (unsigned i = 0; i < rvjit->nwords; i++) {
		uint64_t unused;
		if (!find_word(qemu, rvjit->word_pa[i], &unused))
			diffs += compare_word(ram, qemu, rvjit, rvjit->word_pa[i], engine, out);
	}
	return diffs;
}
