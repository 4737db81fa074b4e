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

/* User mode's protection bytes stand in for the TLB, unless a debugger
 * watches data (then every access goes through the TLB, which holds
 * nothing: core/debug.c drops this code when watching starts and ends). */
static bool probes_user_space(const struct tctx *t)
{
	return t->j->m->user_prot &&
	       !atomic_load_explicit(&t->j->m->watch_data, memory_order_relaxed);
}

/* rax = &h->tlb_data[(va >> 12) % TLB_ENTRIES], va in register `va`,
 * `tmp` clobbered. */
static void emit_tlb_entry(struct emitter *e, int va, int tmp)
{
	emit_mov_r64_m(e, RAX, H(tlb_data));
	emit_mov_r32_r32(e, tmp, va);
	emit_shift_r32_imm(e, SHIFT_SHR, tmp, 12 - 5);
	emit_alu_r32_imm(e, ALU_AND, tmp, (TLB_ENTRIES - 1) << 5);
	emit_alu_r64_r64(e, ALU_ADD, RAX, tmp);
}

/* Bytes a plain load or store moves; 0 for any other op. */
static unsigned access_size(const struct op *op)
{
	switch (op->id) {
	case INSN_lb:
	case INSN_lbu:
	case INSN_sb:
		return 1;
	case INSN_lh:
	case INSN_lhu:
	case INSN_sh:
		return 2;
	case INSN_lw:
	case INSN_lwu:
	case INSN_sw:
	case INSN_flw:
	case INSN_fsw:
		return 4;
	case INSN_ld:
	case INSN_sd:
	case INSN_fld:
	case INSN_fsd:
		return 8;
	default:
		return 0;
	}
}

/* Ops that only compute on registers: nothing they do, even in C, can
 * change what a guest address translates to. */
static bool computes_only(const struct op *op)
{
	switch (insn_table[op->id].format) {
	case FMT_R:
	case FMT_R1:
	case FMT_I:
	case FMT_SH:
	case FMT_SHW:
	case FMT_U:
	case FMT_F2:
	case FMT_F3:
	case FMT_F4:
	case FMT_F3NR:
	case FMT_FX:
	case FMT_XF:
	case FMT_FCMP:
	case FMT_FLI:
		return true;
	default:
		return false;
	}
}

/* Where a group's check jumps when its probe fails: members then take
 * their slow paths. */
struct group_fail {
	size_t field[4];
	unsigned n;
};

static void group_fail_if(struct tctx *t, struct group_fail *f, enum x86_cond cc)
{
	f->field[f->n++] = emit_jcc_rel32(&t->e, cc, 0);
}

/* rax = the host address of guest address rsi's page, for a range the
 * caller has kept within that page: user mode's protection bytes. */
static void group_probe_user(struct tctx *t, struct group_fail *f, bool loads, bool stores)
{
	struct emitter *e = &t->e;
	const struct machine *m = t->j->m;
	const uint8_t want =
	    (uint8_t)((loads ? USER_PROT_READ : 0) | (stores ? USER_PROT_FAST_WRITE : 0));
	emit_mov_r64_r64(e, RDX, RCX);
	emit_shift_r64_imm(e, SHIFT_SHR, RDX, PAGE_SHIFT);
	emit_alu_r64_imm(e, ALU_CMP, RDX, (int32_t)(m->ram_size >> PAGE_SHIFT));
	group_fail_if(t, f, CC_AE);
	emit_mov_r64_imm(e, RAX, (uint64_t)(uintptr_t)m->user_prot);
	emit_movzx_r32_m8(e, RAX, mem_index(RAX, RDX, 0));
	emit_alu_r32_imm(e, ALU_AND, RAX, want);
	emit_alu_r32_imm(e, ALU_CMP, RAX, want);
	group_fail_if(t, f, CC_NE);
	emit_mov_r64_imm(e, RAX, (uint64_t)(uintptr_t)m->ram);
}

/* The same from the soft TLB: the page's entry must allow every kind of
 * access the group makes. */
