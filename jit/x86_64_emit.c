/*
 * x86-64 encoding (Intel SDM vol. 2, chapter 2: REX prefixes, ModR/M, SIB,
 * VEX). One helper writes a REX + opcode + ModR/M (+ SIB + displacement)
 * sequence for a register or memory operand, another the same with a VEX
 * prefix in place of REX; each instruction form is a line or two on top of
 * them.
 */
#include "x86_64_emit.h"
#include <string.h>

static void put8(struct emitter *e, uint8_t b)
{
	if (e->len < e->cap)
		e->buf[e->len++] = b;
	else
		e->overflow = true;
}

static void put32(struct emitter *e, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		put8(e, (uint8_t)(v >> (8 * i)));
}

static void put64(struct emitter *e, uint64_t v)
{
	put32(e, (uint32_t)v);
	put32(e, (uint32_t)(v >> 32));
}

enum { REX_W = 8, REX_R = 4, REX_X = 2, REX_B = 1 };

/* Operand size / prefix flags for encode(). */
enum {
	OP_W = 1 << 0,	      /* REX.W: 64-bit operand */
	OP_16 = 1 << 1,	      /* 0x66 operand-size prefix */
	OP_BYTE_REG = 1 << 2, /* reg is an 8-bit register: force REX for sil/dil/spl/bpl */
	OP_0F = 1 << 3,	      /* two-byte opcode 0F xx */
};

/* Operand-size prefix, REX, the 0F escape and the opcode, in the order the
 * SDM requires (2.1.1); a mandatory SSE prefix goes out before this. */
static void put_opcode(struct emitter *e, unsigned flags, uint8_t rex, uint8_t opcode)
{
	if (flags & OP_16)
		put8(e, 0x66);
	if (rex)
		put8(e, 0x40 | rex);
	if (flags & OP_0F)
		put8(e, 0x0f);
	put8(e, opcode);
}

/* The REX bits a register r/m operand needs (0 if none). */
static uint8_t rex_rr(unsigned flags, int reg, int rm)
{
	return (uint8_t)((flags & OP_W ? REX_W : 0) | (reg & 8 ? REX_R : 0) | (rm & 8 ? REX_B : 0));
}

/* The REX bits a memory r/m operand needs (0 if none). */
static uint8_t rex_rm(unsigned flags, int reg, struct x86_mem m)
{
	const bool has_index = m.index != NO_REG;
	return (uint8_t)((flags & OP_W ? REX_W : 0) | (reg & 8 ? REX_R : 0) |
			 (has_index && (m.index & 8) ? REX_X : 0) | (m.base & 8 ? REX_B : 0));
}

/* ModR/M for a register r/m operand; REX or VEX carries bit 3 of each. */
static void put_modrm_rr(struct emitter *e, int reg, int rm)
{
	put8(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* ModR/M, SIB and displacement for a memory r/m operand; REX or VEX
 * carries bit 3 of each register. */
static void put_modrm_mem(struct emitter *e, int reg, struct x86_mem m)
{
	/* Displacement size: none is impossible with rbp/r13 as base (that
	 * encoding means RIP-relative / no base), so they always get disp8. */
	unsigned mod;
	if (m.disp == 0 && (m.base & 7) != RBP)
		mod = 0;
	else if (m.disp >= -128 && m.disp <= 127)
		mod = 1;
	else
		mod = 2;
	/* rsp/r12 as base, or any index, need a SIB byte. */
	const bool has_index = m.index != NO_REG;
	const bool sib = has_index || (m.base & 7) == RSP;
	put8(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | (sib ? 4 : (m.base & 7))));
	if (sib) {
		const unsigned ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
		const unsigned idx = has_index ? (unsigned)(m.index & 7) : 4; /* 4 = none */
		put8(e, (uint8_t)(ss << 6 | idx << 3 | (m.base & 7)));
	}
	if (mod == 1)
		put8(e, (uint8_t)(int8_t)m.disp);
	else if (mod == 2)
		put32(e, (uint32_t)m.disp);
}

/* reg field and a register r/m operand. */
static void encode_rr(struct emitter *e, unsigned flags, uint8_t opcode, int reg, int rm)
{
	uint8_t rex = rex_rr(flags, reg, rm);
	if ((flags & OP_BYTE_REG) && ((reg & 7) >= 4 || (rm & 7) >= 4))
		rex |= 0x40;
	put_opcode(e, flags, rex, opcode);
	put_modrm_rr(e, reg, rm);
}

/* reg field and a memory r/m operand. */
static void encode_rm(struct emitter *e, unsigned flags, uint8_t opcode, int reg, struct x86_mem m)
{
	uint8_t rex = rex_rm(flags, reg, m);
	if ((flags & OP_BYTE_REG) && (reg & 7) >= 4)
		rex |= 0x40;
	put_opcode(e, flags, rex, opcode);
	put_modrm_mem(e, reg, m);
}

void emit_mov_r64_r64(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_W, 0x89, src, dst);
}
void emit_mov_r32_r32(struct emitter *e, int dst, int src)
{
	encode_rr(e, 0, 0x89, src, dst);
}

