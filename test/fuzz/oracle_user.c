/*
 * The oracle's user-mode harness: a static riscv64 Linux program that runs
 * one oracle image's program (oracle_image.c; one hart) in user mode,
 * under qemu-riscv64 or rvjit-user, and prints its final state in the
 * bare-metal harness's format (oracle_print.c), so the same comparison
 * holds one user-mode emulator against the other.
 *
 *   oracle_user IMAGE
 *
 * The image's first MiB (the program, its data, the state table and the
 * pristine copy above it) is mapped where the bare-metal machine has it.
 * The program runs in U-mode: what traps to the bare-metal handler arrives
 * here as a signal (SIGILL, SIGSEGV, SIGBUS, SIGTRAP), recorded as the
 * handler would (signal << 32 | si_code, pc, si_addr) and resumed after
 * the instruction; an instruction fetch fault resumes where the jumping
 * item left its resume address (-8(x2), as in oracle_harness.S). The
 * program's end jumps to the dump entry, where an ebreak hands its final
 * registers to the SIGTRAP handler, from the signal frame.
 *
 * The program owns every register, gp and tp included, and x2 points into
 * its data: the handler runs on its own stack and gets the harness's gp
 * and tp back from signal_entry before any C runs.
 */
#define _GNU_SOURCE
#include "oracle_layout.h"
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define RAM_BASE    0x80000000UL
#define IMAGE_SIZE  (2 * ORACLE_PRISTINE_OFF)
#define RECORDS	    0x80020000UL /* rvgen.h RVGEN_RECORD_PA(0) */
#define RECORDS_END (RECORDS + 0x8000)

uint64_t harness_gp_tp[2]; /* read by signal_entry */
void signal_entry(int sig, siginfo_t *si, void *uc);
__attribute__((noreturn)) void enter_program(uint64_t state);

#define STR(x)	#x
#define XSTR(x) STR(x)

__asm__(".text\n"
	"signal_entry:\n"
	/* not relaxed to a gp-relative address: gp is the program's here */
	"	.option push\n"
	"	.option norelax\n"
	"	lla t0, harness_gp_tp\n"
	"	.option pop\n"
	"	ld gp, 0(t0)\n"
	"	ld tp, 8(t0)\n"
	"	tail on_signal\n"
	/* a0: the state table (oracle_layout.h): f, frm, then x1..x30, and
	 * x31 last, as the program's start address */
	"enter_program:\n"
	"	mv x31, a0\n"
	"	.irp n, "
	"0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	fld f\\n, " XSTR(
	    ORACLE_ST_F) " + 8 * \\n(x31)\n"
			 "	.endr\n"
			 "	ld t0, " XSTR(
			     ORACLE_ST_FRM) "(x31)\n"
					    "	fsrm t0\n"
					    "	fsflags zero\n"
					    "	.irp n, "
					    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
					    "22,23,24,25,26,27,28,29,30\n"
					    "	ld x\\n, " XSTR(
						ORACLE_ST_X) " + 8 * \\n(x31)\n"
							     "	.endr\n"
							     "	ld x31, " XSTR(
								 ORACLE_ST_PC) "(x31)\n"
									       "	jr x31\n");

static uint64_t word(uint64_t pa)
{
	return *(volatile uint64_t *)pa;
}

static char out[1 << 20];
static size_t out_len;

static void put_line(char kind, uint64_t a, uint64_t b, uint64_t v)
{
	if (out_len + 64 > sizeof(out))
		return;
	if (kind == 's')
		out_len += (size_t)snprintf(out + out_len, 64, "s %016lx %016lx %016lx\n", a, b, v);
	else
		out_len += (size_t)snprintf(out + out_len, 64, "m %016lx %016lx\n", b, v);
}

