/*
 * The riscv64 Linux signal frame, built on the guest's stack as the kernel
 * builds it (arch/riscv/kernel/signal.c, setup_rt_frame), and rt_sigreturn,
 * which takes every register, the mask and the alternate stack back from
 * it, as the handler may have left them (a handler that edits the pc in
 * its ucontext resumes the thread there).
 *
 * struct rt_sigframe (1088 bytes, 16-byte aligned):
 *     0  siginfo (128 bytes)
 *   128  ucontext: uc_flags, uc_link, uc_stack (sp, flags, size),
 *        uc_sigmask (8 bytes, then room to 128: 168 bytes in all), and at
 *   304  uc_mcontext = struct sigcontext: pc then x1..x31 (256 bytes),
 *   560  union __riscv_fp_state, the size of its Q variant (528 bytes): the
 *        D state (f[32], fcsr) first; the kernel's extension headers sit in
 *        its last words: a reserved word (0) at 1076 and the END header
 *        (magic 0, size 0) at 1080, which is what Debian's kernels write
 *        with no vector state (6.1 zeroes those words, 6.5 and later
 *        write the reserved word and the END header).
 * The handler gets a0 = sig, a1 = &siginfo, a2 = &ucontext, sp = the
 * frame, and ra = the sigreturn code: Linux points ra at its vDSO's
 * __vdso_rt_sigreturn; here one page of our own, mapped read-only and
 * executable when the process starts ("[sigpage]" in /proc/self/maps),
 * holds the same two instructions (li a7, 139; ecall). SA_RESTORER is
 * ignored, as riscv64 Linux ignores it.
 */
#define _GNU_SOURCE
#include "syscall_numbers.h"
#include "syscalls.h"
#include "user_signal.h"
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

enum {
	FRAME_INFO = 0,
	FRAME_UC = 128,
	UC_FLAGS = FRAME_UC + 0,
	UC_LINK = FRAME_UC + 8,
	UC_STACK_SP = FRAME_UC + 16,
	UC_STACK_FLAGS = FRAME_UC + 24,
	UC_STACK_SIZE = FRAME_UC + 32,
	UC_SIGMASK = FRAME_UC + 40,
	UC_MCONTEXT = FRAME_UC + 176, /* after sigmask's 128 bytes, 16-aligned */
	SC_REGS = UC_MCONTEXT,	      /* pc, x1..x31 */
	SC_FP = UC_MCONTEXT + 256,    /* union __riscv_fp_state */
	SC_FP_FCSR = SC_FP + 256,
	SC_EXT_RESERVED = SC_FP + 516, /* __riscv_extra_ext_header.reserved */
	SC_EXT_HDR = SC_FP + 520,      /* its first __riscv_ctx_hdr {magic, size} */
	FRAME_SIZE = SC_FP + 528,
};
_Static_assert(FRAME_SIZE == 1088, "struct rt_sigframe of riscv64 Linux");

#define END_MAGIC 0

/* li a7, 139 (__NR_rt_sigreturn); ecall */
static const uint32_t sigreturn_code[] = {0x08b00893, 0x00000073};
_Static_assert(RV_rt_sigreturn == 139, "the sigreturn code's system call number");