void emit_mov_r64_imm(struct emitter *e, int dst, uint64_t imm)
{
	if (imm <= UINT32_MAX) {
		/* mov r32, imm32 zero-extends. */
		if (dst & 8)
			put8(e, 0x40 | REX_B);
		put8(e, (uint8_t)(0xb8 + (dst & 7)));
		put32(e, (uint32_t)imm);
	} else if ((int64_t)imm >= INT32_MIN && (int64_t)imm <= INT32_MAX) {
		/* mov r/m64, imm32 sign-extends. */
		encode_rr(e, OP_W, 0xc7, 0, dst);
		put32(e, (uint32_t)imm);
	} else {
		put8(e, (uint8_t)(0x40 | REX_W | (dst & 8 ? REX_B : 0)));
		put8(e, (uint8_t)(0xb8 + (dst & 7)));
		put64(e, imm);
	}
}

void emit_mov_r64_m(struct emitter *e, int dst, struct x86_mem m)
{
	encode_rm(e, OP_W, 0x8b, dst, m);
}
void emit_mov_m_r64(struct emitter *e, struct x86_mem m, int src)
{
	encode_rm(e, OP_W, 0x89, src, m);
}

void emit_mov_m_imm32(struct emitter *e, struct x86_mem m, int32_t imm)
{
	encode_rm(e, OP_W, 0xc7, 0, m);
	put32(e, (uint32_t)imm);
}

void emit_mov_r32_m(struct emitter *e, int dst, struct x86_mem m)
{
	encode_rm(e, 0, 0x8b, dst, m);
}

void emit_mov_m32_imm32(struct emitter *e, struct x86_mem m, int32_t imm)
{
	encode_rm(e, 0, 0xc7, 0, m);
	put32(e, (uint32_t)imm);
}

void emit_cmp_m8_imm(struct emitter *e, struct x86_mem m, int8_t imm)
{
	encode_rm(e, 0, 0x80, ALU_CMP, m);
	put8(e, (uint8_t)imm);
}
void emit_test_m8_imm(struct emitter *e, struct x86_mem m, uint8_t imm)
{
	encode_rm(e, 0, 0xf6, 0, m); /* F6 /0 ib */
	put8(e, imm);
}
void emit_mov_m_r32(struct emitter *e, struct x86_mem m, int src)
{
	encode_rm(e, 0, 0x89, src, m);
}
void emit_mov_m_r16(struct emitter *e, struct x86_mem m, int src)
{
	encode_rm(e, OP_16, 0x89, src, m);
}
void emit_mov_m_r8(struct emitter *e, struct x86_mem m, int src)
{
	encode_rm(e, OP_BYTE_REG, 0x88, src, m);
}
void emit_movzx_r32_m8(struct emitter *e, int dst, struct x86_mem m)
{
	encode_rm(e, OP_0F, 0xb6, dst, m);
}
void emit_movzx_r32_m16(struct emitter *e, int dst, struct x86_mem m)
{
	encode_rm(e, OP_0F, 0xb7, dst, m);
}
void emit_movsx_r64_m8(struct emitter *e, int dst, struct x86_mem m)
{
	encode_rm(e, OP_W | OP_0F, 0xbe, dst, m);
}
void emit_movsx_r64_m16(struct emitter *e, int dst, struct x86_mem m)
{
	encode_rm(e, OP_W | OP_0F, 0xbf, dst, m);
}
void emit_movsxd_r64_m32(struct emitter *e, int dst, struct x86_mem m)
{
	encode_rm(e, OP_W, 0x63, dst, m);
}
void emit_movsxd_r64_r32(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_W, 0x63, dst, src);
}
void emit_movzx_r32_r8(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_0F | OP_BYTE_REG, 0xb6, dst, src);
}
void emit_lea(struct emitter *e, int dst, struct x86_mem m)
{
	encode_rm(e, OP_W, 0x8d, dst, m);
}

