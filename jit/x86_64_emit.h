/*
 * A small x86-64 instruction encoder: just the forms the translator uses,
 * each a function named for the instruction it writes (Intel SDM vol. 2
 * operand order: destination first).
 *
 * Example, loading guest register x5 plus 8 into rax through the hart
 * pointer in rbx:
 *
 *	struct emitter e = { .buf = code, .cap = sizeof(code) };
 *	emit_mov_r64_m(&e, RAX, mem(RBX, 5 * 8));
 *	emit_alu_r64_imm(&e, ALU_ADD, RAX, 8);
 *
 * Every form is unit-tested against Capstone's disassembly
 * (test/unit/test_x86_64_emit.c). On overflow the emitter stops writing and
 * sets `overflow`; the caller checks it once per block.
 */
#ifndef RVJIT_X86_64_EMIT_H
#define RVJIT_X86_64_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_reg {
	RAX = 0,
	RCX,
	RDX,
	RBX,
	RSP,
	RBP,
	RSI,
	RDI,
	R8,
	R9,
	R10,
	R11,
	R12,
	R13,
	R14,
	R15,
	NO_REG = -1,
};

/* A memory operand: [base + index*scale + disp]. index NO_REG for none. */
struct x86_mem {
	int base;
	int index;
	uint8_t scale; /* 1, 2, 4, 8 */
	int32_t disp;
};

static inline struct x86_mem mem(int base, int32_t disp)
{
	return (struct x86_mem){.base = base, .index = NO_REG, .scale = 1, .disp = disp};
}

static inline struct x86_mem mem_index(int base, int index, int32_t disp)
{
	return (struct x86_mem){.base = base, .index = index, .scale = 1, .disp = disp};
}

/* Group-1 ALU operations, numbered as their /digit in the 0x81 encoding. */
enum x86_alu { ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };

/* Group-2 shifts and rotates, numbered as their /digit. */
enum x86_shift { SHIFT_ROL = 0, SHIFT_ROR = 1, SHIFT_SHL = 4, SHIFT_SHR = 5, SHIFT_SAR = 7 };

/* Bit test and set/reset/complement, numbered as their /digit in the
 * immediate form 0F BA (the register form's opcode is 0F A3 + 8 * (op - 4)). */
enum x86_bt { BT_TEST = 4, BT_SET = 5, BT_RESET = 6, BT_COMPLEMENT = 7 };

/* Condition codes (the low nibble of Jcc / SETcc). */
enum x86_cond {
	CC_O = 0,
	CC_NO,
	CC_B,
	CC_AE,
	CC_E,
	CC_NE,
	CC_BE,
	CC_A,
	CC_S,
	CC_NS,
	CC_P,
	CC_NP,
	CC_L,
	CC_GE,
	CC_LE,
	CC_G,
};

