/*
 * Disassembler for decoded ops, in the style of GNU objdump -M no-aliases:
 * "mnemonic operands" with ABI register names (unprivileged spec 20191213,
 * chapter 25 "RISC-V Assembly Programmer's Handbook", table 25.1), loads and
 * stores as "ld a0,8(sp)", shift amounts and lui/auipc immediates in hex,
 * other immediates in decimal. Differences from objdump: branch and jump
 * targets are absolute addresses with a 0x prefix, and compressed
 * instructions print as the 32-bit instruction they expand to (but the
 * hints c.ntl.* and c.mop.n, by their own names).
 *
 * Used for traces and failure reports, so it prints what the op will do
 * (from the decoded fields), not a second reading of the bits; only the few
 * modifier bits the decoder does not keep (aq/rl, fence sets) come from raw.
 */
#include "core/fpu.h"
#include "core/insn.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const xreg_names[33] = {
    "zero", "ra", "sp",
    "gp",   "tp", "t0",
    "t1",   "t2", "s0",
    "s1",   "a0", "a1",
    "a2",   "a3", "a4",
    "a5",   "a6", "a7",
    "s2",   "s3", "s4",
    "s5",   "s6", "s7",
    "s8",   "s9", "s10",
    "s11",  "t3", "t4",
    "t5",   "t6", [XREG_SINK] = "zero", /* rd = x0 decodes to the sink slot */
};

static const char *const freg_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4",	"ft5",	"ft6", "ft7", "fs0",  "fs1",  "fa0",
    "fa1", "fa2", "fa3", "fa4", "fa5",	"fa6",	"fa7", "fs2", "fs3",  "fs4",  "fs5",
    "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

/* Rounding modes, spec table 11.1; 5 and 6 are reserved. */
static const char *const rm_names[8] = {
    "rne", "rtz", "rdn", "rup", "rmm", "rm5", "rm6", "dyn",
};

#define RM_DYN 7

/* The CSRs worth a name in a trace (priv spec 1.12, tables 2.2-2.5). */
static const struct {
	uint16_t num;
	const char *name;
} csr_names[] = {
    {0x001, "fflags"},	  {0x002, "frm"},	 {0x003, "fcsr"},      {0xc00, "cycle"},
    {0xc01, "time"},	  {0xc02, "instret"},	 {0x100, "sstatus"},   {0x104, "sie"},
    {0x105, "stvec"},	  {0x106, "scounteren"}, {0x10a, "senvcfg"},   {0x140, "sscratch"},
    {0x141, "sepc"},	  {0x142, "scause"},	 {0x143, "stval"},     {0x144, "sip"},
    {0x14d, "stimecmp"},  {0x180, "satp"},	 {0xda0, "scountovf"}, {0x300, "mstatus"},
    {0x301, "misa"},	  {0x302, "medeleg"},	 {0x303, "mideleg"},   {0x304, "mie"},
    {0x305, "mtvec"},	  {0x306, "mcounteren"}, {0x30a, "menvcfg"},   {0x320, "mcountinhibit"},
    {0x340, "mscratch"},  {0x341, "mepc"},	 {0x342, "mcause"},    {0x343, "mtval"},
    {0x344, "mip"},	  {0x3a0, "pmpcfg0"},	 {0x3a2, "pmpcfg2"},   {0x3b0, "pmpaddr0"},
    {0x3b1, "pmpaddr1"},  {0x3b2, "pmpaddr2"},	 {0x3b3, "pmpaddr3"},  {0x3b4, "pmpaddr4"},
    {0x3b5, "pmpaddr5"},  {0x3b6, "pmpaddr6"},	 {0x3b7, "pmpaddr7"},  {0x3b8, "pmpaddr8"},
    {0x3b9, "pmpaddr9"},  {0x3ba, "pmpaddr10"},	 {0x3bb, "pmpaddr11"}, {0x3bc, "pmpaddr12"},
    {0x3bd, "pmpaddr13"}, {0x3be, "pmpaddr14"},	 {0x3bf, "pmpaddr15"}, {0xb00, "mcycle"},
    {0xb02, "minstret"},  {0xf11, "mvendorid"},	 {0xf12, "marchid"},   {0xf13, "mimpid"},
    {0xf14, "mhartid"},
};

static const char *xreg(unsigned r)
{
	return r <= XREG_SINK ? xreg_names[r] : "?";
}

static const char *freg(unsigned r)
{
	return r < 32 ? freg_names[r] : "?";
}

const char *insn_xreg_name(unsigned r)
{
	return xreg(r);
}

const char *insn_freg_name(unsigned r)
{
	return freg(r);
}

/* The CSR's name, or its number in hex written to tmp. */
static const char *csr_name(uint32_t num, char *tmp, size_t size)
{
	for (size_t i = 0; i < sizeof(csr_names) / sizeof(csr_names[0]); i++)
		if (csr_names[i].num == num)
			return csr_names[i].name;
	snprintf(tmp, size, "0x%" PRIx32, num);
	return tmp;
}