/* Group-1 ALU: "op r/m, r" is opcode 8*op + 1, "op r, r/m" is 8*op + 3. */
void emit_alu_r64_r64(struct emitter *e, enum x86_alu op, int dst, int src)
{
	encode_rr(e, OP_W, (uint8_t)(8 * op + 1), src, dst);
}

void emit_alu_r32_r32(struct emitter *e, enum x86_alu op, int dst, int src)
{
	encode_rr(e, 0, (uint8_t)(8 * op + 1), src, dst);
}

void emit_alu_r64_m(struct emitter *e, enum x86_alu op, int dst, struct x86_mem m)
{
	encode_rm(e, OP_W, (uint8_t)(8 * op + 3), dst, m);
}

void emit_alu_r32_m(struct emitter *e, enum x86_alu op, int dst, struct x86_mem m)
{
	encode_rm(e, 0, (uint8_t)(8 * op + 3), dst, m);
}

static void alu_imm(struct emitter *e, unsigned flags, enum x86_alu op, int dst, int32_t imm)
{
	if (imm >= -128 && imm <= 127) {
		encode_rr(e, flags, 0x83, op, dst);
		put8(e, (uint8_t)(int8_t)imm);
	} else {
		encode_rr(e, flags, 0x81, op, dst);
		put32(e, (uint32_t)imm);
	}
}

void emit_alu_r64_imm(struct emitter *e, enum x86_alu op, int dst, int32_t imm)
{
	alu_imm(e, OP_W, op, dst, imm);
}
void emit_alu_r32_imm(struct emitter *e, enum x86_alu op, int dst, int32_t imm)
{
	alu_imm(e, 0, op, dst, imm);
}

static void alu_m_imm(struct emitter *e, unsigned flags, enum x86_alu op, struct x86_mem m,
		      int32_t imm)
{
	if (imm >= -128 && imm <= 127) {
		encode_rm(e, flags, 0x83, op, m);
		put8(e, (uint8_t)(int8_t)imm);
	} else {
		encode_rm(e, flags, 0x81, op, m);
		put32(e, (uint32_t)imm);
	}
}

void emit_alu_m64_imm(struct emitter *e, enum x86_alu op, struct x86_mem m, int32_t imm)
{
	alu_m_imm(e, OP_W, op, m, imm);
}
void emit_alu_m32_imm(struct emitter *e, enum x86_alu op, struct x86_mem m, int32_t imm)
{
	alu_m_imm(e, 0, op, m, imm);
}

void emit_alu_m64_r64(struct emitter *e, enum x86_alu op, struct x86_mem m, int src)
{
	encode_rm(e, OP_W, (uint8_t)(8 * op + 1), src, m);
}

void emit_shift_m64_imm(struct emitter *e, enum x86_shift op, struct x86_mem m, uint8_t count)
{
	encode_rm(e, OP_W, 0xc1, op, m);
	put8(e, count);
}

void emit_test_r64_r64(struct emitter *e, int a, int b)
{
	encode_rr(e, OP_W, 0x85, b, a);
}
void emit_test_r32_r32(struct emitter *e, int a, int b)
{
	encode_rr(e, 0, 0x85, b, a);
}
void emit_test_r64_m(struct emitter *e, int reg, struct x86_mem m)
{
	encode_rm(e, OP_W, 0x85, reg, m);
}

void emit_shift_r64_imm(struct emitter *e, enum x86_shift op, int dst, uint8_t count)
{
	encode_rr(e, OP_W, 0xc1, op, dst);
	put8(e, count);
}

