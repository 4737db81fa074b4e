/*
 * Decoder tests: RVC expansion (core/rvc.c), operand extraction
 * (core/decode.c) and disassembly (core/disasm.c).
 *
 * Expected words were derived from the spec's encoding tables (unprivileged
 * spec 20191213, chapter 16 and figure 2.4) and cross-checked against GNU
 * binutils: every one of the 49152 halfwords of quadrants 0-2 was
 * disassembled with `riscv64-unknown-elf-objdump -M no-aliases`, the c.*
 * text rewritten as the 32-bit instruction it stands for, reassembled with
 * `.option norvc`, and compared with rvc_expand(). They agree everywhere
 * except 0x6101 (C.ADDI16SP with nzimm=0), which objdump accepts and the
 * spec reserves. Each row's comment gives the compressed and the expanded
 * instruction; branch and jump offsets are relative to the instruction.
 */
#include "core/insn.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- RVC expansion ---------------------------------------------------- */

struct rvc_vector {
	uint16_t c;
	uint32_t w;
};

/* A time limit for every test: a hang fails it instead of stalling the
 * run. */
TestSuite(rvc, .timeout = 60);
TestSuite(decode, .timeout = 60);
TestSuite(disasm, .timeout = 60);

ParameterizedTestParameters(rvc, expands)
{
	static struct rvc_vector v[] = {
	    /* Quadrant 0 */
	    {0x0040, 0x00410413}, /* c.addi4spn s0,sp,4     addi s0,sp,4 */
	    {0x1ffc, 0x3fc10793}, /* c.addi4spn a5,sp,1020  addi a5,sp,1020 */
	    {0x2000, 0x00043407}, /* c.fld fs0,0(s0)        fld fs0,0(s0) */
	    {0x3ffc, 0x0f87b787}, /* c.fld fa5,248(a5)      fld fa5,248(a5) */
	    {0x4000, 0x00042403}, /* c.lw s0,0(s0)          lw s0,0(s0) */
	    {0x4040, 0x00442403}, /* c.lw s0,4(s0)          lw s0,4(s0) */
	    {0x4020, 0x04042403}, /* c.lw s0,64(s0)         lw s0,64(s0) */
	    {0x5ffc, 0x07c7a783}, /* c.lw a5,124(a5)        lw a5,124(a5) */
	    {0x6000, 0x00043403}, /* c.ld s0,0(s0)          ld s0,0(s0) */
	    {0x7ffc, 0x0f87b783}, /* c.ld a5,248(a5)        ld a5,248(a5) */
	    {0xa000, 0x00843027}, /* c.fsd fs0,0(s0)        fsd fs0,0(s0) */
	    {0xbffc, 0x0ef7bc27}, /* c.fsd fa5,248(a5)      fsd fa5,248(a5) */
	    {0xc000, 0x00842023}, /* c.sw s0,0(s0)          sw s0,0(s0) */
	    {0xdffc, 0x06f7ae23}, /* c.sw a5,124(a5)        sw a5,124(a5) */
	    {0xe000, 0x00843023}, /* c.sd s0,0(s0)          sd s0,0(s0) */
	    {0xfffc, 0x0ef7bc23}, /* c.sd a5,248(a5)        sd a5,248(a5) */

	    /* Quadrant 1 */
	    {0x0001, 0x00000013}, /* c.nop                  addi zero,zero,0 */
	    {0x0005, 0x00100013}, /* c.nop 1 (HINT)         addi zero,zero,1 */
	    {0x057d, 0x01f50513}, /* c.addi a0,31           addi a0,a0,31 */
	    {0x1001, 0xfe000013}, /* c.addi zero,-32 (HINT) addi zero,zero,-32 */
	    {0x127d, 0xfff20213}, /* c.addi tp,-1           addi tp,tp,-1 */
	    {0x0501, 0x00050513}, /* c.addi a0,0 (HINT)     addi a0,a0,0 */
	    {0x2501, 0x0005051b}, /* c.addiw a0,0           addiw a0,a0,0 */
	    {0x2505, 0x0015051b}, /* c.addiw a0,1           addiw a0,a0,1 */
	    {0x3081, 0xfe00809b}, /* c.addiw ra,-32         addiw ra,ra,-32 */
	    {0x4501, 0x00000513}, /* c.li a0,0              addi a0,zero,0 */
	    {0x4ffd, 0x01f00f93}, /* c.li t6,31             addi t6,zero,31 */
	    {0x5001, 0xfe000013}, /* c.li zero,-32 (HINT)   addi zero,zero,-32 */
	    {0x5ffd, 0xfff00f93}, /* c.li t6,-1             addi t6,zero,-1 */
	    {0x6141, 0x01010113}, /* c.addi16sp sp,16       addi sp,sp,16 */
	    {0x617d, 0x1f010113}, /* c.addi16sp sp,496      addi sp,sp,496 */
	    {0x7101, 0xe0010113}, /* c.addi16sp sp,-512     addi sp,sp,-512 */
	    {0x717d, 0xff010113}, /* c.addi16sp sp,-16      addi sp,sp,-16 */
	    {0x6005, 0x00001037}, /* c.lui zero,0x1 (HINT)  lui zero,0x1 */
	    {0x657d, 0x0001f537}, /* c.lui a0,0x1f          lui a0,0x1f */
	    {0x7501, 0xfffe0537}, /* c.lui a0,0xfffe0       lui a0,0xfffe0 */
	    {0x7ffd, 0xffffffb7}, /* c.lui t6,0xfffff       lui t6,0xfffff */
	    {0x8001, 0x00045413}, /* c.srli s0,0 (HINT)     srli s0,s0,0 */
	    {0x8005, 0x00145413}, /* c.srli s0,1            srli s0,s0,1 */
	    {0x9001, 0x02045413}, /* c.srli s0,32           srli s0,s0,32 */
	    {0x9011, 0x02445413}, /* c.srli s0,36           srli s0,s0,36 */
	    {0x93fd, 0x03f7d793}, /* c.srli a5,63           srli a5,a5,63 */
	    {0x8401, 0x40045413}, /* c.srai s0,0 (HINT)     srai s0,s0,0 */
	    {0x8405, 0x40145413}, /* c.srai s0,1            srai s0,s0,1 */
	    {0x9401, 0x42045413}, /* c.srai s0,32           srai s0,s0,32 */
	    {0x97fd, 0x43f7d793}, /* c.srai a5,63           srai a5,a5,63 */
	    {0x8bfd, 0x01f7f793}, /* c.andi a5,31           andi a5,a5,31 */
	    {0x9801, 0xfe047413}, /* c.andi s0,-32          andi s0,s0,-32 */
	    {0x9bfd, 0xfff7f793}, /* c.andi a5,-1           andi a5,a5,-1 */
	    {0x8e01, 0x40860633}, /* c.sub a2,s0            sub a2,a2,s0 */
	    {0x8f9d, 0x40f787b3}, /* c.sub a5,a5            sub a5,a5,a5 */
	    {0x8e21, 0x00864633}, /* c.xor a2,s0            xor a2,a2,s0 */
	    {0x8e41, 0x00866633}, /* c.or a2,s0             or a2,a2,s0 */
	    {0x8e61, 0x00867633}, /* c.and a2,s0            and a2,a2,s0 */
	    {0x9e01, 0x4086063b}, /* c.subw a2,s0           subw a2,a2,s0 */
	    {0x9e21, 0x0086063b}, /* c.addw a2,s0           addw a2,a2,s0 */
	    {0x9fbd, 0x00f787bb}, /* c.addw a5,a5           addw a5,a5,a5 */
	    {0xa011, 0x0040006f}, /* c.j +4                 jal zero,+4 */
	    {0xaffd, 0x7fe0006f}, /* c.j +2046              jal zero,+2046 */
	    {0xb001, 0x801ff06f}, /* c.j -2048              jal zero,-2048 */
	    {0xbffd, 0xfffff06f}, /* c.j -2                 jal zero,-2 */
	    {0xc011, 0x00040263}, /* c.beqz s0,+4           beq s0,zero,+4 */
	    {0xcffd, 0x0e078f63}, /* c.beqz a5,+254         beq a5,zero,+254 */
	    {0xd001, 0xf00400e3}, /* c.beqz s0,-256         beq s0,zero,-256 */
	    {0xdffd, 0xfe078fe3}, /* c.beqz a5,-2           beq a5,zero,-2 */
	    {0xe011, 0x00041263}, /* c.bnez s0,+4           bne s0,zero,+4 */
	    {0xeffd, 0x0e079f63}, /* c.bnez a5,+254         bne a5,zero,+254 */
	    {0xf001, 0xf00410e3}, /* c.bnez s0,-256         bne s0,zero,-256 */

	    /* Quadrant 2 */
	    {0x0006, 0x00101013}, /* c.slli zero,1 (HINT)   slli zero,zero,1 */
	    {0x0282, 0x00029293}, /* c.slli t0,0 (HINT)     slli t0,t0,0 */
	    {0x1042, 0x03001013}, /* c.slli zero,48 (HINT)  slli zero,zero,48 */
	    {0x1502, 0x02051513}, /* c.slli a0,32           slli a0,a0,32 */
	    {0x1ffe, 0x03ff9f93}, /* c.slli t6,63           slli t6,t6,63 */
	    {0x2002, 0x00013007}, /* c.fldsp ft0,0(sp)      fld ft0,0(sp) */
	    {0x3ffe, 0x1f813f87}, /* c.fldsp ft11,504(sp)   fld ft11,504(sp) */
	    {0x4082, 0x00012083}, /* c.lwsp ra,0(sp)        lw ra,0(sp) */
	    {0x5ffe, 0x0fc12f83}, /* c.lwsp t6,252(sp)      lw t6,252(sp) */
	    {0x6082, 0x00013083}, /* c.ldsp ra,0(sp)        ld ra,0(sp) */
	    {0x7ffe, 0x1f813f83}, /* c.ldsp t6,504(sp)      ld t6,504(sp) */
	    {0x8082, 0x00008067}, /* c.jr ra                jalr zero,0(ra) */
	    {0x8f82, 0x000f8067}, /* c.jr t6                jalr zero,0(t6) */
	    {0x8016, 0x00500033}, /* c.mv zero,t0 (HINT)    add zero,zero,t0 */
	    {0x852e, 0x00b00533}, /* c.mv a0,a1             add a0,zero,a1 */
	    {0x9002, 0x00100073}, /* c.ebreak               ebreak */
	    {0x9082, 0x000080e7}, /* c.jalr ra              jalr ra,0(ra) */
	    {0x9f82, 0x000f80e7}, /* c.jalr t6              jalr ra,0(t6) */
	    {0x9016, 0x00500033}, /* c.add zero,t0 (HINT)   add zero,zero,t0 */
	    {0x952e, 0x00b50533}, /* c.add a0,a1            add a0,a0,a1 */
	    {0xa002, 0x00013027}, /* c.fsdsp ft0,0(sp)      fsd ft0,0(sp) */
	    {0xbffe, 0x1ff13c27}, /* c.fsdsp ft11,504(sp)   fsd ft11,504(sp) */
	    {0xc002, 0x00012023}, /* c.swsp zero,0(sp)      sw zero,0(sp) */
	    {0xdffe, 0x0ff12e23}, /* c.swsp t6,252(sp)      sw t6,252(sp) */
	    {0xe006, 0x00113023}, /* c.sdsp ra,0(sp)        sd ra,0(sp) */
	    {0xfffe, 0x1ff13c23}, /* c.sdsp t6,504(sp)      sd t6,504(sp) */
	    /* Zcb (Zc chapter, "Zcb"): uimm[0|1] at bits 6:5 is bit 6 =
	     * uimm[0], bit 5 = uimm[1]. The 32-bit words are binutils'
	     * (-march=rv64gc_zba_zbb) for the equivalent the spec names. */
	    {0x81e8, 0x0035c503}, /* c.lbu a0,3(a1)         lbu a0,3(a1) */
	    {0x8000, 0x00044403}, /* c.lbu s0,0(s0)         lbu s0,0(s0) */
	    {0x85e8, 0x00259503}, /* c.lh a0,2(a1)          lh a0,2(a1) */
	    {0x85a8, 0x0025d503}, /* c.lhu a0,2(a1)         lhu a0,2(a1) */
	    {0x89c8, 0x00a580a3}, /* c.sb a0,1(a1)          sb a0,1(a1) */
	    {0x8da8, 0x00a59123}, /* c.sh a0,2(a1)          sh a0,2(a1) */
	    {0x9d61, 0x0ff57513}, /* c.zext.b a0            andi a0,a0,255 */
	    {0x9d65, 0x60451513}, /* c.sext.b a0            sext.b a0,a0 */
	    {0x9d69, 0x0805453b}, /* c.zext.h a0            zext.h a0,a0 */
	    {0x9d6d, 0x60551513}, /* c.sext.h a0            sext.h a0,a0 */
	    {0x9d71, 0x0805053b}, /* c.zext.w a0            add.uw a0,a0,zero */
	    {0x9d75, 0xfff54513}, /* c.not a0               xori a0,a0,-1 */
	    {0x9d4d, 0x02b50533}, /* c.mul a0,a1            mul a0,a0,a1 */
	    /* Zcmop: c.mop.n has no 32-bit form and passes through */
	    {0x6081, 0x00006081}, /* c.mop.1 */
	    {0x6781, 0x00006781}, /* c.mop.15 */
	};
	return cr_make_param_array(struct rvc_vector, v, ARRAY_SIZE(v));
}

