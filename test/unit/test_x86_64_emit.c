/*
 * The x86-64 encoder (jit/x86_64_emit.c) against Capstone's disassembler.
 *
 * Every emit_* form is encoded for a set of operands (all 16 registers
 * where the form takes one; the ModR/M and SIB special cases: rsp/r12 as
 * base need a SIB byte, rbp/r13 as base have no disp-0 form, rsp cannot be
 * an index; displacements and immediates on both sides of the 8/32-bit
 * boundary), disassembled, and compared with the text the instruction
 * should have, written here from its SDM meaning (vol. 2) and printed in
 * Capstone's Intel syntax. Each encoding must also be exactly one
 * instruction, use the shortest displacement and immediate the SDM allows
 * (Capstone reports their sizes), and jumps must reach their target.
 *
 * Capstone's formatting, which the expected texts follow:
 *   - numbers 0..9 in decimal, larger ones in hex ("0xa"); negative
 *     displacements as "rcx - 0x80";
 *   - add/sub/cmp/mov immediates signed ("-0x80"), except an imm32 of a
 *     32-bit operation, printed as its unsigned 32-bit value; and/or/xor
 *     immediates always unsigned at the operand size.
 */
/* capstone/x86.h has its own `enum x86_reg`: rename Capstone's. */
#define x86_reg capstone_x86_reg
#include <capstone/capstone.h>
#undef x86_reg
#include "jit/x86_64_emit.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Register and operand names ---------------------------------------- */

