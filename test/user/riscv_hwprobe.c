/* riscv_hwprobe (Linux 6.4, Documentation/arch/riscv/hwprobe.rst) answers
 * from the CPU the emulator runs: the base behaviour is IMA, IMA_EXT_0 has
 * F+D and C (rv64gc and up), an unknown key comes back as -1, flags are
 * refused with EINVAL; and every extension of Zba, Zbb, Zbs and Zicond
 * that it reports runs, while one it does not report is an illegal
 * instruction (SIGILL). */
#define TEST_NAME "riscv_hwprobe"
#include "check.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_riscv_hwprobe 258 /* asm-generic/unistd.h; glibc 2.36 has no wrapper */

struct pair {
	int64_t key;
	uint64_t value;
};

enum {
	KEY_BASE_BEHAVIOR = 3,
	KEY_IMA_EXT_0 = 4,
	BASE_BEHAVIOR_IMA = 1,
	IMA_FD = 1 << 0,
	IMA_C = 1 << 1,
	EXT_ZBA = 1 << 3,
	EXT_ZBB = 1 << 4,
	EXT_ZBS = 1 << 5,
};
#define EXT_ZICOND (1ULL << 35)

/* The SIGILL handler reaches main's jump buffer through this (set once). */
static sigjmp_buf *illegal_jump;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(*illegal_jump, 1);
}

/* R-type instructions written with .insn, so that the assembler needs no
 * extension: opcode OP (0x33), funct3, funct7 (the unprivileged spec's
 * encodings of sh1add, andn, bset and czero.eqz). */
#define R_OP(f3, f7, a, b)                                                                         \
	({                                                                                         \
		long r_;                                                                           \
		__asm__ volatile(".insn r 0x33, " #f3 ", " #f7 ", %0, %1, %2"                      \
				 : "=r"(r_)                                                        \
				 : "r"(a), "r"(b));                                                \
		r_;                                                                                \
	})

/* Runs one instruction's check: 1 = ran and gave the right result,
 * 0 = SIGILL; a wrong result fails the test. */
static int try_ext(sigjmp_buf *jb, int which)
{
	volatile long a = 0x1234, b = 0x0f0f;
	if (sigsetjmp(*jb, 1))
		return 0;
	switch (which) {
	case 0:
		CHECK(R_OP(2, 0x10, a, b) == (0x1234 << 1) + 0x0f0f, "sh1add");
		break;
	case 1:
		CHECK(R_OP(7, 0x20, a, b) == (0x1234 & ~0x0f0fL), "andn");
		break;
	case 2:
		CHECK(R_OP(1, 0x14, a, 40L) == (0x1234 | (1L << 40)), "bset");
		break;
	default:
		CHECK(R_OP(5, 0x07, a, 0L) == 0 && R_OP(5, 0x07, a, b) == 0x1234, "czero.eqz");
		break;
	}
	return 1;
}

int main(void)
{
	struct pair q[3] = {{KEY_BASE_BEHAVIOR, 0}, {KEY_IMA_EXT_0, 0}, {9999, 77}};
	long r = syscall(NR_riscv_hwprobe, q, 3, 0, NULL, 0);
	CHECK(r == 0, "riscv_hwprobe: %ld (%s)", r, strerror(errno));
	CHECK(q[0].key == KEY_BASE_BEHAVIOR && q[0].value == BASE_BEHAVIOR_IMA,
	      "base behaviour %#llx", (unsigned long long)q[0].value);
	uint64_t ext = q[1].value;
	CHECK(q[1].key == KEY_IMA_EXT_0 && (ext & IMA_FD) && (ext & IMA_C),
	      "IMA_EXT_0 %#llx lacks F+D or C", (unsigned long long)ext);
	CHECK(q[2].key == -1 && q[2].value == 0, "unknown key: %lld = %#llx", (long long)q[2].key,
	      (unsigned long long)q[2].value);
	CHECK(syscall(NR_riscv_hwprobe, q, 1, 0, NULL, 1) == -1 && errno == EINVAL,
	      "flags 1 not refused");

	sigjmp_buf jb;
	illegal_jump = &jb;
	struct sigaction sa = {.sa_handler = on_sigill};
	sigemptyset(&sa.sa_mask);
	CHECK_SYS(sigaction(SIGILL, &sa, NULL));
	const struct {
		const char *name;
		uint64_t bit;
	} exts[] = {{"Zba", EXT_ZBA}, {"Zbb", EXT_ZBB}, {"Zbs", EXT_ZBS}, {"Zicond", EXT_ZICOND}};
	for (int i = 0; i < 4; i++) {
		int ran = try_ext(&jb, i);
		int said = (ext & exts[i].bit) != 0;
		CHECK(ran == said, "%s: riscv_hwprobe says %s, the instruction %s", exts[i].name,
		      said ? "present" : "absent", ran ? "ran" : "raised SIGILL");
	}
	PASS();
	return 0;
}
