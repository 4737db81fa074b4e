/*
 * ELF64 loader: puts a RISC-V executable into guest RAM the way QEMU's
 * `-kernel file.elf` does, by physical address (p_paddr).
 *
 * References are to the System V ABI "gABI" chapters 4 (Object Files) and 5
 * (Program Loading), and to the RISC-V ELF psABI for EM_RISCV.
 *
 * The input is untrusted: any offset, size or count in it may be garbage.
 * Every header is copied out of the buffer with memcpy (the buffer need not
 * be aligned), every range is checked as "offset <= size && len <= size -
 * offset" so no sum can wrap, and the whole file is validated before the
 * first byte is written, so a rejected file leaves RAM exactly as it was.
 *
 * Symbols are a courtesy: riscv-tests and similar bare-metal programs export
 * `tohost`/`fromhost` for the HTIF mailbox, and the function symbols name
 * blocks in the -d logs as QEMU names them. A missing or damaged section
 * table only means "no symbols", never a load failure.
 */
#include "core/guest_symbols.h"
#include "loader/loader.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fields are read by memcpy into host structs, which is only right on a
 * little-endian host; we only accept ELFDATA2LSB files. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the ELF loader assumes a little-endian host");

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* True when [off, off+len) lies inside a buffer of `size` bytes. */
static bool range_in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

bool loader_is_elf(const uint8_t *data, size_t size)
{
	return data && size >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;
}

/* One PT_LOAD segment that will be copied, after validation. */
struct load_seg {
	unsigned index;	 /* position in the program header table, for messages */
	uint64_t paddr;	 /* guest physical start */
	uint64_t memsz;	 /* bytes in memory; > 0 */
	uint64_t offset; /* file offset of the initialised part */
	uint64_t filesz; /* initialised bytes; the rest up to memsz is bss */
	uint64_t vaddr;	 /* link address, to translate symbol values */
};

static int seg_cmp_paddr(const void *a, const void *b)
{
	const struct load_seg *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int check_ehdr(const uint8_t *data, size_t size, Elf64_Ehdr *eh, char *err, size_t errlen)
{
	if (!loader_is_elf(data, size)) {
		set_err(err, errlen, "not an ELF file");
		return -1;
	}
	/* e_ident is 16 bytes; check class and data before trusting the rest. */
	if (size < EI_NIDENT) {
		set_err(err, errlen, "truncated ELF header");
		return -1;
	}
	if (data[EI_CLASS] != ELFCLASS64) {
		set_err(err, errlen, "not a 64-bit ELF file");
		return -1;
	}
	if (data[EI_DATA] != ELFDATA2LSB) {
		set_err(err, errlen, "not a little-endian ELF file");
		return -1;
	}
	if (size < sizeof(*eh)) {
		set_err(err, errlen, "truncated ELF header");
		return -1;
	}
	memcpy(eh, data, sizeof(*eh));
	if (eh->e_machine != EM_RISCV) {
		set_err(err, errlen, "not a RISC-V ELF file (e_machine %u)",
			(unsigned)eh->e_machine);
		return -1;
	}
	/* ET_DYN (a static PIE, e.g. a Linux Image built as ELF) is loaded at
	 * its link addresses; relocating it is the program's own business. */
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		set_err(err, errlen, "not an executable ELF file (e_type %u)",
			(unsigned)eh->e_type);
		return -1;
	}
	return 0;
}

/*
 * Read and check the program header table; on success *segs holds the
 * PT_LOAD segments with p_memsz > 0 (caller frees) and *nsegs their count.
 */