static const char *const r64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
				    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const r32[16] = {"eax", "ecx", "edx",  "ebx",  "esp",  "ebp",  "esi",  "edi",
				    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
static const char *const r16[16] = {"ax",  "cx",  "dx",	  "bx",	  "sp",	  "bp",	  "si",	  "di",
				    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
/* With a REX prefix, byte registers 4-7 are spl/bpl/sil/dil, never ah-bh. */
static const char *const r8[16] = {"al",  "cl",	 "dl",	 "bl",	 "spl",	 "bpl",	 "sil",	 "dil",
				   "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};

static const char *const xmm[16] = {"xmm0",  "xmm1",  "xmm2",  "xmm3", "xmm4",	"xmm5",
				    "xmm6",  "xmm7",  "xmm8",  "xmm9", "xmm10", "xmm11",
				    "xmm12", "xmm13", "xmm14", "xmm15"};

/* Condition codes in encoding order (SDM vol. 2, appendix B.1.4.7). */
static const char *const cc_name[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
					"s", "ns", "p", "np", "l", "ge", "le", "g"};

static const char *alu_name(enum x86_alu op)
{
	switch (op) {
	case ALU_ADD:
		return "add";
	case ALU_OR:
		return "or";
	case ALU_AND:
		return "and";
	case ALU_SUB:
		return "sub";
	case ALU_XOR:
		return "xor";
	case ALU_CMP:
		return "cmp";
	}
	return "?";
}

static const enum x86_alu all_alu[] = {ALU_ADD, ALU_OR, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP};
static const enum x86_shift all_shift[] = {SHIFT_ROL, SHIFT_ROR, SHIFT_SHL, SHIFT_SHR, SHIFT_SAR};

static const char *shift_name(enum x86_shift op)
{
	switch (op) {
	case SHIFT_ROL:
		return "rol";
	case SHIFT_ROR:
		return "ror";
	case SHIFT_SHL:
		return "shl";
	case SHIFT_SHR:
		return "shr";
	case SHIFT_SAR:
		return "sar";
	}
	return "?";
}

static bool is_logic(enum x86_alu op)
{
	return op == ALU_OR || op == ALU_AND || op == ALU_XOR;
}

/* An unsigned number as Capstone prints it. */
static void num(char *out, size_t n, uint64_t v)
{
	if (v <= 9)
		snprintf(out, n, "%" PRIu64, v);
	else
		snprintf(out, n, "0x%" PRIx64, v);
}

/* A signed number as Capstone prints it. */
static void snum(char *out, size_t n, int64_t v)
{
	if (v < 0) {
		out[0] = '-';
		num(out + 1, n - 1, -(uint64_t)v);
	} else {
		num(out, n, (uint64_t)v);
	}
}

/* The immediate of a group-1 operation of `bits` (32 or 64). */
static void alu_imm_text(char *out, size_t n, enum x86_alu op, unsigned bits, int32_t imm)
{
	const bool imm8 = imm >= -128 && imm <= 127;
	if (is_logic(op))
		num(out, n, bits == 64 ? (uint64_t)(int64_t)imm : (uint32_t)imm);
	else if (bits == 64 || imm8)
		snum(out, n, imm);
	else
		num(out, n, (uint32_t)imm);
}

/* "qword ptr [base + index*scale + disp]"; size NULL for lea. */
static void mem_text(char *out, size_t n, const char *size, struct x86_mem m)
{
	char disp[32] = "";
	if (m.disp > 0) {
		char v[24];
		num(v, sizeof(v), (uint64_t)m.disp);
		snprintf(disp, sizeof(disp), " + %s", v);
	} else if (m.disp < 0) {
		char v[24];
		num(v, sizeof(v), -(uint64_t)(int64_t)m.disp);
		snprintf(disp, sizeof(disp), " - %s", v);
	}
	char index[16] = "";
	if (m.index != NO_REG) {
		if (m.scale > 1)
			snprintf(index, sizeof(index), " + %s*%u", r64[m.index], m.scale);
		else
			snprintf(index, sizeof(index), " + %s", r64[m.index]);
	}
	snprintf(out, n, "%s%s[%s%s%s]", size ? size : "", size ? " ptr " : "", r64[m.base], index,
		 disp);
}

/* The displacement bytes the SDM's shortest encoding of m needs: none for
 * 0 unless the base is rbp/r13 (mod 00 with r/m 101 means RIP-relative, and
 * base 101 in a SIB means no base), 1 for a signed byte, else 4. */
static unsigned disp_bytes(struct x86_mem m)
{
	if (m.disp == 0 && (m.base & 7) != RBP)
		return 0;
	return m.disp >= -128 && m.disp <= 127 ? 1 : 4;
}

/* ---- Disassembly ------------------------------------------------------- */

static csh cs;

static void cs_setup(void)
{
	cr_assert_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
}

static void cs_teardown(void)
{
	cs_close(&cs);
}

struct expect_sizes {
	int disp; /* displacement bytes, -1: don't check */
	int imm;  /* immediate bytes, -1: don't check */
};

static const struct expect_sizes ANY = {-1, -1};

/* The bytes e holds are one instruction whose text is `want`. */
static void check_insn(const struct emitter *e, uint64_t addr, struct expect_sizes sz,
		       const char *fmt, ...)
{
	char want[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);

	char hex[64] = "";
	for (size_t i = 0; i < e->len && i < 20; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", e->buf[i]);
	cr_assert(!e->overflow, "%s: overflow", want);
	cs_insn *insn;
	const size_t count = cs_disasm(cs, e->buf, e->len, addr, 0, &insn);
	cr_assert_eq(count, 1, "%s: [%s] disassembles to %zu instructions", want, hex, count);
	char got[192];
	if (insn->op_str[0])
		snprintf(got, sizeof(got), "%s %s", insn->mnemonic, insn->op_str);
	else
		snprintf(got, sizeof(got), "%s", insn->mnemonic);
	const size_t size = insn->size;
	const int disp_size = insn->detail->x86.encoding.disp_size;
	const int imm_size = insn->detail->x86.encoding.imm_size;
	cs_free(insn, count);
	cr_assert_eq(size, e->len, "%s: [%s] Capstone used %zu of %zu bytes", want, hex, size,
		     e->len);
	cr_assert_str_eq(got, want, "[%s] is \"%s\", expected \"%s\"", hex, got, want);
	if (sz.disp >= 0)
		cr_assert_eq(disp_size, sz.disp, "%s: [%s] disp is %d bytes, expected %d", want,
			     hex, disp_size, sz.disp);
	if (sz.imm >= 0)
		cr_assert_eq(imm_size, sz.imm, "%s: [%s] immediate is %d bytes, expected %d", want,
			     hex, imm_size, sz.imm);
}

/* ---- Memory operands ----------------------------------------------------- */

static const int32_t disps[] = {0, 1, -1, 9, 10, 0x28, 127, -128, 128, -129, INT32_MAX, INT32_MIN};

/* Every base with every displacement, then every index (rsp cannot be
 * one) at every scale with bases that need a SIB byte or a displacement
 * anyway, and plain ones. */
static size_t all_mems(struct x86_mem *out)
{
	size_t n = 0;
	for (int base = 0; base < 16; base++)
		for (size_t d = 0; d < sizeof(disps) / sizeof(disps[0]); d++)
			out[n++] = mem(base, disps[d]);
	static const int sib_bases[] = {RAX, RBP, RSP, R12, R13, R15};
	static const uint8_t scales[] = {1, 2, 4, 8};
	static const int32_t sib_disps[] = {0, 127, 128, -129};
	for (int index = 0; index < 16; index++) {
		if (index == RSP)
			continue;
		for (size_t b = 0; b < sizeof(sib_bases) / sizeof(sib_bases[0]); b++)
			for (size_t s = 0; s < 4; s++)
				for (size_t d = 0; d < 4; d++)
					out[n++] = (struct x86_mem){.base = sib_bases[b],
								    .index = index,
								    .scale = scales[s],
								    .disp = sib_disps[d]};
	}
	return n;
}

#define MAX_MEMS (16 * 12 + 15 * 6 * 4 * 4)

/*
 * Criterion runs each parameterized case in a fresh process, so parameters
 * must not hold pointers: they are row numbers in the tables below.
 * Criterion 2.4.1 also forgets `used` on a parameterized test's section
 * entry, and link-time optimisation (the Release build) then drops the
 * test silently; KEEP_PARAM_TEST holds on to it.
 */
#define KEEP_PARAM_TEST(suite, name)                                                               \
	__attribute__((used)) static struct criterion_test **const keep_##suite##_##name =         \
	    &suite##_##name##_ptr

/* ---- Register, memory forms ---------------------------------------------- */

/* A form with a register and a memory operand. */
struct mem_form {
	const char *mnemonic;
	const char *const *reg_names; /* r64, r32, r16 or r8 */
	const char *size;	      /* "qword", ...; NULL for lea */
	bool mem_first;		      /* memory is the destination */
	void (*emit)(struct emitter *e, enum x86_alu op, int reg, struct x86_mem m);
	enum x86_alu op; /* for the group-1 forms */
};

static void f_mov_r64_m(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_mov_r64_m(e, r, m);
}
static void f_mov_m_r64(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_mov_m_r64(e, m, r);
}
static void f_mov_r32_m(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_mov_r32_m(e, r, m);
}
static void f_mov_m_r32(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_mov_m_r32(e, m, r);
}
static void f_mov_m_r16(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_mov_m_r16(e, m, r);
}
static void f_mov_m_r8(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_mov_m_r8(e, m, r);
}
static void f_movzx8(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_movzx_r32_m8(e, r, m);
}
static void f_movzx16(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_movzx_r32_m16(e, r, m);
}
static void f_movsx8(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_movsx_r64_m8(e, r, m);
}
static void f_movsx16(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_movsx_r64_m16(e, r, m);
}
static void f_movsxd(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_movsxd_r64_m32(e, r, m);
}
static void f_lea(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_lea(e, r, m);
}
static void f_alu_r64_m(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_alu_r64_m(e, op, r, m);
}
static void f_alu_r32_m(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_alu_r32_m(e, op, r, m);
}
static void f_test_r64_m(struct emitter *e, enum x86_alu op, int r, struct x86_mem m)
{
	emit_test_r64_m(e, r, m);
}

static const struct mem_form mem_forms[] = {
    {"mov", r64, "qword", false, f_mov_r64_m, 0},
    {"mov", r64, "qword", true, f_mov_m_r64, 0},
    {"mov", r32, "dword", false, f_mov_r32_m, 0},
    {"mov", r32, "dword", true, f_mov_m_r32, 0},
    {"mov", r16, "word", true, f_mov_m_r16, 0},
    {"mov", r8, "byte", true, f_mov_m_r8, 0},
    {"movzx", r32, "byte", false, f_movzx8, 0},
    {"movzx", r32, "word", false, f_movzx16, 0},
    {"movsx", r64, "byte", false, f_movsx8, 0},
    {"movsx", r64, "word", false, f_movsx16, 0},
    {"movsxd", r64, "dword", false, f_movsxd, 0},
    {"lea", r64, NULL, false, f_lea, 0},
    {"add", r64, "qword", false, f_alu_r64_m, ALU_ADD},
    {"or", r64, "qword", false, f_alu_r64_m, ALU_OR},
    {"and", r64, "qword", false, f_alu_r64_m, ALU_AND},
    {"sub", r64, "qword", false, f_alu_r64_m, ALU_SUB},
    {"xor", r64, "qword", false, f_alu_r64_m, ALU_XOR},
    {"cmp", r64, "qword", false, f_alu_r64_m, ALU_CMP},
    {"add", r32, "dword", false, f_alu_r32_m, ALU_ADD},
    {"or", r32, "dword", false, f_alu_r32_m, ALU_OR},
    {"and", r32, "dword", false, f_alu_r32_m, ALU_AND},
    {"sub", r32, "dword", false, f_alu_r32_m, ALU_SUB},
    {"xor", r32, "dword", false, f_alu_r32_m, ALU_XOR},
    {"cmp", r32, "dword", false, f_alu_r32_m, ALU_CMP},
    /* test is symmetric; Capstone prints the r/m operand first. */
    {"test", r64, "qword", true, f_test_r64_m, 0},
};

#define N_MEM_FORMS (sizeof(mem_forms) / sizeof(mem_forms[0]))

/* A time limit for every test: a hang fails it instead of stalling the
 * run. */
TestSuite(emit, .timeout = 60);

ParameterizedTestParameters(emit, reg_mem)
{
	static int rows[N_MEM_FORMS];
	for (size_t i = 0; i < N_MEM_FORMS; i++)
		rows[i] = (int)i;
	return cr_make_param_array(int, rows, N_MEM_FORMS);
}

ParameterizedTest(int *row, emit, reg_mem, .init = cs_setup, .fini = cs_teardown)
{
	const struct mem_form *f = &mem_forms[*row];
	static struct x86_mem mems[MAX_MEMS];
	const size_t n = all_mems(mems);
	uint8_t buf[32];
	for (int reg = 0; reg < 16; reg++) {
		for (size_t i = 0; i < n; i++) {
			struct emitter e = {.buf = buf, .cap = sizeof(buf)};
			f->emit(&e, f->op, reg, mems[i]);
			char m[64];
			mem_text(m, sizeof(m), f->size, mems[i]);
			struct expect_sizes sz = {(int)disp_bytes(mems[i]), 0};
			if (f->reg_names == r16) {
				/* Capstone 4 reports the displacement size of a
				 * 66-prefixed instruction as 2; count it instead:
				 * 66, REX if any register is r8-r15, 89, ModR/M,
				 * SIB for an index or an rsp/r12 base. */
				const struct x86_mem mm = mems[i];
				const bool rex = reg >= 8 || mm.base >= 8 ||
						 (mm.index != NO_REG && mm.index >= 8);
				const bool sib = mm.index != NO_REG || (mm.base & 7) == RSP;
				cr_assert_eq(e.len, 3 + rex + sib + disp_bytes(mm),
					     "mov word: %zu bytes", e.len);
				sz.disp = -1;
			}
			if (f->mem_first)
				check_insn(&e, 0, sz, "%s %s, %s", f->mnemonic, m,
					   f->reg_names[reg]);
			else
				check_insn(&e, 0, sz, "%s %s, %s", f->mnemonic, f->reg_names[reg],
					   m);
		}
	}
}

/* ---- Register, register forms ---------------------------------------- */

struct rr_form {
	const char *mnemonic;
	const char *const *dst_names;
	const char *const *src_names;
	void (*emit)(struct emitter *e, enum x86_alu op, int dst, int src);
	enum x86_alu op;
};

static void f_mov_r64_r64(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_mov_r64_r64(e, d, s);
}
static void f_mov_r32_r32(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_mov_r32_r32(e, d, s);
}
static void f_movsxd_rr(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_movsxd_r64_r32(e, d, s);
}
static void f_movzx_rr8(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_movzx_r32_r8(e, d, s);
}
static void f_alu64(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_alu_r64_r64(e, op, d, s);
}
static void f_alu32(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_alu_r32_r32(e, op, d, s);
}
static void f_test64(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_test_r64_r64(e, d, s);
}
static void f_test32(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_test_r32_r32(e, d, s);
}
static void f_imul64(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_imul_r64_r64(e, d, s);
}
static void f_imul32(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_imul_r32_r32(e, d, s);
}

static void f_movsx_rr8(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_movsx_r64_r8(e, d, s);
}
static void f_movsx_rr16(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_movsx_r64_r16(e, d, s);
}
static void f_movzx_rr16(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_movzx_r32_r16(e, d, s);
}
static void f_bsr64(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_bsr_r64(e, d, s);
}
static void f_bsr32(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_bsr_r32(e, d, s);
}
static void f_bsf64(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_bsf_r64(e, d, s);
}
static void f_bsf32(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_bsf_r32(e, d, s);
}
static void f_popcnt64(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_popcnt_r64(e, d, s);
}
static void f_popcnt32(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_popcnt_r32(e, d, s);
}
static void f_lzcnt64(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_lzcnt_r64(e, d, s);
}
static void f_lzcnt32(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_lzcnt_r32(e, d, s);
}
static void f_tzcnt64(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_tzcnt_r64(e, d, s);
}
static void f_tzcnt32(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_tzcnt_r32(e, d, s);
}
/* The bit-test forms, their enum x86_bt passed as the group-1 slot. */
static void f_bt_rr(struct emitter *e, enum x86_alu op, int d, int s)
{
	emit_bt_r64_r64(e, (enum x86_bt)op, d, s);
}

static const struct rr_form rr_forms[] = {
    {"mov", r64, r64, f_mov_r64_r64, 0},
    {"mov", r32, r32, f_mov_r32_r32, 0},
    {"movsxd", r64, r32, f_movsxd_rr, 0},
    {"movzx", r32, r8, f_movzx_rr8, 0},
    {"add", r64, r64, f_alu64, ALU_ADD},
    {"or", r64, r64, f_alu64, ALU_OR},
    {"and", r64, r64, f_alu64, ALU_AND},
    {"sub", r64, r64, f_alu64, ALU_SUB},
    {"xor", r64, r64, f_alu64, ALU_XOR},
    {"cmp", r64, r64, f_alu64, ALU_CMP},
    {"add", r32, r32, f_alu32, ALU_ADD},
    {"or", r32, r32, f_alu32, ALU_OR},
    {"and", r32, r32, f_alu32, ALU_AND},
    {"sub", r32, r32, f_alu32, ALU_SUB},
    {"xor", r32, r32, f_alu32, ALU_XOR},
    {"cmp", r32, r32, f_alu32, ALU_CMP},
    {"test", r64, r64, f_test64, 0},
    {"test", r32, r32, f_test32, 0},
    {"imul", r64, r64, f_imul64, 0},
    {"imul", r32, r32, f_imul32, 0},
    {"movsx", r64, r8, f_movsx_rr8, 0},
    {"movsx", r64, r16, f_movsx_rr16, 0},
    {"movzx", r32, r16, f_movzx_rr16, 0},
    {"bsr", r64, r64, f_bsr64, 0},
    {"bsr", r32, r32, f_bsr32, 0},
    {"bsf", r64, r64, f_bsf64, 0},
    {"bsf", r32, r32, f_bsf32, 0},
    {"popcnt", r64, r64, f_popcnt64, 0},
    {"popcnt", r32, r32, f_popcnt32, 0},
    {"lzcnt", r64, r64, f_lzcnt64, 0},
    {"lzcnt", r32, r32, f_lzcnt32, 0},
    {"tzcnt", r64, r64, f_tzcnt64, 0},
    {"tzcnt", r32, r32, f_tzcnt32, 0},
    {"bt", r64, r64, f_bt_rr, (enum x86_alu)BT_TEST},
    {"bts", r64, r64, f_bt_rr, (enum x86_alu)BT_SET},
    {"btr", r64, r64, f_bt_rr, (enum x86_alu)BT_RESET},
    {"btc", r64, r64, f_bt_rr, (enum x86_alu)BT_COMPLEMENT},
};

#define N_RR_FORMS (sizeof(rr_forms) / sizeof(rr_forms[0]))

ParameterizedTestParameters(emit, reg_reg)
{
	static int rows[N_RR_FORMS];
	for (size_t i = 0; i < N_RR_FORMS; i++)
		rows[i] = (int)i;
	return cr_make_param_array(int, rows, N_RR_FORMS);
}

ParameterizedTest(int *row, emit, reg_reg, .init = cs_setup, .fini = cs_teardown)
{
	const struct rr_form *f = &rr_forms[*row];
	uint8_t buf[16];
	for (int dst = 0; dst < 16; dst++) {
		for (int src = 0; src < 16; src++) {
			struct emitter e = {.buf = buf, .cap = sizeof(buf)};
			f->emit(&e, f->op, dst, src);
			check_insn(&e, 0, ANY, "%s %s, %s", f->mnemonic, f->dst_names[dst],
				   f->src_names[src]);
		}
	}
}

/* ---- Immediates --------------------------------------------------------- */

static const int32_t imms[] = {0,   1,	  -1,  9,    10,     -9,	-10,
			       127, -128, 128, -129, 0x1000, INT32_MAX, INT32_MIN};

static int imm_bytes(int32_t imm)
{
	return imm >= -128 && imm <= 127 ? 1 : 4;
}

Test(emit, alu_reg_imm, .init = cs_setup, .fini = cs_teardown)
{
	uint8_t buf[16];
	for (size_t o = 0; o < sizeof(all_alu) / sizeof(all_alu[0]); o++) {
		const enum x86_alu op = all_alu[o];
		for (int reg = 0; reg < 16; reg++) {
			for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
				const struct expect_sizes sz = {0, imm_bytes(imms[i])};
				char v[32];
				struct emitter e = {.buf = buf, .cap = sizeof(buf)};
				emit_alu_r64_imm(&e, op, reg, imms[i]);
				alu_imm_text(v, sizeof(v), op, 64, imms[i]);
				check_insn(&e, 0, sz, "%s %s, %s", alu_name(op), r64[reg], v);

				e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
				emit_alu_r32_imm(&e, op, reg, imms[i]);
				alu_imm_text(v, sizeof(v), op, 32, imms[i]);
				check_insn(&e, 0, sz, "%s %s, %s", alu_name(op), r32[reg], v);
			}
		}
	}
}

Test(emit, alu_mem_imm, .init = cs_setup, .fini = cs_teardown)
{
	static struct x86_mem mems[MAX_MEMS];
	const size_t n = all_mems(mems);
	uint8_t buf[32];
	for (size_t o = 0; o < sizeof(all_alu) / sizeof(all_alu[0]); o++) {
		const enum x86_alu op = all_alu[o];
		for (size_t k = 0; k < n; k++) {
			for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
				const struct expect_sizes sz = {(int)disp_bytes(mems[k]),
								imm_bytes(imms[i])};
				char v[32], m[64];
				struct emitter e = {.buf = buf, .cap = sizeof(buf)};
				emit_alu_m64_imm(&e, op, mems[k], imms[i]);
				alu_imm_text(v, sizeof(v), op, 64, imms[i]);
				mem_text(m, sizeof(m), "qword", mems[k]);
				check_insn(&e, 0, sz, "%s %s, %s", alu_name(op), m, v);

				e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
				emit_alu_m32_imm(&e, op, mems[k], imms[i]);
				alu_imm_text(v, sizeof(v), op, 32, imms[i]);
				mem_text(m, sizeof(m), "dword", mems[k]);
				check_insn(&e, 0, sz, "%s %s, %s", alu_name(op), m, v);
			}
		}
	}
}

/* test r/m8, imm8 (F6 /0 ib): the byte compare of rvjit-user's page
 * protection check. */
Test(emit, test_mem8_imm, .init = cs_setup, .fini = cs_teardown)
{
	static struct x86_mem mems[MAX_MEMS];
	const size_t n = all_mems(mems);
	static const uint8_t bits[] = {1, 8, 0x80, 0xff};
	uint8_t buf[32];
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
			const struct expect_sizes sz = {(int)disp_bytes(mems[k]), 1};
			char m[64];
			struct emitter e = {.buf = buf, .cap = sizeof(buf)};
			emit_test_m8_imm(&e, mems[k], bits[i]);
			mem_text(m, sizeof(m), "byte", mems[k]);
			if (bits[i] < 10)
				check_insn(&e, 0, sz, "test %s, %u", m, bits[i]);
			else
				check_insn(&e, 0, sz, "test %s, 0x%x", m, bits[i]);
		}
	}
}