struct emitter {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

/* Moves. */
void emit_mov_r64_r64(struct emitter *e, int dst, int src);
void emit_mov_r32_r32(struct emitter *e, int dst, int src);	 /* zero-extends */
void emit_mov_r64_imm(struct emitter *e, int dst, uint64_t imm); /* shortest form */
void emit_mov_r64_m(struct emitter *e, int dst, struct x86_mem m);
void emit_mov_m_r64(struct emitter *e, struct x86_mem m, int src);
void emit_mov_m_imm32(struct emitter *e, struct x86_mem m,
		      int32_t imm); /* 64-bit store, sign-extended */
void emit_mov_m32_imm32(struct emitter *e, struct x86_mem m, int32_t imm); /* 32-bit store */
void emit_cmp_m8_imm(struct emitter *e, struct x86_mem m, int8_t imm);
void emit_test_m8_imm(struct emitter *e, struct x86_mem m, uint8_t imm);
void emit_mov_r32_m(struct emitter *e, int dst, struct x86_mem m); /* zero-extends */
void emit_mov_m_r32(struct emitter *e, struct x86_mem m, int src);
void emit_mov_m_r16(struct emitter *e, struct x86_mem m, int src);
void emit_mov_m_r8(struct emitter *e, struct x86_mem m, int src);
void emit_movzx_r32_m8(struct emitter *e, int dst, struct x86_mem m);
void emit_movzx_r32_m16(struct emitter *e, int dst, struct x86_mem m);
void emit_movsx_r64_m8(struct emitter *e, int dst, struct x86_mem m);
void emit_movsx_r64_m16(struct emitter *e, int dst, struct x86_mem m);
void emit_movsxd_r64_m32(struct emitter *e, int dst, struct x86_mem m);
void emit_movsxd_r64_r32(struct emitter *e, int dst, int src);
void emit_movzx_r32_r8(struct emitter *e, int dst, int src);
void emit_lea(struct emitter *e, int dst, struct x86_mem m);

/* Arithmetic. */
void emit_alu_r64_r64(struct emitter *e, enum x86_alu op, int dst, int src);
void emit_alu_r32_r32(struct emitter *e, enum x86_alu op, int dst, int src);
void emit_alu_r64_m(struct emitter *e, enum x86_alu op, int dst, struct x86_mem m);
void emit_alu_r32_m(struct emitter *e, enum x86_alu op, int dst, struct x86_mem m);
void emit_alu_r64_imm(struct emitter *e, enum x86_alu op, int dst, int32_t imm);
void emit_alu_r32_imm(struct emitter *e, enum x86_alu op, int dst, int32_t imm);
void emit_alu_m64_imm(struct emitter *e, enum x86_alu op, struct x86_mem m, int32_t imm);
void emit_alu_m64_r64(struct emitter *e, enum x86_alu op, struct x86_mem m, int src);
void emit_shift_m64_imm(struct emitter *e, enum x86_shift op, struct x86_mem m, uint8_t count);
void emit_alu_m32_imm(struct emitter *e, enum x86_alu op, struct x86_mem m, int32_t imm);
void emit_test_r64_r64(struct emitter *e, int a, int b);
void emit_test_r32_r32(struct emitter *e, int a, int b);
void emit_test_r64_m(struct emitter *e, int reg, struct x86_mem m);
void emit_shift_r64_imm(struct emitter *e, enum x86_shift op, int dst, uint8_t count);
void emit_shift_r32_imm(struct emitter *e, enum x86_shift op, int dst, uint8_t count);
void emit_shift_r64_cl(struct emitter *e, enum x86_shift op, int dst);
void emit_shift_r32_cl(struct emitter *e, enum x86_shift op, int dst);
void emit_imul_r64_r64(struct emitter *e, int dst, int src);
void emit_imul_r32_r32(struct emitter *e, int dst, int src);
void emit_mul_r64(struct emitter *e, int src);	 /* rdx:rax = rax * src, unsigned */
void emit_imul1_r64(struct emitter *e, int src); /* rdx:rax = rax * src, signed */
void emit_setcc_r8(struct emitter *e, enum x86_cond cc, int dst);
void emit_cmov_r64_r64(struct emitter *e, enum x86_cond cc, int dst, int src);
void emit_cmov_r32_r32(struct emitter *e, enum x86_cond cc, int dst, int src);
void emit_cqo(struct emitter *e); /* rdx:rax = sign-extended rax */
void emit_cdq(struct emitter *e); /* edx:eax = sign-extended eax */
void emit_idiv_r64(struct emitter *e, int src);
void emit_div_r64(struct emitter *e, int src);
void emit_idiv_r32(struct emitter *e, int src);
void emit_div_r32(struct emitter *e, int src);
void emit_neg_r64(struct emitter *e, int dst);
void emit_neg_r32(struct emitter *e, int dst);
void emit_not_r64(struct emitter *e, int dst);
void emit_movsx_r64_r8(struct emitter *e, int dst, int src);
void emit_movsx_r64_r16(struct emitter *e, int dst, int src);
void emit_movzx_r32_r16(struct emitter *e, int dst, int src);

/*
 * Bit manipulation. The baseline forms every x86-64 CPU has first; then
 * the ones behind a CPUID feature (jit/host_cpu.h), which must be emitted
 * only when the host has it: lzcnt and tzcnt in particular decode as bsr
 * and bsf (a different result) on a CPU without them, instead of faulting.
 */
void emit_bswap_r64(struct emitter *e, int reg);
void emit_bsr_r64(struct emitter *e, int dst, int src); /* ZF = (src == 0) */
void emit_bsr_r32(struct emitter *e, int dst, int src);
void emit_bsf_r64(struct emitter *e, int dst, int src);
void emit_bsf_r32(struct emitter *e, int dst, int src);
void emit_bt_r64_r64(struct emitter *e, enum x86_bt op, int dst, int bit); /* bit mod 64 */
void emit_bt_r64_imm(struct emitter *e, enum x86_bt op, int dst, uint8_t bit);
void emit_popcnt_r64(struct emitter *e, int dst, int src); /* HOST_POPCNT */
void emit_popcnt_r32(struct emitter *e, int dst, int src);
void emit_lzcnt_r64(struct emitter *e, int dst, int src); /* HOST_LZCNT */
void emit_lzcnt_r32(struct emitter *e, int dst, int src);
void emit_tzcnt_r64(struct emitter *e, int dst, int src); /* HOST_BMI1 */
void emit_tzcnt_r32(struct emitter *e, int dst, int src);
void emit_andn_r64(struct emitter *e, int dst, int a, int b); /* HOST_BMI1: dst = ~a & b */
void emit_rorx_r64(struct emitter *e, int dst, int src, uint8_t count); /* HOST_BMI2 */
void emit_rorx_r32(struct emitter *e, int dst, int src, uint8_t count);
/* HOST_BMI2: shlx, shrx, sarx (op SHIFT_SHL, SHIFT_SHR or SHIFT_SAR). */
void emit_shiftx_r64(struct emitter *e, enum x86_shift op, int dst, int src, int count);
void emit_shiftx_r32(struct emitter *e, enum x86_shift op, int dst, int src, int count);

/* Atomics (lock-prefixed where x86 needs it; xchg with memory is locked by
 * definition). `wide` selects 64-bit operands. */
void emit_lock_xadd_m_r(struct emitter *e, bool wide, struct x86_mem m, int reg);
void emit_xchg_m_r(struct emitter *e, bool wide, struct x86_mem m, int reg);
void emit_lock_cmpxchg_m_r(struct emitter *e, bool wide, struct x86_mem m, int reg);

/* SSE2 scalar floating point (xmm registers are numbered 0-15). */
enum sse_op {
	SSE_SQRT = 0x51,
	SSE_ADD = 0x58,
	SSE_MUL = 0x59,
	SSE_SUB = 0x5c,
	SSE_DIV = 0x5e,
	SSE_CVT = 0x5a, /* cvtsd2ss / cvtss2sd */
};
void emit_movsd_x_m(struct emitter *e, int xmm, struct x86_mem m);
void emit_movsd_m_x(struct emitter *e, struct x86_mem m, int xmm);
void emit_movss_x_m(struct emitter *e, int xmm, struct x86_mem m);
void emit_movss_m_x(struct emitter *e, struct x86_mem m, int xmm);
void emit_movq_r64_x(struct emitter *e, int dst, int xmm);
void emit_movq_x_r64(struct emitter *e, int xmm, int src);
/* op xmm, m64 (double: sd) / m32 (single: ss) */
void emit_sse_sd_m(struct emitter *e, enum sse_op op, int xmm, struct x86_mem m);
void emit_sse_ss_m(struct emitter *e, enum sse_op op, int xmm, struct x86_mem m);
void emit_ucomisd_x_x(struct emitter *e, int a, int b);
void emit_comisd_x_x(struct emitter *e, int a, int b);
void emit_ucomiss_x_x(struct emitter *e, int a, int b);
void emit_comiss_x_x(struct emitter *e, int a, int b);
void emit_cvtsi2sd_x_m64(struct emitter *e, int xmm, struct x86_mem m);
void emit_cvtsi2sd_x_m32(struct emitter *e, int xmm, struct x86_mem m);
void emit_pxor_x_x(struct emitter *e, int dst, int src);
void emit_pcmpeqb_x_x(struct emitter *e, int dst, int src); /* bytes: equal -> 0xff */

/*
 * FMA3 scalar fused multiply-add, VEX-encoded: use only if the host has
 * HOST_FMA (jit/host_cpu.h).
 * The 231 form: dst = +-(a * b) +- dst, rounded once, so dst is the addend.
 * Beware the names: x86's fnmadd negates the product only, RISC-V's
 * fnmadd both terms, so RISC-V fnmsub is FMA_NMADD and fnmadd FMA_NMSUB.
 */
enum fma_op {
	FMA_MADD = 0xb9,  /* vfmadd231:  dst =   a * b  + dst */
	FMA_MSUB = 0xbb,  /* vfmsub231:  dst =   a * b  - dst */
	FMA_NMADD = 0xbd, /* vfnmadd231: dst = -(a * b) + dst */
	FMA_NMSUB = 0xbf, /* vfnmsub231: dst = -(a * b) - dst */
};
void emit_fma231_sd_x(struct emitter *e, enum fma_op op, int dst, int a, int b);
void emit_fma231_ss_x(struct emitter *e, enum fma_op op, int dst, int a, int b);
/* b is an m64 (sd) / m32 (ss) operand. */
void emit_fma231_sd_m(struct emitter *e, enum fma_op op, int dst, int a, struct x86_mem m);
void emit_fma231_ss_m(struct emitter *e, enum fma_op op, int dst, int a, struct x86_mem m);

/* Control flow. Branch forms return the offset of their rel32 field so it
 * can be patched later with emit_patch_rel32. */
size_t emit_jmp_rel32(struct emitter *e, size_t target);
size_t emit_jcc_rel32(struct emitter *e, enum x86_cond cc, size_t target);
void emit_jmp_r64(struct emitter *e, int reg);
size_t emit_call_rel32(struct emitter *e, size_t target);
void emit_call_r64(struct emitter *e, int reg);
void emit_push(struct emitter *e, int reg);
void emit_pop(struct emitter *e, int reg);
void emit_ret(struct emitter *e);
void emit_ud2(struct emitter *e);
void emit_nop(struct emitter *e);
void emit_mfence(struct emitter *e);

/* Point the rel32 field at `field` (an offset in the same buffer) to
 * `target`. */
void emit_patch_rel32(uint8_t *buf, size_t field, size_t target);

#endif
