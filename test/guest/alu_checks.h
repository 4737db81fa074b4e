/* clang-format off */ /* assembler macros, which clang-format would mangle */
/*
 * One-line checks for table-like ALU tests (include after guest.h): each
 * row runs one instruction on constant operands in a1/a2 and fails with
 * code n unless a0 is want. Clobbers a0-a2 and t6.
 *   T(op, a, b, want, n)     op a0, a1, a2
 *   U(op, a, want, n)        op a0, a1
 *   I(op, a, imm, want, n)   op a0, a1, imm
 */
#ifndef ALU_CHECKS_H
#define ALU_CHECKS_H

#define T(op, a, b, want, n) \
	li a1, a;            \
	li a2, b;            \
	op a0, a1, a2;       \
	CHECK_EQ(a0, want, n)

#define U(op, a, want, n) \
	li a1, a;         \
	op a0, a1;        \
	CHECK_EQ(a0, want, n)

#define I(op, a, imm, want, n) \
	li a1, a;              \
	op a0, a1, imm;        \
	CHECK_EQ(a0, want, n)

#endif