/* mov r/m64, imm32 (C7 /0) sign-extends its immediate to 64 bits. */
Test(emit, mov_mem_imm32, .init = cs_setup, .fini = cs_teardown)
{
	static struct x86_mem mems[MAX_MEMS];
	const size_t n = all_mems(mems);
	uint8_t buf[32];
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
			const struct expect_sizes sz = {(int)disp_bytes(mems[k]), 4};
			char v[32], m[64];
			struct emitter e = {.buf = buf, .cap = sizeof(buf)};
			emit_mov_m_imm32(&e, mems[k], imms[i]);
			snum(v, sizeof(v), imms[i]);
			mem_text(m, sizeof(m), "qword", mems[k]);
			check_insn(&e, 0, sz, "mov %s, %s", m, v);
		}
	}
}

/* mov_r64_imm picks the shortest form: B8+r id (zero-extends, 5 or 6
 * bytes), REX.W C7 /0 id (sign-extends, 7 bytes), REX.W B8+r io (10). */
struct mov_imm_case {
	uint64_t imm;
	enum { ZX32, SX32, IMM64 } form;
};

static struct mov_imm_case mov_imm_cases[] = {
    {0, ZX32},
    {1, ZX32},
    {9, ZX32},
    {0x7f, ZX32},
    {0x80000000, ZX32},
    {UINT32_MAX, ZX32},
    {0x100000000, IMM64},
    {(uint64_t)-1, SX32},
    {(uint64_t)-10, SX32},
    {(uint64_t)(int64_t)INT32_MIN, SX32},
    {(uint64_t)(int64_t)INT32_MIN - 1, IMM64},
    {0xffffffff00000000, IMM64},
    {0x8000000000000000, IMM64},
    {0x7fffffffffffffff, IMM64},
    {0x123456789abcdef0, IMM64},
};