static void group_probe_tlb(struct tctx *t, struct group_fail *f, bool loads, bool stores)
{
	struct emitter *e = &t->e;
	emit_tlb_entry(e, RCX, RDX);
	emit_alu_r64_imm(e, ALU_AND, RCX, (int32_t) ~(uint32_t)TLB_PAGE_MASK);
	if (loads) {
		emit_alu_r64_m(e, ALU_CMP, RCX,
			       mem(RAX, (int32_t)offsetof(struct tlb_entry, tag_r)));
		group_fail_if(t, f, CC_NE);
	}
	if (stores) {
		emit_alu_r64_m(e, ALU_CMP, RCX,
			       mem(RAX, (int32_t)offsetof(struct tlb_entry, tag_w)));
		group_fail_if(t, f, CC_NE);
	}
	emit_mov_r64_m(e, RAX, mem(RAX, (int32_t)offsetof(struct tlb_entry, addend)));
}

/*
 * A function's prologue stores several registers through sp, its
 * epilogue loads them back, a structure's fields are read one after the
 * other: accesses through one base register that nothing changes in
 * between. When op k starts such a run (two or more plain loads and
 * stores), one check here covers them all: the range [base + lo,
 * base + hi) they touch lies within one page, and that page allows each
 * kind of access. Then the group's slot of h->mem_group_base holds the
 * host address of base + 0, and each member is a load of it, a test and
 * the access. When the check fails it holds 0 and each member takes its
 * slow path. Alignment needs no check: a misaligned access is carried
 * out like any other (core/mem.h), and the single probe sends it the slow
 * way only because it might cross into another page, which the range
 * check rules out. The run ends at anything that might change what
 * addresses translate to (any op but a load, a store or pure computation),
 * at a write to the base register and at a region's label (region.c).
 */
void mem_group_begin(struct tctx *t, unsigned k)
{
	const struct block *b = t->b;
	unsigned slot = MEM_GROUPS;
	for (unsigned g = 0; g < MEM_GROUPS; g++) {
		if (t->group[g].members >> k & 1)
			return; /* covered */
		if (!(t->group[g].members >> k))
			slot = g; /* done: free for another */
	}
	if (slot == MEM_GROUPS)
		return;
	const struct op *first = &b->ops[k];
	const unsigned base = first->rs1;
	const unsigned first_size = access_size(first);
	if (!first_size || !base)
		return;
	uint64_t members = 0;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	bool loads = false, stores = false;
	for (unsigned i = k; i < b->n_ops; i++) {
		const struct op *op = &b->ops[i];
		if (i > k && (t->labels >> i & 1))
			break; /* a region's label: paths that skipped the probe join */
		const unsigned size = access_size(op);
		if (size && op->rs1 == base) {
			members |= 1ULL << i;
			lo = op->imm < lo ? op->imm : lo;
			hi = op->imm + (int64_t)size > hi ? op->imm + (int64_t)size : hi;
			const enum insn_format f = insn_table[op->id].format;
			if (f == FMT_STORE || f == FMT_FSTORE)
				stores = true;
			else
				loads = true;
		} else if (!size && !computes_only(op)) {
			break;
		}
		if (x_writes(op) & xbit(base))
			break;
	}
	if (__builtin_popcountll(members) < 2 || hi - lo > (int64_t)PAGE_SIZE)
		return;

	struct emitter *e = &t->e;
	struct group_fail fail = {.n = 0};
	load_x(t, RSI, base);
	emit_lea(e, RCX, mem(RSI, (int32_t)lo));
	emit_mov_r32_r32(e, RDX, RCX);
	emit_alu_r32_imm(e, ALU_AND, RDX, (int32_t)PAGE_OFFSET_MASK);
	emit_alu_r32_imm(e, ALU_CMP, RDX, (int32_t)(PAGE_SIZE - (uint64_t)(hi - lo)));
	group_fail_if(t, &fail, CC_A);
	/* The probe emit_tlb_lookup would make for each member. */
	if (probes_user_space(t))
		group_probe_user(t, &fail, loads, stores);
	else
		group_probe_tlb(t, &fail, loads, stores);
	emit_alu_r64_r64(e, ALU_ADD, RAX, RSI);
	const size_t done = emit_jmp_rel32(e, 0);
	for (unsigned i = 0; i < fail.n; i++)
		emit_patch_rel32(e->buf, fail.field[i], e->len);
	emit_alu_r32_r32(e, ALU_XOR, RAX, RAX);
	emit_patch_rel32(e->buf, done, e->len);
	emit_mov_m_r64(e, H(mem_group_base[slot]), RAX);
	t->group[slot].members = members;
	t->rax_group = slot + 1;
}