/* A fence's predecessor or successor set (bits I O R W), "0" when empty. */
static void fence_set(uint32_t set, char out[5])
{
	char *p = out;

	if (set & 8)
		*p++ = 'i';
	if (set & 4)
		*p++ = 'o';
	if (set & 2)
		*p++ = 'r';
	if (set & 1)
		*p++ = 'w';
	if (p == out)
		*p++ = '0';
	*p = 0;
}

/* ".aq", ".rl", ".aqrl" or "" from an AMO's bits 26:25. */
static const char *amo_order(uint32_t raw)
{
	static const char *const s[4] = {"", ".rl", ".aq", ".aqrl"};

	return s[(raw >> 25) & 3];
}

/* ",rm" unless the mode is dynamic. Rows whose mask fixes funct3 (fmv.x.w,
 * fclass, fmv.w.x) have no rounding mode at all. */
static const char *rm_suffix(const struct op *op, char tmp[8])
{
	if (op->id == INSN_fcvtmod_w_d)
		return ",rtz"; /* fixed by the encoding, but written (Zfa) */
	if (insn_table[op->id].mask & 0x7000)
		return "";
	if ((op->imm & 7) == RM_DYN)
		return "";
	snprintf(tmp, 8, ",%s", rm_names[op->imm & 7]);
	return tmp;
}

/* Zfa's fli operand as objdump writes it: "min", "inf", "nan", or the
 * value in C's %a notation ("-0x1p+0", "0x1.4p-2"). */
static const char *fli_operand(unsigned i, char *tmp, size_t size)
{
	static const char *const named[32] = {[1] = "min", [30] = "inf", [31] = "nan"};
	const uint64_t bits = f64_fli(i);
	double v;

	if (named[i & 31])
		return named[i & 31];
	memcpy(&v, &bits, sizeof(v));
	snprintf(tmp, size, "%a", v);
	return tmp;
}

/* The n of mop.r.n (bits 30, 27:26, 21:20) and mop.rr.n (30, 27:26). */
static unsigned mop_r_n(uint32_t w)
{
	return (w >> 30 & 1) << 4 | (w >> 26 & 3) << 2 | (w >> 20 & 3);
}
static unsigned mop_rr_n(uint32_t w)
{
	return (w >> 30 & 1) << 2 | (w >> 26 & 3);
}

/* Zihintntl's hints are add x0, x0, x2..x5 (also as c.add x0, x2..x5). */
const char *insn_ntl_name(const struct op *op)
{
	static const char *const ntl[4] = {"ntl.p1", "ntl.pall", "ntl.s1", "ntl.all"};
	if (op->id != INSN_add || op->rd != XREG_SINK || op->rs1 != 0 || op->rs2 < 2 || op->rs2 > 5)
		return NULL;
	return ntl[op->rs2 - 2];
}

/* The hints and may-be-operations, whose names carry what the decoded
 * fields do not; false for every other op. */
static bool hint_disasm(const struct op *op, char *buf, size_t size)
{
	const char *ntl = insn_ntl_name(op);
	if (ntl)
		snprintf(buf, size, "%s%s", op_len(op) == 2 ? "c." : "", ntl);
	else if (op->id == INSN_pause)
		snprintf(buf, size, "pause");
	else if (op->id == INSN_c_mop)
		snprintf(buf, size, "c.mop.%u", op->raw >> 7 & 15);
	else if (op->id == INSN_mop_r)
		snprintf(buf, size, "mop.r.%u %s,%s", mop_r_n(op->raw), xreg(op->rd),
			 xreg(op->rs1));
	else if (op->id == INSN_mop_rr)
		snprintf(buf, size, "mop.rr.%u %s,%s,%s", mop_rr_n(op->raw), xreg(op->rd),
			 xreg(op->rs1), xreg(op->rs2));
	else
		return false;
	return true;
}

