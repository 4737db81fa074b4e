/*
 * Instruction encoders of the translator fuzzer (unprivileged spec chapter
 * 34, "RV32/64G Instruction Set Listings"; RVC: chapter 16). Immediates are
 * truncated to their fields: callers pass values that fit.
 */
#ifndef RVGEN_ENCODE_H
#define RVGEN_ENCODE_H

#include <stdbool.h>
#include <stdint.h>

static inline uint32_t enc_r(unsigned opc, unsigned f3, unsigned f7, unsigned rd, unsigned rs1,
			     unsigned rs2)
{
	return f7 << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 | f3 << 12 | (rd & 31) << 7 | opc;
}
static inline uint32_t enc_i(unsigned opc, unsigned f3, unsigned rd, unsigned rs1, int32_t imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | (rs1 & 31) << 15 | f3 << 12 | (rd & 31) << 7 | opc;
}
static inline uint32_t enc_s(unsigned opc, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
	const uint32_t u = (uint32_t)imm & 0xfff;
	return (u >> 5) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 | f3 << 12 | (u & 31) << 7 |
	       opc;
}
static inline uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t off)
{
	const uint32_t u = (uint32_t)off;
	return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | (rs2 & 31) << 20 |
	       (rs1 & 31) << 15 | f3 << 12 | ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}
static inline uint32_t enc_u(unsigned opc, unsigned rd, uint32_t imm20)
{
	return (imm20 & 0xfffff) << 12 | (rd & 31) << 7 | opc;
}
static inline uint32_t enc_j(unsigned rd, int32_t off)
{
	const uint32_t u = (uint32_t)off;
	return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
	       ((u >> 12) & 0xff) << 12 | (rd & 31) << 7 | 0x6f;
}
static inline uint32_t enc_r4(unsigned opc, unsigned fmt, unsigned rm, unsigned rd, unsigned rs1,
			      unsigned rs2, unsigned rs3)
{
	return rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | opc;
}
static inline uint32_t enc_cj(int32_t off)
{
	const uint32_t u = (uint32_t)off;
	return 0xa001 | ((u >> 11) & 1) << 12 | ((u >> 4) & 1) << 11 | ((u >> 8) & 3) << 9 |
	       ((u >> 10) & 1) << 8 | ((u >> 6) & 1) << 7 | ((u >> 7) & 1) << 6 |
	       ((u >> 1) & 7) << 3 | ((u >> 5) & 1) << 2;
}
static inline uint32_t enc_cb(bool bnez, unsigned rs1, int32_t off)
{
	const uint32_t u = (uint32_t)off;
	return (bnez ? 0xe001u : 0xc001u) | ((u >> 8) & 1) << 12 | ((u >> 3) & 3) << 10 |
	       ((rs1 - 8) & 7) << 7 | ((u >> 6) & 3) << 5 | ((u >> 1) & 3) << 3 |
	       ((u >> 5) & 1) << 2;
}

/* auipc + a 12-bit immediate that together add `off`: the auipc part. */
static inline uint32_t hi20(int32_t off)
{
	return (uint32_t)(off + 0x800) >> 12;
}
static inline int32_t lo12(int32_t off)
{
	return (int32_t)((uint32_t)off << 20) >> 20;
}

#endif
