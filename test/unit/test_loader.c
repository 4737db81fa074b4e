/*
 * Loader tests: ELF images are built in memory by a small helper, then
 * loaded or deliberately broken one field at a time. Every rejection must
 * name its reason and leave guest RAM byte-for-byte unchanged.
 */
#include "loader/loader.h"

#include <criterion/criterion.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1ULL << 20)

/* A machine with RAM only: the loader touches nothing else, and building it
 * by hand keeps these tests independent of the rest of core. */
static struct machine *test_machine(void)
{
	struct machine *m = calloc(1, sizeof(*m));

	cr_assert_not_null(m);
	m->ram = malloc(RAM_SIZE);
	cr_assert_not_null(m->ram);
	m->ram_base = RAM_BASE;
	m->ram_size = RAM_SIZE;
	return m;
}

static void free_machine(struct machine *m)
{
	free(m->ram);
	free(m);
}

/* Fill RAM with a recognisable non-zero pattern ("dirty" RAM). */
static void dirty_ram(struct machine *m)
{
	for (uint64_t i = 0; i < m->ram_size; i++)
		m->ram[i] = (uint8_t)(i * 7 + 3);
}

static uint8_t *ram_at(struct machine *m, uint64_t pa)
{
	return m->ram + (pa - m->ram_base);
}

/* ---- building ELF images ---- */

struct tseg {
	uint32_t type;
	uint64_t paddr, vaddr; /* vaddr 0: same as paddr */
	uint64_t filesz, memsz;
};

struct tsym {
	const char *name;
	uint64_t value;
};

struct img {
	uint8_t *buf;
	size_t size;
};

/* Content of segment `seg` at offset `off`, so loads can be checked. */
static uint8_t seg_byte(unsigned seg, uint64_t off)
{
	return (uint8_t)((seg + 1) * 0x31 + off * 13);
}

static size_t align8(size_t x)
{
	return (x + 7) & ~(size_t)7;
}

/*
 * Layout: Ehdr, Phdrs, each segment's data (8-aligned), then, when there
 * are symbols, .strtab, .symtab and the section header table
 * [null, .symtab, .strtab]. Tests patch the result through ehdr()/phdr()/
 * shdr() to break it.
 */
static struct img build_elf(uint64_t entry, const struct tseg *segs, unsigned nsegs,
			    const struct tsym *syms, unsigned nsyms)
{
	size_t off = sizeof(Elf64_Ehdr) + nsegs * sizeof(Elf64_Phdr);
	size_t seg_off[16], str_off = 0, str_size = 1, sym_off = 0, sh_off = 0, size;

	cr_assert(nsegs <= 16);
	for (unsigned i = 0; i < nsegs; i++) {
		off = align8(off);
		seg_off[i] = off;
		off += segs[i].filesz;
	}
	if (nsyms) {
		str_off = off;
		for (unsigned i = 0; i < nsyms; i++)
			str_size += strlen(syms[i].name) + 1;
		off = align8(str_off + str_size);
		sym_off = off;
		off += (nsyms + 1) * sizeof(Elf64_Sym);
		off = align8(off);
		sh_off = off;
		off += 3 * sizeof(Elf64_Shdr);
	}
	size = off;

	uint8_t *buf = calloc(1, size);
	cr_assert_not_null(buf);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_RISCV;
	eh->e_version = EV_CURRENT;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (uint16_t)nsegs;

	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));
	for (unsigned i = 0; i < nsegs; i++) {
		ph[i].p_type = segs[i].type;
		ph[i].p_flags = PF_R | PF_W | PF_X;
		ph[i].p_offset = seg_off[i];
		ph[i].p_paddr = segs[i].paddr;
		ph[i].p_vaddr = segs[i].vaddr ? segs[i].vaddr : segs[i].paddr;
		ph[i].p_filesz = segs[i].filesz;
		ph[i].p_memsz = segs[i].memsz;
		ph[i].p_align = 8;
		for (uint64_t k = 0; k < segs[i].filesz; k++)
			buf[seg_off[i] + k] = seg_byte(i, k);
	}

	if (nsyms) {
		char *str = (char *)buf + str_off;
		Elf64_Sym *sym = (Elf64_Sym *)(buf + sym_off);
		size_t pos = 1; /* string 0 is the empty name */

		for (unsigned i = 0; i < nsyms; i++) {
			strcpy(str + pos, syms[i].name);
			sym[i + 1].st_name = (uint32_t)pos;
			sym[i + 1].st_value = syms[i].value;
			sym[i + 1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
			sym[i + 1].st_shndx = 1; /* any defined section */
			pos += strlen(syms[i].name) + 1;
		}
		Elf64_Shdr *sh = (Elf64_Shdr *)(buf + sh_off);
		sh[1].sh_type = SHT_SYMTAB;
		sh[1].sh_offset = sym_off;
		sh[1].sh_size = (nsyms + 1) * sizeof(Elf64_Sym);
		sh[1].sh_entsize = sizeof(Elf64_Sym);
		sh[1].sh_link = 2;
		sh[1].sh_info = 1;
		sh[2].sh_type = SHT_STRTAB;
		sh[2].sh_offset = str_off;
		sh[2].sh_size = str_size;
		eh->e_shoff = sh_off;
		eh->e_shentsize = sizeof(Elf64_Shdr);
		eh->e_shnum = 3;
	}
	return (struct img){buf, size};
}