/* The program has ended: its registers are in the signal frame. */
static void dump(const ucontext_t *uc)
{
	const unsigned long *x = uc->uc_mcontext.__gregs;
	const struct __riscv_mc_d_ext_state *fp = &uc->uc_mcontext.__fpregs.__d;
	out_len = (size_t)snprintf(out, 64, "oracle-begin\n");
	for (unsigned i = 0; i < 32; i++)
		put_line('s', 0, i, i ? x[i] : 0);
	for (unsigned i = 0; i < 32; i++)
		put_line('s', 0, 32 + i, fp->__f[i]);
	put_line('s', 0, ORACLE_SV_FCSR / 8, fp->__fcsr);
	/* No machine CSRs in user mode: the words stay 0 on every side. */
	for (unsigned i = ORACLE_SV_FCSR / 8 + 1; i < ORACLE_SV_DONE / 8; i++)
		put_line('s', 0, i, 0);
	put_line('s', 0, ORACLE_SV_DONE / 8, 1);
	const uint64_t regions = word(ORACLE_STATE_PA + ORACLE_ST_NREGIONS);
	for (uint64_t r = 0; r < regions && r < ORACLE_MAX_REGIONS; r++) {
		const uint64_t pa = word(ORACLE_STATE_PA + ORACLE_ST_REGIONS + 16 * r);
		const uint64_t size = word(ORACLE_STATE_PA + ORACLE_ST_REGIONS + 16 * r + 8);
		for (uint64_t a = pa; a < pa + size; a += 8)
			if (word(a) != word(a + ORACLE_PRISTINE_OFF))
				put_line('m', 0, a, word(a));
	}
	out_len += (size_t)snprintf(out + out_len, 64, "oracle-end\n");
	for (size_t at = 0; at < out_len;) {
		const ssize_t n = write(1, out + at, out_len - at);
		if (n <= 0)
			_exit(3);
		at += (size_t)n;
	}
	_exit(0);
}

static uint64_t record_at = RECORDS;

void on_signal(int sig, siginfo_t *si, void *uc_);
void on_signal(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	unsigned long *x = uc->uc_mcontext.__gregs;
	const uint64_t pc = x[REG_PC];
	if (sig == SIGTRAP && pc == ORACLE_DUMP_PA)
		dump(uc);
	if (record_at + 24 <= RECORDS_END) {
		uint64_t *rec = (uint64_t *)record_at;
		rec[0] = (uint64_t)sig << 32 | (uint32_t)si->si_code;
		rec[1] = pc;
		rec[2] = (uint64_t)si->si_addr;
		record_at += 24;
	}
	if ((sig == SIGSEGV || sig == SIGBUS) && (uint64_t)si->si_addr == pc) {
		x[REG_PC] = word(x[2] - 8); /* a fetch fault */
		return;
	}
	x[REG_PC] = pc + ((*(volatile uint16_t *)pc & 3) == 3 ? 4 : 2);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s IMAGE\n", argv[0]);
		return 2;
	}
	void *ram = mmap((void *)RAM_BASE, IMAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (ram != (void *)RAM_BASE) {
		perror("oracle_user: mmap at 0x80000000");
		return 2;
	}
	/* The image is oracle_image.c's: one segment at RAM_BASE, at 0x1000. */
	const int fd = open(argv[1], O_RDONLY);
	if (fd < 0 || pread(fd, ram, IMAGE_SIZE, 0x1000) != (ssize_t)IMAGE_SIZE) {
		perror(argv[1]);
		return 2;
	}
	close(fd);
	if (word(ORACLE_STATE_PA + ORACLE_ST_NHARTS) != 1) {
		fprintf(stderr, "oracle_user: %s: user mode runs one hart\n", argv[1]);
		return 2;
	}
	*(volatile uint32_t *)ORACLE_DUMP_PA = 0x00100073; /* ebreak */
	__builtin___clear_cache((char *)ORACLE_DUMP_PA, (char *)ORACLE_DUMP_PA + 4);

	static char altstack[1 << 16];
	const stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
	struct sigaction sa = {.sa_sigaction = signal_entry, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	sigfillset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) != 0)
		return 2;
	const int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGTRAP, SIGFPE};
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return 2;
	__asm__ volatile("sd gp, %0\n\tsd tp, %1" : "=m"(harness_gp_tp[0]), "=m"(harness_gp_tp[1]));
	fflush(NULL);
	enter_program(ORACLE_STATE_PA);
}