ParameterizedTestParameters(emit, mov_r64_imm)
{
	return cr_make_param_array(struct mov_imm_case, mov_imm_cases,
				   sizeof(mov_imm_cases) / sizeof(mov_imm_cases[0]));
}

ParameterizedTest(struct mov_imm_case *c, emit, mov_r64_imm, .init = cs_setup, .fini = cs_teardown)
{
	uint8_t buf[16];
	for (int reg = 0; reg < 16; reg++) {
		struct emitter e = {.buf = buf, .cap = sizeof(buf)};
		emit_mov_r64_imm(&e, reg, c->imm);
		char v[32];
		switch (c->form) {
		case ZX32:
			cr_assert_eq(e.len, reg < 8 ? 5u : 6u, "mov %s, %#" PRIx64 ": %zu bytes",
				     r64[reg], c->imm, e.len);
			num(v, sizeof(v), c->imm);
			check_insn(&e, 0, (struct expect_sizes){0, 4}, "mov %s, %s", r32[reg], v);
			break;
		case SX32:
			cr_assert_eq(e.len, 7u, "mov %s, %#" PRIx64 ": %zu bytes", r64[reg], c->imm,
				     e.len);
			snum(v, sizeof(v), (int64_t)c->imm);
			check_insn(&e, 0, (struct expect_sizes){0, 4}, "mov %s, %s", r64[reg], v);
			break;
		case IMM64:
			cr_assert_eq(e.len, 10u, "mov %s, %#" PRIx64 ": %zu bytes", r64[reg],
				     c->imm, e.len);
			num(v, sizeof(v), c->imm);
			check_insn(&e, 0, (struct expect_sizes){0, 8}, "movabs %s, %s", r64[reg],
				   v);
			break;
		}
	}
}

