/*
 * The outside oracle's driver (oracle.h): each program runs as a
 * bare-metal image in qemu-system-riscv64 and in rvjit's engines, side by
 * side, and rvjit's final states must match QEMU's.
 *
 *   oracle_qemu [OPTIONS] N SEED [MAX_ITEMS]
 *       N programs from seeds SEED, SEED+1, ... (the bounded campaign);
 *   oracle_qemu [OPTIONS] --forever SEED [MAX_ITEMS]
 *       until interrupted (the unbounded one);
 *   oracle_qemu [OPTIONS] --replay FILE...
 *       every reproducer line of each FILE (test/regress/).
 * Options:
 *   --harness ELF    the harness (built from oracle_harness.S)
 *   --rvjit PATH     rvjit, run with the translator and with --interp
 *   --qemu PATH      default qemu-system-riscv64
 *   --cpu MODEL      rvjit's -cpu (default below)
 *   --qemu-cpu MODEL QEMU's -cpu (default below)
 *   --regress DIR    write each minimised divergence there as a file
 *   --user HARNESS   user mode instead: HARNESS (built from oracle_user.c)
 *                    runs each program (one hart) under qemu-riscv64 and
 *                    under rvjit-user in both engines
 *   --rvjit-user PATH, --qemu-user PATH (default qemu-riscv64)
 *   --keep           keep the work directory (images, outputs)
 * A divergence is minimised (rvgen_minimise_by, judged by the oracle) and
 * printed as a reproducer line. Exit status 1 when any program diverged,
 * 2 on a usage or setup error.
 */
#include "oracle.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The same harts on both sides: QEMU 7.2's rv64 without the H extension
 * (rvjit has none yet), and rvjit's rv64 made what QEMU 7.2's is: the bit
 * manipulation extensions, no Svadu (7.2 has none). QEMU 7.2 lets
 * menvcfg's PBMTE, CBIE, CBCFE and CBZE be set without Svpbmt, Zicbom or
 * Zicboz, so rvjit has those on, and the oracle's programs neither page
 * nor use the cache-block instructions (rvgen.c). */
#define QEMU_CPU  "rv64,h=off"
#define RVJIT_CPU "rv64,zba=on,zbb=on,zbc=on,zbs=on,zicbom=on,zicboz=on,svadu=off,svpbmt=on"

/* A program that has not printed its state by then hangs. */
#define RUN_TIMEOUT_MS 10000

struct engine {
	const char *name;
	const char *flag; /* an extra rvjit option, or NULL */
};
static const struct engine engines[] = {{"translator", NULL}, {"interpreter", "--interp"}};
#define NENGINES (sizeof(engines) / sizeof(engines[0]))

static const char *opt_harness, *opt_regress;
static const char *opt_rvjit, *opt_qemu = "qemu-system-riscv64";
static const char *opt_user, *opt_rvjit_user, *opt_qemu_user = "qemu-riscv64";
static const char *opt_cpu = RVJIT_CPU, *opt_qemu_cpu = QEMU_CPU;
static char workdir[] = "/tmp/rvjit-oracle-XXXXXX";
static uint8_t harness[ORACLE_RAM_SIZE], initial_ram[ORACLE_RAM_SIZE];

/* Start argv with stdout and stderr in files of the work directory. */
static pid_t start(char *const *argv, const char *tag)
{
	char out[PATH_MAX], err[PATH_MAX];
	snprintf(out, sizeof(out), "%s/%s.out", workdir, tag);
	snprintf(err, sizeof(err), "%s/%s.err", workdir, tag);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid;
	const int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e) {
		fprintf(stderr, "oracle: cannot run %s: %s\n", argv[0], strerror(e));
		return -1;
	}
	return pid;
}

/* Wait for every child, killing those still running at the deadline. */
static void wait_all(pid_t *pids, unsigned n)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned left = 0;
	for (unsigned i = 0; i < n; i++)
		left += pids[i] > 0;
	while (left) {
		for (unsigned i = 0; i < n; i++)
			if (pids[i] > 0 && waitpid(pids[i], NULL, WNOHANG) == pids[i]) {
				pids[i] = 0;
				left--;
			}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		const long ms =
		    (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms > RUN_TIMEOUT_MS)
			for (unsigned i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
		if (left)
			nanosleep(&(struct timespec){0, 2000000}, NULL);
	}
}

