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

/* QEMU resolves drive= after parsing every option: the Debian wiki's
 * order (-device first) works. */
Test(options, device_before_its_drive)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-device", "virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.2",
			   "-drive", "file=x.img,format=raw,id=hd0", "k"),
		     0, "%s", err);
	cr_assert_eq(o.board.ndrives, 1);
	cr_expect_str_eq(o.board.drives[0].id, "hd0");
	cr_expect_eq(o.board.drives[0].slot, 2);
	cr_expect_not(o.board.drives[0].no_device);
	options_free(&o);
}

/* On QEMU 7.2's riscv virt, -hda and a -drive without if= or id= are
 * if=none drives "noneN" that the guest sees only through a -device. */
Test(options, index_drives_are_none_n)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-hda", "a.img", "-drive", "file=b.img", "-hdc", "c.img", "k"),
		     0, "%s", err);
	cr_assert_eq(o.board.ndrives, 3);
	cr_expect_str_eq(o.board.drives[0].id, "none0");
	cr_expect_str_eq(o.board.drives[1].id, "none1");
	cr_expect_str_eq(o.board.drives[2].id, "none2");
	cr_expect_str_eq(o.board.drives[2].file, "c.img");
	for (int i = 0; i < 3; i++)
		cr_expect(o.board.drives[i].no_device, "drive %d: no device names it", i);
	options_free(&o);
	cr_assert_eq(
	    PARSE(&o, err, "-device", "virtio-blk-device,drive=none0", "-hda", "a.img", "k"), 0,
	    "%s", err);
	cr_expect_not(o.board.drives[0].no_device);
	cr_expect_null(o.board.drives[0].format, "probed, as QEMU's -hda");
	options_free(&o);
}

Test(options, blockdev_chains)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-device", "virtio-blk-device,drive=q0", "-blockdev",
			   "driver=file,node-name=f0,filename=a.qcow2,read-only=on", "-blockdev",
			   "driver=qcow2,node-name=q0,file=f0", "-blockdev",
			   "driver=raw,node-name=r0,file.driver=file,file.filename=b.img",
			   "-device", "virtio-blk-device,drive=r0", "-blockdev",
			   "driver=file,node-name=f2,filename=c.img", "-device",
			   "virtio-blk-device,drive=f2", "k"),
		     0, "%s", err);
	cr_assert_eq(o.board.ndrives, 3);
	cr_expect_str_eq(o.board.drives[0].file, "a.qcow2");
	cr_expect_str_eq(o.board.drives[0].format, "qcow2");
	cr_expect(o.board.drives[0].readonly, "read-only on the protocol node");
	cr_expect_str_eq(o.board.drives[1].file, "b.img");
	cr_expect_str_eq(o.board.drives[1].format, "raw");
	cr_expect_str_eq(o.board.drives[2].file, "c.img");
	cr_expect_str_eq(o.board.drives[2].format, "raw", "a device on a file node reads it raw");
	cr_expect(o.board.drives[2].blockdev, "-snapshot leaves -blockdev drives alone");
	options_free(&o);
}

Test(options, process_options)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-machine", "virt,accel=tcg", "-name", "xv6", "-pidfile",
			   "/tmp/p", "-no-shutdown", "k"),
		     0, "%s", err);
	cr_expect_str_eq(o.name, "xv6");
	cr_expect_str_eq(o.pidfile, "/tmp/p");
	cr_expect(o.no_shutdown);
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "-machine", "virt,accel=kvm:tcg", "k"), 0,
		     "QEMU falls back along the list: %s", err);
	cr_expect_not(o.no_serial);
	cr_expect_not(o.no_monitor);
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "-name", "guest=vm1", "-daemonize", "k"), 0, "%s", err);
	cr_expect_str_eq(o.name, "vm1");
	cr_expect(o.daemonize);
	cr_expect(o.no_serial && o.no_monitor, "a daemon has no stdio console");
	options_free(&o);
}

Test(options, nodefaults_keeps_what_is_given)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-nodefaults", "k"), 0, "%s", err);
	cr_expect(o.no_serial);
	cr_expect(o.no_monitor);
	options_free(&o);
	cr_assert_eq(
	    PARSE(&o, err, "-monitor", "stdio", "-nodefaults", "-serial", "mon:stdio", "k"), 0,
	    "%s", err);
	cr_expect_not(o.no_serial);
	cr_expect_not(o.no_monitor);
	options_free(&o);
}