void emit_shift_r32_imm(struct emitter *e, enum x86_shift op, int dst, uint8_t count)
{
	encode_rr(e, 0, 0xc1, op, dst);
	put8(e, count);
}

void emit_shift_r64_cl(struct emitter *e, enum x86_shift op, int dst)
{
	encode_rr(e, OP_W, 0xd3, op, dst);
}
void emit_shift_r32_cl(struct emitter *e, enum x86_shift op, int dst)
{
	encode_rr(e, 0, 0xd3, op, dst);
}
void emit_imul_r64_r64(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_W | OP_0F, 0xaf, dst, src);
}
void emit_imul_r32_r32(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_0F, 0xaf, dst, src);
}
void emit_mul_r64(struct emitter *e, int src)
{
	encode_rr(e, OP_W, 0xf7, 4, src);
}
void emit_imul1_r64(struct emitter *e, int src)
{
	encode_rr(e, OP_W, 0xf7, 5, src);
}
void emit_setcc_r8(struct emitter *e, enum x86_cond cc, int dst)
{
	encode_rr(e, OP_0F | OP_BYTE_REG, (uint8_t)(0x90 + cc), 0, dst);
}

void emit_cmov_r64_r64(struct emitter *e, enum x86_cond cc, int dst, int src)
{
	encode_rr(e, OP_W | OP_0F, (uint8_t)(0x40 + cc), dst, src);
}
void emit_cmov_r32_r32(struct emitter *e, enum x86_cond cc, int dst, int src)
{
	encode_rr(e, OP_0F, (uint8_t)(0x40 + cc), dst, src);
}

void emit_cqo(struct emitter *e)
{
	put8(e, 0x40 | REX_W);
	put8(e, 0x99);
}

void emit_cdq(struct emitter *e)
{
	put8(e, 0x99);
}
void emit_idiv_r64(struct emitter *e, int src)
{
	encode_rr(e, OP_W, 0xf7, 7, src);
}
void emit_div_r64(struct emitter *e, int src)
{
	encode_rr(e, OP_W, 0xf7, 6, src);
}
void emit_idiv_r32(struct emitter *e, int src)
{
	encode_rr(e, 0, 0xf7, 7, src);
}
void emit_div_r32(struct emitter *e, int src)
{
	encode_rr(e, 0, 0xf7, 6, src);
}
void emit_neg_r64(struct emitter *e, int dst)
{
	encode_rr(e, OP_W, 0xf7, 3, dst);
}
void emit_neg_r32(struct emitter *e, int dst)
{
	encode_rr(e, 0, 0xf7, 3, dst);
}
void emit_not_r64(struct emitter *e, int dst)
{
	encode_rr(e, OP_W, 0xf7, 2, dst);
}
/* REX.W also makes byte registers 4-7 spl..dil (not ah..bh). */
void emit_movsx_r64_r8(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_W | OP_0F, 0xbe, dst, src);
}
void emit_movsx_r64_r16(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_W | OP_0F, 0xbf, dst, src);
}
void emit_movzx_r32_r16(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_0F, 0xb7, dst, src);
}

/* ---- Bit manipulation ---- */

/* bswap r64: REX.W 0F C8+r. */
void emit_bswap_r64(struct emitter *e, int reg)
{
	put8(e, (uint8_t)(0x40 | REX_W | (reg & 8 ? REX_B : 0)));
	put8(e, 0x0f);
	put8(e, (uint8_t)(0xc8 + (reg & 7)));
}
void emit_bsr_r64(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_W | OP_0F, 0xbd, dst, src);
}
void emit_bsr_r32(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_0F, 0xbd, dst, src);
}
void emit_bsf_r64(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_W | OP_0F, 0xbc, dst, src);
}
void emit_bsf_r32(struct emitter *e, int dst, int src)
{
	encode_rr(e, OP_0F, 0xbc, dst, src);
}
/* bt/bts/btr/btc r/m64, r64: 0F A3/AB/B3/BB; with a register operand the
 * bit offset is taken modulo 64. */
void emit_bt_r64_r64(struct emitter *e, enum x86_bt op, int dst, int bit)
{
	encode_rr(e, OP_W | OP_0F, (uint8_t)(0xa3 + 8 * (op - BT_TEST)), bit, dst);
}
void emit_bt_r64_imm(struct emitter *e, enum x86_bt op, int dst, uint8_t bit)
{
	encode_rr(e, OP_W | OP_0F, 0xba, op, dst);
	put8(e, bit);
}