ParameterizedTest(struct rvc_vector *v, rvc, expands)
{
	uint32_t got = rvc_expand(v->c, NULL);

	cr_assert_eq(got, v->w, "rvc_expand(0x%04x) = 0x%08x, want 0x%08x", v->c, got, v->w);
}

ParameterizedTestParameters(rvc, reserved)
{
	static uint16_t v[] = {
	    0x0000, /* all zeros: defined illegal */
	    0x0004, /* C.ADDI4SPN nzuimm=0, rd'=s1 */
	    0x001c, /* C.ADDI4SPN nzuimm=0, rd'=a5 */
	    0x9000, /* quadrant 0 funct3 100, bit 12 set: reserved even with Zcb */
	    0x9ffc, /* same, every other bit set */
	    0x8c40, /* 100 011 ... bit 6 set (c.sh's place): reserved */
	    0x2001, /* C.ADDIW rd=0, imm=0 */
	    0x3001, /* C.ADDIW rd=0, imm=-32 */
	    0x6101, /* C.ADDI16SP nzimm=0 */
	    0x6001, /* C.LUI rd=0 nzimm=0 */
	    0x6501, /* C.LUI a0, nzimm=0 (even rd: no c.mop) */
	    0x6881, /* C.LUI a7, nzimm=0 (rd >= 16: no c.mop) */
	    0x9c79, /* 100 1 11 rd' 11 110 01: reserved even with Zcb */
	    0x9ffd, /* 100 1 11 rd' 11 111 01: same */
	    0x4002, /* C.LWSP rd=0 */
	    0x5002, /* C.LWSP rd=0, uimm[5]=1 */
	    0x6002, /* C.LDSP rd=0 */
	    0x8002, /* C.JR rs1=0 */
	    0x0003, /* quadrant 3 is not compressed */
	    0xffff,
	};
	return cr_make_param_array(uint16_t, v, ARRAY_SIZE(v));
}

