/*
 * -d in_asm, exec, cpu, fpu, int, guest_errors and unimp (see
 * guest_log.h). For cpu, QEMU prints every CSR of its list that the hart
 * has; the H extension's are not among rvjit's, so they are left out as
 * QEMU leaves them out for a CPU without H (-cpu rv64,h=false).
 */
#include "guest_log.h"
#include "csr.h"
#include "guest_symbols.h"
#include "insn.h"
#include "machine.h"
#include <inttypes.h>
#include <stdarg.h>

void log_in_asm(struct machine *m, unsigned priv, uint64_t va, const struct op *ops, unsigned n)
{
	if (n == 0)
		return; /* a breakpoint's empty block: QEMU translates nothing */
	FILE *f = m->log;
	flockfile(f); /* one block's lines together, whichever hart decodes */
	fprintf(f, "----------------\nIN: %s\nPriv: %u; Virt: 0\n",
		guest_symbols_lookup(m->symbols, va), priv);
	for (unsigned i = 0; i < n; i++) {
		char line[160];
		insn_line_qemu(&ops[i], va + ops[i].pc_off, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	fputc('\n', f);
	funlockfile(f);
}

void log_exec(struct hart *h, const void *host)
{
	/* cs_base is always 0 on RISC-V; QEMU's flags and cflags describe
	 * its translation (the low bits of flags are the privilege mode,
	 * which is all of it that means something here). */
	fprintf(h->m->log, "Trace %" PRIu64 ": %p [%016" PRIx64 "/%016" PRIx64 "/%08x/%08x] %s\n",
		h->mhartid, host, (uint64_t)0, h->pc, h->priv, 0u,
		guest_symbols_lookup(h->m->symbols, h->pc));
}

void cpu_log_state(struct hart *h, FILE *f, bool fpu)
{
	static const struct {
		const char *name;
		uint16_t num;
	} csrs[] = {
	    {"mhartid", CSR_MHARTID},	{"mstatus", CSR_MSTATUS}, {"mip", CSR_MIP},
	    {"mie", CSR_MIE},		{"mideleg", CSR_MIDELEG}, {"medeleg", CSR_MEDELEG},
	    {"mtvec", CSR_MTVEC},	{"stvec", CSR_STVEC},	  {"mepc", CSR_MEPC},
	    {"sepc", CSR_SEPC},		{"mcause", CSR_MCAUSE},	  {"scause", CSR_SCAUSE},
	    {"mtval", CSR_MTVAL},	{"stval", CSR_STVAL},	  {"mscratch", CSR_MSCRATCH},
	    {"sscratch", CSR_SSCRATCH}, {"satp", CSR_SATP},
	};
	flockfile(f);
	fprintf(f, " %s %016" PRIx64 "\n", "pc      ", h->pc);
	for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++) {
		uint64_t v = 0;
		if (csr_debug_read(h, csrs[i].num, &v))
			fprintf(f, " %-8s %016" PRIx64 "\n", csrs[i].name, v);
	}
	char name[12];
	for (unsigned i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "x%u/%s", i, insn_xreg_name(i));
		fprintf(f, " %-8s %016" PRIx64 "%s", name, h->x[i], (i & 3) == 3 ? "\n" : "");
	}
	for (unsigned i = 0; fpu && i < 32; i++) {
		snprintf(name, sizeof(name), "f%u/%s", i, insn_freg_name(i));
		fprintf(f, " %-8s %016" PRIx64 "%s", name, h->f[i], (i & 3) == 3 ? "\n" : "");
	}
	funlockfile(f);
}

/* QEMU 7.2's riscv_excp_names and riscv_intr_names (target/riscv/cpu.c). */
static const char *trap_name(uint64_t code, bool interrupt)
{
	static const char *const exc[] = {
	    "misaligned_fetch",
	    "fault_fetch",
	    "illegal_instruction",
	    "breakpoint",
	    "misaligned_load",
	    "fault_load",
	    "misaligned_store",
	    "fault_store",
	    "user_ecall",
	    "supervisor_ecall",
	    "hypervisor_ecall",
	    "machine_ecall",
	    "exec_page_fault",
	    "load_page_fault",
	    "reserved",
	    "store_page_fault",
	    "reserved",
	    "reserved",
	    "reserved",
	    "reserved",
	    "guest_exec_page_fault",
	    "guest_load_page_fault",
	    "reserved",
	    "guest_store_page_fault",
	};
	static const char *const irq[] = {
	    "u_software", "s_software", "vs_software", "m_software", "u_timer",	    "s_timer",
	    "vs_timer",	  "m_timer",	"u_external",  "s_external", "vs_external", "m_external",
	    "reserved",	  "reserved",	"reserved",    "reserved",
	};
	if (interrupt)
		return code < sizeof(irq) / sizeof(irq[0]) ? irq[code] : "(unknown)";
	return code < sizeof(exc) / sizeof(exc[0]) ? exc[code] : "(unknown)";
}

void log_trap(struct hart *h, uint64_t cause, uint64_t epc, uint64_t tval)
{
	const bool interrupt = (cause & CAUSE_INTERRUPT) != 0;
	const uint64_t code = cause & ~CAUSE_INTERRUPT;
	/* QEMU prints the cause without the interrupt bit, and async for it */
	fprintf(h->m->log,
		"riscv_cpu_do_interrupt: hart:%" PRIu64 ", async:%d, cause:%016" PRIx64
		", epc:0x%016" PRIx64 ", tval:0x%016" PRIx64 ", desc=%s\n",
		h->mhartid, interrupt, code, epc, tval, trap_name(code, interrupt));
}

void log_invalid_access(struct machine *m, bool write, uint64_t pa, unsigned size)
{
	if (m->log_mask & LOG_GUEST_ERRORS)
		fprintf(m->log,
			"Invalid %s at addr 0x%" PRIX64 ", size %u, region '(null)', "
			"reason: rejected\n",
			write ? "write" : "read", pa, size);
}

void log_device_access(struct machine *m, unsigned mask, const char *fmt, ...)
{
	if (!(m->log_mask & mask))
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(m->log, fmt, ap);
	va_end(ap);
}