static char *slurp(const char *tag)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s.out", workdir, tag);
	FILE *f = fopen(path, "rb");
	if (!f)
		return strdup("");
	static char buf[1 << 20];
	const size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strdup(buf);
}

/* Run p everywhere; the number of differences (printed to out). */
static unsigned run_program(const struct rvgen_program *p, FILE *out)
{
	char image[PATH_MAX], smp[12];
	snprintf(image, sizeof(image), "%s/image.elf", workdir);
	snprintf(smp, sizeof(smp), "%u", p->nharts ? p->nharts : 1);
	if (!oracle_image_write(p, harness, initial_ram, image)) {
		fprintf(stderr, "oracle: %s: %s\n", image, strerror(errno));
		exit(2);
	}
	pid_t pids[1 + NENGINES];
	if (opt_user) {
		char *qemu_argv[] = {(char *)opt_qemu_user, "-cpu", (char *)opt_qemu_cpu,
				     (char *)opt_user,	    image,  NULL};
		pids[0] = start(qemu_argv, "qemu");
		for (unsigned e = 0; e < NENGINES; e++) {
			/* The options come before the program. */
			char *argv[7], **a = argv;
			*a++ = (char *)opt_rvjit_user;
			if (engines[e].flag)
				*a++ = (char *)engines[e].flag;
			*a++ = "-cpu";
			*a++ = (char *)opt_cpu;
			*a++ = (char *)opt_user;
			*a++ = image;
			*a = NULL;
			pids[1 + e] = start(argv, engines[e].name);
		}
	} else {
		char *qemu_argv[] = {
		    (char *)opt_qemu, "-machine", "virt",    "-cpu", (char *)opt_qemu_cpu,
		    "-smp",	      smp,	  "-m",	     "256M", "-nographic",
		    "-bios",	      "none",	  "-kernel", image,  NULL};
		pids[0] = start(qemu_argv, "qemu");
		for (unsigned e = 0; e < NENGINES; e++) {
			char *argv[] = {(char *)opt_rvjit,
					"-machine",
					"virt",
					"-cpu",
					(char *)opt_cpu,
					"-smp",
					smp,
					"-m",
					"256M",
					"-nographic",
					"-bios",
					"none",
					"-kernel",
					image,
					(char *)engines[e].flag,
					NULL};
			pids[1 + e] = start(argv, engines[e].name);
		}
	}
	wait_all(pids, 1 + NENGINES);
	static struct oracle_state qemu, mine;
	char *text = slurp("qemu");
	oracle_parse(text, &qemu);
	free(text);
	unsigned diffs = 0;
	for (unsigned e = 0; e < NENGINES; e++) {
		text = slurp(engines[e].name);
		oracle_parse(text, &mine);
		free(text);
		diffs += oracle_compare(p, initial_ram, &qemu, &mine, engines[e].name, out);
	}
	return diffs;
}

static bool oracle_diverges(const struct rvgen_program *p, void *unused)
{
	(void)unused;
	return run_program(p, NULL) != 0;
}

/* A divergence: shrink it, show it, and keep it as a regression file. */
static void report(struct rvgen_program *p, const char *what)
{
	printf("%s diverges from QEMU (%u items); minimising\n", what, p->n);
	fflush(stdout);
	rvgen_minimise_by(p, oracle_diverges, NULL);
	run_program(p, stdout);
	printf("reproducer (%u items):\n", p->n);
	rvgen_print(stdout, p);
	fflush(stdout);
	if (!opt_regress)
		return;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/oracle-%s-%" PRIu64 "-%u.txt", opt_regress,
		 opt_user ? "user" : "system", p->state_seed, p->n);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "oracle: %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "# %s diverged from QEMU; found by oracle_qemu --cpu %s --qemu-cpu %s\n", what,
		opt_cpu, opt_qemu_cpu);
	rvgen_print(f, p);
	fclose(f);
	printf("written to %s\n", path);
}

static int replay(char **files, int n)
{
	unsigned programs = 0, bad = 0;
	static struct rvgen_program p;
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(files[i], "r");
		if (!f) {
			perror(files[i]);
			return 2;
		}
		char line[16384];
		unsigned lineno = 0;
		while (fgets(line, sizeof(line), f)) {
			lineno++;
			if (line[0] == '#' || line[0] == '\n')
				continue;
			programs++;
			if (!rvgen_parse(line, &p) || !p.oracle) {
				printf("FAIL: %s:%u: not an oracle reproducer line\n", files[i],
				       lineno);
				bad++;
			} else if (run_program(&p, stdout)) {
				printf("FAIL: %s:%u diverges from QEMU\n", files[i], lineno);
				bad++;
			}
		}
		fclose(f);
	}
	printf("%u programs replayed, %u failed\n", programs, bad);
	return bad ? 1 : 0;
}