Test(options, log_items)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-d", "help"), 0, "-d help needs no program: %s", err);
	cr_expect(o.log_help);
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "-d", "in_asm,nochain,int", "-d",
			   "cpu,fpu,guest_errors,unimp,page", "k"),
		     0, "%s", err);
	cr_expect_eq(o.log_mask, LOG_IN_ASM | LOG_NOCHAIN | LOG_INT | LOG_CPU | LOG_FPU |
				     LOG_GUEST_ERRORS | LOG_UNIMP | LOG_PAGE);
	options_free(&o);

	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	options_log_help(f);
	fclose(f);
	cr_expect(!strncmp(text, "Log items (comma separated):\nout_asm         show", 46), "%s",
		  text);
	cr_expect(strstr(text, "\nnochain         "));
	cr_expect(strstr(text, "\ncpu             show CPU registers before entering a TB"));
	/* QEMU 7.2's words, its second lines unindented as QEMU prints them */
	cr_expect(strstr(text, "\nunimp           log unimplemented functionality\n"
			       "guest_errors    log when the guest OS does something invalid (eg "
			       "accessing a\nnon-existent register)\npage            dump pages"),
		  "%s", text);
	cr_expect_null(strstr(text, "\nmmu "), "only what rvjit does");
	free(text);
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
	const char *words[6];
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
	    {{"-device", "virtio-blk-device,drive=nope", "k"},
	     "-device virtio-blk-device,drive=nope: no drive with id 'nope' (give -drive id= or "
	     "-blockdev node-name=)"},
	    {{"-device", "virtio-blk-device,drive=x", "-device", "virtio-blk-device,drive=x",
	      "-drive", "file=a,id=x"},
	     "-device virtio-blk-device,drive=x: drive 'x' is already in use"},
	    {{"-machine", "virt,accel=kvm", "k"}, "-machine: invalid accelerator 'kvm' (only tcg)"},
	    {{"-machine", "virt,accel=kvm:xen", "k"},
	     "-machine: invalid accelerator 'kvm:xen' (only tcg)"},
	    {{"-d", "mmu", "k"},
	     "-d: log item 'mmu' is not supported (MMU activity is not logged)"},
	    {{"-d", "cpu_reset", "k"},
	     "-d: log item 'cpu_reset' is not supported (reset state is not logged)"},
	    {{"-d", "bogus", "k"}, "-d: unknown log item 'bogus' (see -d help for the list)"},
	    {{"-name", "a,debug-threads=on", "k"},
	     "-name: unsupported parameter 'debug-threads' (only guest=)"},
	    {{"-daemonize", "-nographic", "k"}, "-nographic cannot be used with -daemonize"},
	    {{"-daemonize", "-serial", "stdio", "k"},
	     "-serial stdio: cannot use stdio with -daemonize"},
	    {{"-monitor", "stdio", "-daemonize", "k"},
	     "-monitor stdio: cannot use stdio with -daemonize"},
	    {{"-hda", "a", "-hda", "b"}, "-hda: drive index 0 is already in use"},
	    {{"-blockdev", "driver=vmdk,node-name=v", "k"},
	     "-blockdev: unsupported driver 'vmdk' (supported: file, raw, qcow2)"},
	    {{"-blockdev", "driver=file,node-name=f,filename=a,locking=off", "k"},
	     "-blockdev: unsupported parameter 'locking'"},
	    {{"-blockdev", "driver=file,filename=a", "k"},
	     "-blockdev: missing node-name= (a device names the node)"},
	    {{"-blockdev", "driver=raw,node-name=r", "k"},
	     "-blockdev driver=raw: needs file=NODE or file.driver=file,file.filename=F"},
	    {{"-blockdev", "driver=raw,node-name=r,file=zz", "-device",
	      "virtio-blk-device,drive=r"},
	     "-blockdev node-name=r: no node 'zz' for file="},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options o;
		char err[256] = "";
		const char *words[7] = {0};
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

/* -smp reaches the board as the number of harts to start (QEMU's cpus,
 * not maxcpus: virt has no hotplug), and a bad topology is one error. */
Test(options, smp_topology_sets_the_harts)
{
	struct options o;
	char err[256];
	cr_assert_eq(PARSE(&o, err, "-smp", "4,maxcpus=8", "-smp", "sockets=2", "k.elf"), 0, "%s",
		     err);
	cr_expect_eq(o.board.nharts, 4);
	cr_expect_eq(o.smp.maxcpus, 8);
	cr_expect_eq(o.smp.sockets, 2);
	cr_expect_eq(o.smp.cores, 4);
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "-smp", "64", "k.elf"), 0, "%s", err);
	cr_expect_eq(o.board.nharts, 64);
	options_free(&o);
	cr_assert_eq(PARSE(&o, err, "-smp", "6,sockets=4", "k.elf"), -1);
	cr_expect_str_eq(err, "Invalid CPU topology: product of the hierarchy must match maxcpus: "
			      "sockets (4) * cores (1) * threads (1) != maxcpus (6)");
	options_free(&o);
}