static Elf64_Ehdr *ehdr(struct img *im)
{
	return (Elf64_Ehdr *)im->buf;
}

static Elf64_Phdr *phdr(struct img *im, unsigned i)
{
	return (Elf64_Phdr *)(im->buf + ehdr(im)->e_phoff) + i;
}

static Elf64_Shdr *shdr(struct img *im, unsigned i)
{
	return (Elf64_Shdr *)(im->buf + ehdr(im)->e_shoff) + i;
}

static Elf64_Sym *symbol(struct img *im, unsigned i)
{
	return (Elf64_Sym *)(im->buf + shdr(im, 1)->sh_offset) + i;
}

/* Two segments in RAM, the second with bss, and the HTIF symbols. */
static const struct tseg good_segs[] = {
    {PT_LOAD, 0x80000000, 0, 0x40, 0x40},
    {PT_LOAD, 0x80001000, 0, 0x20, 0x200},
};
static const struct tsym good_syms[] = {
    {"_start", 0x80000000},
    {"tohost", 0x80001000},
    {"fromhost", 0x80001040},
};

static struct img good_image(void)
{
	return build_elf(0x80000000, good_segs, 2, good_syms, 3);
}

/* Load must fail with a message containing `want` and not touch RAM. */
static void expect_reject_buf(const uint8_t *buf, size_t size, const char *want)
{
	struct machine *m = test_machine();
	uint8_t *before = malloc(RAM_SIZE);
	struct load_info info;
	char err[256] = "";

	dirty_ram(m);
	memcpy(before, m->ram, RAM_SIZE);
	cr_assert_eq(load_elf_image(m, buf, size, &info, err, sizeof(err)), -1,
		     "expected rejection (%s)", want);
	cr_assert(strstr(err, want), "error '%s' lacks '%s'", err, want);
	cr_assert(memcmp(before, m->ram, RAM_SIZE) == 0, "RAM changed by a rejected file");
	free(before);
	free_machine(m);
}

static void expect_reject(struct img *im, const char *want)
{
	expect_reject_buf(im->buf, im->size, want);
	free(im->buf);
}

/* ---- loading ---- */

/* A time limit for every test: a hang fails it instead of stalling the
 * run. */
TestSuite(loader_elf, .timeout = 60);
TestSuite(loader_symbols, .timeout = 60);
TestSuite(loader_reject, .timeout = 60);
TestSuite(loader_raw, .timeout = 60);
TestSuite(loader_file, .timeout = 60);