ParameterizedTest(uint16_t *c, rvc, reserved)
{
	cr_assert_eq(rvc_expand(*c, NULL), 0, "rvc_expand(0x%04x) = 0x%08x, want 0", *c,
		     rvc_expand(*c, NULL));
}

/* A hart without Zcb or Zcmop finds their encodings reserved, as before
 * them; with Zcb on, the forms that need Zbb, Zba or M expand but find no
 * row unless those are on too. */
Test(rvc, zcb_and_zcmop_follow_the_isa)
{
	static const uint16_t zcb[] = {0x81e8, 0x85e8, 0x85a8, 0x89c8, 0x8da8, 0x9d61,
				       0x9d65, 0x9d69, 0x9d6d, 0x9d71, 0x9d75, 0x9d4d};
	struct isa rv64;
	isa_default(&rv64);
	for (size_t i = 0; i < ARRAY_SIZE(zcb); i++)
		cr_assert_eq(rvc_expand(zcb[i], &rv64), 0, "0x%04x", zcb[i]);
	cr_assert_eq(rvc_expand(0x6081, &rv64), 0);

	struct isa with = rv64;
	isa_set(&with, ISA_ZCB, true);
	isa_set(&with, ISA_ZCMOP, true);
	struct op op;
	insn_decode(0x9d75, 2, &op, &with); /* c.not: xori, base ISA */
	cr_assert_eq(op.id, INSN_xori);
	insn_decode(0x9d4d, 2, &op, &with); /* c.mul: M is on in rv64 */
	cr_assert_eq(op.id, INSN_mul);
	insn_decode(0x6781, 2, &op, &with);
	cr_assert_eq(op.id, INSN_c_mop);
	isa_set(&with, ISA_M, false);
	insn_decode(0x9d4d, 2, &op, &with);
	cr_assert_eq(op.id, INSN_ILLEGAL);
}

