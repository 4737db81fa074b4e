/*
 * switch_dispatch - indirect jumps: a small stack-machine bytecode
 * interpreter whose dense switch compiles to a jump table, running a
 * bytecode program (an LCG loop with a data-dependent branch) n times.
 * Every bytecode costs one indirect jump to a target that changes from
 * one bytecode to the next, which is what a translator's indirect-jump
 * cache and dispatcher are for.
 */
#include "../rt/bench.h"

BENCH_SIZE(1100);

enum op {
	OP_PUSH,  /* push imm */
	OP_LOAD,  /* push local[imm] */
	OP_STORE, /* local[imm] = pop */
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_XOR,
	OP_AND,
	OP_SHR, /* a >> (imm) */
	OP_SHL, /* a << (imm) */
	OP_DUP,
	OP_SWAP,
	OP_DROP,
	OP_JZ,	/* pop; if zero jump to imm */
	OP_JNZ, /* pop; if non-zero jump to imm */
	OP_JMP,
	OP_ROT, /* rotate left by imm */
	OP_HALT,
};

struct insn {
	uint32_t op;
	uint32_t imm;
};

/*
 * locals: 0 = counter, 1 = x (LCG state), 2 = acc, 3 = odd count
 *
 *   while (counter != 0) {
 *       x = x * 6364136223846793005 + 1442695040888963407  (imm is 32 bits:
 *           built from two pushes)
 *       if ((x >> 17) & 1) acc += x >> 9; else acc ^= rotl(x, 7);
 *       counter -= 1;
 *   }
 */
static const struct insn program[] = {
    /* 0 */ {OP_LOAD, 0},
    /* 1 */ {OP_JZ, 33},
    /* 2 */ {OP_LOAD, 1},
    /* 3 */ {OP_PUSH, 0x4c957f2d},
    /* 4 */ {OP_PUSH, 0x5851f42d},
    /* 5 */ {OP_SHL, 32},
    /* 6 */ {OP_XOR, 0},
    /* 7 */ {OP_MUL, 0},
    /* 8 */ {OP_PUSH, 0x14057b7f},
    /* 9 */ {OP_ADD, 0},
    /* 10 */ {OP_DUP, 0},
    /* 11 */ {OP_STORE, 1},
    /* 12 */ {OP_SHR, 17},
    /* 13 */ {OP_PUSH, 1},
    /* 14 */ {OP_AND, 0},
    /* 15 */ {OP_JZ, 23},
    /* 16 */ {OP_LOAD, 2},
    /* 17 */ {OP_LOAD, 1},
    /* 18 */ {OP_SHR, 9},
    /* 19 */ {OP_ADD, 0},
    /* 20 */ {OP_STORE, 2},
    /* 21 */ {OP_PUSH, 0},
    /* 22 */ {OP_JZ, 28},
    /* 23 */ {OP_LOAD, 2},
    /* 24 */ {OP_LOAD, 1},
    /* 25 */ {OP_ROT, 7},
    /* 26 */ {OP_XOR, 0},
    /* 27 */ {OP_STORE, 2},
    /* 28 */ {OP_LOAD, 0},
    /* 29 */ {OP_PUSH, 1},
    /* 30 */ {OP_SUB, 0},
    /* 31 */ {OP_STORE, 0},
    /* 32 */ {OP_JMP, 0},
    /* 33 */ {OP_LOAD, 2},
    /* 34 */ {OP_HALT, 0},
};

static BENCH_NOINLINE uint64_t run(const struct insn *code, uint64_t *locals)
{
	uint64_t stack[16];
	unsigned sp = 0;
	uint32_t pc = 0;
	for (;;) {
		const struct insn *in = &code[pc++];
		uint64_t a, b;
		switch (in->op) {
		case OP_PUSH:
			stack[sp++] = in->imm;
			break;
		case OP_LOAD:
			stack[sp++] = locals[in->imm];
			break;
		case OP_STORE:
			locals[in->imm] = stack[--sp];
			break;
		case OP_ADD:
			b = stack[--sp];
			stack[sp - 1] += b;
			break;
		case OP_SUB:
			b = stack[--sp];
			stack[sp - 1] -= b;
			break;
		case OP_MUL:
			b = stack[--sp];
			stack[sp - 1] *= b;
			break;
		case OP_XOR:
			b = stack[--sp];
			stack[sp - 1] ^= b;
			break;
		case OP_AND:
			b = stack[--sp];
			stack[sp - 1] &= b;
			break;
		case OP_SHR:
			stack[sp - 1] >>= in->imm & 63;
			break;
		case OP_SHL:
			stack[sp - 1] <<= in->imm & 63;
			break;
		case OP_DUP:
			stack[sp] = stack[sp - 1];
			sp++;
			break;
		case OP_SWAP:
			a = stack[sp - 1];
			stack[sp - 1] = stack[sp - 2];
			stack[sp - 2] = a;
			break;
		case OP_DROP:
			sp--;
			break;
		case OP_JZ:
			if (stack[--sp] == 0)
				pc = in->imm;
			break;
		case OP_JNZ:
			if (stack[--sp] != 0)
				pc = in->imm;
			break;
		case OP_JMP:
			pc = in->imm;
			break;
		case OP_ROT:
			a = stack[sp - 1];
			stack[sp - 1] = (a << (in->imm & 63)) | (a >> ((64 - in->imm) & 63));
			break;
		case OP_HALT:
			return stack[sp - 1];
		default:
			return 0;
		}
		sp &= 15;
	}
}

uint64_t workload(uint64_t n)
{
	uint64_t sum = 0;
	for (uint64_t it = 0; it < n; it++) {
		uint64_t locals[4] = {1000, it ^ 0xbe5466cf34e90c6cull, sum, 0};
		sum = bench_mix(sum, run(program, locals));
	}
	return sum;
}