void insn_disasm(const struct op *op, uint64_t pc, char *buf, size_t size)
{
	const struct insn_info *in;
	const char *m;
	char tmp[16], p[5], s[5];

	if (size == 0)
		return;
	if (op->id >= INSN_ILLEGAL) {
		snprintf(buf, size, "illegal 0x%0*" PRIx32, op_len(op) == 2 ? 4 : 8, op->raw);
		return;
	}
	if (hint_disasm(op, buf, size))
		return;
	in = &insn_table[op->id];
	m = in->mnemonic;

	switch (in->format) {
	case FMT_R:
		snprintf(buf, size, "%s %s,%s,%s", m, xreg(op->rd), xreg(op->rs1), xreg(op->rs2));
		break;
	case FMT_R1:
		snprintf(buf, size, "%s %s,%s", m, xreg(op->rd), xreg(op->rs1));
		break;
	case FMT_I:
		snprintf(buf, size, "%s %s,%s,%" PRId32, m, xreg(op->rd), xreg(op->rs1), op->imm);
		break;
	case FMT_SH:
	case FMT_SHW:
		snprintf(buf, size, "%s %s,%s,0x%" PRIx32, m, xreg(op->rd), xreg(op->rs1),
			 (uint32_t)op->imm);
		break;
	case FMT_LOAD:
	case FMT_JALR:
		snprintf(buf, size, "%s %s,%" PRId32 "(%s)", m, xreg(op->rd), op->imm,
			 xreg(op->rs1));
		break;
	case FMT_STORE:
		snprintf(buf, size, "%s %s,%" PRId32 "(%s)", m, xreg(op->rs2), op->imm,
			 xreg(op->rs1));
		break;
	case FMT_B:
		snprintf(buf, size, "%s %s,%s,0x%" PRIx64, m, xreg(op->rs1), xreg(op->rs2),
			 pc + (uint64_t)(int64_t)op->imm);
		break;
	case FMT_U:
		snprintf(buf, size, "%s %s,0x%" PRIx32, m, xreg(op->rd), (uint32_t)op->imm >> 12);
		break;
	case FMT_J:
		snprintf(buf, size, "%s %s,0x%" PRIx64, m, xreg(op->rd),
			 pc + (uint64_t)(int64_t)op->imm);
		break;
	case FMT_CSR:
		snprintf(buf, size, "%s %s,%s,%s", m, xreg(op->rd),
			 csr_name((uint32_t)op->imm, tmp, sizeof(tmp)), xreg(op->rs1));
		break;
	case FMT_CSRI:
		snprintf(buf, size, "%s %s,%s,%u", m, xreg(op->rd),
			 csr_name((uint32_t)op->imm, tmp, sizeof(tmp)), op->rs1);
		break;
	case FMT_AMO:
		snprintf(buf, size, "%s%s %s,%s,(%s)", m, amo_order(op->raw), xreg(op->rd),
			 xreg(op->rs2), xreg(op->rs1));
		break;
	case FMT_LR:
		snprintf(buf, size, "%s%s %s,(%s)", m, amo_order(op->raw), xreg(op->rd),
			 xreg(op->rs1));
		break;
	case FMT_NONE:
		snprintf(buf, size, "%s", m);
		break;
	case FMT_FENCE:
		/* fm=1000 with rw,rw is FENCE.TSO (spec section 2.7) */
		if (op->imm == 0x833) {
			snprintf(buf, size, "fence.tso");
			break;
		}
		fence_set((uint32_t)op->imm >> 4 & 15, p);
		fence_set((uint32_t)op->imm & 15, s);
		snprintf(buf, size, "%s %s,%s", m, p, s);
		break;
	case FMT_SFENCE:
		snprintf(buf, size, "%s %s,%s", m, xreg(op->rs1), xreg(op->rs2));
		break;
	case FMT_FLOAD:
		snprintf(buf, size, "%s %s,%" PRId32 "(%s)", m, freg(op->rd), op->imm,
			 xreg(op->rs1));
		break;
	case FMT_FSTORE:
		snprintf(buf, size, "%s %s,%" PRId32 "(%s)", m, freg(op->rs2), op->imm,
			 xreg(op->rs1));
		break;
	case FMT_F3:
		snprintf(buf, size, "%s %s,%s,%s%s", m, freg(op->rd), freg(op->rs1), freg(op->rs2),
			 rm_suffix(op, tmp));
		break;
	case FMT_F4:
		snprintf(buf, size, "%s %s,%s,%s,%s%s", m, freg(op->rd), freg(op->rs1),
			 freg(op->rs2), freg(op->rs3), rm_suffix(op, tmp));
		break;
	case FMT_F2:
		snprintf(buf, size, "%s %s,%s%s", m, freg(op->rd), freg(op->rs1),
			 rm_suffix(op, tmp));
		break;
	case FMT_F3NR:
		snprintf(buf, size, "%s %s,%s,%s", m, freg(op->rd), freg(op->rs1), freg(op->rs2));
		break;
	case FMT_FX:
		snprintf(buf, size, "%s %s,%s%s", m, xreg(op->rd), freg(op->rs1),
			 rm_suffix(op, tmp));
		break;
	case FMT_XF:
		snprintf(buf, size, "%s %s,%s%s", m, freg(op->rd), xreg(op->rs1),
			 rm_suffix(op, tmp));
		break;
	case FMT_FCMP:
		snprintf(buf, size, "%s %s,%s,%s", m, xreg(op->rd), freg(op->rs1), freg(op->rs2));
		break;
	case FMT_FLI:
		snprintf(buf, size, "%s %s,%s", m, freg(op->rd),
			 fli_operand(op->rs1, tmp, sizeof(tmp)));
		break;
	}
}
