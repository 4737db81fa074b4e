/*
 * The instruction table and the decoder.
 *
 * insn_table is generated from core/insn.def, so adding a row there adds the
 * instruction to the decoder, the disassembler, (through exec_<name>) the
 * interpreter and (through its emitter column) the translator in one step; a
 * row without an exec function is a link error.
 *
 * insn_decode() turns instruction bits into a struct op once, when a block
 * is built, and extracts every operand the row's format names (unprivileged
 * spec 20191213, section 2.3 "Immediate Encoding Variants" for the
 * immediates). Exec functions then never look at instruction bits.
 */
#include "core/insn.h"

const struct insn_info insn_table[INSN_COUNT + 1] = {
#define INSN(name, mnem, mask, match, fmt, flags, emitter, ext)                                    \
	[INSN_##name] = {mnem, mask, match, fmt, flags, ext, exec_##name},
/* EXT(a[, b]): on when a or b is; EXT_WITH(z, a[, b]): and z is on too.
 * Each gives the row's ext and ext_with members. */
#define EXT_1(a)			      {ISA_##a}, ISA_NONE
#define EXT_2(a, b)			      {ISA_##a, ISA_##b}, ISA_NONE
#define EXT_PICK(_1, _2, which, ...)	      which
#define EXT(...)			      EXT_PICK(__VA_ARGS__, EXT_2, EXT_1, )(__VA_ARGS__)
#define EXT_WITH_2(z, a)		      {ISA_##a}, ISA_##z
#define EXT_WITH_3(z, a, b)		      {ISA_##a, ISA_##b}, ISA_##z
#define EXT_WITH_PICK(_1, _2, _3, which, ...) which
#define EXT_WITH(...)			      EXT_WITH_PICK(__VA_ARGS__, EXT_WITH_3, EXT_WITH_2, )(__VA_ARGS__)
#include "core/insn.def"
#undef EXT
#undef EXT_WITH
#undef INSN
    /* Not matched by the scan (which stops at INSN_COUNT): the op every
     * unknown or reserved encoding decodes to. */
    [INSN_ILLEGAL] =
	{"illegal", 0, 0, FMT_NONE, INSN_ENDS_BLOCK, {ISA_NONE}, ISA_NONE, exec_illegal},
};

/* bits hi..lo of w, shifted down to bit 0 */
static uint32_t bits(uint32_t w, int hi, int lo)
{
	return (w >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* Sign-extend the low `width` bits of v. */
static int32_t sext(uint32_t v, int width)
{
	uint32_t m = 1u << (width - 1);

	v &= (m << 1) - 1;
	return (int32_t)((v ^ m) - m);
}

/* The five immediate layouts of figure 2.4. */
static int32_t imm_i(uint32_t w)
{
	return sext(bits(w, 31, 20), 12);
}

static int32_t imm_s(uint32_t w)
{
	return sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12);
}

static int32_t imm_b(uint32_t w)
{
	return sext(bits(w, 31, 31) << 12 | bits(w, 7, 7) << 11 | bits(w, 30, 25) << 5 |
			bits(w, 11, 8) << 1,
		    13);
}

static int32_t imm_u(uint32_t w)
{
	return (int32_t)(w & 0xfffff000);
}

static int32_t imm_j(uint32_t w)
{
	return sext(bits(w, 31, 31) << 20 | bits(w, 19, 12) << 12 | bits(w, 20, 20) << 11 |
			bits(w, 30, 21) << 1,
		    21);
}

static bool row_enabled(const struct insn_info *row, const struct isa *isa)
{
	if (!isa)
		return true;
	if (row->ext_with != ISA_NONE && !isa_has(isa, (enum isa_ext)row->ext_with))
		return false;
	return isa_has(isa, (enum isa_ext)row->ext[0]) || isa_has(isa, (enum isa_ext)row->ext[1]);
}

/* The first row whose mask/match accepts w and whose extension is on, or
 * INSN_ILLEGAL. Rows that overlap mean the same (insn.def), so the order
 * of insn.def does not matter. A linear scan is enough: decoding happens
 * once per block build, not per execution. */
static enum insn_id insn_lookup(uint32_t w, const struct isa *isa)
{
	for (int i = 0; i < INSN_COUNT; i++)
		if ((w & insn_table[i].mask) == insn_table[i].match &&
		    row_enabled(&insn_table[i], isa))
			return (enum insn_id)i;
	return INSN_ILLEGAL;
}

/* An integer destination of x0 goes to the sink slot, so exec functions can
 * write rd unconditionally (see XREG_SINK in core/op.h). */
static uint8_t int_rd(uint32_t w)
{
	uint8_t rd = bits(w, 11, 7);

	return rd ? rd : XREG_SINK;
}

void insn_decode(uint32_t raw, int len, struct op *op, const struct isa *isa)
{
	uint32_t w = raw;
	enum insn_id id = INSN_ILLEGAL;

	op->imm = 0;
	op->raw = raw;
	op->rd = op->rs1 = op->rs2 = op->rs3 = 0;

	if (len == 2)
		w = rvc_expand((uint16_t)raw, isa);
	if (w != 0)
		id = insn_lookup(w, isa);
	op->id = (uint16_t)id;
	op->fn = insn_table[id].exec;
	if (id == INSN_ILLEGAL)
		return;

	switch (insn_table[id].format) {
	case FMT_R:
	case FMT_AMO:  /* aq/rl stay in raw: AMOs are ordered without them (insn.def) */
	case FMT_FCMP: /* feq/flt/fle: funct3 picks the comparison, no rm */
		op->rd = int_rd(w);
		op->rs1 = bits(w, 19, 15);
		op->rs2 = bits(w, 24, 20);
		break;
	case FMT_I:
	case FMT_LOAD:
	case FMT_JALR:
		op->rd = int_rd(w);
		op->rs1 = bits(w, 19, 15);
		op->imm = imm_i(w);
		break;
	case FMT_SH:
		op->rd = int_rd(w);
		op->rs1 = bits(w, 19, 15);
		op->imm = bits(w, 25, 20);
		break;
	case FMT_SHW:
		op->rd = int_rd(w);
		op->rs1 = bits(w, 19, 15);
		op->imm = bits(w, 24, 20);
		break;
	case FMT_STORE:
	case FMT_FSTORE:
		op->rs1 = bits(w, 19, 15);
		op->rs2 = bits(w, 24, 20);
		op->imm = imm_s(w);
		break;
	case FMT_B:
		op->rs1 = bits(w, 19, 15);
		op->rs2 = bits(w, 24, 20);
		op->imm = imm_b(w);
		break;
	case FMT_U:
		op->rd = int_rd(w);
		op->imm = imm_u(w);
		break;
	case FMT_J:
		op->rd = int_rd(w);
		op->imm = imm_j(w);
		break;
	case FMT_CSR:
	case FMT_CSRI:
		/* rs1 is a register for CSR, the 5-bit uimm for CSRI */
		op->rd = int_rd(w);
		op->rs1 = bits(w, 19, 15);
		op->imm = bits(w, 31, 20);
		break;
	case FMT_LR:
	case FMT_R1:
		op->rd = int_rd(w);
		op->rs1 = bits(w, 19, 15);
		break;
	case FMT_NONE:
		break;
	case FMT_FENCE:
		/* fm, pred, succ; the rd and rs1 fields are reserved for future
		 * use and ignored (spec section 2.7) */
		op->imm = bits(w, 31, 20);
		break;
	case FMT_SFENCE:
		op->rs1 = bits(w, 19, 15);
		op->rs2 = bits(w, 24, 20);
		break;
	case FMT_FLOAD:
		op->rd = bits(w, 11, 7);
		op->rs1 = bits(w, 19, 15);
		op->imm = imm_i(w);
		break;
	case FMT_F4:
		op->rs3 = bits(w, 31, 27);
		/* fall through */
	case FMT_F3:
		op->rs2 = bits(w, 24, 20);
		/* fall through */
	case FMT_F2:
	case FMT_XF:
		op->rd = bits(w, 11, 7);
		op->rs1 = bits(w, 19, 15);
		op->imm = bits(w, 14, 12); /* rm */
		break;
	case FMT_F3NR:
		op->rd = bits(w, 11, 7);
		op->rs1 = bits(w, 19, 15);
		op->rs2 = bits(w, 24, 20);
		break;
	case FMT_FLI:
		op->rd = bits(w, 11, 7);
		op->rs1 = bits(w, 19, 15); /* the constant's index */
		break;
	case FMT_FX:
		op->rd = int_rd(w);
		op->rs1 = bits(w, 19, 15);
		op->imm = bits(w, 14, 12); /* rm */
		break;
	}
}