/* Every legal halfword must land on a row of insn.def, and the op must keep
 * the compressed bits. */
Test(rvc, every_expansion_decodes)
{
	for (uint32_t c = 0; c < 0x10000; c++) {
		struct op op;
		uint32_t w;

		if ((c & 3) == 3)
			continue;
		w = rvc_expand((uint16_t)c, NULL);
		insn_decode(c, 2, &op, NULL);
		cr_assert_eq(op.raw, c);
		cr_assert_eq(op_len(&op), 2);
		if (w == 0) {
			cr_assert_eq(op.id, INSN_ILLEGAL, "0x%04x", c);
			continue;
		}
		/* c.mop.n alone keeps its 16 bits (insn.def's c.mop row). */
		cr_assert(op.id == INSN_c_mop || (w & 3) == 3, "0x%04x expands to 0x%08x", c, w);
		cr_assert_neq(op.id, INSN_ILLEGAL, "0x%04x -> 0x%08x", c, w);
	}
}

/* ---- the instruction table -------------------------------------------- */

/* Each row's match must be reachable: inside its mask, and not claimed by
 * another row first. Rows may overlap only across extensions (insn.def:
 * zext.h of Zbb is packw rd,rs1,x0 of Zbkb): then the row shadowed with
 * everything on must be the one decoded when only its own extensions are. */
Test(decode, table_rows_are_distinct)
{
	for (int i = 0; i < INSN_COUNT; i++) {
		const struct insn_info *r = &insn_table[i];
		struct op op;
		struct isa own = {{0, 0}};

		cr_assert_not_null(r->mnemonic);
		cr_assert_not_null(r->exec, "%s", r->mnemonic);
		cr_assert_eq(r->match & ~r->mask, 0, "%s", r->mnemonic);
		insn_decode(r->match, 4, &op, NULL);
		if (op.id == i)
			continue;
		cr_assert_neq(op.id, INSN_ILLEGAL, "%s", r->mnemonic);
		cr_assert(insn_table[op.id].ext[0] != r->ext[0] &&
			      insn_table[op.id].ext[0] != r->ext[1],
			  "%s decodes as %s of the same extension", r->mnemonic,
			  insn_table[op.id].mnemonic);
		isa_set(&own, (enum isa_ext)r->ext[0], true);
		if (r->ext[1] != ISA_NONE)
			isa_set(&own, (enum isa_ext)r->ext[1], true);
		insn_decode(r->match, 4, &op, &own);
		cr_assert_eq(op.id, i, "%s decodes as %s with only its extensions on", r->mnemonic,
			     insn_table[op.id].mnemonic);
	}
	cr_assert_str_eq(insn_table[INSN_ILLEGAL].mnemonic, "illegal");
	cr_assert_eq(insn_table[INSN_ILLEGAL].exec, exec_illegal);
}

/* The flags column's rules (insn.def): a jump ends its block, every branch
 * is a jump, an op that raises illegal-instruction ends its block, and
 * only F/D rows have precision or rounding flags. */
Test(decode, table_flags_are_consistent)
{
	for (int i = 0; i < INSN_COUNT; i++) {
		const struct insn_info *r = &insn_table[i];
		const bool fp = (r->match & 0x7f) == 0x07 || (r->match & 0x7f) == 0x27 ||
				(r->match & 0x7f) == 0x53 || r->format == FMT_F4;

		if (r->flags & INSN_JUMP)
			cr_assert(r->flags & INSN_ENDS_BLOCK, "%s", r->mnemonic);
		if (r->format == FMT_B || r->format == FMT_J || r->format == FMT_JALR)
			cr_assert(r->flags & INSN_JUMP, "%s", r->mnemonic);
		if (r->flags & (INSN_ROUNDS | INSN_S_IN | INSN_S_OUT))
			cr_assert(fp, "%s", r->mnemonic);
	}
	cr_assert(insn_table[INSN_ILLEGAL].flags & INSN_ENDS_BLOCK);
}

/* EXT_WITH rows need both extensions: Zfa's fli.h needs Zfh, fli.d needs
 * D, fcvt.d.h needs D and Zfh or Zfhmin. */
Test(decode, rows_that_need_two_extensions)
{
	struct isa isa;
	struct op op;

	isa_default(&isa);
	isa_set(&isa, ISA_ZFA, true);
	insn_decode(0xf4100553, 4, &op, &isa); /* fli.h fa0,-1.0 */
	cr_assert_eq(op.id, INSN_ILLEGAL);
	insn_decode(0xf0180553, 4, &op, &isa); /* fli.s fa0,1.0 */
	cr_assert_eq(op.id, INSN_fli_s);
	isa_set(&isa, ISA_ZFH, true);
	insn_decode(0xf4100553, 4, &op, &isa);
	cr_assert_eq(op.id, INSN_fli_h);
	isa_set(&isa, ISA_D, false);
	insn_decode(0xf2108553, 4, &op, &isa); /* fli.d fa0,min */
	cr_assert_eq(op.id, INSN_ILLEGAL);
	insn_decode(0x42258553, 4, &op, &isa); /* fcvt.d.h fa0,fa1 */
	cr_assert_eq(op.id, INSN_ILLEGAL);
	isa_set(&isa, ISA_D, true);
	isa_set(&isa, ISA_ZFH, false);
	isa_set(&isa, ISA_ZFHMIN, true);
	insn_decode(0x42258553, 4, &op, &isa);
	cr_assert_eq(op.id, INSN_fcvt_d_h);
	insn_decode(0x04c58553, 4, &op, &isa); /* fadd.h: Zfh only */
	cr_assert_eq(op.id, INSN_ILLEGAL);
}