bool user_signal_code_map(struct user_process *p)
{
	const uint64_t page = 4096;
	const uint64_t at = user_find_room(p, page, 0);
	if (!at || user_map(p, at, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
		return false;
	memcpy(p->m->ram + at, sigreturn_code, sizeof(sigreturn_code));
	if (user_protect(p, at, page, PROT_READ | PROT_EXEC))
		return false;
	/* Named as 32-bit Arm Linux names its page of signal return code. */
	user_name_region(p, at, page, "[sigpage]");
	p->sigreturn_code = at;
	return true;
}

bool user_on_altstack(const struct user_thread *t, uint64_t sp)
{
	/* Linux's on_sig_stack: the stack grows down from sp + size, and an
	 * auto-disarmed stack never counts. */
	if (t->sigaltstack_flags & SS_AUTODISARM)
		return false;
	return sp > t->sigaltstack_sp && sp - t->sigaltstack_sp <= t->sigaltstack_size;
}

/* Linux's sas_ss_flags(sp). */
static uint32_t altstack_flags(const struct user_thread *t, uint64_t sp)
{
	if (!t->sigaltstack_size)
		return SS_DISABLE;
	return user_on_altstack(t, sp) ? SS_ONSTACK : 0;
}

static void put64(uint8_t *f, unsigned off, uint64_t v)
{
	memcpy(f + off, &v, 8);
}

static uint64_t get64(const uint8_t *f, unsigned off)
{
	uint64_t v;
	memcpy(&v, f + off, 8);
	return v;
}

static void put32(uint8_t *f, unsigned off, uint32_t v)
{
	memcpy(f + off, &v, 4);
}

static uint32_t get32(const uint8_t *f, unsigned off)
{
	uint32_t v;
	memcpy(&v, f + off, 4);
	return v;
}

bool user_signal_frame_push(struct user_thread *t, int sig, const uint8_t info[128],
			    const struct user_sigaction *act, uint64_t oldmask)
{
	struct user_process *p = t->p;
	struct hart *h = t->h;
	const uint64_t old_sp = h->x[2];
	/* get_sigframe: on the alternate stack already and no room there is a
	 * bad frame; SA_ONSTACK moves to its top when not on it yet. */
	uint64_t sp = old_sp;
	if (user_on_altstack(t, sp) && !user_on_altstack(t, sp - FRAME_SIZE))
		return false;
	if ((act->flags & SA_ONSTACK) && altstack_flags(t, sp) == 0)
		sp = t->sigaltstack_sp + t->sigaltstack_size;
	sp = (sp - FRAME_SIZE) & ~15ULL;
	uint8_t *f = user_ptr(p, sp, FRAME_SIZE, USER_PROT_WRITE);
	if (!f)
		return false;
	memset(f, 0, FRAME_SIZE);
	memcpy(f + FRAME_INFO, info, 128);
	put32(f, FRAME_INFO, (uint32_t)sig);
	/* uc_flags and uc_link stay 0; uc_stack as __save_altstack saves it. */
	put64(f, UC_STACK_SP, t->sigaltstack_sp);
	put32(f, UC_STACK_FLAGS,
	      altstack_flags(t, old_sp) | (t->sigaltstack_flags & SS_AUTODISARM));
	put64(f, UC_STACK_SIZE, t->sigaltstack_size);
	if (t->sigaltstack_flags & SS_AUTODISARM) {
		t->sigaltstack_sp = t->sigaltstack_size = 0;
		t->sigaltstack_flags = 0;
	}
	put64(f, UC_SIGMASK, oldmask);
	put64(f, SC_REGS, h->pc);
	for (unsigned i = 1; i < 32; i++)
		put64(f, SC_REGS + 8 * i, h->x[i]);
	if (p->m->sync_fflags)
		p->m->sync_fflags(h); /* the translator keeps the flags in MXCSR */
	for (unsigned i = 0; i < 32; i++)
		put64(f, SC_FP + 8 * i, h->f[i]);
	put32(f, SC_FP_FCSR, (uint32_t)h->frm << 5 | h->fflags);
	put32(f, SC_EXT_RESERVED, 0);
	put32(f, SC_EXT_HDR, END_MAGIC);
	put32(f, SC_EXT_HDR + 4, 0);

	h->x[1] = p->sigreturn_code;
	h->x[2] = sp;
	h->x[10] = (uint64_t)sig;
	h->x[11] = sp + FRAME_INFO;
	h->x[12] = sp + FRAME_UC;
	h->pc = act->handler;
	h->reserved = false; /* as the kernel's trap return breaks an LR/SC pair */
	return true;
}

/* Linux's restore_altstack: the stack saved in the frame becomes the
 * thread's again, as sigaltstack would set it (quietly refused while
 * running on the current one). */
static void restore_altstack(struct user_thread *t, const uint8_t *f, uint64_t sp)
{
	if (user_on_altstack(t, sp))
		return;
	const uint32_t flags = get32(f, UC_STACK_FLAGS);
	const uint32_t mode = flags & ~(uint32_t)SS_AUTODISARM;
	if (mode == SS_DISABLE) {
		t->sigaltstack_sp = t->sigaltstack_size = 0;
		t->sigaltstack_flags = 0;
	} else if ((mode == 0 || mode == SS_ONSTACK) &&
		   get64(f, UC_STACK_SIZE) >= (uint64_t)MINSIGSTKSZ) {
		t->sigaltstack_sp = get64(f, UC_STACK_SP);
		t->sigaltstack_size = get64(f, UC_STACK_SIZE);
		t->sigaltstack_flags = flags & SS_AUTODISARM;
	}
}

SYSCALL(rt_sigreturn)
{
	(void)a;
	struct hart *h = t->h;
	const uint64_t sp = h->x[2];
	t->in_syscall = false; /* a0 comes from the frame, not from a call */
	const uint8_t *f = (sp & 15) ? NULL : user_ptr(p, sp, FRAME_SIZE, USER_PROT_READ);
	/* restore_sigcontext: the reserved word must be 0 and the headers
	 * end at once (no vector state is ever saved here). */
	if (!f || get32(f, SC_EXT_RESERVED) != 0 || get32(f, SC_EXT_HDR) != END_MAGIC) {
		user_signal_die(p, SIGSEGV); /* Linux: force_sig(SIGSEGV) */
	}
	t->sigmask = get64(f, UC_SIGMASK) & ~(USER_SIG_BIT(SIGKILL) | USER_SIG_BIT(SIGSTOP));
	h->pc = get64(f, SC_REGS);
	for (unsigned i = 1; i < 32; i++)
		h->x[i] = get64(f, SC_REGS + 8 * i);
	if (p->m->sync_fflags)
		p->m->sync_fflags(h); /* clear MXCSR's flags: fflags come from the frame */
	for (unsigned i = 0; i < 32; i++)
		h->f[i] = get64(f, SC_FP + 8 * i);
	const uint32_t fcsr = get32(f, SC_FP_FCSR);
	h->fflags = fcsr & 0x1f;
	h->frm = (fcsr >> 5) & 7;
	h->reserved = false;
	restore_altstack(t, f, sp);
	user_signal_sync_mask(t);
	return 0;
}