/* ---- Shifts, multiplies, setcc ----------------------------------------- */

Test(emit, shifts, .init = cs_setup, .fini = cs_teardown)
{
	static const uint8_t counts[] = {0, 1, 2, 9, 12, 31, 32, 63};
	uint8_t buf[16];
	for (size_t s = 0; s < sizeof(all_shift) / sizeof(all_shift[0]); s++) {
		const enum x86_shift op = all_shift[s];
		for (int reg = 0; reg < 16; reg++) {
			for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
				char v[8];
				num(v, sizeof(v), counts[i]);
				struct emitter e = {.buf = buf, .cap = sizeof(buf)};
				emit_shift_r64_imm(&e, op, reg, counts[i]);
				check_insn(&e, 0, (struct expect_sizes){0, 1}, "%s %s, %s",
					   shift_name(op), r64[reg], v);
				if (counts[i] < 32) {
					e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
					emit_shift_r32_imm(&e, op, reg, counts[i]);
					check_insn(&e, 0, (struct expect_sizes){0, 1}, "%s %s, %s",
						   shift_name(op), r32[reg], v);
				}
			}
			struct emitter e = {.buf = buf, .cap = sizeof(buf)};
			emit_shift_r64_cl(&e, op, reg);
			check_insn(&e, 0, ANY, "%s %s, cl", shift_name(op), r64[reg]);
			e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
			emit_shift_r32_cl(&e, op, reg);
			check_insn(&e, 0, ANY, "%s %s, cl", shift_name(op), r32[reg]);
		}
	}
}

