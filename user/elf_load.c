/*
 * Starting a riscv64 Linux program: its ELF image and its interpreter
 * (the dynamic linker named by PT_INTERP) mapped into the guest's space,
 * and the initial stack the kernel builds (System V ABI for RISC-V and
 * Linux's fs/binfmt_elf.c layout): argc, argv, envp, the auxiliary vector,
 * then the strings and AT_RANDOM's bytes above them.
 *
 * Segments are mapped from the file (private, so the relocations the
 * dynamic linker writes stay in the guest), as Linux maps them; the bss
 * is the zeroed tail of the last file page and anonymous pages after it.
 */
#include "process.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif
#define MAX_PHDRS 64

/* The hart's registers by ABI name. */
enum { REG_SP = 2, REG_A0 = 10 };

/* HWCAP for riscv64 Linux: one bit per single-letter extension. */
#define HWCAP_LETTER(c) (1ULL << ((c) - 'A'))

struct elf_image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PHDRS];
	uint64_t bias; /* load address minus link address */
	uint64_t phdr; /* guest address of the program headers, 0 if not loaded */
	uint64_t end;  /* one past the highest byte of any segment */
	char interp[PATH_MAX];
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int read_headers(int fd, struct elf_image *img, char *err, size_t errlen)
{
	Elf64_Ehdr *eh = &img->eh;
	const ssize_t n = pread(fd, eh, sizeof(*eh), 0);
	if (n < 4 || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "not an ELF file");
	if (n < (ssize_t)sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "not a 64-bit ELF file");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "not a little-endian ELF file");
	if (eh->e_machine != EM_RISCV)
		return fail(err, errlen, "not a RISC-V program (ELF machine %u)", eh->e_machine);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail(err, errlen, "not an executable (ELF type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > MAX_PHDRS)
		return fail(err, errlen, "bad program header table");
	const size_t len = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (pread(fd, img->ph, len, (off_t)eh->e_phoff) != (ssize_t)len)
		return fail(err, errlen, "truncated program header table");
	struct stat st;
	if (fstat(fd, &st))
		return fail(err, errlen, "%s", strerror(errno));
	img->interp[0] = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = &img->ph[i];
		if (ph->p_type == PT_INTERP) {
			if (ph->p_filesz == 0 || ph->p_filesz >= sizeof(img->interp) ||
			    pread(fd, img->interp, ph->p_filesz, (off_t)ph->p_offset) !=
				(ssize_t)ph->p_filesz ||
			    img->interp[ph->p_filesz - 1] != 0)
				return fail(err, errlen, "bad PT_INTERP");
		}
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_filesz > ph->p_memsz)
			return fail(err, errlen, "segment %u: file size beyond memory size", i);
		if (ph->p_offset > (uint64_t)st.st_size ||
		    ph->p_filesz > (uint64_t)st.st_size - ph->p_offset)
			return fail(err, errlen, "segment %u: beyond the end of the file", i);
		if ((ph->p_vaddr - ph->p_offset) & PAGE_OFFSET_MASK)
			return fail(err, errlen,
				    "segment %u: not page-aligned with its file offset", i);
		if (ph->p_vaddr >= USER_SPACE_SIZE || ph->p_memsz > USER_SPACE_SIZE - ph->p_vaddr)
			return fail(err, errlen, "segment %u: outside the address space", i);
	}
	return 0;
}

static int host_prot_of(uint32_t pflags)
{
	return ((pflags & PF_R) ? PROT_READ : 0) | ((pflags & PF_W) ? PROT_WRITE : 0) |
	       ((pflags & PF_X) ? PROT_EXEC : 0);
}

/* Map every PT_LOAD of img at img->bias (chosen here for ET_DYN: `base`,
 * or anywhere when base is 0). */
