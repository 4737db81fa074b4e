/*
 * -d cpu, fpu and guest_errors (see guest_log.h). For cpu, QEMU prints
 * every CSR of its list that the hart has; the H extension's are not among
 * rvjit's, so they are left out as QEMU leaves them out for a CPU without H.
 */
#include "guest_log.h"
#include "csr.h"
#include "insn.h"
#include "machine.h"
#include <inttypes.h>

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
}

void log_invalid_access(struct machine *m, bool write, uint64_t pa, unsigned size)
{
	if (m->log_mask & LOG_GUEST_ERRORS)
		fprintf(m->log,
			"Invalid %s at addr 0x%" PRIX64 ", size %u, region '(null)', "
			"reason: rejected\n",
			write ? "write" : "read", pa, size);
}