static int check_phdrs(const struct machine *m, const uint8_t *data, size_t size,
		       const Elf64_Ehdr *eh, struct load_seg **segs, unsigned *nsegs, char *err,
		       size_t errlen)
{
	const uint64_t ram_end = m->ram_base + m->ram_size;
	struct load_seg *s;
	unsigned n = 0;

	*segs = NULL;
	*nsegs = 0;
	if (eh->e_phnum == 0) {
		set_err(err, errlen, "no loadable segment");
		return -1;
	}
	/* gABI: e_phnum == PN_XNUM moves the real count into section 0's
	 * sh_info. No loadable RISC-V program needs 65535 segments. */
	if (eh->e_phnum == PN_XNUM) {
		set_err(err, errlen, "too many program headers (PN_XNUM)");
		return -1;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
		set_err(err, errlen, "bad program header size (e_phentsize %u, expected %zu)",
			(unsigned)eh->e_phentsize, sizeof(Elf64_Phdr));
		return -1;
	}
	/* e_phnum < 0xffff and e_phentsize == 56: the product cannot wrap. */
	if (!range_in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size)) {
		set_err(err, errlen, "truncated program header table");
		return -1;
	}

	s = calloc(eh->e_phnum, sizeof(*s));
	if (!s) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, data + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (!range_in_file(ph.p_offset, ph.p_filesz, size)) {
			set_err(err, errlen, "segment %u data lies past the end of the file", i);
			goto fail;
		}
		/* gABI ch. 5: "The file size may not be larger than the memory size." */
		if (ph.p_filesz > ph.p_memsz) {
			set_err(
			    err, errlen,
			    "segment %u file size (0x%llx) is larger than its memory size (0x%llx)",
			    i, (unsigned long long)ph.p_filesz, (unsigned long long)ph.p_memsz);
			goto fail;
		}
		if (ph.p_memsz == 0)
			continue; /* occupies nothing */
		if (!machine_is_ram(m, ph.p_paddr, ph.p_memsz)) {
			if (ph.p_memsz > UINT64_MAX - ph.p_paddr)
				set_err(err, errlen,
					"segment %u (0x%llx, 0x%llx bytes) lies outside RAM "
					"(0x%llx-0x%llx)",
					i, (unsigned long long)ph.p_paddr,
					(unsigned long long)ph.p_memsz,
					(unsigned long long)m->ram_base,
					(unsigned long long)ram_end);
			else
				set_err(
				    err, errlen,
				    "segment %u (0x%llx-0x%llx) lies outside RAM (0x%llx-0x%llx)",
				    i, (unsigned long long)ph.p_paddr,
				    (unsigned long long)(ph.p_paddr + ph.p_memsz),
				    (unsigned long long)m->ram_base, (unsigned long long)ram_end);
			goto fail;
		}
		s[n++] = (struct load_seg){
		    .index = i,
		    .paddr = ph.p_paddr,
		    .memsz = ph.p_memsz,
		    .offset = ph.p_offset,
		    .filesz = ph.p_filesz,
		    .vaddr = ph.p_vaddr,
		};
	}
	if (n == 0) {
		set_err(err, errlen, "no loadable segment");
		goto fail;
	}

	/* Sorted by start, any overlap shows up between neighbours: if a and c
	 * overlap with b starting between them, b starts inside a too. All are
	 * inside RAM, so paddr + memsz cannot wrap. */
	qsort(s, n, sizeof(*s), seg_cmp_paddr);
	for (unsigned i = 1; i < n; i++) {
		if (s[i].paddr < s[i - 1].paddr + s[i - 1].memsz) {
			unsigned a = s[i - 1].index, b = s[i].index;

			set_err(err, errlen, "segments %u and %u overlap", a < b ? a : b,
				a < b ? b : a);
			goto fail;
		}
	}
	*segs = s;
	*nsegs = n;
	return 0;
fail:
	free(s);
	return -1;
}

/* Symbol values are link (virtual) addresses; the HTIF mailbox is watched
 * by physical address, so map the value through the segment holding it. */
static uint64_t sym_to_paddr(const struct load_seg *segs, unsigned n, uint64_t value)
{
	for (unsigned i = 0; i < n; i++)
		if (value >= segs[i].vaddr && value - segs[i].vaddr < segs[i].memsz)
			return segs[i].paddr + (value - segs[i].vaddr);
	return value;
}

/* Read section header `idx`, or return false when it is outside the file. */
static bool read_shdr(const uint8_t *data, size_t size, uint64_t shoff, uint64_t idx,
		      Elf64_Shdr *sh)
{
	if (idx > UINT64_MAX / sizeof(*sh) || !range_in_file(shoff, (idx + 1) * sizeof(*sh), size))
		return false;
	memcpy(sh, data + shoff + idx * sizeof(*sh), sizeof(*sh));
	return true;
}

/*
 * The first SHT_SYMTAB and its string table, checked to lie inside the
 * file. Anything malformed: false, as if there were none (symbols are
 * optional).
 */
static bool find_symtab(const uint8_t *data, size_t size, const Elf64_Ehdr *eh, Elf64_Shdr *sh,
			Elf64_Shdr *str)
{
	uint64_t shnum = eh->e_shnum;

	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr))
		return false;
	/* gABI ch. 4: with 0xff00 or more sections e_shnum is 0 and the count
	 * is in section 0's sh_size. */
	if (shnum == 0) {
		if (!read_shdr(data, size, eh->e_shoff, 0, sh))
			return false;
		shnum = sh->sh_size;
	}
	if (shnum > UINT64_MAX / sizeof(Elf64_Shdr) ||
	    !range_in_file(eh->e_shoff, shnum * sizeof(Elf64_Shdr), size))
		return false;

	uint64_t i;
	for (i = 0; i < shnum; i++) {
		read_shdr(data, size, eh->e_shoff, i, sh);
		if (sh->sh_type == SHT_SYMTAB)
			break;
	}
	if (i == shnum)
		return false;
	if (sh->sh_entsize != sizeof(Elf64_Sym) || sh->sh_size % sizeof(Elf64_Sym) != 0 ||
	    !range_in_file(sh->sh_offset, sh->sh_size, size))
		return false;
	/* gABI: a symbol table's sh_link is the index of its string table. */
	if (sh->sh_link >= shnum || !read_shdr(data, size, eh->e_shoff, sh->sh_link, str))
		return false;
	return str->sh_type == SHT_STRTAB && str->sh_size != 0 &&
	       range_in_file(str->sh_offset, str->sh_size, size);
}

