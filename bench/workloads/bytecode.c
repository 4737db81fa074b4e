/*
 * bytecode - a register virtual machine as scripting languages build them:
 * 32-bit instruction words whose fields are extracted by shifts and masks,
 * dispatched with computed goto (GCC's labels as values, a `goto *` at the
 * end of every handler: one indirect jump per bytecode from many sites),
 * sixteen 64-bit registers, 1024 words of VM memory, relative branches and
 * a call/return stack. The program is a loop that loads, updates and stores
 * VM memory, calls a generator subroutine and takes a data-dependent
 * branch. switch_dispatch is the stack-machine, single-`switch` variant.
 */
#include "../rt/bench.h"

BENCH_SIZE(1150);

enum vm_op {
	VM_LI,	 /* a = imm */
	VM_ADDI, /* a = b + imm */
	VM_ANDI, /* a = b & imm */
	VM_SHLI, /* a = b << imm */
	VM_SHRI, /* a = b >> imm */
	VM_ADD,	 /* a = b + c */
	VM_SUB,	 /* a = b - c */
	VM_MUL,	 /* a = b * c */
	VM_XOR,	 /* a = b ^ c */
	VM_LD,	 /* a = mem[(b + imm) & MEM_MASK] */
	VM_ST,	 /* mem[(b + imm) & MEM_MASK] = a */
	VM_BLT,	 /* if a < b: pc += imm */
	VM_BNE,	 /* if a != b: pc += imm */
	VM_JMP,	 /* pc += imm */
	VM_CALL, /* push pc; pc += imm */
	VM_RET,	 /* pc = pop */
	VM_HALT, /* return a */
};

#define MEM_WORDS 1024
#define MEM_MASK  (MEM_WORDS - 1)

/* op in bits 5:0, registers a, b, c in 9:6, 13:10, 17:14, imm in 31:18. */
#define INSN(op, a, b, c, imm)                                                                     \
	((uint32_t)(op) | (uint32_t)(a) << 6 | (uint32_t)(b) << 10 | (uint32_t)(c) << 14 |         \
	 (uint32_t)(imm) << 18)

/*
 * r0 = 0, r2 = iteration limit, r4 = generator state, r11/r12 = its
 * multiplier and increment, all set by the host; r3 is the result.
 * Branch offsets are relative to the next instruction.
 */
static const uint32_t program[] = {
    /* 0 */ INSN(VM_LI, 1, 0, 0, 0),	      /* i = 0 */
    /* 1 */ INSN(VM_ANDI, 5, 1, 0, MEM_MASK), /* loop: slot = i & mask */
    /* 2 */ INSN(VM_LD, 6, 5, 0, 0),	      /* v = mem[slot] */
    /* 3 */ INSN(VM_CALL, 0, 0, 0, 13),	      /* r7 = next() (17) */
    /* 4 */ INSN(VM_XOR, 6, 6, 7, 0),	      /* v ^= r7 */
    /* 5 */ INSN(VM_ST, 6, 5, 0, 0),	      /* mem[slot] = v */
    /* 6 */ INSN(VM_ANDI, 8, 7, 0, 3),
    /* 7 */ INSN(VM_BNE, 8, 0, 0, 2),	/* if (r7 & 3) goto 10 */
    /* 8 */ INSN(VM_ADD, 3, 3, 6, 0),	/* acc += v */
    /* 9 */ INSN(VM_JMP, 0, 0, 0, 1),	/* goto 11 */
    /* 10 */ INSN(VM_XOR, 3, 3, 6, 0),	/* acc ^= v */
    /* 11 */ INSN(VM_SHLI, 9, 3, 0, 5), /* acc = (acc << 5) + (acc >> 59) */
    /* 12 */ INSN(VM_SHRI, 10, 3, 0, 59),
    /* 13 */ INSN(VM_ADD, 3, 9, 10, 0),
    /* 14 */ INSN(VM_ADDI, 1, 1, 0, 1),	 /* i++ */
    /* 15 */ INSN(VM_BLT, 1, 2, 0, -15), /* if i < limit goto 1 */
    /* 16 */ INSN(VM_HALT, 3, 0, 0, 0),
    /* 17 */ INSN(VM_MUL, 4, 4, 11, 0), /* next: x = x * mul + inc */
    /* 18 */ INSN(VM_ADD, 4, 4, 12, 0),
    /* 19 */ INSN(VM_SHRI, 7, 4, 0, 33), /* r7 = x >> 33 */
    /* 20 */ INSN(VM_RET, 0, 0, 0, 0),
};

