/*
 * The instruction table: one row per instruction, generated from insn.def.
 * The decoder, the disassembler, the interpreter and the translator are all
 * driven by it, so an instruction's meaning exists exactly once.
 */
#ifndef RVJIT_INSN_H
#define RVJIT_INSN_H

#include "isa.h"
#include "op.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Operand layouts. They decide which fields the decoder extracts and how the
 * disassembler prints them; x = integer register, f = FP register. */
enum insn_format {
	FMT_R,	    /* rd, rs1, rs2 */
	FMT_R1,	    /* rd, rs1 (unary: clz, rev8, sext.b...) */
	FMT_I,	    /* rd, rs1, imm */
	FMT_SH,	    /* rd, rs1, shamt (6 bits) */
	FMT_SHW,    /* rd, rs1, shamt (5 bits) */
	FMT_LOAD,   /* rd, imm(rs1) */
	FMT_STORE,  /* rs2, imm(rs1) */
	FMT_B,	    /* rs1, rs2, pc-relative target */
	FMT_U,	    /* rd, imm[31:12] */
	FMT_J,	    /* rd, pc-relative target */
	FMT_JALR,   /* rd, imm(rs1) */
	FMT_CSR,    /* rd, csr, rs1 */
	FMT_CSRI,   /* rd, csr, uimm5 (kept in rs1) */
	FMT_AMO,    /* rd, rs2, (rs1) */
	FMT_LR,	    /* rd, (rs1) */
	FMT_NONE,   /* no operands */
	FMT_FENCE,  /* pred, succ */
	FMT_SFENCE, /* rs1, rs2 */
	FMT_FLOAD,  /* fd, imm(rs1) */
	FMT_FSTORE, /* fs2, imm(rs1) */
	FMT_F3,	    /* fd, fs1, fs2 (rm in imm) */
	FMT_F4,	    /* fd, fs1, fs2, fs3 (rm in imm) */
	FMT_F2,	    /* fd, fs1 (rm in imm) */
	FMT_F3NR,   /* fd, fs1, fs2 without rounding mode (sgnj, min, max) */
	FMT_FX,	    /* rd, fs1 (rm in imm) */
	FMT_XF,	    /* fd, rs1 (rm in imm) */
	FMT_FCMP,   /* rd, fs1, fs2 */
	FMT_FLI,    /* fd, constant index (Zfa's fli, kept in rs1) */
};

/* Facts about an instruction that the block builder and the translator
 * act on (insn.def's flags column, which says what each means). */
enum insn_flag {
	INSN_ENDS_BLOCK = 1 << 0,
	INSN_JUMP = 1 << 1,
	INSN_ROUNDS = 1 << 2,
	INSN_S_IN = 1 << 3,
	INSN_S_OUT = 1 << 4,
	INSN_WORD = 1 << 5,
};

enum insn_id {
#define INSN(name, mnem, mask, match, fmt, flags, emitter, ext) INSN_##name,
#include "insn.def"
#undef INSN
	INSN_COUNT,
	INSN_ILLEGAL = INSN_COUNT /* pseudo id of ops that raise illegal-instruction */
};
_Static_assert(INSN_COUNT < 65535, "enum insn_id must fit op->id");

struct insn_info {
	const char *mnemonic;
	uint32_t mask;
	uint32_t match;
	enum insn_format format;
	uint8_t flags;	  /* enum insn_flag */
	uint8_t ext[2];	  /* enum isa_ext: on when either is (the second may be ISA_NONE) */
	uint8_t ext_with; /* enum isa_ext that must be on as well, or ISA_NONE */
	exec_fn exec;
};

/* Rows indexed by enum insn_id; insn_table[INSN_ILLEGAL] describes the
 * illegal-instruction op. */
extern const struct insn_info insn_table[INSN_COUNT + 1];

/* Does the format hold a rounding mode (in op->imm after decoding)? */
static inline bool insn_format_has_rm(enum insn_format f)
{
	return f == FMT_F2 || f == FMT_F3 || f == FMT_F4 || f == FMT_FX || f == FMT_XF;
}

#define INSN(name, mnem, mask, match, fmt, flags, emitter, ext)                                    \
	int exec_##name(struct hart *h, const struct op *op);
#include "insn.def"
#undef INSN
int exec_illegal(struct hart *h, const struct op *op);

/* Decode the instruction bits `raw` (len 2 or 4) into *op for a hart with
 * the extensions `isa` (NULL: every extension rvjit has, for tools that
 * show code of any machine). Unknown or reserved encodings, and those of
 * extensions that are off, produce an op that raises illegal-instruction
 * with tval = raw. pc_off is left to the caller. */
void insn_decode(uint32_t raw, int len, struct op *op, const struct isa *isa);

/* Expand a 16-bit RVC instruction into the 32-bit instruction with the same
 * effect; 0 when the encoding is illegal or reserved on RV64, or belongs to
 * an extension `isa` lacks (NULL: all on). (core/rvc.c) */
uint32_t rvc_expand(uint16_t c, const struct isa *isa);

/* Disassemble one decoded op at `pc` into buf (NUL-terminated). */
void insn_disasm(const struct op *op, uint64_t pc, char *buf, size_t size);

/* "ntl.p1", "ntl.pall", "ntl.s1" or "ntl.all" when op is one of
 * Zihintntl's hints (add x0, x0, x2..x5), else NULL (core/disasm.c). */
const char *insn_ntl_name(const struct op *op);

/* The same, spelled as QEMU 7.2's -d in_asm spells it (core/disasm_qemu.c). */
void insn_disasm_qemu(const struct op *op, uint64_t pc, char *buf, size_t size);

/* One line of QEMU's disassembly listing (-d in_asm, the monitor's x/i):
 * the address, the instruction bits padded as QEMU pads them, the text. */
void insn_line_qemu(const struct op *op, uint64_t pc, char *buf, size_t size);

/* ABI names of integer and FP registers ("a0", "fa0"), as disassembled. */
const char *insn_xreg_name(unsigned r);
const char *insn_freg_name(unsigned r);

#endif
