/* RISC-V instruction words for the test programs that write code and run
 * it (jit_smc, threads_jit, code_flush), encoded as the unprivileged spec
 * lays out the I- and B-type formats (RV32I, chapter 2). */
#ifndef USER_RV_ENCODE_H
#define USER_RV_ENCODE_H

#include <stdint.h>

#define RET 0x00008067u /* jalr zero, 0(ra) */

/* addi rd, rs1, imm */
static inline uint32_t addi(unsigned rd, unsigned rs1, int imm)
{
	return ((uint32_t)(imm & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x13;
}

/* bne rs1, rs2, offset (13-bit, even) */
static inline uint32_t bne(unsigned rs1, unsigned rs2, int off)
{
	uint32_t o = (uint32_t)off;
	return (((o >> 12) & 1) << 31) | (((o >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
	       (1 << 12) | (((o >> 1) & 0xf) << 8) | (((o >> 11) & 1) << 7) | 0x63;
}

#endif