static uint64_t vm_mem[MEM_WORDS];

static BENCH_NOINLINE uint64_t vm_run(const uint32_t *code, uint64_t *r, uint64_t *mem)
{
	static const void *const handlers[32] = {
	    [VM_LI] = &&op_li,	   [VM_ADDI] = &&op_addi, [VM_ANDI] = &&op_andi,
	    [VM_SHLI] = &&op_shli, [VM_SHRI] = &&op_shri, [VM_ADD] = &&op_add,
	    [VM_SUB] = &&op_sub,   [VM_MUL] = &&op_mul,	  [VM_XOR] = &&op_xor,
	    [VM_LD] = &&op_ld,	   [VM_ST] = &&op_st,	  [VM_BLT] = &&op_blt,
	    [VM_BNE] = &&op_bne,   [VM_JMP] = &&op_jmp,	  [VM_CALL] = &&op_call,
	    [VM_RET] = &&op_ret,   [VM_HALT] = &&op_halt, [VM_HALT + 1 ... 31] = &&op_bad,
	};
	uint32_t stack[16];
	uint32_t sp = 0, pc = 0, w;

#define A   ((w >> 6) & 15)
#define B   ((w >> 10) & 15)
#define C   ((w >> 14) & 15)
#define IMM ((int32_t)w >> 18) /* arithmetic shift: GCC on both targets */
#define NEXT()                                                                                     \
	do {                                                                                       \
		w = code[pc++];                                                                    \
		goto *handlers[w & 31];                                                            \
	} while (0)

	NEXT();
op_li:
	r[A] = (uint64_t)(int64_t)IMM;
	NEXT();
op_addi:
	r[A] = r[B] + (uint64_t)(int64_t)IMM;
	NEXT();
op_andi:
	r[A] = r[B] & (uint64_t)(int64_t)IMM;
	NEXT();
op_shli:
	r[A] = r[B] << (IMM & 63);
	NEXT();
op_shri:
	r[A] = r[B] >> (IMM & 63);
	NEXT();
op_add:
	r[A] = r[B] + r[C];
	NEXT();
op_sub:
	r[A] = r[B] - r[C];
	NEXT();
op_mul:
	r[A] = r[B] * r[C];
	NEXT();
op_xor:
	r[A] = r[B] ^ r[C];
	NEXT();
op_ld:
	r[A] = mem[(r[B] + (uint64_t)(int64_t)IMM) & MEM_MASK];
	NEXT();
op_st:
	mem[(r[B] + (uint64_t)(int64_t)IMM) & MEM_MASK] = r[A];
	NEXT();
op_blt:
	if (r[A] < r[B])
		pc += (uint32_t)IMM;
	NEXT();
op_bne:
	if (r[A] != r[B])
		pc += (uint32_t)IMM;
	NEXT();
op_jmp:
	pc += (uint32_t)IMM;
	NEXT();
op_call:
	stack[sp++ & 15] = pc;
	pc += (uint32_t)IMM;
	NEXT();
op_ret:
	pc = stack[--sp & 15];
	NEXT();
op_halt:
	return r[A];
op_bad:
	return 0;
#undef A
#undef B
#undef C
#undef IMM
#undef NEXT
}

uint64_t workload(uint64_t n)
{
	uint64_t rng = 0xcbbb9d5dc1059ed8ull, sum = 0;
	for (int i = 0; i < MEM_WORDS; i++)
		vm_mem[i] = bench_rand(&rng);
	for (uint64_t it = 0; it < n; it++) {
		uint64_t regs[16] = {0};
		regs[2] = 1500 + (it & 255);
		regs[3] = sum;
		regs[4] = it ^ 0x6a09e667f3bcc908ull;
		regs[11] = 6364136223846793005ull;
		regs[12] = 1442695040888963407ull;
		sum = bench_mix(sum, vm_run(program, regs, vm_mem));
	}
	return bench_mix(sum, vm_mem[sum & MEM_MASK]);
}
