/*
 * The disassembly of the -d in_asm log, spelled as QEMU 7.2 spells it
 * (its disas/riscv.c, read through `-d in_asm` and the monitor's `x/i`), so
 * that a script written for QEMU's logs reads rvjit's:
 *
 *   mnemonic padded to 24 columns, then the operands; a pc-relative
 *   target (branches, jal, auipc) gives the offset in decimal and, from
 *   column 48, "# 0x<target>";
 *   compressed instructions as the instruction they expand to;
 *   the pseudo-instructions QEMU lifts (nop, mv, not, neg, seqz, snez,
 *   sltz, sgtz, sext.w, negw, j, jr, ret, beqz, bnez, bltz, bgtz, blez,
 *   bgez, and blt/bge/bltu/bgeu as bgt/ble/bgtu/bleu with the operands
 *   swapped, rdcycle, frcsr, fscsr and friends, fmv/fneg/fabs) and only
 *   those (no li, csrr, csrw);
 *   lui and auipc immediates as the sign-extended value, shift amounts
 *   and other immediates in decimal, the rounding mode first for the FP
 *   operations that have one ("fadd.d dyn,fa0,fa1,fa2");
 *   CSRs by QEMU's names, others as 0x%03x.
 * Where QEMU's text is odd, it is kept: fmv.s/fneg.s/fabs.s (and .d) name
 * integer registers, fence.tso prints as its fence, fmv.x.w is fmv.x.s, and
 * a few bit-manipulation lines are wrong (bitmanip_quirk), and pause and
 * Zihintntl's hints are the fence ("fence w,") and the adds they are.
 * Zicond, Zimop (mop.r.n, mop.rr.n), Zcmop (c.mop.n), Zawrs and scountovf,
 * which QEMU 7.2 does not know, print as its later versions do (Zicond as
 * rd,rs1,rs2). QEMU 7.2 runs Zfh but disassembles it as "illegal", and has
 * no Zfa: those are spelled as later QEMUs spell them, in the layout of the
 * F/D rows (the rounding mode first; fli's constant as min, inf, nan or %a).
 *
 * core/disasm.c is the objdump-style text of traces and failure reports.
 */
#include "core/fpu.h"
#include "core/insn.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MNEMONIC_COLUMN 24
#define COMMENT_COLUMN	48

/* QEMU's CSR names: single ones, then numbered series. */
static const struct {
	uint16_t num;
	const char *name;
} qemu_csrs[] = {
    {0x000, "ustatus"},	    {0x001, "fflags"},	    {0x002, "frm"},	    {0x003, "fcsr"},
    {0x004, "uie"},	    {0x005, "utvec"},	    {0x008, "vstart"},	    {0x009, "vxsat"},
    {0x00a, "vxrm"},	    {0x00f, "vcsr"},	    {0x015, "seed"},	    {0x040, "uscratch"},
    {0x041, "uepc"},	    {0x042, "ucause"},	    {0x043, "utval"},	    {0x044, "uip"},
    {0x100, "sstatus"},	    {0x104, "sie"},	    {0x105, "stvec"},	    {0x106, "scounteren"},
    {0x140, "sscratch"},    {0x141, "sepc"},	    {0x142, "scause"},	    {0x143, "stval"},
    {0x144, "sip"},	    {0x180, "satp"},	    {0xda0, "scountovf"},   {0x200, "hstatus"},
    {0x202, "hedeleg"},	    {0x203, "hideleg"},	    {0x204, "hie"},	    {0x205, "htvec"},
    {0x240, "hscratch"},    {0x241, "hepc"},	    {0x242, "hcause"},	    {0x243, "hbadaddr"},
    {0x244, "hip"},	    {0x300, "mstatus"},	    {0x301, "misa"},	    {0x302, "medeleg"},
    {0x303, "mideleg"},	    {0x304, "mie"},	    {0x305, "mtvec"},	    {0x306, "mcounteren"},
    {0x320, "mucounteren"}, {0x321, "mscounteren"}, {0x322, "mhcounteren"}, {0x340, "mscratch"},
    {0x341, "mepc"},	    {0x342, "mcause"},	    {0x343, "mtval"},	    {0x344, "mip"},
    {0x380, "mbase"},	    {0x381, "mbound"},	    {0x382, "mibase"},	    {0x383, "mibound"},
    {0x384, "mdbase"},	    {0x385, "mdbound"},	    {0x780, "mtohost"},	    {0x781, "mfromhost"},
    {0x782, "mreset"},	    {0x783, "mipi"},	    {0x784, "miobase"},	    {0x7a0, "tselect"},
    {0x7b0, "dcsr"},	    {0x7b1, "dpc"},	    {0x7b2, "dscratch"},    {0xb00, "mcycle"},
    {0xb01, "mtime"},	    {0xb02, "minstret"},    {0xb80, "mcycleh"},	    {0xb81, "mtimeh"},
    {0xb82, "minstreth"},   {0xc00, "cycle"},	    {0xc01, "time"},	    {0xc02, "instret"},
    {0xc20, "vl"},	    {0xc21, "vtype"},	    {0xc22, "vlenb"},	    {0xc80, "cycleh"},
    {0xc81, "timeh"},	    {0xc82, "instreth"},    {0xd00, "scycle"},	    {0xd01, "stime"},
    {0xd02, "sinstret"},    {0xd80, "scycleh"},	    {0xd81, "stimeh"},	    {0xd82, "sinstreth"},
    {0xe00, "hcycle"},	    {0xe01, "htime"},	    {0xe02, "hinstret"},    {0xe80, "hcycleh"},
    {0xe81, "htimeh"},	    {0xe82, "hinstreth"},   {0xf11, "mvendorid"},   {0xf12, "marchid"},
    {0xf13, "mimpid"},	    {0xf14, "mhartid"},
};