/* One-operand forms: F7 /4 (mul), F7 /5 (imul), FF /4 (jmp), FF /2 (call),
 * 50+r (push), 58+r (pop). */
Test(emit, one_register_forms, .init = cs_setup, .fini = cs_teardown)
{
	uint8_t buf[16];
	for (int reg = 0; reg < 16; reg++) {
		struct emitter e = {.buf = buf, .cap = sizeof(buf)};
		emit_mul_r64(&e, reg);
		check_insn(&e, 0, ANY, "mul %s", r64[reg]);
		e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
		emit_imul1_r64(&e, reg);
		check_insn(&e, 0, ANY, "imul %s", r64[reg]);
		e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
		emit_jmp_r64(&e, reg);
		check_insn(&e, 0, ANY, "jmp %s", r64[reg]);
		cr_assert_eq(e.len, reg < 8 ? 2u : 3u, "jmp %s: no REX.W needed", r64[reg]);
		e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
		emit_call_r64(&e, reg);
		check_insn(&e, 0, ANY, "call %s", r64[reg]);
		cr_assert_eq(e.len, reg < 8 ? 2u : 3u, "call %s: no REX.W needed", r64[reg]);
		e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
		emit_push(&e, reg);
		check_insn(&e, 0, ANY, "push %s", r64[reg]);
		cr_assert_eq(e.len, reg < 8 ? 1u : 2u);
		e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
		emit_pop(&e, reg);
		check_insn(&e, 0, ANY, "pop %s", r64[reg]);
		cr_assert_eq(e.len, reg < 8 ? 1u : 2u);
		e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
		emit_not_r64(&e, reg);
		check_insn(&e, 0, ANY, "not %s", r64[reg]);
		e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
		emit_bswap_r64(&e, reg);
		check_insn(&e, 0, ANY, "bswap %s", r64[reg]);
		cr_assert_eq(e.len, 3u, "bswap %s: REX.W 0F C8+r", r64[reg]);
	}
}

/* ---- Bit manipulation with an immediate or three operands -------------- */

static const uint8_t bit_numbers[] = {0, 1, 9, 10, 31, 32, 63};

/* bt/bts/btr/btc r/m64, imm8 (0F BA /4../7 ib). */
Test(emit, bit_test_imm, .init = cs_setup, .fini = cs_teardown)
{
	static const enum x86_bt ops[] = {BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT};
	static const char *const names[] = {"bt", "bts", "btr", "btc"};
	uint8_t buf[16];
	for (size_t o = 0; o < 4; o++) {
		for (int reg = 0; reg < 16; reg++) {
			for (size_t i = 0; i < sizeof(bit_numbers); i++) {
				char v[8];
				num(v, sizeof(v), bit_numbers[i]);
				struct emitter e = {.buf = buf, .cap = sizeof(buf)};
				emit_bt_r64_imm(&e, ops[o], reg, bit_numbers[i]);
				check_insn(&e, 0, (struct expect_sizes){0, 1}, "%s %s, %s",
					   names[o], r64[reg], v);
			}
		}
	}
}

/* The BMI forms (VEX, three bytes of it): every register in every
 * position, as VEX.R, VEX.vvvv and VEX.B carry bit 3 of each. */
Test(emit, bmi_three_registers, .init = cs_setup, .fini = cs_teardown)
{
	uint8_t buf[16];
	for (int dst = 0; dst < 16; dst++) {
		for (int a = 0; a < 16; a++) {
			for (int b = 0; b < 16; b++) {
				struct emitter e = {.buf = buf, .cap = sizeof(buf)};
				emit_andn_r64(&e, dst, a, b);
				cr_assert_eq(e.len, 5u);
				check_insn(&e, 0, ANY, "andn %s, %s, %s", r64[dst], r64[a], r64[b]);
				for (size_t s = 2; s < 5; s++) { /* shl, shr, sar */
					const enum x86_shift op = all_shift[s];
					e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
					emit_shiftx_r64(&e, op, dst, a, b);
					cr_assert_eq(e.len, 5u);
					check_insn(&e, 0, ANY, "%sx %s, %s, %s", shift_name(op),
						   r64[dst], r64[a], r64[b]);
					e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
					emit_shiftx_r32(&e, op, dst, a, b);
					cr_assert_eq(e.len, 5u);
					check_insn(&e, 0, ANY, "%sx %s, %s, %s", shift_name(op),
						   r32[dst], r32[a], r32[b]);
				}
			}
		}
	}
}

/* Capstone 4 reports rorx's imm8 as 8 bytes; the length says it is one:
 * C4, two VEX bytes, F0, ModR/M, imm8. */
Test(emit, rorx, .init = cs_setup, .fini = cs_teardown)
{
	uint8_t buf[16];
	for (int dst = 0; dst < 16; dst++) {
		for (int src = 0; src < 16; src++) {
			for (size_t i = 0; i < sizeof(bit_numbers); i++) {
				const uint8_t n = bit_numbers[i];
				char v[8];
				num(v, sizeof(v), n);
				struct emitter e = {.buf = buf, .cap = sizeof(buf)};
				emit_rorx_r64(&e, dst, src, n);
				cr_assert_eq(e.len, 6u);
				check_insn(&e, 0, ANY, "rorx %s, %s, %s", r64[dst], r64[src], v);
				if (n > 31)
					continue;
				e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
				emit_rorx_r32(&e, dst, src, n);
				cr_assert_eq(e.len, 6u);
				check_insn(&e, 0, ANY, "rorx %s, %s, %s", r32[dst], r32[src], v);
			}
		}
	}
}

/* SSE2 integer forms on xmm registers (orc.b). */
Test(emit, sse_integer, .init = cs_setup, .fini = cs_teardown)
{
	uint8_t buf[16];
	for (int dst = 0; dst < 16; dst++) {
		for (int src = 0; src < 16; src++) {
			struct emitter e = {.buf = buf, .cap = sizeof(buf)};
			emit_pxor_x_x(&e, dst, src);
			check_insn(&e, 0, ANY, "pxor %s, %s", xmm[dst], xmm[src]);
			e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
			emit_pcmpeqb_x_x(&e, dst, src);
			check_insn(&e, 0, ANY, "pcmpeqb %s, %s", xmm[dst], xmm[src]);
		}
	}
}

