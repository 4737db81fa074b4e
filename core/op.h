/*
 * A pre-decoded instruction ("op") and the contract of the functions that
 * execute one.
 *
 * Blocks of guest code are decoded once into arrays of ops (core/tb.c) and
 * then executed many times, so nothing on the hot path ever looks at
 * instruction bits again. Every instruction in core/insn.def has one
 * exec_<name>() function with the exec_fn signature; the interpreter calls it
 * through op->fn and the translator calls the same function for instructions
 * it does not emit natively.
 *
 * Return protocol of an exec_fn:
 *   EXEC_NEXT  the instruction retired; carry on with the next op.
 *   EXEC_EXIT  the instruction retired and left the block; h->pc holds the
 *              next pc (branches, jumps, CSR writes that change context).
 *   EXEC_TRAP  the instruction did not retire: an exception was taken and
 *              h->pc points at the trap vector, or the machine stopped.
 * The caller adds to instret the ops that returned NEXT or EXIT only, which is
 * what makes instret precise across traps.
 */
#ifndef RVJIT_OP_H
#define RVJIT_OP_H

#include <stdint.h>

struct hart;
struct op;

typedef int (*exec_fn)(struct hart *h, const struct op *op);

enum exec_result {
	EXEC_NEXT = 0,
	EXEC_EXIT = 1,
	EXEC_TRAP = 2,
	EXEC_END = 3, /* returned by a block's end op, which is no instruction */
};

/* Index of the write-only sink register: integer destinations that are x0
 * decode to this slot, so exec functions never test for rd == 0. */
#define XREG_SINK 32

struct op {
	exec_fn fn;
	int32_t imm;  /* immediate; CSR number for Zicsr; rm for FP ops */
	uint32_t raw; /* instruction bits as fetched (16-bit ones for RVC) */
	uint8_t rd;   /* XREG_SINK when an integer rd is x0 */
	uint8_t rs1;
	uint8_t rs2;
	uint8_t rs3;
	uint16_t pc_off; /* byte offset of the instruction from its block start */
	uint16_t id;	 /* enum insn_id, for the disassembler and the JIT */
};
_Static_assert(sizeof(struct op) == 24, "ops are packed three to a cache line pair");

/* The instruction's length, 2 (compressed) or 4, read off raw: a 32-bit
 * instruction's low two bits are 11, a compressed one's are not (spec,
 * "Base Instruction-Length Encoding"). Not stored, so that id has 16 bits. */
static inline unsigned op_len(const struct op *op)
{
	return (op->raw & 3) == 3 ? 4 : 2;
}

#endif