/* ---- operand extraction ----------------------------------------------- */

struct decode_vector {
	uint32_t raw;
	uint8_t len;
	uint16_t id;
	uint8_t rd, rs1, rs2, rs3;
	int32_t imm;
};

#define S XREG_SINK

ParameterizedTestParameters(decode, fields)
{
	static struct decode_vector v[] = {
	    /* U: low 12 bits zero, sign-extended from bit 31 */
	    {0xfffff537, 4, INSN_lui, 10, 0, 0, 0, -4096},	 /* lui a0,0xfffff */
	    {0x00001037, 4, INSN_lui, S, 0, 0, 0, 4096},	 /* lui zero,0x1 */
	    {0x80000517, 4, INSN_auipc, 10, 0, 0, 0, INT32_MIN}, /* auipc a0,0x80000 */
	    /* J: byte offset, +-1 MiB */
	    {0x008000ef, 4, INSN_jal, 1, 0, 0, 0, 8},	     /* jal ra,.+8 */
	    {0x8000006f, 4, INSN_jal, S, 0, 0, 0, -1048576}, /* jal zero,.-1MiB */
	    {0x7ffff06f, 4, INSN_jal, S, 0, 0, 0, 1048574},  /* jal zero,.+1MiB-2 */
	    /* I */
	    {0x800500e7, 4, INSN_jalr, 1, 10, 0, 0, -2048},  /* jalr ra,-2048(a0) */
	    {0x00008067, 4, INSN_jalr, S, 1, 0, 0, 0},	     /* jalr zero,0(ra) */
	    {0x80050513, 4, INSN_addi, 10, 10, 0, 0, -2048}, /* addi a0,a0,-2048 */
	    {0x00813503, 4, INSN_ld, 10, 2, 0, 0, 8},	     /* ld a0,8(sp) */
	    {0xfff52503, 4, INSN_lw, 10, 10, 0, 0, -1},	     /* lw a0,-1(a0) */
	    /* B: byte offset, +-4 KiB */
	    {0x80b50063, 4, INSN_beq, 0, 10, 11, 0, -4096}, /* beq a0,a1,.-4096 */
	    {0x7eb50fe3, 4, INSN_beq, 0, 10, 11, 0, 4094},  /* beq a0,a1,.+4094 */
	    {0xf00410e3, 4, INSN_bne, 0, 8, 0, 0, -256},    /* bne s0,zero,.-256 */
	    /* S */
	    {0xfe813c27, 4, INSN_fsd, 0, 2, 8, 0, -8},	 /* fsd fs0,-8(sp) */
	    {0x7ea13fa3, 4, INSN_sd, 0, 2, 10, 0, 2047}, /* sd a0,2047(sp) */
	    /* shifts: the shamt alone, without funct6/funct7 */
	    {0x03f51513, 4, INSN_slli, 10, 10, 0, 0, 63},  /* slli a0,a0,63 */
	    {0x43f55513, 4, INSN_srai, 10, 10, 0, 0, 63},  /* srai a0,a0,63 */
	    {0x41f5551b, 4, INSN_sraiw, 10, 10, 0, 0, 31}, /* sraiw a0,a0,31 */
	    /* Zicsr: csr number zero-extended; rs1 or uimm5 in rs1 */
	    {0x30002573, 4, INSN_csrrs, 10, 0, 0, 0, 0x300},  /* csrrs a0,mstatus,zero */
	    {0xfc0fd073, 4, INSN_csrrwi, S, 31, 0, 0, 0xfc0}, /* csrrwi zero,0xfc0,31 */
	    /* A */
	    {0x06b6252f, 4, INSN_amoadd_w, 10, 12, 11, 0, 0}, /* amoadd.w.aqrl a0,a1,(a2) */
	    {0x1405b52f, 4, INSN_lr_d, 10, 11, 0, 0, 0},      /* lr.d.aq a0,(a1) */
	    {0x18c5b02f, 4, INSN_sc_d, S, 11, 12, 0, 0},      /* sc.d zero,a2,(a1) */
	    /* FP: f0 is a real register, never the sink; rm in imm */
	    {0xff013507, 4, INSN_fld, 10, 2, 0, 0, -16},      /* fld fa0,-16(sp) */
	    {0x00013007, 4, INSN_fld, 0, 2, 0, 0, 0},	      /* fld ft0,0(sp) */
	    {0x02209053, 4, INSN_fadd_d, 0, 1, 2, 0, 1},      /* fadd.d ft0,ft1,ft2,rtz */
	    {0x68c5f543, 4, INSN_fmadd_s, 10, 11, 12, 13, 7}, /* fmadd.s fa0,fa1,fa2,fa3 */
	    {0x58057553, 4, INSN_fsqrt_s, 10, 10, 0, 0, 7},   /* fsqrt.s fa0,fa0 */
	    {0x22208053, 4, INSN_fsgnj_d, 0, 1, 2, 0, 0},     /* fsgnj.d ft0,ft1,ft2 */
	    {0xc2051053, 4, INSN_fcvt_w_d, S, 10, 0, 0, 1},   /* fcvt.w.d zero,fa0,rtz */
	    {0xd2000053, 4, INSN_fcvt_d_w, 0, 0, 0, 0, 0},    /* fcvt.d.w ft0,zero,rne */
	    {0xa2b52053, 4, INSN_feq_d, S, 10, 11, 0, 0},     /* feq.d zero,fa0,fa1 */
	    /* system */
	    {0x8330000f, 4, INSN_fence, 0, 0, 0, 0, 0x833},    /* fence.tso */
	    {0x0ff0000f, 4, INSN_fence, 0, 0, 0, 0, 0x0ff},    /* fence iorw,iorw */
	    {0x12b50073, 4, INSN_sfence_vma, 0, 10, 11, 0, 0}, /* sfence.vma a0,a1 */
	    {0x00000073, 4, INSN_ecall, 0, 0, 0, 0, 0},
	    {0x30200073, 4, INSN_mret, 0, 0, 0, 0, 0},
	    /* RVC: fields of the expansion, raw and len of the original */
	    {0x852e, 2, INSN_add, 10, 0, 11, 0, 0},    /* c.mv a0,a1 */
	    {0x5001, 2, INSN_addi, S, 0, 0, 0, -32},   /* c.li zero,-32 */
	    {0xb001, 2, INSN_jal, S, 0, 0, 0, -2048},  /* c.j -2048 */
	    {0x2002, 2, INSN_fld, 0, 2, 0, 0, 0},      /* c.fldsp ft0,0(sp) */
	    {0x7ffd, 2, INSN_lui, 31, 0, 0, 0, -4096}, /* c.lui t6,0xfffff */
	    {0x97fd, 2, INSN_srai, 15, 15, 0, 0, 63},  /* c.srai a5,63 */
	    {0x7101, 2, INSN_addi, 2, 2, 0, 0, -512},  /* c.addi16sp sp,-512 */
	    {0x9002, 2, INSN_ebreak, 0, 0, 0, 0, 0},   /* c.ebreak */
	    /* bit manipulation: unary forms have no rs2; shamt and bit index
	     * alone, 6 bits (5 for roriw) */
	    {0x60059513, 4, INSN_clz, 10, 11, 0, 0, 0},	       /* clz a0,a1 */
	    {0x6b855013, 4, INSN_rev8, S, 10, 0, 0, 0},	       /* rev8 zero,a0 */
	    {0x0bf5951b, 4, INSN_slli_uw, 10, 11, 0, 0, 63},   /* slli.uw a0,a1,63 */
	    {0x63f5d513, 4, INSN_rori, 10, 11, 0, 0, 63},      /* rori a0,a1,63 */
	    {0x61f5d51b, 4, INSN_roriw, 10, 11, 0, 0, 31},     /* roriw a0,a1,31 */
	    {0x4bf5d513, 4, INSN_bexti, 10, 11, 0, 0, 63},     /* bexti a0,a1,63 */
	    {0x0805c53b, 4, INSN_zext_h, 10, 11, 0, 0, 0},     /* zext.h = packw a0,a1,zero */
	    {0x0ec5f533, 4, INSN_czero_nez, 10, 11, 12, 0, 0}, /* czero.nez a0,a1,a2 */
	};
	return cr_make_param_array(struct decode_vector, v, ARRAY_SIZE(v));
}

