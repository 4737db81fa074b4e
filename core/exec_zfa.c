/*
 * Zfa: additional floating-point instructions (unprivileged spec, chapter
 * "Zfa"), for singles, doubles and (with Zfh) halves. The arithmetic is
 * core/fpu.c's; the rules of core/exec_fp.c hold (FS Off is illegal,
 * reserved rounding modes are illegal, operands are read unboxed).
 *
 *  - FLI loads entry rs1 of a 32-entry constant table and raises nothing.
 *  - FMINM/FMAXM are IEEE 754-2019 minimum/maximum: unlike FMIN/FMAX, a
 *    NaN operand (quiet or signaling) gives the canonical NaN.
 *  - FROUND/FROUNDNX round to an integral value in the rm mode; only
 *    FROUNDNX raises NX. Both raise NV for a signaling NaN.
 *  - FCVTMOD.W.D truncates modulo 2^32 (inf and NaN give 0) with FCVT.W.D's
 *    flags; its rm field is fixed to RTZ by the encoding (insn.def's mask).
 *  - FLEQ/FLTQ are FLE/FLT that do not signal on a quiet NaN.
 *  - FMVH.X.D and FMVP.D.X exist on RV32 only, so RV64 has no rows for them.
 */
#include "exec_fp.h"

FOP_S(fli_s, RM_NONE, f32_fli(op->rs1))
FOP_D(fli_d, RM_NONE, f64_fli(op->rs1))
FOP_H(fli_h, RM_NONE, f16_fli(op->rs1))
FOP_S(fminm_s, RM_NONE, f32_minimum(S1, S2, &fl))
FOP_S(fmaxm_s, RM_NONE, f32_maximum(S1, S2, &fl))
FOP_D(fminm_d, RM_NONE, f64_minimum(D1, D2, &fl))
FOP_D(fmaxm_d, RM_NONE, f64_maximum(D1, D2, &fl))
FOP_H(fminm_h, RM_NONE, f16_minimum(H1, H2, &fl))
FOP_H(fmaxm_h, RM_NONE, f16_maximum(H1, H2, &fl))
FOP_S(fround_s, RM_USED, f32_round_int(S1, rm, false, &fl))
FOP_S(froundnx_s, RM_USED, f32_round_int(S1, rm, true, &fl))
FOP_D(fround_d, RM_USED, f64_round_int(D1, rm, false, &fl))
FOP_D(froundnx_d, RM_USED, f64_round_int(D1, rm, true, &fl))
FOP_H(fround_h, RM_USED, f16_round_int(H1, rm, false, &fl))
FOP_H(froundnx_h, RM_USED, f16_round_int(H1, rm, true, &fl))
XOP(fcvtmod_w_d, RM_NONE, SX32(f64_to_i32_mod(D1, &fl)))
XOP(fleq_s, RM_NONE, (uint64_t)f32_le_quiet(S1, S2, &fl))
XOP(fltq_s, RM_NONE, (uint64_t)f32_lt_quiet(S1, S2, &fl))
XOP(fleq_d, RM_NONE, (uint64_t)f64_le_quiet(D1, D2, &fl))
XOP(fltq_d, RM_NONE, (uint64_t)f64_lt_quiet(D1, D2, &fl))
XOP(fleq_h, RM_NONE, (uint64_t)f16_le_quiet(H1, H2, &fl))
XOP(fltq_h, RM_NONE, (uint64_t)f16_lt_quiet(H1, H2, &fl))
