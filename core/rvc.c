/*
 * RVC: expansion of 16-bit compressed instructions into the 32-bit
 * instructions they stand for (unprivileged spec 20191213, chapter 16
 * "C" Standard Extension, tables 16.5-16.7, RV64C column).
 *
 * Every compressed instruction is by definition an abbreviation of one
 * base instruction, so rather than give RVC its own decoder and its own
 * exec functions we rebuild the 32-bit word and let the ordinary decoder
 * (core/decode.c) find its row in insn.def. The op still records the
 * original 16 bits and len 2, which is all the rest of the machine needs.
 *
 * The function below reads like the spec's opcode map: quadrant (bits 1:0),
 * then funct3 (bits 15:13), each case quoting its encoding row. Bit ranges in
 * the rows are the instruction's bits 15..0; "rd'" etc. are the 3-bit
 * register fields that name x8..x15 (or f8..f15).
 *
 * HINT encodings (e.g. C.NOP with a nonzero immediate, C.LI with rd=x0) are
 * legal and expand to the 32-bit instruction writing x0, which is exactly
 * what the spec says they do. Reserved encodings return 0, which is itself
 * not a valid instruction, so the caller raises illegal-instruction.
 *
 * Zcb (unprivileged spec, "Zcb" in the Zc chapter) fills reserved space of
 * quadrants 0 and 1, and Zcmop the reserved C.LUI xN,0 forms; both only
 * when the hart has them. Each Zcb form expands to the instruction the
 * spec names as its equivalent, so c.sext.b, c.zext.h and c.sext.h need
 * Zbb's row, c.zext.w Zba's add.uw and c.mul M's mul to be on as well: the
 * decoder finds no row otherwise, and the word is illegal. C.MOP.n has no
 * 32-bit equivalent (it writes no register): its 16 bits are passed on,
 * for insn.def's c.mop row.
 */
#include "core/insn.h"

/* Major opcodes (spec table 24.1) of the instructions RVC expands into. */
enum {
	OPC_LOAD = 0x03,
	OPC_LOAD_FP = 0x07,
	OPC_OP_IMM = 0x13,
	OPC_OP_IMM_32 = 0x1b,
	OPC_STORE = 0x23,
	OPC_STORE_FP = 0x27,
	OPC_OP = 0x33,
	OPC_LUI = 0x37,
	OPC_OP_32 = 0x3b,
	OPC_BRANCH = 0x63,
	OPC_JALR = 0x67,
	OPC_JAL = 0x6f,
	OPC_SYSTEM = 0x73,
};

#define REG_RA 1
#define REG_SP 2