ParameterizedTest(struct decode_vector *v, decode, fields)
{
	struct op op;

	memset(&op, 0xa5, sizeof(op));
	insn_decode(v->raw, v->len, &op, NULL);
	cr_assert_eq(op.id, v->id, "0x%08x: id %s, want %s", v->raw, insn_table[op.id].mnemonic,
		     insn_table[v->id].mnemonic);
	cr_assert_eq(op.fn, insn_table[v->id].exec, "0x%08x: fn", v->raw);
	cr_assert_eq(op.raw, v->raw);
	cr_assert_eq(op_len(&op), v->len);
	cr_assert_eq(op.rd, v->rd, "0x%08x: rd %u, want %u", v->raw, op.rd, v->rd);
	cr_assert_eq(op.rs1, v->rs1, "0x%08x: rs1 %u, want %u", v->raw, op.rs1, v->rs1);
	cr_assert_eq(op.rs2, v->rs2, "0x%08x: rs2 %u, want %u", v->raw, op.rs2, v->rs2);
	cr_assert_eq(op.rs3, v->rs3, "0x%08x: rs3 %u, want %u", v->raw, op.rs3, v->rs3);
	cr_assert_eq(op.imm, v->imm, "0x%08x: imm %d, want %d", v->raw, op.imm, v->imm);
	cr_assert_eq(op.pc_off, 0xa5a5, "pc_off belongs to the caller");
}

#undef S

struct illegal_vector {
	uint32_t raw;
	uint8_t len;
};

ParameterizedTestParameters(decode, illegal)
{
	static struct illegal_vector v[] = {
	    {0xffffffff, 4}, {0x0000000b, 4}, /* custom-0 */
	    {0x00007003, 4},		      /* LOAD funct3 111 */
	    {0x80001013, 4},		      /* slli with funct6 100000 */
	    {0x42000033, 4},		      /* OP funct7 0100001 */
	    {0x0200101b, 4},		      /* slliw with shamt[5] set: reserved on RV64 */
	    {0xe2100053, 4},		      /* fmvh.x.d: Zfa, but RV32 only */
	    {0xb2000053, 4},		      /* fmvp.d.x: Zfa, but RV32 only */
	    {0xc2802053, 4},		      /* fcvtmod.w.d with rm != RTZ: reserved */
	    {0x06000043, 4},		      /* fmadd.q: no Q */
	    {0x0000402f, 4},		      /* AMO funct3 100 */
	    {0x1010302f, 4},		      /* lr.d with rs2 != 0 */
	    {0xe0002053, 4},		      /* fmv.x.w with funct3 010 */
	    {0x58100053, 4},		      /* fsqrt.s with rs2 != 0 */
	    {0x00200073, 4},		      /* SYSTEM funct3 000, imm 2 (uret, removed) */
	    {0x7b200073, 4},		      /* dret: debug mode only */
	    {0x0000, 2},		      /* all-zero halfword */
	    {0x6101, 2},		      /* C.ADDI16SP nzimm=0 */
	    {0x6200501b, 4},		      /* roriw with shamt[5] set */
	    {0x08f59513, 4},		      /* zip a0,a1: RV32 only */
	    {0x69855513, 4},		      /* rev8 a0,a0 of RV32 */
	    {0x08c58533, 4},		      /* OP funct7 0000100 funct3 000: add.uw is OP-32 */
	};
	return cr_make_param_array(struct illegal_vector, v, ARRAY_SIZE(v));
}