/* F3 [REX] 0F xx /r: popcnt (B8), tzcnt (BC), lzcnt (BD). Without the
 * feature, F3 0F BC/BD is bsf/bsr with an ignored prefix. */
static void f3_rr(struct emitter *e, unsigned flags, uint8_t opcode, int dst, int src)
{
	put8(e, 0xf3);
	encode_rr(e, flags | OP_0F, opcode, dst, src);
}
void emit_popcnt_r64(struct emitter *e, int dst, int src)
{
	f3_rr(e, OP_W, 0xb8, dst, src);
}
void emit_popcnt_r32(struct emitter *e, int dst, int src)
{
	f3_rr(e, 0, 0xb8, dst, src);
}
void emit_lzcnt_r64(struct emitter *e, int dst, int src)
{
	f3_rr(e, OP_W, 0xbd, dst, src);
}
void emit_lzcnt_r32(struct emitter *e, int dst, int src)
{
	f3_rr(e, 0, 0xbd, dst, src);
}
void emit_tzcnt_r64(struct emitter *e, int dst, int src)
{
	f3_rr(e, OP_W, 0xbc, dst, src);
}
void emit_tzcnt_r32(struct emitter *e, int dst, int src)
{
	f3_rr(e, 0, 0xbc, dst, src);
}

void emit_lock_xadd_m_r(struct emitter *e, bool wide, struct x86_mem m, int reg)
{
	put8(e, 0xf0);
	encode_rm(e, (wide ? OP_W : 0) | OP_0F, 0xc1, reg, m);
}

void emit_xchg_m_r(struct emitter *e, bool wide, struct x86_mem m, int reg)
{
	encode_rm(e, wide ? OP_W : 0, 0x87, reg, m);
}

void emit_lock_cmpxchg_m_r(struct emitter *e, bool wide, struct x86_mem m, int reg)
{
	put8(e, 0xf0);
	encode_rm(e, (wide ? OP_W : 0) | OP_0F, 0xb1, reg, m);
}

void emit_patch_rel32(uint8_t *buf, size_t field, size_t target)
{
	const int32_t rel = (int32_t)((int64_t)target - (int64_t)(field + 4));
	memcpy(buf + field, &rel, 4);
}

static size_t rel32(struct emitter *e, size_t target)
{
	const size_t field = e->len;
	put32(e, 0);
	if (!e->overflow)
		emit_patch_rel32(e->buf, field, target);
	return field;
}

size_t emit_jmp_rel32(struct emitter *e, size_t target)
{
	put8(e, 0xe9);
	return rel32(e, target);
}

size_t emit_jcc_rel32(struct emitter *e, enum x86_cond cc, size_t target)
{
	put8(e, 0x0f);
	put8(e, (uint8_t)(0x80 + cc));
	return rel32(e, target);
}

void emit_jmp_r64(struct emitter *e, int reg)
{
	encode_rr(e, 0, 0xff, 4, reg);
}
size_t emit_call_rel32(struct emitter *e, size_t target)
{
	put8(e, 0xe8);
	return rel32(e, target);
}

void emit_call_r64(struct emitter *e, int reg)
{
	encode_rr(e, 0, 0xff, 2, reg);
}

void emit_push(struct emitter *e, int reg)
{
	if (reg & 8)
		put8(e, 0x40 | REX_B);
	put8(e, (uint8_t)(0x50 + (reg & 7)));
}

void emit_pop(struct emitter *e, int reg)
{
	if (reg & 8)
		put8(e, 0x40 | REX_B);
	put8(e, (uint8_t)(0x58 + (reg & 7)));
}

void emit_ret(struct emitter *e)
{
	put8(e, 0xc3);
}

void emit_nop(struct emitter *e)
{
	put8(e, 0x90);
}

void emit_mfence(struct emitter *e)
{
	put8(e, 0x0f);
	put8(e, 0xae);
	put8(e, 0xf0);
}

void emit_ud2(struct emitter *e)
{
	put8(e, 0x0f);
	put8(e, 0x0b);
}

