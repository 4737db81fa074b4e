/*
 * The command line (cli/options.c): QEMU's spellings and rvjit's, what they
 * set in struct options and the board description, one error line naming
 * the option, and a --help that lists what the parser accepts.
 */
#include "cli/options.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

/* Parse a NULL-terminated list of words (argv[0] added); returns the
 * status and leaves the error line in err. */
static int parse(struct options *o, char *err, size_t errlen, const char *const *words)
{
	char *argv[MAX_ARGS + 1] = {"rvjit"};
	int argc = 1;
	while (words[argc - 1]) {
		cr_assert_lt(argc, MAX_ARGS);
		argv[argc] = (char *)words[argc - 1];
		argc++;
	}
	return options_parse(o, argc, argv, err, errlen);
}

#define PARSE(o, err, ...) parse(o, err, sizeof(err), (const char *const[]){__VA_ARGS__, NULL})

Test(options, qemu_spellings_fill_the_board)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-machine", "virt", "-m", "256M", "--smp", "cpus=2", "-append",
			   "console=ttyS0", "-global", "virtio-mmio.force-legacy=false", "k.elf"),
		     0, "%s", err);
	cr_expect_eq(o.board.ram_size, 256ULL << 20);
	cr_expect_eq(o.board.nharts, 2);
	cr_expect_str_eq(o.board.kernel, "k.elf");
	cr_expect_str_eq(o.board.bios, "none", "a bare PROGRAM boots without firmware");
	cr_expect_str_eq(o.board.append, "console=ttyS0");
	cr_expect_not(o.board.virtio_legacy);
	options_free(&o);
}

Test(options, defaults)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-kernel", "k"), 0, "%s", err);
	cr_expect_eq(o.board.ram_size, 128ULL << 20);
	cr_expect_eq(o.board.nharts, 1);
	cr_expect_null(o.board.bios, "-kernel alone keeps -bios default");
	cr_expect(o.board.virtio_legacy);
	cr_expect_eq(o.icount_shift, -1);
	cr_expect_eq(o.jit_cache, 64ULL << 20);
	options_free(&o);
}

Test(options, drives_and_devices)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-drive", "file=a.img,if=none,format=raw,id=d0,readonly=on",
			   "-device", "virtio-blk-device,drive=d0,bus=virtio-mmio-bus.3", "-drive",
			   "file=b.img,if=virtio", "-device", "loader,file=f.bin,addr=0x80100000",
			   "-snapshot", "k"),
		     0, "%s", err);
	cr_assert_eq(o.board.ndrives, 2);
	cr_expect_str_eq(o.board.drives[0].file, "a.img");
	cr_expect_str_eq(o.board.drives[0].id, "d0");
	cr_expect_str_eq(o.board.drives[0].format, "raw");
	cr_expect(o.board.drives[0].readonly);
	cr_expect_eq(o.board.drives[0].slot, 3);
	cr_expect_null(o.board.drives[1].format, "no format=: probed");
	cr_expect_eq(o.board.drives[1].slot, -1, "if=virtio: the board picks the slot");
	cr_assert_eq(o.board.nloaders, 1);
	cr_expect_eq(o.board.loaders[0].addr, 0x80100000);
	cr_expect(o.board.snapshot);
	options_free(&o);
}

Test(options, later_options_win)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-s", "-gdb", "none", "k"), 0, "%s", err);
	cr_expect_null(o.gdb);
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "-gdb", "none", "-s", "k"), 0, "%s", err);
	cr_expect_str_eq(o.gdb, "tcp::1234");
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "--threads", "1", "-accel", "tcg,thread=multi", "k"), 0, "%s",
		     err);
	cr_expect_not(o.single_thread);
	options_free(&o);
}

struct error_case {
	const char *words[4];
	const char *message;
};

/* The error line names the option as typed, and the reason. */
Test(options, one_error_line_naming_the_option)
{
	static const struct error_case cases[] = {
	    {{"--frobnicate"}, "unknown option '--frobnicate' (see --help)"},
	    {{"-kernel"}, "-kernel: missing argument"},
	    {{"k", "--jit-cache"}, "--jit-cache: missing argument"},
	    {{"--display", "sdl", "k"}, "--display: only 'none' is supported"},
	    {{"-m", "lots", "k"}, "-m: 'lots' is not a RAM size from 1M to 64G"},
	    {{"a", "b"}, "more than one program given ('a' and 'b')"},
	    {{"-initrd", "i"}, "-initrd: needs -kernel (the initrd goes after it)"},
	    {{"-drive", "file=a,if=none,id=x", "k"},
	     "-drive id=x: no -device virtio-blk-device uses it"},
	    {{0}, "no program given: rvjit [options] PROGRAM, or -kernel FILE (see --help)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options o;
		char err[256] = "";
		const char *words[5] = {0};
		memcpy(words, cases[i].words, sizeof(cases[i].words));
		cr_expect_eq(parse(&o, err, sizeof(err), words), -1, "case %zu", i);
		cr_expect_str_eq(err, cases[i].message);
		cr_expect_null(strchr(err, '\n'));
		options_free(&o);
	}
}

/* Every option --help lists is one the parser knows, in both spellings. */
Test(options, help_lists_only_known_options)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	options_usage(f);
	fclose(f);
	cr_assert(strstr(text, "\n-gdb "), "xv6's Makefile greps -help for '^-gdb'");
	unsigned listed = 0;
	char *rest = NULL; /* strtok_r: options_parse uses strtok */
	for (char *line = strtok_r(text, "\n", &rest); line; line = strtok_r(NULL, "\n", &rest)) {
		while (*line == ' ')
			line++;
		if (line[0] != '-')
			continue;
		char name[64];
		const size_t len = strcspn(line, " ,[");
		cr_assert_lt(len, sizeof(name));
		memcpy(name, line, len);
		name[len] = '\0';
		const char *spelling = name[1] == '-' ? name + 1 : name; /* --interp */
		char dashed[66];
		snprintf(dashed, sizeof(dashed), "-%s", spelling);
		const char *const forms[] = {spelling, dashed};
		for (int k = 0; k < 2; k++) {
			struct options o;
			char err[256] = "";
			/* "x" may be a bad argument: only "unknown" matters. */
			PARSE(&o, err, forms[k], "x", "k");
			cr_expect_null(strstr(err, "unknown option"), "%s: %s", forms[k], err);
			options_free(&o);
		}
		listed++;
	}
	cr_expect_geq(listed, 30);
	free(text);
}