/*
 * Inline soft-TLB lookup (core/mem.h, the same compare): returns the host
 * operand of the access, the entry's addend in rax plus the guest address
 * in rsi, or jumps to a slow-path stub that runs the whole instruction in
 * C. A member of a memory group (mem_group_begin) uses its group's probe.
 */
struct x86_mem emit_tlb_lookup(struct tctx *t, const struct op *op, unsigned size, bool store,
			       unsigned k)
{
	struct emitter *e = &t->e;
	for (unsigned g = 0; g < MEM_GROUPS; g++) {
		if (t->group[g].members >> k & 1) {
			if (t->rax_group != g + 1)
				emit_mov_r64_m(e, RAX, H(mem_group_base[g]));
			t->rax_group = g + 1;
			emit_test_r64_r64(e, RAX, RAX);
			slow_if(t, op, k, CC_E);
			return mem(RAX, op->imm);
		}
	}
	t->rax_group = 0; /* rax gets the probe's result */
	const bool joined = t->nstubs && t->stubs[t->nstubs - 1].kind == STUB_SLOW &&
			    t->stubs[t->nstubs - 1].op == op;
	if (op->imm && x_host(t, op->rs1) >= 0) {
		emit_lea(e, RSI, mem(x_host(t, op->rs1), op->imm));
	} else {
		load_x(t, RSI, op->rs1);
		if (op->imm)
			emit_alu_r64_imm(e, ALU_ADD, RSI, op->imm);
	}
	if (probes_user_space(t)) {
		emit_user_space_check(t, op, size, store, k);
		return mem_index(RAX, RSI, 0);
	}
	emit_tlb_entry(e, RSI, RCX);
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
	return mem_index(RAX, RSI, 0);
}

void emit_load(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	/* Straight into rd's host register when it has one (the address is
	 * in rax and rsi, never there). */
	const bool direct = t->cached & xbit(op->rd);
	const int dst = direct ? t->host[op->rd] : RCX;
	struct x86_mem host;
	switch (op->id) {
	case INSN_lb:
		host = emit_tlb_lookup(t, op, 1, false, k);
		emit_movsx_r64_m8(e, dst, host);
		break;
	case INSN_lh:
		host = emit_tlb_lookup(t, op, 2, false, k);
		emit_movsx_r64_m16(e, dst, host);
		break;
	case INSN_lw:
		host = emit_tlb_lookup(t, op, 4, false, k);
		emit_movsxd_r64_m32(e, dst, host);
		break;
	case INSN_ld:
		host = emit_tlb_lookup(t, op, 8, false, k);
		emit_mov_r64_m(e, dst, host);
		break;
	case INSN_lbu:
		host = emit_tlb_lookup(t, op, 1, false, k);
		emit_movzx_r32_m8(e, dst, host);
		break;
	case INSN_lhu:
		host = emit_tlb_lookup(t, op, 2, false, k);
		emit_movzx_r32_m16(e, dst, host);
		break;
	default: /* lwu */
		host = emit_tlb_lookup(t, op, 4, false, k);
		emit_mov_r32_m(e, dst, host);
		break;
	}
	if (direct)
		wrote_x(t, op->rd);
	else
		set_x(t, op->rd, RCX); /* rd may be the sink */
	t->rax_kept = true;	       /* the host address is in rax still */
	/* The slow path resumes here. */
	mark_resume(t);
}

void emit_store(struct tctx *t, const struct op *op, unsigned k)
{
	struct emitter *e = &t->e;
	const unsigned size = access_size(op);
	const struct x86_mem host = emit_tlb_lookup(t, op, size, true, k);
	/* Straight from rs2's host register when it has one loaded (the
	 * address is in rax and rsi, never there). */
	int src = op->rs2 ? x_host(t, op->rs2) : -1;
	if (src < 0) {
		src = RCX;
		load_x(t, RCX, op->rs2);
	}
	switch (size) {
	case 1:
		emit_mov_m_r8(e, host, src);
		break;
	case 2:
		emit_mov_m_r16(e, host, src);
		break;
	case 4:
		emit_mov_m_r32(e, host, src);
		break;
	default:
		emit_mov_m_r64(e, host, src);
		break;
	}
	t->rax_kept = true;
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
	emit_lea(e, RDI, emit_tlb_lookup(t, op, wide ? 8 : 4, true, k)); /* host address */
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
	emit_lea(e, RDI, emit_tlb_lookup(t, op, wide ? 8 : 4, !lr, k));
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