Test(emit, no_operand_forms, .init = cs_setup, .fini = cs_teardown)
{
	uint8_t buf[16];
	struct emitter e = {.buf = buf, .cap = sizeof(buf)};
	emit_ret(&e);
	check_insn(&e, 0, ANY, "ret");
	e = (struct emitter){.buf = buf, .cap = sizeof(buf)};
	emit_ud2(&e);
	check_insn(&e, 0, ANY, "ud2");
}

/* setcc r/m8: every condition into every byte register (spl..dil need a
 * REX prefix, or they would be ah..bh). */
Test(emit, setcc, .init = cs_setup, .fini = cs_teardown)
{
	uint8_t buf[16];
	for (int cc = 0; cc < 16; cc++) {
		for (int reg = 0; reg < 16; reg++) {
			struct emitter e = {.buf = buf, .cap = sizeof(buf)};
			emit_setcc_r8(&e, (enum x86_cond)cc, reg);
			check_insn(&e, 0, ANY, "set%s %s", cc_name[cc], r8[reg]);
		}
	}
}

/* ---- Fused multiply-add (FMA3, VEX) ------------------------------------- */

/* Each operation at each width; `single` is the ss form (m32), else sd (m64). */
struct fma_form {
	const char *mnemonic;
	enum fma_op op;
	bool single;
};

static const struct fma_form fma_forms[] = {
    {"vfmadd231sd", FMA_MADD, false},	{"vfmsub231sd", FMA_MSUB, false},
    {"vfnmadd231sd", FMA_NMADD, false}, {"vfnmsub231sd", FMA_NMSUB, false},
    {"vfmadd231ss", FMA_MADD, true},	{"vfmsub231ss", FMA_MSUB, true},
    {"vfnmadd231ss", FMA_NMADD, true},	{"vfnmsub231ss", FMA_NMSUB, true},
};

#define N_FMA_FORMS (sizeof(fma_forms) / sizeof(fma_forms[0]))

ParameterizedTestParameters(emit, fma_reg)
{
	static int rows[N_FMA_FORMS];
	for (size_t i = 0; i < N_FMA_FORMS; i++)
		rows[i] = (int)i;
	return cr_make_param_array(int, rows, N_FMA_FORMS);
}

/* Every register in every position (VEX.R, VEX.vvvv and VEX.B carry bit 3
 * of each); always C4, two VEX bytes, the opcode and ModR/M. The scalar
 * forms ignore VEX.L (LIG), so Capstone cannot see it: check it is 0, as
 * assemblers write it. */
ParameterizedTest(int *row, emit, fma_reg, .init = cs_setup, .fini = cs_teardown)
{
	const struct fma_form *f = &fma_forms[*row];
	uint8_t buf[16];
	for (int dst = 0; dst < 16; dst++) {
		for (int a = 0; a < 16; a++) {
			for (int b = 0; b < 16; b++) {
				struct emitter e = {.buf = buf, .cap = sizeof(buf)};
				if (f->single)
					emit_fma231_ss_x(&e, f->op, dst, a, b);
				else
					emit_fma231_sd_x(&e, f->op, dst, a, b);
				cr_assert_eq(e.len, 5u, "%s %s, %s, %s: %zu bytes", f->mnemonic,
					     xmm[dst], xmm[a], xmm[b], e.len);
				cr_assert_eq(buf[2] & 4, 0, "%s %s, %s, %s: VEX.L set", f->mnemonic,
					     xmm[dst], xmm[a], xmm[b]);
				check_insn(&e, 0, (struct expect_sizes){0, 0}, "%s %s, %s, %s",
					   f->mnemonic, xmm[dst], xmm[a], xmm[b]);
			}
		}
	}
}

ParameterizedTestParameters(emit, fma_mem)
{
	static int rows[N_FMA_FORMS];
	for (size_t i = 0; i < N_FMA_FORMS; i++)
		rows[i] = (int)i;
	return cr_make_param_array(int, rows, N_FMA_FORMS);
}

/* Every memory operand; each register as destination, with the first
 * factor equal and opposite in bit 3 (VEX.R and VEX.vvvv both clear,
 * both set, and each alone). */
ParameterizedTest(int *row, emit, fma_mem, .init = cs_setup, .fini = cs_teardown)
{
	const struct fma_form *f = &fma_forms[*row];
	static struct x86_mem mems[MAX_MEMS];
	const size_t n = all_mems(mems);
	uint8_t buf[32];
	for (size_t i = 0; i < n; i++) {
		const struct x86_mem mm = mems[i];
		char m[64];
		mem_text(m, sizeof(m), f->single ? "dword" : "qword", mm);
		/* Capstone 4 reports the 4-byte displacement of the ss forms
		 * (VEX.W0 with pp = 66) as 2, as it does for the 66 prefix
		 * above; the length checks every form: C4, two VEX bytes, the
		 * opcode, ModR/M, SIB for an index or an rsp/r12 base, the
		 * displacement. */
		const bool sib = mm.index != NO_REG || (mm.base & 7) == RSP;
		const size_t len = 5 + sib + disp_bytes(mm);
		const bool capstone_disp_ok = !f->single || disp_bytes(mm) != 4;
		const struct expect_sizes sz = {capstone_disp_ok ? (int)disp_bytes(mm) : -1, 0};
		for (int dst = 0; dst < 16; dst++) {
			const int firsts[] = {dst, 15 - dst};
			for (size_t k = 0; k < 2; k++) {
				const int a = firsts[k];
				struct emitter e = {.buf = buf, .cap = sizeof(buf)};
				if (f->single)
					emit_fma231_ss_m(&e, f->op, dst, a, mm);
				else
					emit_fma231_sd_m(&e, f->op, dst, a, mm);
				cr_assert_eq(e.len, len, "%s %s, %s, %s: %zu bytes", f->mnemonic,
					     xmm[dst], xmm[a], m, e.len);
				cr_assert_eq(buf[2] & 4, 0, "%s %s, %s, %s: VEX.L set", f->mnemonic,
					     xmm[dst], xmm[a], m);
				check_insn(&e, 0, sz, "%s %s, %s, %s", f->mnemonic, xmm[dst],
					   xmm[a], m);
			}
		}
	}
}