static const struct {
	uint16_t first, last;
	const char *prefix;
	unsigned index; /* the number in the first one's name */
	const char *suffix;
} qemu_csr_series[] = {
    {0x323, 0x33f, "mhpmevent", 3, ""},	  {0x3a0, 0x3af, "pmpcfg", 0, ""},
    {0x3b0, 0x3ef, "pmpaddr", 0, ""},	  {0x7a1, 0x7a3, "tdata", 1, ""},
    {0xb03, 0xb1f, "mhpmcounter", 3, ""}, {0xb83, 0xb9f, "mhpmcounter", 3, "h"},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *csr_name(uint32_t num, char *tmp, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(qemu_csrs); i++)
		if (qemu_csrs[i].num == num)
			return qemu_csrs[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(qemu_csr_series); i++)
		if (num >= qemu_csr_series[i].first && num <= qemu_csr_series[i].last) {
			snprintf(tmp, size, "%s%u%s", qemu_csr_series[i].prefix,
				 qemu_csr_series[i].index + (num - qemu_csr_series[i].first),
				 qemu_csr_series[i].suffix);
			return tmp;
		}
	snprintf(tmp, size, "0x%03" PRIx32, num);
	return tmp;
}

static const char *const rm_names[8] = {"rne", "rtz", "rdn", "rup", "rmm", "rm5", "rm6", "dyn"};

static bool is_x0(unsigned r)
{
	return r == 0 || r == XREG_SINK;
}

static const char *x(unsigned r)
{
	return insn_xreg_name(r);
}

static const char *f(unsigned r)
{
	return insn_freg_name(r);
}