/* SSE: a mandatory prefix (66/F2/F3 or none), then REX, then 0F op. */
static void sse_rm(struct emitter *e, uint8_t prefix, unsigned flags, uint8_t opcode, int reg,
		   struct x86_mem m)
{
	if (prefix)
		put8(e, prefix);
	encode_rm(e, flags | OP_0F, opcode, reg, m);
}

static void sse_rr(struct emitter *e, uint8_t prefix, unsigned flags, uint8_t opcode, int reg,
		   int rm)
{
	if (prefix)
		put8(e, prefix);
	encode_rr(e, flags | OP_0F, opcode, reg, rm);
}

void emit_movsd_x_m(struct emitter *e, int xmm, struct x86_mem m)
{
	sse_rm(e, 0xf2, 0, 0x10, xmm, m);
}
void emit_movsd_m_x(struct emitter *e, struct x86_mem m, int xmm)
{
	sse_rm(e, 0xf2, 0, 0x11, xmm, m);
}
void emit_movss_x_m(struct emitter *e, int xmm, struct x86_mem m)
{
	sse_rm(e, 0xf3, 0, 0x10, xmm, m);
}
void emit_movss_m_x(struct emitter *e, struct x86_mem m, int xmm)
{
	sse_rm(e, 0xf3, 0, 0x11, xmm, m);
}
/* movq r/m64, xmm: 66 REX.W 0F 7E /r (xmm in reg, the GPR in r/m). */
void emit_movq_r64_x(struct emitter *e, int dst, int xmm)
{
	sse_rr(e, 0x66, OP_W, 0x7e, xmm, dst);
}
void emit_movq_x_r64(struct emitter *e, int xmm, int src)
{
	sse_rr(e, 0x66, OP_W, 0x6e, xmm, src);
}
void emit_sse_sd_m(struct emitter *e, enum sse_op op, int xmm, struct x86_mem m)
{
	sse_rm(e, 0xf2, 0, (uint8_t)op, xmm, m);
}
void emit_sse_ss_m(struct emitter *e, enum sse_op op, int xmm, struct x86_mem m)
{
	sse_rm(e, 0xf3, 0, (uint8_t)op, xmm, m);
}
void emit_ucomisd_x_x(struct emitter *e, int a, int b)
{
	sse_rr(e, 0x66, 0, 0x2e, a, b);
}
void emit_comisd_x_x(struct emitter *e, int a, int b)
{
	sse_rr(e, 0x66, 0, 0x2f, a, b);
}
void emit_ucomiss_x_x(struct emitter *e, int a, int b)
{
	sse_rr(e, 0, 0, 0x2e, a, b);
}
void emit_comiss_x_x(struct emitter *e, int a, int b)
{
	sse_rr(e, 0, 0, 0x2f, a, b);
}
void emit_cvtsi2sd_x_m64(struct emitter *e, int xmm, struct x86_mem m)
{
	sse_rm(e, 0xf2, OP_W, 0x2a, xmm, m);
}
void emit_cvtsi2sd_x_m32(struct emitter *e, int xmm, struct x86_mem m)
{
	sse_rm(e, 0xf2, 0, 0x2a, xmm, m);
}
void emit_pxor_x_x(struct emitter *e, int dst, int src)
{
	sse_rr(e, 0x66, 0, 0xef, dst, src);
}
void emit_pcmpeqb_x_x(struct emitter *e, int dst, int src)
{
	sse_rr(e, 0x66, 0, 0x74, dst, src);
}

/*
 * VEX (SDM 2.3.5): the three-byte form C4, then REX.R, .X and .B inverted
 * and the opcode map, then W, a second source register inverted (vvvv),
 * L and the implied SIMD prefix pp. The two-byte form C5 cannot name the
 * 0F38 or 0F3A maps, so the FMA and BMI forms always take three bytes.
 */
enum { VEX_MAP_0F38 = 2, VEX_MAP_0F3A = 3 };
enum { VEX_PP_NONE = 0, VEX_PP_66 = 1, VEX_PP_F3 = 2, VEX_PP_F2 = 3 };

