/*
 * Memory instructions emitted natively: the inline soft-TLB probe, loads
 * and stores, AMOs, LR/SC, fence, and the prefetch hints. Anything the fast path does not
 * cover (a TLB miss, a device page, a misaligned access, a store to a page
 * holding translated code) runs the op's exec function in its slow stub.
 */
#include "core/insn.h"
#include "core/mmu.h"
#include "tctx.h"

/* The lookup takes the index from the low 32 bits of va, and the mask is
 * an imm32. */
_Static_assert(TLB_ENTRIES <= (1u << 20), "TLB index bits must lie within va bits 12..31");

/*
 * User mode (m->user_prot), nothing watched: the guest's address space is m->ram + va, so
 * the check is the page's own protection byte, not a TLB entry: every
 * mapped page hits, however large the working set. An aligned access
 * within the space whose page allows it (USER_PROT_READ, or for stores
 * USER_PROT_FAST_WRITE, which the slow path grants and code or watched
 * pages never have) goes straight to host memory; anything else, a
 * misaligned access included, takes the slow path as a TLB miss does.
 */
static void emit_user_space_check(struct tctx *t, const struct op *op, unsigned size, bool store,
				  unsigned k)
{
	struct emitter *e = &t->e;
	const struct machine *m = t->j->m;
	if (size > 1) {
		emit_mov_r32_r32(e, RCX, RSI);
		emit_alu_r32_imm(e, ALU_AND, RCX, (int32_t)size - 1);
		slow_if(t, op, k, CC_NE);
	}
	emit_mov_r64_r64(e, RCX, RSI);
	emit_shift_r64_imm(e, SHIFT_SHR, RCX, PAGE_SHIFT);
	emit_alu_r64_imm(e, ALU_CMP, RCX, (int32_t)(m->ram_size >> PAGE_SHIFT));
	slow_if(t, op, k, CC_AE);
	emit_mov_r64_imm(e, RAX, (uint64_t)(uintptr_t)m->user_prot);
	emit_test_m8_imm(e, mem_index(RAX, RCX, 0), store ? USER_PROT_FAST_WRITE : USER_PROT_READ);
	slow_if(t, op, k, CC_E);
	emit_mov_r64_imm(e, RAX, (uint64_t)(uintptr_t)m->ram);
}

/*
 * Inline soft-TLB lookup (core/mem.h, the same compare): leaves the host
 * address's base (entry addend) in rax and the guest address in rsi, or
 * jumps to a slow-path stub that runs the whole instruction in C.
 */
void emit_tlb_lookup(struct tctx *t, const struct op *op, unsigned size, bool store, unsigned k)
{
	struct emitter *e = &t->e;
	const bool joined = t->nstubs && t->stubs[t->nstubs - 1].kind == STUB_SLOW &&
			    t->stubs[t->nstubs - 1].op == op;
	if (op->imm && x_host(t, op->rs1) >= 0) {
		emit_lea(e, RSI, mem(x_host(t, op->rs1), op->imm));
	} else {
		load_x(t, RSI, op->rs1);
		if (op->imm)
			emit_alu_r64_imm(e, ALU_ADD, RSI, op->imm);
	}
	/* While a debugger watches data, every access goes through the TLB,
	 * which then holds nothing (core/debug.c drops this code when
	 * watching starts and ends). */
	if (t->j->m->user_prot &&
	    !atomic_load_explicit(&t->j->m->watch_data, memory_order_relaxed)) {
		emit_user_space_check(t, op, size, store, k);
		return;
	}
	emit_mov_r64_m(e, RAX, H(tlb_data));
	/* ((va >> 12) % TLB_ENTRIES) * sizeof(struct tlb_entry) */
	emit_mov_r32_r32(e, RCX, RSI);
	emit_shift_r32_imm(e, SHIFT_SHR, RCX, 12 - 5);
	emit_alu_r32_imm(e, ALU_AND, RCX, (TLB_ENTRIES - 1) << 5);
	emit_alu_r64_r64(e, ALU_ADD, RAX, RCX);
	emit_mov_r64_r64(e, RCX, RSI);
	emit_alu_r64_imm(e, ALU_AND, RCX, (int32_t) ~(TLB_PAGE_MASK & ~(uint64_t)(size - 1)));
	emit_alu_r64_m(e, ALU_CMP, RCX,
		       mem(RAX, store ? (int32_t)offsetof(struct tlb_entry, tag_w)
				      : (int32_t)offsetof(struct tlb_entry, tag_r)));
	const size_t field = emit_jcc_rel32(e, CC_NE, 0);
	if (joined)
		slow_join(t, field);
	else
		add_stub(t,
			 (struct stub){.kind = STUB_SLOW, .field = field, .op = op, .retired = k});
	emit_mov_r64_m(e, RAX, mem(RAX, (int32_t)offsetof(struct tlb_entry, addend)));
}

