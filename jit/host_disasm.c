/* -d out_asm: generated x86-64 code, disassembled by Capstone. */
#include "translate.h"
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdlib.h>

void *host_disasm_open(void)
{
	csh *handle = malloc(sizeof(*handle));
	if (!handle || cs_open(CS_ARCH_X86, CS_MODE_64, handle) != CS_ERR_OK) {
		free(handle);
		fprintf(stderr, "rvjit: -d out_asm: cannot open the Capstone disassembler\n");
		return NULL;
	}
	return handle;
}

void host_disasm_close(void *opaque)
{
	csh *handle = opaque;
	if (!handle)
		return;
	cs_close(handle);
	free(handle);
}

void host_disasm_print(void *opaque, FILE *out, const uint8_t *code, size_t size, uint64_t addr)
{
	csh *handle = opaque;
	cs_insn *insn;
	const size_t n = cs_disasm(*handle, code, size, addr, 0, &insn);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  0x%016" PRIx64 ":  %-8s %s\n", insn[i].address, insn[i].mnemonic,
			insn[i].op_str);
	if (n)
		cs_free(insn, n);
}