static int map_segments(struct user_process *p, int fd, struct elf_image *img, uint64_t base,
			char *err, size_t errlen)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < img->eh.e_phnum; i++) {
		const Elf64_Phdr *ph = &img->ph[i];
		if (ph->p_type != PT_LOAD)
			continue;
		if (page_down(ph->p_vaddr) < lo)
			lo = page_down(ph->p_vaddr);
		if (page_up(ph->p_vaddr + ph->p_memsz) > hi)
			hi = page_up(ph->p_vaddr + ph->p_memsz);
	}
	if (hi <= lo)
		return fail(err, errlen, "no loadable segment");
	img->bias = 0;
	if (img->eh.e_type == ET_DYN) {
		const uint64_t at = user_find_room(p, hi - lo, base);
		if (!at)
			return fail(err, errlen, "no room for %llu bytes",
				    (unsigned long long)(hi - lo));
		img->bias = at - lo;
	} else if (lo < USER_MMAP_MIN) {
		return fail(err, errlen, "segment below 0x%llx", (unsigned long long)USER_MMAP_MIN);
	}
	img->phdr = 0;
	img->end = 0;
	for (unsigned i = 0; i < img->eh.e_phnum; i++) {
		const Elf64_Phdr *ph = &img->ph[i];
		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		const uint64_t va = ph->p_vaddr + img->bias;
		const int prot = host_prot_of(ph->p_flags);
		const uint64_t file_end = va + ph->p_filesz;
		const uint64_t mem_end = page_up(va + ph->p_memsz);
		uint64_t mapped_end = page_down(va);
		if (ph->p_filesz) {
			mapped_end = page_up(file_end);
			const int r = user_map(p, page_down(va), mapped_end - page_down(va), prot,
					       MAP_PRIVATE, fd, page_down(ph->p_offset));
			if (r)
				return fail(err, errlen, "cannot map segment %u: %s", i,
					    strerror(-r));
			/* The bss's start shares the last file page: zero it
			 * (the host mapping is writable; see space.c). */
			if (ph->p_memsz > ph->p_filesz && (file_end & PAGE_OFFSET_MASK))
				memset(p->m->ram + file_end, 0, mapped_end - file_end);
		}
		if (mem_end > mapped_end) {
			const int r =
			    user_map(p, mapped_end, mem_end - mapped_end, prot, MAP_PRIVATE, -1, 0);
			if (r)
				return fail(err, errlen, "cannot map bss of segment %u: %s", i,
					    strerror(-r));
		}
		if (img->eh.e_phoff >= ph->p_offset &&
		    img->eh.e_phoff + img->eh.e_phnum * sizeof(Elf64_Phdr) <=
			ph->p_offset + ph->p_filesz)
			img->phdr = va + (img->eh.e_phoff - ph->p_offset);
		if (va + ph->p_memsz > img->end)
			img->end = va + ph->p_memsz;
	}
	for (unsigned i = 0; i < img->eh.e_phnum; i++)
		if (img->ph[i].p_type == PT_PHDR)
			img->phdr = img->ph[i].p_vaddr + img->bias;
	return 0;
}

static int load_file_image(struct user_process *p, const char *path, struct elf_image *img,
			   uint64_t base, char *err, size_t errlen)
{
	const int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "%s", strerror(errno));
	int r = read_headers(fd, img, err, errlen);
	if (!r)
		r = map_segments(p, fd, img, base, err, errlen);
	close(fd);
	return r;
}

/* The initial stack, built downwards from its top. */
struct stack_builder {
	struct user_process *p;
	uint64_t sp;
};

static uint64_t push_bytes(struct stack_builder *s, const void *data, size_t len)
{
	s->sp -= len;
	memcpy(s->p->m->ram + s->sp, data, len);
	return s->sp;
}

static uint64_t push_string(struct stack_builder *s, const char *str)
{
	return push_bytes(s, str, strlen(str) + 1);
}

static uint64_t hwcap_of(const struct machine *m)
{
	const uint64_t misa = m->harts[0]->misa;
	uint64_t cap = 0;
	for (char c = 'A'; c <= 'Z'; c++)
		if (misa & (1ULL << (c - 'A')))
			cap |= HWCAP_LETTER(c);
	return cap;
}