/* bits hi..lo of c, shifted down to bit 0 */
static uint32_t bits(uint32_t c, int hi, int lo)
{
	return (c >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* Sign-extend the low `width` bits of v. */
static int32_t sext(uint32_t v, int width)
{
	uint32_t m = 1u << (width - 1);

	v &= (m << 1) - 1;
	return (int32_t)((v ^ m) - m);
}

/* The register fields. Full 5-bit ones sit at 11:7 (rd/rs1) and 6:2 (rs2);
 * the 3-bit primed ones at 9:7 and 4:2 name x8..x15. */
static uint32_t rd_full(uint16_t c)
{
	return bits(c, 11, 7);
}
static uint32_t rs2_full(uint16_t c)
{
	return bits(c, 6, 2);
}
static uint32_t rs1_prime(uint16_t c)
{
	return 8 + bits(c, 9, 7);
}
static uint32_t rs2_prime(uint16_t c)
{
	return 8 + bits(c, 4, 2);
}

/* The 6-bit immediate of CI-format ALU instructions: imm[5] at bit 12,
 * imm[4:0] at 6:2. */
static int32_t ci_imm(uint16_t c)
{
	return sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6);
}

/* Builders for the base formats (spec figure 2.3 and 2.4). Immediates are
 * passed as the value the instruction means; the builders scatter the bits. */

static uint32_t enc_r(uint32_t opc, uint32_t f3, uint32_t f7, uint32_t rd, uint32_t rs1,
		      uint32_t rs2)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static uint32_t enc_i(uint32_t opc, uint32_t f3, uint32_t rd, uint32_t rs1, int32_t imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static uint32_t enc_s(uint32_t opc, uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
	uint32_t u = (uint32_t)imm;

	return bits(u, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | bits(u, 4, 0) << 7 | opc;
}

static uint32_t enc_b(uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t off)
{
	uint32_t u = (uint32_t)off;

	return bits(u, 12, 12) << 31 | bits(u, 10, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       bits(u, 4, 1) << 8 | bits(u, 11, 11) << 7 | OPC_BRANCH;
}

static uint32_t enc_u(uint32_t opc, uint32_t rd, int32_t imm)
{
	return ((uint32_t)imm & 0xfffff000) | rd << 7 | opc;
}

static uint32_t enc_j(uint32_t rd, int32_t off)
{
	uint32_t u = (uint32_t)off;

	return bits(u, 20, 20) << 31 | bits(u, 10, 1) << 21 | bits(u, 11, 11) << 20 |
	       bits(u, 19, 12) << 12 | rd << 7 | OPC_JAL;
}

/* Scaled unsigned offsets of the loads and stores. */

/* CL/CS word: uimm[5:3] at 12:10, uimm[2|6] at 6:5 */
static int32_t cl_w_off(uint16_t c)
{
	return bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6;
}

/* CL/CS doubleword: uimm[5:3] at 12:10, uimm[7:6] at 6:5 */
static int32_t cl_d_off(uint16_t c)
{
	return bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
}

/* CI word from sp: uimm[5] at 12, uimm[4:2|7:6] at 6:2 */
static int32_t ci_lwsp_off(uint16_t c)
{
	return bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6;
}

/* CI doubleword from sp: uimm[5] at 12, uimm[4:3|8:6] at 6:2 */
static int32_t ci_ldsp_off(uint16_t c)
{
	return bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6;
}

/* CSS word to sp: uimm[5:2|7:6] at 12:7 */
static int32_t css_w_off(uint16_t c)
{
	return bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6;
}

/* CSS doubleword to sp: uimm[5:3|8:6] at 12:7 */
static int32_t css_d_off(uint16_t c)
{
	return bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6;
}

static bool has(const struct isa *isa, enum isa_ext e)
{
	return !isa || isa_has(isa, e);
}

/* Quadrant 0, funct3 100: Zcb's byte and halfword loads and stores.
 * uimm[0|1] at 6:5 means bit 6 is uimm[0] and bit 5 uimm[1]. */
static uint32_t expand_q0_zcb(uint16_t c)
{
	const uint32_t rd = rs2_prime(c), rs1 = rs1_prime(c), rs2 = rs2_prime(c);
	const int32_t byte_off = (int32_t)(bits(c, 6, 6) | bits(c, 5, 5) << 1);
	const int32_t half_off = (int32_t)(bits(c, 5, 5) << 1);

	switch (bits(c, 12, 10)) {
	case 0: /* 100 000 rs1' uimm[0|1] rd' 00  C.LBU */
		return enc_i(OPC_LOAD, 4, rd, rs1, byte_off);
	case 1: /* 100 001 rs1' 0 uimm[1] rd' 00  C.LHU; with bit 6 set, C.LH */
		return enc_i(OPC_LOAD, bits(c, 6, 6) ? 1 : 5, rd, rs1, half_off);
	case 2: /* 100 010 rs1' uimm[0|1] rs2' 00  C.SB */
		return enc_s(OPC_STORE, 0, rs1, rs2, byte_off);
	case 3: /* 100 011 rs1' 0 uimm[1] rs2' 00  C.SH (bit 6 set: reserved) */
		return bits(c, 6, 6) ? 0 : enc_s(OPC_STORE, 1, rs1, rs2, half_off);
	default: /* 100 1xx: reserved */
		return 0;
	}
}

/* Quadrant 0: stack-pointer-based address generation and register-based
 * loads and stores on x8..x15. */
static uint32_t expand_q0(uint16_t c, const struct isa *isa)
{
	uint32_t rd = rs2_prime(c); /* rd' of CIW/CL sits where CS puts rs2' */
	uint32_t rs1 = rs1_prime(c);
	uint32_t rs2 = rs2_prime(c);
	uint32_t imm;

	switch (bits(c, 15, 13)) {
	case 0:
		/* 000 nzuimm[5:4|9:6|2|3] rd' 00  C.ADDI4SPN (RES, nzuimm=0)
		 * This row also covers the all-zero halfword, defined illegal. */
		imm = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bits(c, 6, 6) << 2 |
		      bits(c, 5, 5) << 3;
		if (imm == 0)
			return 0;
		return enc_i(OPC_OP_IMM, 0, rd, REG_SP, imm);
	case 1:
		/* 001 uimm[5:3] rs1' uimm[7:6] rd' 00  C.FLD */
		return enc_i(OPC_LOAD_FP, 3, rd, rs1, cl_d_off(c));
	case 2:
		/* 010 uimm[5:3] rs1' uimm[2|6] rd' 00  C.LW */
		return enc_i(OPC_LOAD, 2, rd, rs1, cl_w_off(c));
	case 3:
		/* 011 uimm[5:3] rs1' uimm[7:6] rd' 00  C.LD (RV64/128) */
		return enc_i(OPC_LOAD, 3, rd, rs1, cl_d_off(c));
	case 4:
		/* 100 —  Reserved without Zcb */
		return has(isa, ISA_ZCB) ? expand_q0_zcb(c) : 0;
	case 5:
		/* 101 uimm[5:3] rs1' uimm[7:6] rs2' 00  C.FSD */
		return enc_s(OPC_STORE_FP, 3, rs1, rs2, cl_d_off(c));
	case 6:
		/* 110 uimm[5:3] rs1' uimm[2|6] rs2' 00  C.SW */
		return enc_s(OPC_STORE, 2, rs1, rs2, cl_w_off(c));
	default:
		/* 111 uimm[5:3] rs1' uimm[7:6] rs2' 00  C.SD (RV64/128) */
		return enc_s(OPC_STORE, 3, rs1, rs2, cl_d_off(c));
	}
}

/* Quadrant 1, 100 1 11 rd' 1x ... 01: Zcb's c.mul and unary operations,
 * each as the 32-bit instruction the spec gives as its equivalent. */
static uint32_t expand_q1_zcb(uint16_t c, uint32_t rd)
{
	if (bits(c, 6, 5) == 2) /* 100 1 11 rd' 10 rs2' 01  C.MUL: mul rd, rd, rs2 */
		return enc_r(OPC_OP, 0, 0x01, rd, rd, rs2_prime(c));
	switch (bits(c, 4, 2)) {
	case 0: /* 100 1 11 rd' 11 000 01  C.ZEXT.B: andi rd, rd, 0xff */
		return enc_i(OPC_OP_IMM, 7, rd, rd, 0xff);
	case 1: /* 100 1 11 rd' 11 001 01  C.SEXT.B: sext.b rd, rd (Zbb) */
		return enc_i(OPC_OP_IMM, 1, rd, rd, 0x604);
	case 2: /* 100 1 11 rd' 11 010 01  C.ZEXT.H: zext.h rd, rd (Zbb, RV64) */
		return enc_r(OPC_OP_32, 4, 0x04, rd, rd, 0);
	case 3: /* 100 1 11 rd' 11 011 01  C.SEXT.H: sext.h rd, rd (Zbb) */
		return enc_i(OPC_OP_IMM, 1, rd, rd, 0x605);
	case 4: /* 100 1 11 rd' 11 100 01  C.ZEXT.W: add.uw rd, rd, zero (Zba) */
		return enc_r(OPC_OP_32, 0, 0x04, rd, rd, 0);
	case 5: /* 100 1 11 rd' 11 101 01  C.NOT: xori rd, rd, -1 */
		return enc_i(OPC_OP_IMM, 4, rd, rd, -1);
	default: /* 100 1 11 rd' 11 11x 01  reserved */
		return 0;
	}
}

/* Quadrant 1, funct3 100: the arithmetic group on x8..x15. */
static uint32_t expand_q1_alu(uint16_t c, const struct isa *isa)
{
	uint32_t rd = rs1_prime(c); /* rd'/rs1' */
	uint32_t rs2 = rs2_prime(c);
	uint32_t shamt = bits(c, 12, 12) << 5 | bits(c, 6, 2);

	switch (bits(c, 11, 10)) {
	case 0:
		/* 100 shamt[5] 00 rd' shamt[4:0] 01  C.SRLI
		 * On RV64 shamt[5]=1 is legal; shamt=0 is a HINT. */
		return enc_i(OPC_OP_IMM, 5, rd, rd, shamt);
	case 1:
		/* 100 shamt[5] 01 rd' shamt[4:0] 01  C.SRAI (same rules) */
		return enc_i(OPC_OP_IMM, 5, rd, rd, 0x400 | shamt);
	case 2:
		/* 100 imm[5] 10 rd' imm[4:0] 01  C.ANDI */
		return enc_i(OPC_OP_IMM, 7, rd, rd, ci_imm(c));
	}

	/* 100 bit12 11 rd' funct2 rs2' 01, funct2 at bits 6:5 */
	if (!bits(c, 12, 12)) {
		switch (bits(c, 6, 5)) {
		case 0: /* 100 0 11 rd' 00 rs2' 01  C.SUB */
			return enc_r(OPC_OP, 0, 0x20, rd, rd, rs2);
		case 1: /* 100 0 11 rd' 01 rs2' 01  C.XOR */
			return enc_r(OPC_OP, 4, 0, rd, rd, rs2);
		case 2: /* 100 0 11 rd' 10 rs2' 01  C.OR */
			return enc_r(OPC_OP, 6, 0, rd, rd, rs2);
		default: /* 100 0 11 rd' 11 rs2' 01  C.AND */
			return enc_r(OPC_OP, 7, 0, rd, rd, rs2);
		}
	}
	switch (bits(c, 6, 5)) {
	case 0: /* 100 1 11 rd' 00 rs2' 01  C.SUBW (RV64/128; RV32 RES) */
		return enc_r(OPC_OP_32, 0, 0x20, rd, rd, rs2);
	case 1: /* 100 1 11 rd' 01 rs2' 01  C.ADDW (RV64/128; RV32 RES) */
		return enc_r(OPC_OP_32, 0, 0, rd, rd, rs2);
	default: /* 100 1 11 — 10/11 — 01  Reserved without Zcb */
		return has(isa, ISA_ZCB) ? expand_q1_zcb(c, rd) : 0;
	}
}

/* Quadrant 1: immediates, control transfers, and the ALU group. */
static uint32_t expand_q1(uint16_t c, const struct isa *isa)
{
	uint32_t rd = rd_full(c);
	uint32_t rs1 = rs1_prime(c);
	int32_t imm;

	switch (bits(c, 15, 13)) {
	case 0:
		/* 000 nzimm[5] rs1/rd≠0 nzimm[4:0] 01  C.ADDI (HINT, nzimm=0)
		 * 000 nzimm[5] 0 nzimm[4:0] 01  C.NOP (HINT, nzimm≠0)
		 * Every encoding here is legal: all are addi rd, rd, imm. */
		return enc_i(OPC_OP_IMM, 0, rd, rd, ci_imm(c));
	case 1:
		/* 001 imm[5] rs1/rd≠0 imm[4:0] 01  C.ADDIW (RV64/128; RES, rd=0) */
		if (rd == 0)
			return 0;
		return enc_i(OPC_OP_IMM_32, 0, rd, rd, ci_imm(c));
	case 2:
		/* 010 imm[5] rd≠0 imm[4:0] 01  C.LI (HINT, rd=0) */
		return enc_i(OPC_OP_IMM, 0, rd, 0, ci_imm(c));
	case 3:
		if (rd == REG_SP) {
			/* 011 nzimm[9] 2 nzimm[4|6|8:7|5] 01
			 * C.ADDI16SP (RES, nzimm=0) */
			imm = sext(bits(c, 12, 12) << 9 | bits(c, 6, 6) << 4 | bits(c, 5, 5) << 6 |
				       bits(c, 4, 3) << 7 | bits(c, 2, 2) << 5,
				   10);
			if (imm == 0)
				return 0;
			return enc_i(OPC_OP_IMM, 0, REG_SP, REG_SP, imm);
		}
		/* 011 nzimm[17] rd≠{0,2} nzimm[16:12] 01
		 * C.LUI (RES, nzimm=0; HINT, rd=0)
		 * 011 0 0 n[3:1] 1 00000 01  C.MOP.n (Zcmop, n odd, rd = n) */
		imm = sext(bits(c, 12, 12) << 17 | bits(c, 6, 2) << 12, 18);
		if (imm == 0)
			return (rd & 1) && rd < 16 && has(isa, ISA_ZCMOP) ? c : 0;
		return enc_u(OPC_LUI, rd, imm);
	case 4:
		return expand_q1_alu(c, isa);
	case 5:
		/* 101 imm[11|4|9:8|10|6|7|3:1|5] 01  C.J */
		imm = sext(bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 | bits(c, 10, 9) << 8 |
			       bits(c, 8, 8) << 10 | bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7 |
			       bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5,
			   12);
		return enc_j(0, imm);
	default:
		/* 110 imm[8|4:3] rs1' imm[7:6|2:1|5] 01  C.BEQZ
		 * 111 imm[8|4:3] rs1' imm[7:6|2:1|5] 01  C.BNEZ */
		imm = sext(bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6 |
			       bits(c, 4, 3) << 1 | bits(c, 2, 2) << 5,
			   9);
		return enc_b(bits(c, 13, 13) ? 1 : 0, rs1, 0, imm);
	}
}

/* Quadrant 2: shifts, sp-relative loads and stores, and the register
 * moves, jumps and adds of funct3 100. */
static uint32_t expand_q2(uint16_t c)
{
	uint32_t rd = rd_full(c); /* also rs1 */
	uint32_t rs2 = rs2_full(c);

	switch (bits(c, 15, 13)) {
	case 0:
		/* 000 shamt[5] rs1/rd≠0 shamt[4:0] 10  C.SLLI
		 * (HINT, rd=0; HINT on RV64, shamt=0) */
		return enc_i(OPC_OP_IMM, 1, rd, rd, bits(c, 12, 12) << 5 | bits(c, 6, 2));
	case 1:
		/* 001 uimm[5] rd uimm[4:3|8:6] 10  C.FLDSP */
		return enc_i(OPC_LOAD_FP, 3, rd, REG_SP, ci_ldsp_off(c));
	case 2:
		/* 010 uimm[5] rd≠0 uimm[4:2|7:6] 10  C.LWSP (RES, rd=0) */
		if (rd == 0)
			return 0;
		return enc_i(OPC_LOAD, 2, rd, REG_SP, ci_lwsp_off(c));
	case 3:
		/* 011 uimm[5] rd≠0 uimm[4:3|8:6] 10  C.LDSP (RV64/128; RES, rd=0) */
		if (rd == 0)
			return 0;
		return enc_i(OPC_LOAD, 3, rd, REG_SP, ci_ldsp_off(c));
	case 4:
		if (!bits(c, 12, 12)) {
			if (rs2 == 0) {
				/* 100 0 rs1≠0 0 10  C.JR (RES, rs1=0) */
				if (rd == 0)
					return 0;
				return enc_i(OPC_JALR, 0, 0, rd, 0);
			}
			/* 100 0 rd≠0 rs2≠0 10  C.MV (HINT, rd=0) */
			return enc_r(OPC_OP, 0, 0, rd, 0, rs2);
		}
		if (rs2 == 0) {
			/* 100 1 0 0 10  C.EBREAK -> ebreak (imm 1) */
			if (rd == 0)
				return enc_i(OPC_SYSTEM, 0, 0, 0, 1);
			/* 100 1 rs1≠0 0 10  C.JALR */
			return enc_i(OPC_JALR, 0, REG_RA, rd, 0);
		}
		/* 100 1 rs1/rd≠0 rs2≠0 10  C.ADD (HINT, rd=0) */
		return enc_r(OPC_OP, 0, 0, rd, rd, rs2);
	case 5:
		/* 101 uimm[5:3|8:6] rs2 10  C.FSDSP */
		return enc_s(OPC_STORE_FP, 3, REG_SP, rs2, css_d_off(c));
	case 6:
		/* 110 uimm[5:2|7:6] rs2 10  C.SWSP */
		return enc_s(OPC_STORE, 2, REG_SP, rs2, css_w_off(c));
	default:
		/* 111 uimm[5:3|8:6] rs2 10  C.SDSP (RV64/128) */
		return enc_s(OPC_STORE, 3, REG_SP, rs2, css_d_off(c));
	}
}

uint32_t rvc_expand(uint16_t c, const struct isa *isa)
{
	if (isa && !isa_has(isa, ISA_C))
		return 0;
	switch (c & 3) {
	case 0:
		return expand_q0(c, isa);
	case 1:
		return expand_q1(c, isa);
	case 2:
		return expand_q2(c);
	default:
		/* Quadrant 3 (bits 1:0 = 11) is the 32-bit encoding space. */
		return 0;
	}
}
