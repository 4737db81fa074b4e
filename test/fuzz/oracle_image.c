/*
 * A program and the oracle harness as one bare-metal ELF image: what
 * `-bios none -kernel IMAGE` loads at the start of RAM in QEMU virt and in
 * rvjit. The image fills the first MiB of RAM (the layout of rvgen.h and
 * oracle_layout.h) and then holds a second copy of it, the pristine
 * memory the harness compares the program's memory with at the end.
 */
#include "oracle.h"
#include "oracle_layout.h"
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

bool oracle_harness_load(const char *path, uint8_t *ram, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	static uint8_t file[1 << 20];
	const size_t len = fread(file, 1, sizeof(file), f);
	fclose(f);
	Elf64_Ehdr eh;
	if (len < sizeof(eh) || memcmp(file, ELFMAG, SELFMAG) || file[EI_CLASS] != ELFCLASS64) {
		snprintf(err, errlen, "%s: not a 64-bit ELF file", path);
		return false;
	}
	memcpy(&eh, file, sizeof(eh));
	memset(ram, 0, ORACLE_RAM_SIZE);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		const uint64_t at = eh.e_phoff + (uint64_t)i * eh.e_phentsize;
		if (at + sizeof(ph) > len) {
			snprintf(err, errlen, "%s: truncated program headers", path);
			return false;
		}
		memcpy(&ph, file + at, sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_paddr < RVGEN_RAM_BASE || ph.p_memsz > ORACLE_RAM_SIZE ||
		    ph.p_paddr - RVGEN_RAM_BASE > ORACLE_RAM_SIZE - ph.p_memsz ||
		    ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
		    ph.p_filesz > len - ph.p_offset) {
			snprintf(err, errlen, "%s: a segment outside the harness's space", path);
			return false;
		}
		memcpy(ram + (ph.p_paddr - RVGEN_RAM_BASE), file + ph.p_offset, ph.p_filesz);
	}
	return true;
}

static void put64(uint8_t *ram, uint64_t pa, uint64_t v)
{
	memcpy(ram + (pa - RVGEN_RAM_BASE), &v, 8);
}

bool oracle_image_write(const struct rvgen_program *p, const uint8_t *harness, uint8_t *ram,
			const char *path)
{
	static uint8_t image[2 * ORACLE_RAM_SIZE];
	const unsigned nharts = p->nharts ? p->nharts : 1;
	memcpy(image, harness, ORACLE_RAM_SIZE);
	rvgen_initial_memory(p, image);
	for (unsigned h = 0; h < nharts; h++) {
		const uint64_t st = ORACLE_STATE_PA + (uint64_t)h * ORACLE_STATE_STRIDE;
		uint64_t x[32];
		rvgen_initial_x(p, h, x);
		for (unsigned i = 0; i < 32; i++) {
			put64(image, st + ORACLE_ST_X + 8 * i, x[i]);
			put64(image, st + ORACLE_ST_F + 8 * i, p->hart[h].f[i]);
		}
		put64(image, st + ORACLE_ST_FRM, p->hart[h].frm);
		/* FS Initial, or Off (rvgen_run.c's setup does the same). */
		put64(image, st + ORACLE_ST_FS, p->hart[h].fs_off ? 0 : 1u << 13);
		put64(image, st + ORACLE_ST_PC, RVGEN_CODE_PA(h));
	}
	put64(image, ORACLE_STATE_PA + ORACLE_ST_NHARTS, nharts);
	struct rvgen_region reg[RVGEN_MAX_REGIONS];
	const unsigned nreg = rvgen_regions(nharts, reg);
	put64(image, ORACLE_STATE_PA + ORACLE_ST_NREGIONS, nreg);
	for (unsigned i = 0; i < nreg; i++) {
		put64(image, ORACLE_STATE_PA + ORACLE_ST_REGIONS + 16 * i, reg[i].pa);
		put64(image, ORACLE_STATE_PA + ORACLE_ST_REGIONS + 16 * i + 8, reg[i].size);
	}
	memcpy(image + ORACLE_PRISTINE_OFF, image, ORACLE_RAM_SIZE);
	memcpy(ram, image, ORACLE_RAM_SIZE);

	Elf64_Ehdr eh = {0};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_RISCV;
	eh.e_version = EV_CURRENT;
	eh.e_entry = ORACLE_ENTRY_PA;
	eh.e_phoff = sizeof(eh);
	eh.e_flags = 0x5; /* RVC, double-float ABI */
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 1;
	const Elf64_Phdr ph = {
	    .p_type = PT_LOAD,
	    .p_flags = PF_R | PF_W | PF_X,
	    .p_offset = 0x1000,
	    .p_vaddr = RVGEN_RAM_BASE,
	    .p_paddr = RVGEN_RAM_BASE,
	    .p_filesz = sizeof(image),
	    .p_memsz = sizeof(image),
	    .p_align = 0x1000,
	};
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	static const uint8_t pad[0x1000];
	bool ok = fwrite(&eh, sizeof(eh), 1, f) == 1 && fwrite(&ph, sizeof(ph), 1, f) == 1 &&
		  fwrite(pad, 0x1000 - sizeof(eh) - sizeof(ph), 1, f) == 1 &&
		  fwrite(image, sizeof(image), 1, f) == 1;
	ok = (fclose(f) == 0) && ok;
	return ok;
}