static int build_stack(struct user_process *p, const struct elf_image *exe,
		       const struct elf_image *interp, char *const argv[], char *const envp[],
		       char *err, size_t errlen)
{
	const uint64_t bottom = USER_STACK_TOP - USER_STACK_SIZE;
	const int r =
	    user_map(p, bottom, USER_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, -1, 0);
	if (r)
		return fail(err, errlen, "cannot map the stack: %s", strerror(-r));
	user_name_region(p, bottom, USER_STACK_SIZE, "[stack]");
	size_t argc = 0, envc = 0;
	while (argv[argc])
		argc++;
	while (envp[envc])
		envc++;
	/* Strings must leave room for the vectors below them. */
	size_t strings = strlen(p->exe_path) + 1 + 16;
	for (size_t i = 0; i < argc; i++)
		strings += strlen(argv[i]) + 1;
	for (size_t i = 0; i < envc; i++)
		strings += strlen(envp[i]) + 1;
	if (strings + (argc + envc + 64) * 8 > USER_STACK_SIZE / 4)
		return fail(err, errlen, "argument list too long");

	struct stack_builder s = {p, USER_STACK_TOP};
	p->execfn = push_string(&s, p->exe_path);
	uint64_t *argp = calloc(argc + envc + 1, sizeof(uint64_t));
	if (!argp)
		return fail(err, errlen, "out of memory");
	for (size_t i = envc; i-- > 0;)
		argp[argc + i] = push_string(&s, envp[i]);
	for (size_t i = argc; i-- > 0;)
		argp[i] = push_string(&s, argv[i]);
	uint8_t random[16];
	for (size_t i = 0; i < sizeof(random);) {
		const ssize_t n = getentropy(random + i, sizeof(random) - i) ? -1 : 16;
		if (n < 0) {
			free(argp);
			return fail(err, errlen, "no random bytes: %s", strerror(errno));
		}
		i += (size_t)n;
	}
	const uint64_t at_random = push_bytes(&s, random, sizeof(random));

	const uint64_t auxv[][2] = {
	    {AT_PHDR, exe->phdr},
	    {AT_PHENT, sizeof(Elf64_Phdr)},
	    {AT_PHNUM, exe->eh.e_phnum},
	    {AT_PAGESZ, PAGE_SIZE},
	    {AT_BASE, interp ? interp->bias : 0},
	    {AT_FLAGS, 0},
	    {AT_ENTRY, exe->eh.e_entry + exe->bias},
	    {AT_UID, getuid()},
	    {AT_EUID, geteuid()},
	    {AT_GID, getgid()},
	    {AT_EGID, getegid()},
	    {AT_SECURE, 0},
	    {AT_HWCAP, hwcap_of(p->m)},
	    {AT_CLKTCK, (uint64_t)sysconf(_SC_CLK_TCK)},
	    {AT_RANDOM, at_random},
	    {AT_EXECFN, p->execfn},
	    {AT_NULL, 0},
	};
	const size_t nwords = 1 + argc + 1 + envc + 1 + 2 * (sizeof(auxv) / sizeof(auxv[0]));
	s.sp = (s.sp - nwords * 8) & ~15ULL; /* the ABI's 16-byte aligned sp */
	uint64_t *w = (uint64_t *)(p->m->ram + s.sp);
	*w++ = argc;
	for (size_t i = 0; i < argc; i++)
		*w++ = argp[i];
	*w++ = 0;
	for (size_t i = 0; i < envc; i++)
		*w++ = argp[argc + i];
	*w++ = 0;
	memcpy(w, auxv, sizeof(auxv));
	free(argp);
	p->main->h->x[REG_SP] = s.sp;
	return 0;
}

int user_load(struct user_process *p, const char *path, char *const argv[], char *const envp[],
	      char *err, size_t errlen)
{
	struct elf_image *exe = calloc(1, sizeof(*exe));
	struct elf_image *interp = calloc(1, sizeof(*interp));
	int r = -1;
	if (!exe || !interp) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	if (load_file_image(p, path, exe, USER_PIE_BASE, err, errlen))
		goto out;
	uint64_t entry = exe->eh.e_entry + exe->bias;
	p->exe_base = exe->bias;
	p->exe_entry = entry;
	if (exe->interp[0]) {
		char buf[PATH_MAX];
		const char *ipath = user_path(p, exe->interp, buf, sizeof(buf));
		char ierr[256];
		if (load_file_image(p, ipath, interp, 0, ierr, sizeof(ierr))) {
			fail(err, errlen, "interpreter %s: %s%s", exe->interp, ierr,
			     p->sysroot ? "" : " (is -L or QEMU_LD_PREFIX set to the sysroot?)");
			goto out;
		}
		p->interp_base = interp->bias;
		entry = interp->eh.e_entry + interp->bias;
	}
	p->brk_start = p->brk = page_up(exe->end);
	if (build_stack(p, exe, exe->interp[0] ? interp : NULL, argv, envp, err, errlen))
		goto out;
	p->main->h->pc = entry;
	r = 0;
out:
	free(exe);
	free(interp);
	return r;
}