ParameterizedTest(struct illegal_vector *v, decode, illegal)
{
	struct op op;

	memset(&op, 0xa5, sizeof(op));
	insn_decode(v->raw, v->len, &op, NULL);
	cr_assert_eq(op.id, INSN_ILLEGAL, "0x%08x decodes as %s", v->raw,
		     insn_table[op.id].mnemonic);
	cr_assert_eq(op.fn, exec_illegal);
	cr_assert_eq(op.raw, v->raw);
	cr_assert_eq(op_len(&op), v->len);
	cr_assert_eq(op.imm, 0);
	cr_assert_eq(op.rd, 0);
	cr_assert_eq(op.rs1, 0);
}

/* A row decodes only when one of its extensions is on: -cpu rv64 has none
 * of the bit-manipulation ones, Zbkb alone brings the rotates but not clz,
 * and zext.h's bits are packw when only Zbkb has them. */
static bool is_bitmanip(const struct insn_info *r)
{
	static const enum isa_ext b[] = {ISA_ZBA,  ISA_ZBB,  ISA_ZBC,  ISA_ZBS,
					 ISA_ZBKB, ISA_ZBKC, ISA_ZBKX, ISA_ZICOND};

	for (size_t i = 0; i < ARRAY_SIZE(b); i++)
		if (r->ext[0] == b[i])
			return true;
	return false;
}

static enum insn_id decode_with(uint32_t w, const struct isa *isa)
{
	struct op op;

	insn_decode(w, 4, &op, isa);
	return (enum insn_id)op.id;
}

Test(decode, bitmanip_follows_the_extensions)
{
	struct isa rv64, zbkb, zbkc, zbb;
	int n = 0;

	isa_default(&rv64);
	for (int i = 0; i < INSN_COUNT; i++)
		if (is_bitmanip(&insn_table[i])) {
			n++;
			cr_expect_eq(decode_with(insn_table[i].match, &rv64), INSN_ILLEGAL, "%s",
				     insn_table[i].mnemonic);
		}
	cr_assert_eq(n, 51);
	zbkb = zbkc = zbb = rv64;
	isa_set(&zbkb, ISA_ZBKB, true);
	isa_set(&zbkc, ISA_ZBKC, true);
	isa_set(&zbb, ISA_ZBB, true);
	cr_expect_eq(decode_with(0x60c59533, &zbkb), INSN_rol);
	cr_expect_eq(decode_with(0x6b85d513, &zbkb), INSN_rev8);
	cr_expect_eq(decode_with(0x0805c53b, &zbkb), INSN_packw);
	cr_expect_eq(decode_with(0x60059513, &zbkb), INSN_ILLEGAL); /* clz */
	cr_expect_eq(decode_with(0x0805c53b, &zbb), INSN_zext_h);
	cr_expect_eq(decode_with(0x08c5c53b, &zbb), INSN_ILLEGAL); /* packw, rs2 != 0 */
	cr_expect_eq(decode_with(0x0ac59533, &zbkc), INSN_clmul);
	cr_expect_eq(decode_with(0x0ac5b533, &zbkc), INSN_clmulh);
	cr_expect_eq(decode_with(0x0ac5a533, &zbkc), INSN_ILLEGAL); /* clmulr: Zbc only */
}

/* ---- disassembly ------------------------------------------------------ */

struct disasm_vector {
	uint32_t raw;
	uint8_t len;
	uint64_t pc;
	char text[40];
};

