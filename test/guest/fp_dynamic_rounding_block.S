# Several F/D operations in one block with the dynamic rounding mode:
# the translator tests mstatus.FS once per block but frm at every
# operation (jit/emit_fp.c), and an operation that finds frm other than
# round-to-nearest-even runs exactly in C. Under RTZ each result must be
# rounded toward zero, under RNE to nearest, whichever op comes first;
# the loop runs the blocks translated. (Testing frm once per block, with
# the op's slow path resuming the native code after it, fails check 2.)
#include "guest.h"
#define RNE 0
#define RTZ 1

/* Three rounded operations in a row, results in a0..a2 as bits. */
#define THREE_OPS                \
	fdiv.d fa3, fa0, fa1;    \
	fadd.d fa4, fa5, fa6;    \
	fdiv.d fa7, fa2, fa1;    \
	fmv.x.d a0, fa3;         \
	fmv.x.d a1, fa4;         \
	fmv.x.d a2, fa7

GUEST_START
	li t0, 1 << 13 /* FS = Initial */
	csrs mstatus, t0
	la t0, values
	fld fa0, 0(t0) /* 5.0 */
	fld fa1, 8(t0) /* 3.0 */
	fld fa2, 16(t0) /* 10.0 */
	fld fa5, 24(t0) /* 0.1 */
	fld fa6, 32(t0) /* 0.2 */
	li s1, 4
1:	csrwi frm, RTZ
	THREE_OPS
	CHECK_EQ(a0, 0x3ffaaaaaaaaaaaaa, 1) /* 5/3 */
	CHECK_EQ(a1, 0x3fd3333333333333, 2) /* 0.1 + 0.2 */
	CHECK_EQ(a2, 0x400aaaaaaaaaaaaa, 3) /* 10/3 */
	csrwi frm, RNE
	THREE_OPS
	CHECK_EQ(a0, 0x3ffaaaaaaaaaaaab, 4)
	CHECK_EQ(a1, 0x3fd3333333333334, 5)
	CHECK_EQ(a2, 0x400aaaaaaaaaaaab, 6)
	addi s1, s1, -1
	bnez s1, 1b
	PASS

GUEST_DATA
	.data
	.balign 8
values:	.double 5.0, 3.0, 10.0, 0.1, 0.2