/* Symbol k's name, or NULL when it does not lie inside the string table. */
static const char *sym_name(const uint8_t *data, const Elf64_Shdr *sh, const Elf64_Shdr *str,
			    uint64_t k, Elf64_Sym *sym)
{
	memcpy(sym, data + sh->sh_offset + k * sizeof(*sym), sizeof(*sym));
	if (sym->st_name >= str->sh_size)
		return NULL;
	const char *name = (const char *)data + str->sh_offset + sym->st_name;
	/* The name must end inside the string table. */
	return memchr(name, '\0', str->sh_size - sym->st_name) ? name : NULL;
}

/*
 * Find `tohost` and `fromhost` in the first SHT_SYMTAB. Anything malformed
 * makes this return with both left at 0: symbols are optional.
 */
static void find_htif_symbols(const uint8_t *data, size_t size, const Elf64_Ehdr *eh,
			      const struct load_seg *segs, unsigned nsegs, uint64_t *tohost,
			      uint64_t *fromhost)
{
	uint64_t to = 0, from = 0;
	Elf64_Shdr sh, str;

	*tohost = 0;
	*fromhost = 0;
	if (!find_symtab(data, size, eh, &sh, &str))
		return;
	const uint64_t nsyms = sh.sh_size / sizeof(Elf64_Sym);

	/* Entry 0 is the reserved undefined symbol (gABI "Symbol Table"). */
	for (uint64_t k = 1; k < nsyms; k++) {
		Elf64_Sym sym;
		const char *name = sym_name(data, &sh, &str, k, &sym);

		if (!name)
			return; /* a name outside the string table: distrust it all */
		if (sym.st_shndx == SHN_UNDEF)
			continue;
		if (!to && strcmp(name, "tohost") == 0)
			to = sym_to_paddr(segs, nsegs, sym.st_value);
		else if (!from && strcmp(name, "fromhost") == 0)
			from = sym_to_paddr(segs, nsegs, sym.st_value);
	}
	*tohost = to;
	*fromhost = from;
}

/* The STT_FUNC symbols defined in a section, as QEMU keeps them for its
 * logs (include/hw/elf_ops.h load_symbols), into the machine's table. */
static void keep_function_symbols(struct machine *m, const uint8_t *data, size_t size,
				  const Elf64_Ehdr *eh)
{
	Elf64_Shdr sh, str;

	if (!find_symtab(data, size, eh, &sh, &str))
		return;
	const uint64_t nsyms = sh.sh_size / sizeof(Elf64_Sym);
	struct guest_symbol *syms = calloc(nsyms, sizeof(*syms));
	size_t n = 0;
	for (uint64_t k = 1; syms && k < nsyms; k++) {
		Elf64_Sym sym;
		const char *name = sym_name(data, &sh, &str, k, &sym);

		if (!name || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
		    ELF64_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		syms[n].name = strdup(name);
		if (!syms[n].name)
			break;
		syms[n].addr = sym.st_value;
		syms[n].size = sym.st_size;
		n++;
	}
	guest_symbols_add(&m->symbols, syms, n);
}

int load_elf_image(struct machine *m, const uint8_t *data, size_t size, struct load_info *info,
		   char *err, size_t errlen)
{
	struct load_seg *segs;
	unsigned nsegs;
	Elf64_Ehdr eh;
	uint64_t low = UINT64_MAX, high = 0;

	if (check_ehdr(data, size, &eh, err, errlen) < 0)
		return -1;
	if (check_phdrs(m, data, size, &eh, &segs, &nsegs, err, errlen) < 0)
		return -1;

	/* Everything is valid: only now touch RAM. The bss is zeroed
	 * explicitly because RAM may hold an earlier run's data. */
	for (unsigned i = 0; i < nsegs; i++) {
		const struct load_seg *s = &segs[i];
		uint8_t *dst = m->ram + (s->paddr - m->ram_base);

		memcpy(dst, data + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
		if (s->paddr < low)
			low = s->paddr;
		if (s->paddr + s->memsz > high)
			high = s->paddr + s->memsz;
	}

	if (info) {
		info->entry = eh.e_entry;
		info->low = low;
		info->high = high;
		find_htif_symbols(data, size, &eh, segs, nsegs, &info->tohost, &info->fromhost);
	}
	keep_function_symbols(m, data, size, &eh);
	free(segs);
	return 0;
}