/* The text being built: the mnemonic column, then the operands. */
struct line {
	char *buf;
	size_t size, len;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...)
{
	if (l->len >= l->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	const int n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len = l->len + (size_t)n < l->size ? l->len + (size_t)n : l->size - 1;
}

static void pad_to(struct line *l, size_t column)
{
	while (l->len < column && l->len + 1 < l->size)
		l->buf[l->len++] = ' ';
	l->buf[l->len] = 0;
}

static void mnemonic(struct line *l, const char *m)
{
	put(l, "%s", m);
	pad_to(l, MNEMONIC_COLUMN);
}

static void target_comment(struct line *l, uint64_t target)
{
	pad_to(l, COMMENT_COLUMN);
	put(l, "# 0x%" PRIx64, target);
}

/* b{eq,ne,lt,ge,ltu,geu} and their pseudo-instructions. */
static void branch(struct line *l, const struct op *op, uint64_t pc)
{
	const unsigned a = op->rs1, b = op->rs2;
	const char *m = insn_table[op->id].mnemonic;
	unsigned r1 = a, r2 = b;
	bool one = false;
	switch (op->id) {
	case INSN_beq:
	case INSN_bne:
		if (is_x0(b)) {
			m = op->id == INSN_beq ? "beqz" : "bnez";
			one = true;
		}
		break;
	case INSN_blt:
	case INSN_bge:
		if (is_x0(b)) {
			m = op->id == INSN_blt ? "bltz" : "bgez";
			one = true;
		} else if (is_x0(a)) {
			m = op->id == INSN_blt ? "bgtz" : "blez";
			r1 = b;
			one = true;
		} else {
			m = op->id == INSN_blt ? "bgt" : "ble";
			r1 = b;
			r2 = a;
		}
		break;
	default: /* bltu, bgeu */
		m = op->id == INSN_bltu ? "bgtu" : "bleu";
		r1 = b;
		r2 = a;
		break;
	}
	mnemonic(l, m);
	if (one)
		put(l, "%s,%" PRId32, x(r1), op->imm);
	else
		put(l, "%s,%s,%" PRId32, x(r1), x(r2), op->imm);
	target_comment(l, pc + (uint64_t)(int64_t)op->imm);
}

/* The pseudo-instruction QEMU prints for an integer register-immediate or
 * register-register op, or NULL; *src is its one source register. */
static const char *alu_pseudo(const struct op *op, unsigned *src)
{
	switch (op->id) {
	case INSN_addi:
		if (is_x0(op->rd) && is_x0(op->rs1) && op->imm == 0)
			return "nop";
		return op->imm == 0 ? (*src = op->rs1, "mv") : NULL;
	case INSN_sltiu:
		return op->imm == 1 ? (*src = op->rs1, "seqz") : NULL;
	case INSN_xori:
		return op->imm == -1 ? (*src = op->rs1, "not") : NULL;
	case INSN_addiw:
		return op->imm == 0 ? (*src = op->rs1, "sext.w") : NULL;
	case INSN_add:
		/* c.mv, which QEMU expands to addi rd,rs2,0 */
		return op_len(op) == 2 && is_x0(op->rs1) ? (*src = op->rs2, "mv") : NULL;
	case INSN_sub:
		return is_x0(op->rs1) ? (*src = op->rs2, "neg") : NULL;
	case INSN_subw:
		return is_x0(op->rs1) ? (*src = op->rs2, "negw") : NULL;
	case INSN_slt:
		if (is_x0(op->rs2))
			return *src = op->rs1, "sltz";
		return is_x0(op->rs1) ? (*src = op->rs2, "sgtz") : NULL;
	case INSN_sltu:
		return is_x0(op->rs1) ? (*src = op->rs2, "snez") : NULL;
	default:
		return NULL;
	}
}

/* The bit-manipulation lines QEMU 7.2's disassembler gets wrong, kept as
 * it prints them (the header's rule): andn, orn, xnor and xperm8 without
 * rs2; ctzw as clzw; slli.uw's shift amount as a register name, and
 * "illegal" when it is 32 or more; packw and (RV64) pack with rs2 = x0 as
 * zext.h, which for pack is RV32's meaning. */
static bool bitmanip_quirk(struct line *l, const struct op *op)
{
	switch (op->id) {
	case INSN_andn:
	case INSN_orn:
	case INSN_xnor:
	case INSN_xperm8:
		mnemonic(l, insn_table[op->id].mnemonic);
		put(l, "%s,%s", x(op->rd), x(op->rs1));
		return true;
	case INSN_ctzw:
		mnemonic(l, "clzw");
		put(l, "%s,%s", x(op->rd), x(op->rs1));
		return true;
	case INSN_slli_uw:
		if (op->imm >= 32) {
			mnemonic(l, "illegal");
			return true;
		}
		mnemonic(l, "slli.uw");
		put(l, "%s,%s,%s", x(op->rd), x(op->rs1), x((unsigned)op->imm));
		return true;
	case INSN_pack:
	case INSN_packw:
		if (!is_x0(op->rs2))
			return false;
		mnemonic(l, "zext.h");
		put(l, "%s,%s", x(op->rd), x(op->rs1));
		return true;
	default:
		return false;
	}
}

/* Zicsr, with QEMU's counter and FP-CSR pseudo-instructions. */
static void csr(struct line *l, const struct op *op)
{
	const uint32_t num = (uint32_t)op->imm;
	const char *m = insn_table[op->id].mnemonic;
	char tmp[24];
	static const char *const fp_read[4] = {NULL, "frflags", "frrm", "frcsr"};
	static const char *const fp_write[4] = {NULL, "fsflags", "fsrm", "fscsr"};
	static const char *const fp_write_imm[3] = {NULL, "fsflagsi", "fsrmi"};
	static const char *const counter[3] = {"rdcycle", "rdtime", "rdinstret"};
	static const char *const counter_h[3] = {"rdcycleh", "rdtimeh", "rdinstreth"};

	if (op->id == INSN_csrrs && is_x0(op->rs1)) {
		const char *p = num >= 1 && num <= 3	       ? fp_read[num]
				: num >= 0xc00 && num <= 0xc02 ? counter[num - 0xc00]
				: num >= 0xc80 && num <= 0xc82 ? counter_h[num - 0xc80]
							       : NULL;
		if (p) {
			mnemonic(l, p);
			put(l, "%s", x(op->rd));
			return;
		}
	}
	if (op->id == INSN_csrrw && num >= 1 && num <= 3) {
		mnemonic(l, fp_write[num]);
		put(l, "%s,%s", x(op->rd), x(op->rs1));
		return;
	}
	if (op->id == INSN_csrrwi && num >= 1 && num <= 2) {
		mnemonic(l, fp_write_imm[num]);
		put(l, "%s,%u", x(op->rd), op->rs1);
		return;
	}
	mnemonic(l, m);
	if (insn_table[op->id].format == FMT_CSRI)
		put(l, "%s,%s,%u", x(op->rd), csr_name(num, tmp, sizeof(tmp)), op->rs1);
	else
		put(l, "%s,%s,%s", x(op->rd), csr_name(num, tmp, sizeof(tmp)), x(op->rs1));
}

/* fsgnj/fsgnjn/fsgnjx with both sources equal: fmv/fneg/fabs, which QEMU
 * prints with integer register names. */
static bool fp_sign_pseudo(struct line *l, const struct op *op)
{
	static const struct {
		uint16_t id;
		const char *name;
	} p[] = {
	    {INSN_fsgnj_s, "fmv.s"}, {INSN_fsgnjn_s, "fneg.s"}, {INSN_fsgnjx_s, "fabs.s"},
	    {INSN_fsgnj_d, "fmv.d"}, {INSN_fsgnjn_d, "fneg.d"}, {INSN_fsgnjx_d, "fabs.d"},
	};
	if (op->rs1 != op->rs2)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(p); i++)
		if (p[i].id == op->id) {
			mnemonic(l, p[i].name);
			put(l, "%s,%s", x(op->rd), x(op->rs1));
			return true;
		}
	return false;
}