Test(loader_elf, loads_segments_and_zeroes_bss)
{
	struct machine *m = test_machine();
	struct img im = good_image();
	struct load_info info;
	char err[256] = "";

	dirty_ram(m);
	cr_assert_eq(load_elf_image(m, im.buf, im.size, &info, err, sizeof(err)), 0, "%s", err);
	for (uint64_t k = 0; k < 0x40; k++)
		cr_assert_eq(*ram_at(m, 0x80000000 + k), seg_byte(0, k));
	for (uint64_t k = 0; k < 0x20; k++)
		cr_assert_eq(*ram_at(m, 0x80001000 + k), seg_byte(1, k));
	for (uint64_t k = 0x20; k < 0x200; k++)
		cr_assert_eq(*ram_at(m, 0x80001000 + k), 0, "bss byte 0x%llx not zeroed",
			     (unsigned long long)k);
	/* Bytes between and after the segments are left alone. */
	cr_assert_eq(*ram_at(m, 0x80000040), (uint8_t)(0x40 * 7 + 3));
	cr_assert_eq(*ram_at(m, 0x80001200), (uint8_t)(0x1200 * 7 + 3));
	cr_assert_eq(info.entry, 0x80000000);
	cr_assert_eq(info.low, 0x80000000);
	cr_assert_eq(info.high, 0x80001200);
	cr_assert_eq(info.tohost, 0x80001000);
	cr_assert_eq(info.fromhost, 0x80001040);
	free(im.buf);
	free_machine(m);
}

Test(loader_elf, accepts_null_info_and_err)
{
	struct machine *m = test_machine();
	struct img im = good_image();

	cr_assert_eq(load_elf_image(m, im.buf, im.size, NULL, NULL, 0), 0);
	cr_assert_eq(load_elf_image(m, im.buf, 3, NULL, NULL, 0), -1);
	free(im.buf);
	free_machine(m);
}