void emit_load(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const struct x86_mem host = mem_index(RAX, RSI, 0);
	switch (op->id) {
	case INSN_lb:
		emit_tlb_lookup(t, op, 1, false, k);
		emit_movsx_r64_m8(e, RCX, host);
		break;
	case INSN_lh:
		emit_tlb_lookup(t, op, 2, false, k);
		emit_movsx_r64_m16(e, RCX, host);
		break;
	case INSN_lw:
		emit_tlb_lookup(t, op, 4, false, k);
		emit_movsxd_r64_m32(e, RCX, host);
		break;
	case INSN_ld:
		emit_tlb_lookup(t, op, 8, false, k);
		emit_mov_r64_m(e, RCX, host);
		break;
	case INSN_lbu:
		emit_tlb_lookup(t, op, 1, false, k);
		emit_movzx_r32_m8(e, RCX, host);
		break;
	case INSN_lhu:
		emit_tlb_lookup(t, op, 2, false, k);
		emit_movzx_r32_m16(e, RCX, host);
		break;
	default: /* lwu */
		emit_tlb_lookup(t, op, 4, false, k);
		emit_mov_r32_m(e, RCX, host);
		break;
	}
	set_x(t, op->rd, RCX); /* rd may be the sink */
	/* The slow path resumes here. */
	mark_resume(t);
}

void emit_store(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const struct x86_mem host = mem_index(RAX, RSI, 0);
	switch (op->id) {
	case INSN_sb:
		emit_tlb_lookup(t, op, 1, true, k);
		load_x(t, RCX, op->rs2);
		emit_mov_m_r8(e, host, RCX);
		break;
	case INSN_sh:
		emit_tlb_lookup(t, op, 2, true, k);
		load_x(t, RCX, op->rs2);
		emit_mov_m_r16(e, host, RCX);
		break;
	case INSN_sw:
		emit_tlb_lookup(t, op, 4, true, k);
		load_x(t, RCX, op->rs2);
		emit_mov_m_r32(e, host, RCX);
		break;
	default: /* sd */
		emit_tlb_lookup(t, op, 8, true, k);
		load_x(t, RCX, op->rs2);
		emit_mov_m_r64(e, host, RCX);
		break;
	}
	/* The slow path resumes here. */
	mark_resume(t);
}

/*
 * AMOs as x86 locked read-modify-writes on the host address, after the
 * write-permission TLB lookup (which also rejects misaligned addresses:
 * those, and every other corner, take the op's slow path, which raises the
 * exception the spec asks for). x86 locked operations are sequentially
 * consistent, which satisfies any aq/rl combination.
 */
void emit_amo(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	enum { A_ADD, A_SWAP, A_AND, A_OR, A_XOR, A_MIN, A_MAX, A_MINU, A_MAXU } kind;
	switch (op->id) {
	case INSN_amoadd_w:
	case INSN_amoadd_d:
		kind = A_ADD;
		break;
	case INSN_amoswap_w:
	case INSN_amoswap_d:
		kind = A_SWAP;
		break;
	case INSN_amoand_w:
	case INSN_amoand_d:
		kind = A_AND;
		break;
	case INSN_amoor_w:
	case INSN_amoor_d:
		kind = A_OR;
		break;
	case INSN_amoxor_w:
	case INSN_amoxor_d:
		kind = A_XOR;
		break;
	case INSN_amomin_w:
	case INSN_amomin_d:
		kind = A_MIN;
		break;
	case INSN_amomax_w:
	case INSN_amomax_d:
		kind = A_MAX;
		break;
	case INSN_amominu_w:
	case INSN_amominu_d:
		kind = A_MINU;
		break;
	default: /* amomaxu */
		kind = A_MAXU;
		break;
	}
	const bool wide = !(insn_table[op->id].flags & INSN_WORD);
	/* The TLB lookup adds op->imm, which is 0 for AMOs. */
	emit_tlb_lookup(t, op, wide ? 8 : 4, true, k);
	emit_lea(e, RDI, mem_index(RAX, RSI, 0)); /* host address */
	const struct x86_mem target = mem(RDI, 0);
	load_x(t, RCX, op->rs2);
	switch (kind) {
	case A_ADD:
		emit_lock_xadd_m_r(e, wide, target, RCX);
		emit_mov_r64_r64(e, RAX, RCX);
		break;
	case A_SWAP:
		emit_xchg_m_r(e, wide, target, RCX);
		emit_mov_r64_r64(e, RAX, RCX);
		break;
	default: {
		/* Compare-exchange loop: rax = old, rdx = new. */
		if (wide)
			emit_mov_r64_m(e, RAX, target);
		else
			emit_mov_r32_m(e, RAX, target);
		const size_t loop = e->len;
		emit_mov_r64_r64(e, RDX, RAX);
		switch (kind) {
		case A_AND:
			emit_alu_r64_r64(e, ALU_AND, RDX, RCX);
			break;
		case A_OR:
			emit_alu_r64_r64(e, ALU_OR, RDX, RCX);
			break;
		case A_XOR:
			emit_alu_r64_r64(e, ALU_XOR, RDX, RCX);
			break;
		default: {
			/* new = (old OP src) ? old : src, compared at the width. */
			const enum x86_cond keep_old = kind == A_MIN	? CC_L
						       : kind == A_MAX	? CC_G
						       : kind == A_MINU ? CC_B
									: CC_A;
			emit_mov_r64_r64(e, RDX, RCX);
			if (wide) {
				emit_alu_r64_r64(e, ALU_CMP, RAX, RCX);
				emit_cmov_r64_r64(e, keep_old, RDX, RAX);
			} else {
				emit_alu_r32_r32(e, ALU_CMP, RAX, RCX);
				emit_cmov_r32_r32(e, keep_old, RDX, RAX);
			}
			break;
		}
		}
		emit_lock_cmpxchg_m_r(e, wide, target, RDX);
		emit_jcc_rel32(e, CC_NE, loop);
		break;
	}
	}
	if (op->rd != XREG_SINK) {
		if (!wide)
			emit_movsxd_r64_r32(e, RAX, RAX);
		set_x(t, op->rd, RAX);
	}
	mark_resume(t);
}