/* "rne," ... "dyn," for the FP operations with a rounding-mode field. */
static const char *rm_prefix(const struct op *op, char tmp[8])
{
	if (op->id == INSN_fcvtmod_w_d)
		return "rtz,"; /* fixed by the encoding, but written (Zfa) */
	if (insn_table[op->id].mask & 0x7000)
		return "";
	snprintf(tmp, 8, "%s,", rm_names[op->imm & 7]);
	return tmp;
}

static const char *fp_mnemonic(const struct op *op)
{
	if (op->id == INSN_fmv_x_w)
		return "fmv.x.s";
	if (op->id == INSN_fmv_w_x)
		return "fmv.s.x";
	return insn_table[op->id].mnemonic;
}

/* Zfa's fli operand. QEMU 7.2 has no Zfa; later QEMUs print "min", "inf",
 * "nan" or the value in %a notation, which this follows (with entry 0's
 * sign: -0x1p+0). */
static void fli_operand(struct line *l, unsigned i)
{
	static const char *const named[32] = {[1] = "min", [30] = "inf", [31] = "nan"};
	const uint64_t bits = f64_fli(i);
	double v;

	if (named[i & 31]) {
		put(l, "%s", named[i & 31]);
		return;
	}
	memcpy(&v, &bits, sizeof(v));
	put(l, "%a", v);
}

