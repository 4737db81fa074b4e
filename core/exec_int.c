/*
 * RV64I and M: integer computation, control transfer, loads and stores
 * (unprivileged spec chapters 2, 5 and 7).
 *
 * Immediates arrive pre-extracted and sign-extended in op->imm, and an x0
 * destination is the sink register, so each body is the spec's one-line
 * definition.
 */
#include "insn.h"
#include "mem.h"

#define X(n)	(h->x[op->n])
#define SX32(v) ((uint64_t)(int64_t)(int32_t)(v))

/* Arithmetic and logic: register-immediate and register-register. */
#define ALU(name, expr)                                                                            \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		const uint64_t a = X(rs1), b = X(rs2);                                             \
		const int64_t imm = op->imm;                                                       \
		(void)a;                                                                           \
		(void)b;                                                                           \
		(void)imm;                                                                         \
		X(rd) = (expr);                                                                    \
		return EXEC_NEXT;                                                                  \
	}

ALU(lui, (uint64_t)imm)
ALU(addi, a + (uint64_t)imm)
ALU(slti, (int64_t)a < imm)
ALU(sltiu, a < (uint64_t)imm)
ALU(xori, a ^ (uint64_t)imm)
ALU(ori, a | (uint64_t)imm)
ALU(andi, a &(uint64_t)imm)
ALU(slli, a << (imm & 63))
ALU(srli, a >> (imm & 63))
ALU(srai, (uint64_t)((int64_t)a >> (imm & 63)))
ALU(add, a + b)
ALU(sub, a - b)
ALU(sll, a << (b & 63))
ALU(slt, (int64_t)a < (int64_t)b)
ALU(sltu, a < b)
ALU(xor, a ^ b)
ALU(srl, a >> (b & 63))
ALU(sra, (uint64_t)((int64_t)a >> (b & 63)))
ALU(or, a | b)
ALU(and, a &b)
ALU(addiw, SX32(a + (uint64_t)imm))
ALU(slliw, SX32((uint32_t)a << (imm & 31)))
ALU(srliw, SX32((uint32_t)a >> (imm & 31)))
ALU(sraiw, SX32((int32_t)a >> (imm & 31)))
ALU(addw, SX32(a + b))
ALU(subw, SX32(a - b))
ALU(sllw, SX32((uint32_t)a << (b & 31)))
ALU(srlw, SX32((uint32_t)a >> (b & 31)))
ALU(sraw, SX32((int32_t)a >> (b & 31)))

/* M extension. Division by zero and overflow have defined results
 * (unprivileged spec table 7.1), never a trap. */
ALU(mul, a *b)
ALU(mulh, (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64))
ALU(mulhsu, (uint64_t)(((__int128)(int64_t)a * (__int128)(unsigned __int128)b) >> 64))
ALU(mulhu, (uint64_t)(((unsigned __int128)a * b) >> 64))
ALU(mulw, SX32(a *b))

static inline uint64_t div64(int64_t a, int64_t b)
{
	if (b == 0)
		return UINT64_MAX;
	if (a == INT64_MIN && b == -1)
		return (uint64_t)a;
	return (uint64_t)(a / b);
}

static inline uint64_t rem64(int64_t a, int64_t b)
{
	if (b == 0)
		return (uint64_t)a;
	if (a == INT64_MIN && b == -1)
		return 0;
	return (uint64_t)(a % b);
}

static inline uint64_t div32(int32_t a, int32_t b)
{
	if (b == 0)
		return UINT64_MAX;
	if (a == INT32_MIN && b == -1)
		return SX32(a);
	return SX32(a / b);
}

static inline uint64_t rem32(int32_t a, int32_t b)
{
	if (b == 0)
		return SX32(a);
	if (a == INT32_MIN && b == -1)
		return 0;
	return SX32(a % b);
}

ALU(div, div64((int64_t)a, (int64_t)b))
ALU(divu, b ? a / b : UINT64_MAX)
ALU(rem, rem64((int64_t)a, (int64_t)b))
ALU(remu, b ? a % b : a)
ALU(divw, div32((int32_t)a, (int32_t)b))
ALU(divuw, (uint32_t)b ? SX32((uint32_t)a / (uint32_t)b) : UINT64_MAX)
ALU(remw, rem32((int32_t)a, (int32_t)b))
ALU(remuw, (uint32_t)b ? SX32((uint32_t)a % (uint32_t)b) : SX32(a))

int exec_auipc(struct hart *h, const struct op *op)
{
	X(rd) = op_pc(h, op) + (uint64_t)(int64_t)op->imm;
	return EXEC_NEXT;
}

/* Control transfer. Without C every target must be 4-byte aligned; with C
 * (always on here, misa.C is read-only) only 2-byte alignment matters and
 * bit 0 is cleared or zero by construction, so no misaligned-fetch trap can
 * arise from a jump (priv spec 3.1.1). */
int exec_jal(struct hart *h, const struct op *op)
{
	const uint64_t pc = op_pc(h, op);
	X(rd) = pc + op_len(op);
	h->pc = pc + (uint64_t)(int64_t)op->imm;
	return EXEC_EXIT;
}

int exec_jalr(struct hart *h, const struct op *op)
{
	const uint64_t pc = op_pc(h, op);
	const uint64_t target = (X(rs1) + (uint64_t)(int64_t)op->imm) & ~1ULL;
	X(rd) = pc + op_len(op);
	h->pc = target;
	return EXEC_EXIT;
}

#define BRANCH(name, cond)                                                                         \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		const uint64_t a = X(rs1), b = X(rs2);                                             \
		const uint64_t pc = op_pc(h, op);                                                  \
		h->pc = (cond) ? pc + (uint64_t)(int64_t)op->imm : pc + op_len(op);                \
		return EXEC_EXIT;                                                                  \
	}

BRANCH(beq, a == b)
BRANCH(bne, a != b)
BRANCH(blt, (int64_t)a < (int64_t)b)
BRANCH(bge, (int64_t)a >= (int64_t)b)
BRANCH(bltu, a < b)
BRANCH(bgeu, a >= b)

/* Loads and stores. The destination is written only after the access
 * succeeded, which keeps the register file intact on a fault. */
#define LOAD(name, size, conv)                                                                     \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		uint64_t v;                                                                        \
		const int r = mem_load(h, op, X(rs1) + (uint64_t)(int64_t)op->imm, size, &v);      \
		if (unlikely(r != EXEC_NEXT))                                                      \
			return r;                                                                  \
		X(rd) = conv;                                                                      \
		return EXEC_NEXT;                                                                  \
	}

LOAD(lb, 1, (uint64_t)(int64_t)(int8_t)v)
LOAD(lh, 2, (uint64_t)(int64_t)(int16_t)v)
LOAD(lw, 4, SX32(v))
LOAD(ld, 8, v)
LOAD(lbu, 1, v)
LOAD(lhu, 2, v)
LOAD(lwu, 4, v)

#define STORE(name, size)                                                                          \
	int exec_##name(struct hart *h, const struct op *op)                                       \
	{                                                                                          \
		return mem_store(h, op, X(rs1) + (uint64_t)(int64_t)op->imm, size, X(rs2));        \
	}

STORE(sb, 1)
STORE(sh, 2)
STORE(sw, 4)
STORE(sd, 8)