Test(loader_elf, loads_by_physical_address)
{
	/* A kernel linked high: p_vaddr is virtual, p_paddr is where QEMU
	 * puts it, and symbols are translated the same way. */
	const struct tseg segs[] = {
	    {PT_LOAD, 0x80002000, 0xffffffff80000000ULL, 0x30, 0x100},
	};
	const struct tsym syms[] = {{"tohost", 0xffffffff80000010ULL}};
	struct machine *m = test_machine();
	struct img im = build_elf(0xffffffff80000000ULL, segs, 1, syms, 1);
	struct load_info info;
	char err[256] = "";

	dirty_ram(m);
	cr_assert_eq(load_elf_image(m, im.buf, im.size, &info, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(*ram_at(m, 0x80002000), seg_byte(0, 0));
	cr_assert_eq(*ram_at(m, 0x8000202f), seg_byte(0, 0x2f));
	cr_assert_eq(*ram_at(m, 0x80002030), 0);
	cr_assert_eq(info.entry, 0xffffffff80000000ULL);
	cr_assert_eq(info.low, 0x80002000);
	cr_assert_eq(info.high, 0x80002100);
	cr_assert_eq(info.tohost, 0x80002010);
	cr_assert_eq(info.fromhost, 0);
	free(im.buf);
	free_machine(m);
}

Test(loader_elf, accepts_et_dyn)
{
	struct machine *m = test_machine();
	struct img im = good_image();
	char err[256] = "";

	ehdr(&im)->e_type = ET_DYN;
	cr_assert_eq(load_elf_image(m, im.buf, im.size, NULL, err, sizeof(err)), 0, "%s", err);
	free(im.buf);
	free_machine(m);
}

Test(loader_elf, segment_filling_all_of_ram)
{
	const struct tseg segs[] = {{PT_LOAD, RAM_BASE, 0, 0x10, RAM_SIZE}};
	struct machine *m = test_machine();
	struct img im = build_elf(RAM_BASE, segs, 1, NULL, 0);
	struct load_info info;
	char err[256] = "";

	dirty_ram(m);
	cr_assert_eq(load_elf_image(m, im.buf, im.size, &info, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(info.high, RAM_BASE + RAM_SIZE);
	cr_assert_eq(*ram_at(m, RAM_BASE + RAM_SIZE - 1), 0);
	free(im.buf);
	free_machine(m);
}

Test(loader_elf, adjacent_segments_do_not_overlap)
{
	const struct tseg segs[] = {
	    {PT_LOAD, 0x80001000, 0, 0x10, 0x1000},
	    {PT_LOAD, 0x80000000, 0, 0x10, 0x1000},
	};
	struct machine *m = test_machine();
	struct img im = build_elf(RAM_BASE, segs, 2, NULL, 0);
	struct load_info info;
	char err[256] = "";

	cr_assert_eq(load_elf_image(m, im.buf, im.size, &info, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(info.low, 0x80000000);
	cr_assert_eq(info.high, 0x80002000);
	free(im.buf);
	free_machine(m);
}

Test(loader_elf, ignores_other_and_empty_segments)
{
	/* PT_NOTE outside RAM and an empty PT_LOAD at 0 occupy no RAM. */
	const struct tseg segs[] = {
	    {PT_NOTE, 0x1000, 0, 0x8, 0x8},
	    {PT_LOAD, 0, 0, 0, 0},
	    {PT_LOAD, 0x80000000, 0, 0x10, 0x10},
	};
	struct machine *m = test_machine();
	struct img im = build_elf(RAM_BASE, segs, 3, NULL, 0);
	struct load_info info;
	char err[256] = "";

	cr_assert_eq(load_elf_image(m, im.buf, im.size, &info, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(info.low, 0x80000000);
	cr_assert_eq(info.high, 0x80000010);
	cr_assert_eq(info.tohost, 0);
	free(im.buf);
	free_machine(m);
}

Test(loader_elf, is_elf)
{
	struct img im = good_image();

	cr_assert(loader_is_elf(im.buf, im.size));
	cr_assert(loader_is_elf((const uint8_t *)"\177ELF", 4));
	cr_assert_not(loader_is_elf((const uint8_t *)"\177EL", 3));
	cr_assert_not(loader_is_elf((const uint8_t *)"\177ELG", 4));
	cr_assert_not(loader_is_elf(NULL, 0));
	free(im.buf);
}

/* ---- symbols: damage means "no symbols", never a failed load ---- */

/* Load a damaged image; it must succeed with no HTIF symbols found. */
static void expect_no_symbols(struct img *im)
{
	struct machine *m = test_machine();
	struct load_info info;
	char err[256] = "";

	cr_assert_eq(load_elf_image(m, im->buf, im->size, &info, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(info.tohost, 0);
	cr_assert_eq(info.fromhost, 0);
	cr_assert_eq(*ram_at(m, 0x80000000), seg_byte(0, 0));
	free(im->buf);
	free_machine(m);
}

Test(loader_symbols, none_without_section_table)
{
	struct img im = build_elf(RAM_BASE, good_segs, 2, NULL, 0);

	expect_no_symbols(&im);
}

Test(loader_symbols, section_table_past_end)
{
	struct img im = good_image();

	ehdr(&im)->e_shoff = im.size - 8;
	expect_no_symbols(&im);
}

Test(loader_symbols, section_table_offset_overflow)
{
	struct img im = good_image();

	ehdr(&im)->e_shoff = UINT64_MAX - 1;
	expect_no_symbols(&im);
}

Test(loader_symbols, bad_shentsize)
{
	struct img im = good_image();

	ehdr(&im)->e_shentsize = 32;
	expect_no_symbols(&im);
}

Test(loader_symbols, extended_section_count_garbage)
{
	/* e_shnum 0 means "count in section 0's sh_size"; a huge one must not
	 * overflow or walk off the file. */
	struct img im = good_image();

	shdr(&im, 0)->sh_size = UINT64_MAX / 8;
	ehdr(&im)->e_shnum = 0;
	expect_no_symbols(&im);
}

Test(loader_symbols, extended_section_count_valid)
{
	struct machine *m = test_machine();
	struct img im = good_image();
	struct load_info info;

	shdr(&im, 0)->sh_size = 3;
	ehdr(&im)->e_shnum = 0;
	cr_assert_eq(load_elf_image(m, im.buf, im.size, &info, NULL, 0), 0);
	cr_assert_eq(info.tohost, 0x80001000);
	free(im.buf);
	free_machine(m);
}

Test(loader_symbols, strtab_link_out_of_range)
{
	struct img im = good_image();

	shdr(&im, 1)->sh_link = 3;
	expect_no_symbols(&im);
}

Test(loader_symbols, link_not_a_strtab)
{
	struct img im = good_image();

	shdr(&im, 1)->sh_link = 1;
	expect_no_symbols(&im);
}

Test(loader_symbols, symtab_past_end)
{
	struct img im = good_image();

	shdr(&im, 1)->sh_offset = UINT64_MAX - 8;
	expect_no_symbols(&im);
}

Test(loader_symbols, symtab_size_overflow)
{
	struct img im = good_image();

	shdr(&im, 1)->sh_size = UINT64_MAX - (UINT64_MAX % sizeof(Elf64_Sym));
	expect_no_symbols(&im);
}

Test(loader_symbols, strtab_past_end)
{
	struct img im = good_image();

	shdr(&im, 2)->sh_size = im.size;
	expect_no_symbols(&im);
}

Test(loader_symbols, name_outside_strtab)
{
	struct img im = good_image();

	symbol(&im, 3)->st_name = 0x7fffffff;
	expect_no_symbols(&im);
}

Test(loader_symbols, name_not_terminated)
{
	/* Cut the string table in the middle of "fromhost" (the last name). */
	struct img im = good_image();

	shdr(&im, 2)->sh_size -= 3;
	expect_no_symbols(&im);
}

Test(loader_symbols, undefined_symbol_ignored)
{
	struct machine *m = test_machine();
	struct img im = good_image();
	struct load_info info;

	symbol(&im, 2)->st_shndx = SHN_UNDEF; /* tohost */
	cr_assert_eq(load_elf_image(m, im.buf, im.size, &info, NULL, 0), 0);
	cr_assert_eq(info.tohost, 0);
	cr_assert_eq(info.fromhost, 0x80001040);
	free(im.buf);
	free_machine(m);
}

/* ---- rejections: header ---- */

Test(loader_reject, empty_file)
{
	expect_reject_buf((const uint8_t *)"", 0, "not an ELF file");
}

Test(loader_reject, bad_magic)
{
	struct img im = good_image();

	im.buf[1] = 'X';
	expect_reject(&im, "not an ELF file");
}

Test(loader_reject, raw_binary)
{
	static const uint8_t code[] = {0x97, 0x02, 0x00, 0x00, 0x73, 0x00, 0x10, 0x00};

	expect_reject_buf(code, sizeof(code), "not an ELF file");
}

Test(loader_reject, ident_truncated)
{
	expect_reject_buf((const uint8_t *)"\177ELF\002\001", 6, "truncated ELF header");
}

Test(loader_reject, header_truncated)
{
	struct img im = good_image();

	im.size = sizeof(Elf64_Ehdr) - 1;
	expect_reject(&im, "truncated ELF header");
}

Test(loader_reject, elfclass32)
{
	struct img im = good_image();

	im.buf[EI_CLASS] = ELFCLASS32;
	expect_reject(&im, "not a 64-bit ELF file");
}

Test(loader_reject, big_endian)
{
	struct img im = good_image();

	im.buf[EI_DATA] = ELFDATA2MSB;
	expect_reject(&im, "not a little-endian ELF file");
}

Test(loader_reject, x86_64)
{
	struct img im = good_image();

	ehdr(&im)->e_machine = EM_X86_64;
	expect_reject(&im, "not a RISC-V ELF file (e_machine 62)");
}

Test(loader_reject, relocatable_object)
{
	struct img im = good_image();

	ehdr(&im)->e_type = ET_REL;
	expect_reject(&im, "not an executable ELF file (e_type 1)");
}

Test(loader_reject, core_file)
{
	struct img im = good_image();

	ehdr(&im)->e_type = ET_CORE;
	expect_reject(&im, "e_type 4");
}

/* ---- rejections: program header table ---- */

Test(loader_reject, no_program_headers)
{
	struct img im = good_image();

	ehdr(&im)->e_phnum = 0;
	expect_reject(&im, "no loadable segment");
}

Test(loader_reject, no_pt_load)
{
	const struct tseg segs[] = {{PT_NOTE, 0x80000000, 0, 8, 8}};
	struct img im = build_elf(RAM_BASE, segs, 1, NULL, 0);

	expect_reject(&im, "no loadable segment");
}

Test(loader_reject, only_empty_pt_load)
{
	const struct tseg segs[] = {{PT_LOAD, 0x80000000, 0, 0, 0}};
	struct img im = build_elf(RAM_BASE, segs, 1, NULL, 0);

	expect_reject(&im, "no loadable segment");
}

Test(loader_reject, wrong_phentsize)
{
	struct img im = good_image();

	ehdr(&im)->e_phentsize = 32;
	expect_reject(&im, "bad program header size (e_phentsize 32, expected 56)");
}

Test(loader_reject, phentsize_zero)
{
	struct img im = good_image();

	ehdr(&im)->e_phentsize = 0;
	expect_reject(&im, "e_phentsize 0");
}

Test(loader_reject, pn_xnum)
{
	struct img im = good_image();

	ehdr(&im)->e_phnum = PN_XNUM;
	expect_reject(&im, "PN_XNUM");
}

Test(loader_reject, phdrs_truncated)
{
	struct img im = good_image();

	im.size = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 10;
	expect_reject(&im, "truncated program header table");
}

Test(loader_reject, phoff_past_end)
{
	struct img im = good_image();

	ehdr(&im)->e_phoff = im.size;
	expect_reject(&im, "truncated program header table");
}

Test(loader_reject, phoff_overflow)
{
	/* e_phoff + e_phnum * e_phentsize wraps to a small number. */
	struct img im = good_image();

	ehdr(&im)->e_phoff = UINT64_MAX - 1;
	expect_reject(&im, "truncated program header table");
}

Test(loader_reject, phnum_times_phentsize_past_end)
{
	struct img im = good_image();

	ehdr(&im)->e_phnum = 0xfffe;
	expect_reject(&im, "truncated program header table");
}

/* ---- rejections: segments ---- */

Test(loader_reject, segment_data_past_end)
{
	struct img im = good_image();

	phdr(&im, 1)->p_offset = im.size - 0x10; /* filesz is 0x20 */
	expect_reject(&im, "segment 1 data lies past the end of the file");
}

Test(loader_reject, segment_offset_overflow)
{
	struct img im = good_image();

	phdr(&im, 1)->p_offset = UINT64_MAX - 1;
	expect_reject(&im, "segment 1 data lies past the end of the file");
}

Test(loader_reject, segment_filesz_overflow)
{
	struct img im = good_image();

	phdr(&im, 0)->p_filesz = UINT64_MAX;
	phdr(&im, 0)->p_memsz = UINT64_MAX;
	expect_reject(&im, "segment 0 data lies past the end of the file");
}

Test(loader_reject, filesz_larger_than_memsz)
{
	struct img im = good_image();

	phdr(&im, 1)->p_memsz = 0x10; /* filesz is 0x20 */
	expect_reject(&im, "segment 1 file size (0x20) is larger than its memory size (0x10)");
}

Test(loader_reject, segment_below_ram)
{
	struct img im = good_image();

	phdr(&im, 1)->p_paddr = 0x10000000;
	phdr(&im, 1)->p_memsz = 0x1000;
	expect_reject(&im,
		      "segment 1 (0x10000000-0x10001000) lies outside RAM (0x80000000-0x80100000)");
}

Test(loader_reject, segment_straddles_ram_end)
{
	struct img im = good_image();

	phdr(&im, 1)->p_paddr = 0x800ff000;
	phdr(&im, 1)->p_memsz = 0x2000;
	expect_reject(&im, "segment 1 (0x800ff000-0x80101000) lies outside RAM");
}

Test(loader_reject, segment_just_past_ram)
{
	struct img im = good_image();

	phdr(&im, 1)->p_paddr = RAM_BASE + RAM_SIZE;
	expect_reject(&im, "segment 1 (0x80100000-0x80100200) lies outside RAM");
}

Test(loader_reject, memsz_huge)
{
	/* p_paddr + p_memsz would wrap around to below RAM's end. */
	struct img im = good_image();

	phdr(&im, 1)->p_memsz = UINT64_MAX;
	expect_reject(&im, "segment 1 (0x80001000, 0xffffffffffffffff bytes) lies outside RAM");
}

Test(loader_reject, paddr_wraps)
{
	struct img im = good_image();

	phdr(&im, 1)->p_paddr = UINT64_MAX - 0xfff;
	phdr(&im, 1)->p_memsz = 0x2000;
	expect_reject(&im, "segment 1 (0xfffffffffffff000, 0x2000 bytes) lies outside RAM");
}

Test(loader_reject, segment_ends_at_top_of_address_space)
{
	/* p_paddr + p_memsz == 2^64: not representable as an end address. */
	struct img im = good_image();

	phdr(&im, 1)->p_paddr = UINT64_MAX - 0x1ff;
	expect_reject(&im, "segment 1 (0xfffffffffffffe00, 0x200 bytes) lies outside RAM");
}

Test(loader_reject, vaddr_in_ram_but_paddr_not)
{
	/* We load by p_paddr, so a good p_vaddr does not help. */
	const struct tseg segs[] = {{PT_LOAD, 0x1000, 0x80000000, 0x10, 0x10}};
	struct img im = build_elf(RAM_BASE, segs, 1, NULL, 0);

	expect_reject(&im, "segment 0 (0x1000-0x1010) lies outside RAM");
}

Test(loader_reject, segments_overlap)
{
	const struct tseg segs[] = {
	    {PT_LOAD, 0x80000000, 0, 0x10, 0x2000}, /* bss reaches into segment 1 */
	    {PT_LOAD, 0x80001000, 0, 0x10, 0x10},
	};
	struct img im = build_elf(RAM_BASE, segs, 2, NULL, 0);

	expect_reject(&im, "segments 0 and 1 overlap");
}

Test(loader_reject, segment_contains_another)
{
	/* Out of order, and the overlapping pair is not adjacent in the table. */
	const struct tseg segs[] = {
	    {PT_LOAD, 0x80010000, 0, 0x10, 0x100},
	    {PT_LOAD, 0x80030000, 0, 0x10, 0x100},
	    {PT_LOAD, 0x80000000, 0, 0x10, 0x20000},
	};
	struct img im = build_elf(RAM_BASE, segs, 3, NULL, 0);

	expect_reject(&im, "segments 0 and 2 overlap");
}

Test(loader_reject, same_start)
{
	const struct tseg segs[] = {
	    {PT_LOAD, 0x80000000, 0, 0x10, 0x10},
	    {PT_LOAD, 0x80004000, 0, 0x10, 0x10},
	    {PT_LOAD, 0x80004000, 0, 0x10, 0x10},
	};
	struct img im = build_elf(RAM_BASE, segs, 3, NULL, 0);

	expect_reject(&im, "segments 1 and 2 overlap");
}

Test(loader_reject, late_bad_segment_leaves_ram_untouched)
{
	/* Segments 0 and 1 are fine; the failure in segment 2 must still come
	 * before anything is copied (expect_reject compares all of RAM). */
	const struct tseg segs[] = {
	    {PT_LOAD, 0x80000000, 0, 0x100, 0x100},
	    {PT_LOAD, 0x80001000, 0, 0x100, 0x1000},
	    {PT_LOAD, 0x80002000, 0, 0x100, 0x100},
	};
	struct img im = build_elf(RAM_BASE, segs, 3, NULL, 0);

	phdr(&im, 2)->p_offset = im.size;
	expect_reject(&im, "segment 2 data lies past the end of the file");
}

/* ---- raw images ---- */

Test(loader_raw, loads_at_address)
{
	static const uint8_t code[] = {1, 2, 3, 4, 5};
	struct machine *m = test_machine();
	struct load_info info;
	char err[256] = "";

	dirty_ram(m);
	cr_assert_eq(load_raw_image(m, code, sizeof(code), 0x80000100, &info, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert(memcmp(ram_at(m, 0x80000100), code, sizeof(code)) == 0);
	cr_assert_eq(*ram_at(m, 0x80000105), (uint8_t)(0x105 * 7 + 3));
	cr_assert_eq(info.entry, 0x80000100);
	cr_assert_eq(info.low, 0x80000100);
	cr_assert_eq(info.high, 0x80000105);
	cr_assert_eq(info.tohost, 0);
	cr_assert_eq(info.fromhost, 0);
	free_machine(m);
}

Test(loader_raw, fills_ram_exactly)
{
	struct machine *m = test_machine();
	uint8_t *img = calloc(1, RAM_SIZE);

	cr_assert_eq(load_raw_image(m, img, RAM_SIZE, RAM_BASE, NULL, NULL, 0), 0);
	free(img);
	free_machine(m);
}

static void expect_raw_reject(size_t size, uint64_t addr, const char *want)
{
	struct machine *m = test_machine();
	uint8_t *img = calloc(1, size ? size : 1);
	uint8_t *before = malloc(RAM_SIZE);
	char err[256] = "";

	dirty_ram(m);
	memcpy(before, m->ram, RAM_SIZE);
	cr_assert_eq(load_raw_image(m, img, size, addr, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, want), "error '%s' lacks '%s'", err, want);
	cr_assert(memcmp(before, m->ram, RAM_SIZE) == 0);
	free(before);
	free(img);
	free_machine(m);
}

Test(loader_raw, rejects_straddling_end)
{
	expect_raw_reject(
	    0x200, RAM_BASE + RAM_SIZE - 0x100,
	    "image (512 bytes at 0x800fff00) does not fit in RAM (0x80000000-0x80100000)");
}

Test(loader_raw, rejects_below_ram)
{
	expect_raw_reject(16, 0x1000, "image (16 bytes at 0x1000) does not fit in RAM");
}

Test(loader_raw, rejects_wrapping_address)
{
	expect_raw_reject(16, UINT64_MAX - 7, "does not fit in RAM");
}

Test(loader_raw, rejects_too_big)
{
	expect_raw_reject(RAM_SIZE + 1, RAM_BASE, "does not fit in RAM");
}

Test(loader_raw, rejects_empty)
{
	expect_raw_reject(0, RAM_BASE, "empty image");
}

/* ---- reading files ---- */

Test(loader_file, reads_whole_file)
{
	char path[] = "/tmp/rvjit-loader-XXXXXX";
	int fd = mkstemp(path);
	uint8_t data[100000];
	size_t size = 1;
	char err[256] = "";

	cr_assert(fd >= 0);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31);
	cr_assert_eq(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	close(fd);

	uint8_t *buf = load_file(path, &size, err, sizeof(err));
	unlink(path);
	cr_assert_not_null(buf, "%s", err);
	cr_assert_eq(size, sizeof(data));
	cr_assert(memcmp(buf, data, size) == 0);
	free(buf);
}

Test(loader_file, empty_file)
{
	char path[] = "/tmp/rvjit-loader-XXXXXX";
	int fd = mkstemp(path);
	size_t size = 1;
	char err[256] = "";

	cr_assert(fd >= 0);
	close(fd);
	uint8_t *buf = load_file(path, &size, err, sizeof(err));
	unlink(path);
	cr_assert_not_null(buf, "%s", err);
	cr_assert_eq(size, 0);
	free(buf);
}

Test(loader_file, missing_file)
{
	size_t size = 1;
	char err[256] = "";

	cr_assert_null(load_file("/nonexistent/rvjit/kernel.elf", &size, err, sizeof(err)));
	cr_assert_str_eq(err, "No such file or directory");
}

Test(loader_file, directory)
{
	size_t size = 1;
	char err[256] = "";

	cr_assert_null(load_file("/tmp", &size, err, sizeof(err)));
	cr_assert_str_eq(err, "is a directory");
}