/* ".aq", ".rl", ".aq.rl" or "" from an AMO's bits 26:25. */
static const char *amo_order(uint32_t raw)
{
	static const char *const s[4] = {"", ".rl", ".aq", ".aq.rl"};
	return s[(raw >> 25) & 3];
}

static void fence_set(struct line *l, uint32_t set)
{
	if (set & 8)
		put(l, "i");
	if (set & 4)
		put(l, "o");
	if (set & 2)
		put(l, "r");
	if (set & 1)
		put(l, "w");
}

/* Zimop's and Zcmop's may-be-operations, which QEMU 7.2 does not know,
 * as later QEMU names them (mop.r.n rd,rs1; mop.rr.n rd,rs1,rs2;
 * c.mop.n); false for other ops. pause and Zihintntl's ntl.* stay what
 * QEMU 7.2 prints for them: "fence w," and the add they are. */
static bool hint(struct line *l, const struct op *op)
{
	char name[16];
	switch (op->id) {
	case INSN_c_mop:
		snprintf(name, sizeof(name), "c.mop.%u", op->raw >> 7 & 15);
		mnemonic(l, name);
		return true;
	case INSN_mop_r:
		snprintf(name, sizeof(name), "mop.r.%u",
			 (op->raw >> 30 & 1) << 4 | (op->raw >> 26 & 3) << 2 | (op->raw >> 20 & 3));
		mnemonic(l, name);
		put(l, "%s,%s", x(op->rd), x(op->rs1));
		return true;
	case INSN_mop_rr:
		snprintf(name, sizeof(name), "mop.rr.%u",
			 (op->raw >> 30 & 1) << 2 | (op->raw >> 26 & 3));
		mnemonic(l, name);
		put(l, "%s,%s,%s", x(op->rd), x(op->rs1), x(op->rs2));
		return true;
	default:
		return false;
	}
}