static void cleanup(void)
{
	static const char *const tags[] = {"qemu", "translator", "interpreter"};
	char path[PATH_MAX];
	for (unsigned i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.out", workdir, tags[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s.err", workdir, tags[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/image.elf", workdir);
	unlink(path);
	rmdir(workdir);
}

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s --harness ELF (--rvjit PATH [--qemu PATH] | --user HARNESS --rvjit-user "
		"PATH [--qemu-user PATH])\n"
		"       [--cpu MODEL] [--qemu-cpu MODEL] [--regress DIR] [--keep]\n"
		"       (N SEED [MAX_ITEMS] | --forever SEED [MAX_ITEMS] | --replay FILE...)\n",
		argv0);
	return 2;
}

int main(int argc, char **argv)
{
	bool keep = false, forever = false, replaying = false;
	int i = 1;
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *o = argv[i];
		if (!strcmp(o, "--keep"))
			keep = true;
		else if (!strcmp(o, "--forever"))
			forever = true;
		else if (!strcmp(o, "--replay")) {
			replaying = true;
			i++;
			break;
		} else if (i + 1 < argc && !strcmp(o, "--harness"))
			opt_harness = argv[++i];
		else if (i + 1 < argc && !strcmp(o, "--rvjit"))
			opt_rvjit = argv[++i];
		else if (i + 1 < argc && !strcmp(o, "--qemu"))
			opt_qemu = argv[++i];
		else if (i + 1 < argc && !strcmp(o, "--cpu"))
			opt_cpu = argv[++i];
		else if (i + 1 < argc && !strcmp(o, "--qemu-cpu"))
			opt_qemu_cpu = argv[++i];
		else if (i + 1 < argc && !strcmp(o, "--regress"))
			opt_regress = argv[++i];
		else if (i + 1 < argc && !strcmp(o, "--user"))
			opt_user = argv[++i];
		else if (i + 1 < argc && !strcmp(o, "--rvjit-user"))
			opt_rvjit_user = argv[++i];
		else if (i + 1 < argc && !strcmp(o, "--qemu-user"))
			opt_qemu_user = argv[++i];
		else
			return usage(argv[0]);
	}
	if (!opt_harness || (opt_user ? !opt_rvjit_user : !opt_rvjit) ||
	    (replaying ? i >= argc : argc - i < (forever ? 1 : 2)))
		return usage(argv[0]);
	char err[256];
	if (!oracle_harness_load(opt_harness, harness, err, sizeof(err))) {
		fprintf(stderr, "oracle: %s\n", err);
		return 2;
	}
	if (!mkdtemp(workdir)) {
		perror("oracle: mkdtemp");
		return 2;
	}
	if (!keep)
		atexit(cleanup);
	else
		printf("work directory: %s\n", workdir);
	if (replaying)
		return replay(argv + i, argc - i);
	const uint64_t n = forever ? UINT64_MAX : strtoull(argv[i++], NULL, 0);
	const uint64_t seed0 = strtoull(argv[i++], NULL, 0);
	const unsigned max_items = i < argc ? (unsigned)strtoul(argv[i], NULL, 0) : 48;
	static struct rvgen_program p;
	unsigned diverged = 0;
	for (uint64_t k = 0; k < n; k++) {
		if (forever && k && k % 1000 == 0) {
			printf("%" PRIu64 " programs, %u diverged\n", k, diverged);
			fflush(stdout);
		}
		struct rvgen_rng r;
		rvgen_rng_seed(&r, seed0 + k);
		r.oracle = true;
		r.user = opt_user != NULL;
		rvgen_generate(&r, &p, max_items);
		if (!run_program(&p, NULL))
			continue;
		diverged++;
		char what[64];
		snprintf(what, sizeof(what), "seed %" PRIu64, seed0 + k);
		report(&p, what);
	}
	printf("%" PRIu64 " programs, %u diverged\n", n, diverged);
	return diverged ? 1 : 0;
}