static void put_vex3(struct emitter *e, uint8_t rex, uint8_t map, int vvvv, uint8_t pp)
{
	put8(e, 0xc4);
	put8(e, (uint8_t)((~rex & (REX_R | REX_X | REX_B)) << 5 | map));
	put8(e, (uint8_t)((rex & REX_W ? 0x80 : 0) | (~vvvv & 15) << 3 | pp)); /* L = 0 */
}

static void vex_rr(struct emitter *e, unsigned flags, uint8_t map, uint8_t pp, uint8_t opcode,
		   int reg, int vvvv, int rm)
{
	put_vex3(e, rex_rr(flags, reg, rm), map, vvvv, pp);
	put8(e, opcode);
	put_modrm_rr(e, reg, rm);
}

static void vex_rm(struct emitter *e, unsigned flags, uint8_t map, uint8_t pp, uint8_t opcode,
		   int reg, int vvvv, struct x86_mem m)
{
	put_vex3(e, rex_rm(flags, reg, m), map, vvvv, pp);
	put8(e, opcode);
	put_modrm_mem(e, reg, m);
}

/* VEX.LIG.66.0F38.W1 (double) / W0 (single) op /r: the addend and
 * destination in reg, the first factor in vvvv, the second in r/m. */
void emit_fma231_sd_x(struct emitter *e, enum fma_op op, int dst, int a, int b)
{
	vex_rr(e, OP_W, VEX_MAP_0F38, VEX_PP_66, (uint8_t)op, dst, a, b);
}

void emit_fma231_ss_x(struct emitter *e, enum fma_op op, int dst, int a, int b)
{
	vex_rr(e, 0, VEX_MAP_0F38, VEX_PP_66, (uint8_t)op, dst, a, b);
}

void emit_fma231_sd_m(struct emitter *e, enum fma_op op, int dst, int a, struct x86_mem m)
{
	vex_rm(e, OP_W, VEX_MAP_0F38, VEX_PP_66, (uint8_t)op, dst, a, m);
}

void emit_fma231_ss_m(struct emitter *e, enum fma_op op, int dst, int a, struct x86_mem m)
{
	vex_rm(e, 0, VEX_MAP_0F38, VEX_PP_66, (uint8_t)op, dst, a, m);
}

/* BMI1/BMI2 (SDM vol. 2, "VEX-encoded general-purpose-register
 * instructions"): VEX.LZ, W1 for 64-bit operands; they need no AVX state,
 * only the CPUID feature. */

/* andn r64a, r64b, r/m64 (VEX.LZ.0F38.W1 F2 /r): dst = ~a & b. */
void emit_andn_r64(struct emitter *e, int dst, int a, int b)
{
	vex_rr(e, OP_W, VEX_MAP_0F38, VEX_PP_NONE, 0xf2, dst, a, b);
}

/* rorx r, r/m, imm8 (VEX.LZ.F2.0F3A.W1/W0 F0 /r ib): flags untouched. */
void emit_rorx_r64(struct emitter *e, int dst, int src, uint8_t count)
{
	vex_rr(e, OP_W, VEX_MAP_0F3A, VEX_PP_F2, 0xf0, dst, 0, src);
	put8(e, count);
}
void emit_rorx_r32(struct emitter *e, int dst, int src, uint8_t count)
{
	vex_rr(e, 0, VEX_MAP_0F3A, VEX_PP_F2, 0xf0, dst, 0, src);
	put8(e, count);
}

/* shlx/shrx/sarx r, r/m, r (VEX.LZ.66/F2/F3.0F38.W1/W0 F7 /r): dst = src
 * shifted by count modulo the width, the count in vvvv; flags untouched. */
static uint8_t shiftx_pp(enum x86_shift op)
{
	return op == SHIFT_SHL ? VEX_PP_66 : op == SHIFT_SHR ? VEX_PP_F2 : VEX_PP_F3;
}
void emit_shiftx_r64(struct emitter *e, enum x86_shift op, int dst, int src, int count)
{
	vex_rr(e, OP_W, VEX_MAP_0F38, shiftx_pp(op), 0xf7, dst, count, src);
}
void emit_shiftx_r32(struct emitter *e, enum x86_shift op, int dst, int src, int count)
{
	vex_rr(e, 0, VEX_MAP_0F38, shiftx_pp(op), 0xf7, dst, count, src);
}