void insn_disasm_qemu(const struct op *op, uint64_t pc, char *buf, size_t size)
{
	struct line l = {buf, size, 0};
	char tmp[8];
	unsigned src = 0;

	if (size == 0)
		return;
	buf[0] = 0;
	if (op->id >= INSN_ILLEGAL) {
		mnemonic(&l, "illegal");
		return;
	}
	if (hint(&l, op))
		return;
	const struct insn_info *in = &insn_table[op->id];
	const char *m = in->mnemonic;
	const char *pseudo = alu_pseudo(op, &src);
	if (pseudo) {
		mnemonic(&l, pseudo);
		if (strcmp(pseudo, "nop"))
			put(&l, "%s,%s", x(op->rd), x(src));
		return;
	}
	if (bitmanip_quirk(&l, op))
		return;

	switch (in->format) {
	case FMT_R:
		mnemonic(&l, m);
		put(&l, "%s,%s,%s", x(op->rd), x(op->rs1), x(op->rs2));
		break;
	case FMT_R1:
		mnemonic(&l, m);
		put(&l, "%s,%s", x(op->rd), x(op->rs1));
		break;
	case FMT_I:
	case FMT_SH:
	case FMT_SHW:
		mnemonic(&l, m);
		put(&l, "%s,%s,%" PRId32, x(op->rd), x(op->rs1), op->imm);
		break;
	case FMT_LOAD:
		mnemonic(&l, m);
		put(&l, "%s,%" PRId32 "(%s)", x(op->rd), op->imm, x(op->rs1));
		break;
	case FMT_JALR:
		/* QEMU: ret whatever the offset, jr only without one */
		if (is_x0(op->rd) && op->rs1 == 1) {
			mnemonic(&l, "ret");
			break;
		}
		if (is_x0(op->rd) && op->imm == 0) {
			mnemonic(&l, "jr");
			put(&l, "%s", x(op->rs1));
			break;
		}
		mnemonic(&l, m);
		put(&l, "%s,%s,%" PRId32, x(op->rd), x(op->rs1), op->imm);
		break;
	case FMT_STORE:
		mnemonic(&l, m);
		put(&l, "%s,%" PRId32 "(%s)", x(op->rs2), op->imm, x(op->rs1));
		break;
	case FMT_B:
		branch(&l, op, pc);
		break;
	case FMT_U:
		mnemonic(&l, m);
		put(&l, "%s,%" PRId32, x(op->rd), op->imm);
		if (op->id == INSN_auipc)
			target_comment(&l, pc + (uint64_t)(int64_t)op->imm);
		break;
	case FMT_J:
		if (is_x0(op->rd)) {
			mnemonic(&l, "j");
			put(&l, "%" PRId32, op->imm);
		} else {
			mnemonic(&l, m);
			put(&l, "%s,%" PRId32, x(op->rd), op->imm);
		}
		target_comment(&l, pc + (uint64_t)(int64_t)op->imm);
		break;
	case FMT_CSR:
	case FMT_CSRI:
		csr(&l, op);
		break;
	case FMT_AMO:
		put(&l, "%s%s", m, amo_order(op->raw));
		pad_to(&l, MNEMONIC_COLUMN);
		put(&l, "%s,%s,(%s)", x(op->rd), x(op->rs2), x(op->rs1));
		break;
	case FMT_LR:
		put(&l, "%s%s", m, amo_order(op->raw));
		pad_to(&l, MNEMONIC_COLUMN);
		put(&l, "%s,(%s)", x(op->rd), x(op->rs1));
		break;
	case FMT_NONE:
		mnemonic(&l, m);
		break;
	case FMT_FENCE:
		mnemonic(&l, "fence"); /* pause too, as QEMU 7.2 prints it */
		fence_set(&l, (uint32_t)op->imm >> 4 & 15);
		put(&l, ",");
		fence_set(&l, (uint32_t)op->imm & 15);
		break;
	case FMT_SFENCE:
		mnemonic(&l, m);
		put(&l, "%s,%s", x(op->rs1), x(op->rs2));
		break;
	case FMT_FLOAD:
		mnemonic(&l, m);
		put(&l, "%s,%" PRId32 "(%s)", f(op->rd), op->imm, x(op->rs1));
		break;
	case FMT_FSTORE:
		mnemonic(&l, m);
		put(&l, "%s,%" PRId32 "(%s)", f(op->rs2), op->imm, x(op->rs1));
		break;
	case FMT_F3:
	case FMT_F3NR:
		if (fp_sign_pseudo(&l, op))
			break;
		mnemonic(&l, m);
		put(&l, "%s%s,%s,%s", rm_prefix(op, tmp), f(op->rd), f(op->rs1), f(op->rs2));
		break;
	case FMT_F4:
		mnemonic(&l, m);
		put(&l, "%s%s,%s,%s,%s", rm_prefix(op, tmp), f(op->rd), f(op->rs1), f(op->rs2),
		    f(op->rs3));
		break;
	case FMT_F2:
		mnemonic(&l, m);
		put(&l, "%s%s,%s", rm_prefix(op, tmp), f(op->rd), f(op->rs1));
		break;
	case FMT_FX:
		mnemonic(&l, fp_mnemonic(op));
		put(&l, "%s%s,%s", rm_prefix(op, tmp), x(op->rd), f(op->rs1));
		break;
	case FMT_XF:
		mnemonic(&l, fp_mnemonic(op));
		put(&l, "%s%s,%s", rm_prefix(op, tmp), f(op->rd), x(op->rs1));
		break;
	case FMT_FCMP:
		mnemonic(&l, m);
		put(&l, "%s,%s,%s", x(op->rd), f(op->rs1), f(op->rs2));
		break;
	case FMT_FLI:
		mnemonic(&l, m);
		put(&l, "%s,", f(op->rd));
		fli_operand(&l, op->rs1);
		break;
	}
}

void insn_line_qemu(const struct op *op, uint64_t pc, char *buf, size_t size)
{
	char text[96];
	insn_disasm_qemu(op, pc, text, sizeof(text));
	/* The bits take the width of 8 digits and 10 spaces, a compressed
	 * instruction's 4 digits included. */
	if (op_len(op) == 2)
		snprintf(buf, size, "0x%016" PRIx64 ":  %04" PRIx32 "              %s", pc,
			 op->raw & 0xffff, text);
	else
		snprintf(buf, size, "0x%016" PRIx64 ":  %08" PRIx32 "          %s", pc, op->raw,
			 text);
}