ParameterizedTestParameters(disasm, text)
{
	static struct disasm_vector v[] = {
	    {0x00813503, 4, 0, "ld a0,8(sp)"},
	    {0xfe813c27, 4, 0, "fsd fs0,-8(sp)"},
	    {0x80050513, 4, 0, "addi a0,a0,-2048"},
	    {0x02151513, 4, 0, "slli a0,a0,0x21"},
	    {0xfffff537, 4, 0, "lui a0,0xfffff"},
	    {0x80b50063, 4, 0x80001000, "beq a0,a1,0x80000000"},
	    {0x008000ef, 4, 0x1000, "jal ra,0x1008"},
	    {0x00008067, 4, 0, "jalr zero,0(ra)"},
	    {0x30002573, 4, 0, "csrrs a0,mstatus,zero"},
	    {0xf1402573, 4, 0, "csrrs a0,mhartid,zero"},
	    {0x7c002573, 4, 0, "csrrs a0,0x7c0,zero"},
	    {0x3002d073, 4, 0, "csrrwi zero,mstatus,5"},
	    {0x06b6252f, 4, 0, "amoadd.w.aqrl a0,a1,(a2)"},
	    {0x1405b52f, 4, 0, "lr.d.aq a0,(a1)"},
	    {0x18c5a52f, 4, 0, "sc.w a0,a2,(a1)"},
	    {0x0ff0000f, 4, 0, "fence iorw,iorw"},
	    {0x0210000f, 4, 0, "fence r,w"},
	    {0x8330000f, 4, 0, "fence.tso"},
	    {0x12000073, 4, 0, "sfence.vma zero,zero"},
	    {0x00000073, 4, 0, "ecall"},
	    {0xc2051553, 4, 0, "fcvt.w.d a0,fa0,rtz"},
	    {0x02c5f553, 4, 0, "fadd.d fa0,fa1,fa2"},
	    {0x02c58553, 4, 0, "fadd.d fa0,fa1,fa2,rne"},
	    {0x68c5f543, 4, 0, "fmadd.s fa0,fa1,fa2,fa3"},
	    {0xe0050553, 4, 0, "fmv.x.w a0,fa0"},
	    {0xf2050553, 4, 0, "fmv.d.x fa0,a0"},
	    {0xa2b52553, 4, 0, "feq.d a0,fa0,fa1"},
	    /* Zfh (binutils 2.40 objdump -M no-aliases) */
	    {0x00259507, 4, 0, "flh fa0,2(a1)"},
	    {0xfea11f27, 4, 0, "fsh fa0,-2(sp)"},
	    {0x04c58553, 4, 0, "fadd.h fa0,fa1,fa2,rne"},
	    {0x6cc5c543, 4, 0, "fmadd.h fa0,fa1,fa2,fa3,rmm"},
	    {0x24b59553, 4, 0, "fsgnjn.h fa0,fa1,fa1"},
	    {0x44159553, 4, 0, "fcvt.h.d fa0,fa1,rtz"},
	    {0xc4059553, 4, 0, "fcvt.w.h a0,fa1,rtz"},
	    {0xe4058553, 4, 0, "fmv.x.h a0,fa1"},
	    {0xf4058553, 4, 0, "fmv.h.x fa0,a1"},
	    {0xa4c58553, 4, 0, "fle.h a0,fa1,fa2"},
	    /* Zfa (binutils 2.40 has none: later objdumps' syntax, fli's
	     * operand as min/inf/nan or C's %a) */
	    {0xf0180553, 4, 0, "fli.s fa0,0x1p+0"},
	    {0xf2108553, 4, 0, "fli.d fa0,min"},
	    {0xf4100553, 4, 0, "fli.h fa0,-0x1p+0"},
	    {0xf01f0553, 4, 0, "fli.s fa0,inf"},
	    {0xf01f8553, 4, 0, "fli.s fa0,nan"},
	    {0xf2148553, 4, 0, "fli.d fa0,0x1.4p-2"},
	    {0x2ac5a553, 4, 0, "fminm.d fa0,fa1,fa2"},
	    {0x28c5b553, 4, 0, "fmaxm.s fa0,fa1,fa2"},
	    {0x4245b553, 4, 0, "fround.d fa0,fa1,rup"},
	    {0x4455f553, 4, 0, "froundnx.h fa0,fa1"},
	    {0xc2859553, 4, 0, "fcvtmod.w.d a0,fa1,rtz"},
	    {0xa0c5d553, 4, 0, "fltq.s a0,fa1,fa2"},
	    {0xa4c5c553, 4, 0, "fleq.h a0,fa1,fa2"},
	    {0x852e, 2, 0, "add a0,zero,a1"},
	    {0xb001, 2, 0x2000, "jal zero,0x1800"},
	    {0x8082, 2, 0, "jalr zero,0(ra)"},
	    {0x60059513, 4, 0, "clz a0,a1"},
	    {0x0bf5951b, 4, 0, "slli.uw a0,a1,0x3f"},
	    {0x6215d513, 4, 0, "rori a0,a1,0x21"},
	    {0x40c5f533, 4, 0, "andn a0,a1,a2"},
	    {0x2875d513, 4, 0, "orc.b a0,a1"},
	    {0x0ec5d533, 4, 0, "czero.eqz a0,a1,a2"},
	    {0x0100000f, 4, 0, "pause"},
	    {0x00200033, 4, 0, "ntl.p1"},
	    {0x00300033, 4, 0, "ntl.pall"},
	    {0x00400033, 4, 0, "ntl.s1"},
	    {0x00500033, 4, 0, "ntl.all"},
	    {0x900a, 2, 0, "c.ntl.p1"},
	    {0x9016, 2, 0, "c.ntl.all"},
	    {0x00600033, 4, 0, "add zero,zero,t1"},
	    {0x00d00073, 4, 0, "wrs.nto"},
	    {0x01d00073, 4, 0, "wrs.sto"},
	    {0x81c5c573, 4, 0, "mop.r.0 a0,a1"},
	    {0xcdf5c573, 4, 0, "mop.r.31 a0,a1"},
	    {0x82c5c573, 4, 0, "mop.rr.0 a0,a1,a2"},
	    {0xcec5c573, 4, 0, "mop.rr.7 a0,a1,a2"},
	    {0x6081, 2, 0, "c.mop.1"},
	    {0x6781, 2, 0, "c.mop.15"},
	    {0x81e8, 2, 0, "lbu a0,3(a1)"},
	    {0x85e8, 2, 0, "lh a0,2(a1)"},
	    {0x9d75, 2, 0, "xori a0,a0,-1"},
	    {0xc0302573, 4, 0, "csrrs a0,0xc03,zero"},
	    {0xda002573, 4, 0, "csrrs a0,scountovf,zero"},
	    {0xffffffff, 4, 0, "illegal 0xffffffff"},
	    {0x0000, 2, 0, "illegal 0x0000"},
	};
	return cr_make_param_array(struct disasm_vector, v, ARRAY_SIZE(v));
}

ParameterizedTest(struct disasm_vector *v, disasm, text)
{
	struct op op;
	char buf[64];

	insn_decode(v->raw, v->len, &op, NULL);
	insn_disasm(&op, v->pc, buf, sizeof(buf));
	cr_assert_str_eq(buf, v->text, "0x%08x", v->raw);
}

Test(disasm, truncates_to_buffer)
{
	struct op op;
	char buf[4] = "xxx";

	insn_decode(0x00813503, 4, &op, NULL); /* ld a0,8(sp) */
	insn_disasm(&op, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "ld ");
}