/*
 * LR/SC inline, with core/exec_amo.c's meaning: LR loads through the read
 * TLB and records the reservation (physical address and the value read);
 * SC compare-and-swaps against that value when the reservation is for its
 * address. The physical address is the host address's offset into RAM plus
 * RAM's base; a host address outside RAM (ROM has no reservations) takes
 * the slow path, which raises the access fault.
 */
void emit_lrsc(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const bool lr = insn_table[op->id].format == FMT_LR;
	const bool wide = !(insn_table[op->id].flags & INSN_WORD);
	const struct machine *m = t->j->m;
	const struct x86_mem word = mem(RDI, 0);
	/* The TLB lookup adds op->imm, which is 0 for LR/SC. */
	emit_tlb_lookup(t, op, wide ? 8 : 4, !lr, k);
	emit_lea(e, RDI, mem_index(RAX, RSI, 0));
	emit_mov_r64_imm(e, RDX, (uint64_t)0 - (uint64_t)(uintptr_t)m->ram);
	emit_alu_r64_r64(e, ALU_ADD, RDX, RDI);
	emit_mov_r64_imm(e, RCX, m->ram_size);
	emit_alu_r64_r64(e, ALU_CMP, RDX, RCX);
	slow_join(t, emit_jcc_rel32(e, CC_AE, 0));
	emit_mov_r64_imm(e, RCX, m->ram_base);
	emit_alu_r64_r64(e, ALU_ADD, RDX, RCX); /* rdx = physical address */
	if (lr) {
		if (wide)
			emit_mov_r64_m(e, RAX, word);
		else
			emit_movsxd_r64_m32(e, RAX, word);
		emit_mov_r64_imm(e, RCX, 1);
		emit_mov_m_r8(e, H(reserved), RCX);
		emit_mov_m_r64(e, H(reservation), RDX);
		emit_mov_m_r64(e, H(reservation_value), RAX);
		set_x(t, op->rd, RAX);
		mark_resume(t);
		return;
	}
	emit_cmp_m8_imm(e, H(reserved), 0);
	const size_t not_reserved = emit_jcc_rel32(e, CC_E, 0);
	emit_alu_r64_m(e, ALU_CMP, RDX, H(reservation));
	const size_t elsewhere = emit_jcc_rel32(e, CC_NE, 0);
	emit_mov_r64_m(e, RAX, H(reservation_value));
	load_x(t, RCX, op->rs2);
	emit_lock_cmpxchg_m_r(e, wide, word, RCX); /* ZF: stored */
	const size_t changed = emit_jcc_rel32(e, CC_NE, 0);
	emit_alu_r32_r32(e, ALU_XOR, RCX, RCX);
	const size_t done = emit_jmp_rel32(e, 0);
	emit_patch_rel32(e->buf, not_reserved, e->len);
	emit_patch_rel32(e->buf, elsewhere, e->len);
	emit_patch_rel32(e->buf, changed, e->len);
	emit_mov_r64_imm(e, RCX, 1);
	emit_patch_rel32(e->buf, done, e->len);
	/* Spec 8.2: an SC, successful or not, invalidates the reservation. */
	emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
	emit_mov_m_r8(e, H(reserved), RAX);
	set_x(t, op->rd, RCX);
	mark_resume(t);
}

/* As exec_fence: a full barrier, which covers every RVWMO fence once harts
 * run on several threads. */
void emit_fence(struct tctx *t, const struct op *op, unsigned k)
{
	(void)op;
	(void)k;
	emit_mfence(&t->e);
}

/* Zicbop's prefetches, as exec_prefetch_*: no code at all. */
void emit_prefetch(struct tctx *t, const struct op *op, unsigned k)
{
	(void)t;
	(void)op;
	(void)k;
}