/* ---- Jumps and patching ---------------------------------------------- */

/* Jump sources and targets, as offsets in a buffer placed at BASE. */
#define BASE 0x10000000ULL
static const size_t jump_at[] = {0, 1, 100, 4096};
static const size_t jump_to[] = {0, 5, 6, 200, 4096, 0x8000000};

static int32_t read_rel32(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return v;
}

Test(emit, jmp_and_jcc_reach_their_target, .init = cs_setup, .fini = cs_teardown)
{
	static uint8_t buf[8192];
	for (size_t a = 0; a < sizeof(jump_at) / sizeof(jump_at[0]); a++) {
		for (size_t t = 0; t < sizeof(jump_to) / sizeof(jump_to[0]); t++) {
			const size_t at = jump_at[a], to = jump_to[t];
			struct emitter e = {.buf = buf, .cap = sizeof(buf), .len = at};
			size_t field = emit_jmp_rel32(&e, to);
			cr_assert_eq(field, at + 1, "E9 then rel32");
			cr_assert_eq(e.len, at + 5);
			cr_assert_eq((int64_t)read_rel32(buf + field),
				     (int64_t)to - (int64_t)(at + 5),
				     "rel32 counts from the end of the instruction");
			struct emitter one = {.buf = buf + at, .cap = 5, .len = 5};
			check_insn(&one, BASE + at, (struct expect_sizes){0, 4}, "jmp 0x%" PRIx64,
				   BASE + to);

			for (int cc = 0; cc < 16; cc++) {
				e = (struct emitter){.buf = buf, .cap = sizeof(buf), .len = at};
				field = emit_jcc_rel32(&e, (enum x86_cond)cc, to);
				cr_assert_eq(field, at + 2, "0F 8x then rel32");
				cr_assert_eq(e.len, at + 6);
				cr_assert_eq((int64_t)read_rel32(buf + field),
					     (int64_t)to - (int64_t)(at + 6));
				one = (struct emitter){.buf = buf + at, .cap = 6, .len = 6};
				check_insn(&one, BASE + at, (struct expect_sizes){0, 4},
					   "j%s 0x%" PRIx64, cc_name[cc], BASE + to);
			}
		}
	}
}

Test(emit, patch_rel32_retargets_a_jump, .init = cs_setup, .fini = cs_teardown)
{
	uint8_t buf[64];
	memset(buf, 0xcc, sizeof(buf));
	struct emitter e = {.buf = buf, .cap = sizeof(buf), .len = 16};
	const size_t jmp = emit_jcc_rel32(&e, CC_NE, 0);
	const size_t after = e.len;
	/* Forward, backward, onto itself. */
	static const size_t targets[] = {40, 0, 16, 22, 63};
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		emit_patch_rel32(buf, jmp, targets[i]);
		struct emitter one = {.buf = buf + 16, .cap = 6, .len = 6};
		check_insn(&one, BASE + 16, ANY, "jne 0x%" PRIx64, BASE + targets[i]);
	}
	/* Only the four bytes of the field change. */
	cr_assert_eq(buf[15], 0xcc);
	cr_assert_eq(buf[after], 0xcc);
	/* A field a long way from its target. */
	static uint8_t big[1 << 20];
	e = (struct emitter){.buf = big, .cap = sizeof(big), .len = sizeof(big) - 5};
	const size_t far = emit_jmp_rel32(&e, 0);
	emit_patch_rel32(big, far, 7);
	cr_assert_eq(read_rel32(big + far), 7 - (int32_t)sizeof(big));
	emit_patch_rel32(big, far, sizeof(big) - 1);
	cr_assert_eq(read_rel32(big + far), -1);
}

/* ---- Overflow -------------------------------------------------------- */

/* A full buffer: the emitter writes nothing past cap and says so. */
Test(emit, overflow_stops_at_capacity)
{
	uint8_t buf[16];
	for (size_t cap = 0; cap <= 10; cap++) {
		memset(buf, 0xaa, sizeof(buf));
		struct emitter e = {.buf = buf, .cap = cap};
		emit_mov_r64_imm(&e, R9, 0x123456789abcdef0); /* 10 bytes */
		cr_assert_eq(e.overflow, cap < 10, "cap %zu", cap);
		cr_assert_eq(e.len, cap, "cap %zu: len %zu", cap, e.len);
		for (size_t i = cap; i < sizeof(buf); i++)
			cr_assert_eq(buf[i], 0xaa, "cap %zu: byte %zu written", cap, i);
	}
	/* Once set, overflow stays set, even if a later form would fit. */
	struct emitter e = {.buf = buf, .cap = 3};
	emit_mov_r64_imm(&e, RAX, 0x100000000);
	cr_assert(e.overflow);
	const size_t len = e.len;
	emit_ret(&e);
	cr_assert(e.overflow);
	cr_assert_eq(e.len, len);

	/* A jump cut short is not patched outside the buffer. */
	memset(buf, 0xaa, sizeof(buf));
	e = (struct emitter){.buf = buf, .cap = 3};
	const size_t field = emit_jmp_rel32(&e, 0);
	cr_assert(e.overflow);
	cr_assert_eq(field, 1);
	cr_assert_eq(e.len, 3);
	for (size_t i = 3; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0xaa);

	/* Exactly full is not an overflow. */
	e = (struct emitter){.buf = buf, .cap = 6};
	emit_jcc_rel32(&e, CC_E, 0);
	cr_assert(!e.overflow);
	cr_assert_eq(e.len, 6);
}

KEEP_PARAM_TEST(emit, reg_mem);
KEEP_PARAM_TEST(emit, reg_reg);
KEEP_PARAM_TEST(emit, mov_r64_imm);
KEEP_PARAM_TEST(emit, fma_reg);
KEEP_PARAM_TEST(emit, fma_mem);
