/*
 * rvjit-user: run a riscv64 Linux program on this host, as qemu-riscv64
 * does, with the same options and environment variables (QEMU_LD_PREFIX,
 * QEMU_STRACE, ...), in the translator or (--interp) the interpreter.
 */
#include "cli/options.h"
#include "jit/jit.h"
#include "process.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#define BINFMT_MAGIC                                                                               \
	"\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xf3\\x00"
#define BINFMT_MASK                                                                                \
	"\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\x" \
	"ff\\xff\\xff"

struct user_options {
	bool interp, strace, stats, perf_map;
	uint64_t jit_cache; /* code buffer bytes */
	const char *sysroot, *argv0, *cpu, *log_items, *log_file, *gdb_port;
	char **set_env, **unset_env;
	size_t nset, nunset;
	char *set_env_copy, *unset_env_copy; /* QEMU_SET_ENV, QEMU_UNSET_ENV's lists */
	int prog;			     /* argv index of the program */
};

static void usage(FILE *f)
{
	fputs("usage: rvjit-user [options] program [arguments...]\n"
	      "Run a riscv64 Linux program on this host (as qemu-riscv64 does).\n\n"
	      "Options and the environment variables that set them:\n"
	      "  -h, -help                print this help\n"
	      "  -version                 print the version\n"
	      "  -L path       QEMU_LD_PREFIX   look up absolute paths (the program's\n"
	      "                                 interpreter, its libraries) under path first\n"
	      "  -E var=value  QEMU_SET_ENV     set an environment variable for the program\n"
	      "  -U var        QEMU_UNSET_ENV   remove one from the program's environment\n"
	      "  -0 argv0      QEMU_ARGV0       the program's argv[0] (default: program)\n"
	      "  -cpu model    QEMU_CPU         the CPU, as rvjit's -cpu (rv64, max, rva22u64...)\n"
	      "  -strace       QEMU_STRACE      log every system call to stderr\n"
	      "  -d item,...   QEMU_LOG         log the items (-d help lists them)\n"
	      "  -D logfile    QEMU_LOG_FILENAME  write -d and -strace output to logfile\n"
	      "  -g port       QEMU_GDB         wait for gdb on port before the first instruction\n"
	      "rvjit's own:\n"
	      "  --interp                 run in the interpreter, not the translator\n"
	      "  --stats                  print execution statistics at exit\n"
	      "  --perf-map               name translated blocks in /tmp/perf-PID.map for perf\n"
	      "  --jit-cache SIZE         the translated-code buffer (default 64M, at least 1M)\n"
	      "  --binfmt-line            print the binfmt_misc registration that runs\n"
	      "                           riscv64 programs by name through this rvjit-user\n",
	      f);
}

static bool push(char ***v, size_t *n, char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (!nv)
		return false;
	nv[(*n)++] = s;
	*v = nv;
	return true;
}

static void binfmt_line(void)
{
	char self[PATH_MAX];
	const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	/* F: the kernel opens the interpreter now, so it works in chroots
	 * and containers; P would pass argv[0] through (rvjit-user does not
	 * take the extra argument). */
	printf(":rvjit-riscv64:M::" BINFMT_MAGIC ":" BINFMT_MASK ":%s:F\n", self);
}

/* QEMU_SET_ENV / QEMU_UNSET_ENV: comma-separated lists, as -E / -U
 * take one item each. The list's copy is kept for the run. */
static bool push_list(char ***v, size_t *n, const char *list, char **copy_out)
{
	if (!list)
		return true;
	char *copy = strdup(list);
	*copy_out = copy;
	if (!copy)
		return false;
	for (char *save = NULL, *item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save))
		if (!push(v, n, item))
			return false;
	return true;
}

/* Returns the argv index of the program, or -1 (with a message), or -2
 * (done: help, version). */
static int parse(struct user_options *o, int argc, char **argv)
{
	o->sysroot = getenv("QEMU_LD_PREFIX");
	o->strace = getenv("QEMU_STRACE") != NULL;
	o->cpu = getenv("QEMU_CPU");
	o->argv0 = getenv("QEMU_ARGV0");
	o->log_items = getenv("QEMU_LOG");
	o->log_file = getenv("QEMU_LOG_FILENAME");
	o->gdb_port = getenv("QEMU_GDB");
	o->jit_cache = 64ULL << 20;
	if (!push_list(&o->set_env, &o->nset, getenv("QEMU_SET_ENV"), &o->set_env_copy) ||
	    !push_list(&o->unset_env, &o->nunset, getenv("QEMU_UNSET_ENV"), &o->unset_env_copy))
		return -1;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i] + (argv[i][1] == '-' ? 2 : 1);
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(opt, "h") || !strcmp(opt, "help")) {
			usage(stdout);
			return -2;
		} else if (!strcmp(opt, "version")) {
			printf("rvjit-user version 1.0 (riscv64 Linux user mode)\n");
			return -2;
		} else if (!strcmp(opt, "binfmt-line")) {
			binfmt_line();
			return -2;
		} else if (!strcmp(opt, "interp")) {
			o->interp = true;
			takes = false;
		} else if (!strcmp(opt, "stats")) {
			o->stats = true;
			takes = false;
		} else if (!strcmp(opt, "jit-cache")) {
			if (!arg || !options_parse_size(arg, true, &o->jit_cache) ||
			    o->jit_cache < (1ULL << 20)) {
				fprintf(
				    stderr,
				    "rvjit-user: --jit-cache: '%s' is not a size of 1M or more\n",
				    arg ? arg : "");
				return -1;
			}
		} else if (!strcmp(opt, "perf-map")) {
			o->perf_map = true;
			takes = false;
		} else if (!strcmp(opt, "strace")) {
			o->strace = true;
			takes = false;
		} else if (!arg && (!strcmp(opt, "L") || !strcmp(opt, "E") || !strcmp(opt, "U") ||
				    !strcmp(opt, "0") || !strcmp(opt, "cpu") || !strcmp(opt, "d") ||
				    !strcmp(opt, "g") || !strcmp(opt, "D"))) {
			fprintf(stderr, "rvjit-user: option '%s' needs an argument\n", argv[i]);
			return -1;
		} else if (!strcmp(opt, "g")) {
			o->gdb_port = arg;
		} else if (!strcmp(opt, "L")) {
			o->sysroot = arg;
		} else if (!strcmp(opt, "E")) {
			if (!strchr(arg, '=')) {
				fprintf(stderr, "rvjit-user: -E %s: expected var=value\n", arg);
				return -1;
			}
			if (!push(&o->set_env, &o->nset, (char *)arg))
				return -1;
		} else if (!strcmp(opt, "U")) {
			if (!push(&o->unset_env, &o->nunset, (char *)arg))
				return -1;
		} else if (!strcmp(opt, "0")) {
			o->argv0 = arg;
		} else if (!strcmp(opt, "cpu")) {
			o->cpu = arg;
		} else if (!strcmp(opt, "d")) {
			o->log_items = arg;
		} else if (!strcmp(opt, "D")) {
			o->log_file = arg;
		} else {
			fprintf(stderr, "rvjit-user: unknown option '%s' (-h lists them)\n",
				argv[i]);
			return -1;
		}
		if (takes)
			i++;
	}
	if (i >= argc) {
		fprintf(stderr, "rvjit-user: no program given (-h for help)\n");
		return -1;
	}
	return i;
}

/* The guest's environment: ours, with -E and -U applied. */
static char **guest_environment(const struct user_options *o)
{
	char **env = NULL;
	size_t n = 0;
	for (char **e = environ; *e; e++) {
		bool drop = false;
		for (size_t i = 0; i < o->nunset; i++) {
			const size_t len = strlen(o->unset_env[i]);
			drop |= !strncmp(*e, o->unset_env[i], len) && (*e)[len] == '=';
		}
		for (size_t i = 0; i < o->nset; i++) {
			const size_t len = (size_t)(strchr(o->set_env[i], '=') - o->set_env[i]) + 1;
			drop |= !strncmp(*e, o->set_env[i], len);
		}
		if (!drop && !push(&env, &n, *e))
			return NULL;
	}
	for (size_t i = 0; i < o->nset; i++)
		if (!push(&env, &n, o->set_env[i]))
			return NULL;
	return push(&env, &n, NULL) ? env : NULL;
}

/* What execve of another riscv64 program passes on: the engine, the
 * sysroot, the CPU and -strace. */
static char **self_arguments(const struct user_options *o, const char *self, int *count)
{
	char **v = NULL;
	size_t n = 0;
	bool ok = push(&v, &n, (char *)self);
	if (o->interp)
		ok = ok && push(&v, &n, "--interp");
	if (o->strace)
		ok = ok && push(&v, &n, "-strace");
	if (o->sysroot)
		ok = ok && push(&v, &n, "-L") && push(&v, &n, (char *)o->sysroot);
	if (o->cpu)
		ok = ok && push(&v, &n, "-cpu") && push(&v, &n, (char *)o->cpu);
	*count = (int)n;
	return ok ? v : NULL;
}

_Noreturn void user_exit(struct user_process *p, int code)
{
	fflush(NULL);
	user_gdb_exit(p, code);
	if (p->stats) {
		/* Every thread's (other threads may still run: roughly). */
		uint64_t instret = 0;
		for (unsigned i = 0; i < p->m->nharts; i++)
			instret += __atomic_load_n(&p->m->harts[i]->instret, __ATOMIC_RELAXED);
		struct jit_stats js = {0};
		if (p->m->run_hart)
			jit_get_stats(p->m, &js);
		fprintf(stderr,
			"rvjit-user: %llu instructions, %llu system calls, %llu blocks translated, "
			"%llu code flushes\n",
			(unsigned long long)instret, (unsigned long long)p->syscalls,
			(unsigned long long)js.blocks_translated, (unsigned long long)js.flushes);
	}
	_exit(code);
}

/* Everything main made, on its way out (an error before the program ran;
 * once it runs the process ends in user_exit). */
static void process_free(struct user_process *p)
{
	if (!p)
		return;
	if (p->m)
		jit_detach(p->m);
	machine_free(p->m);
	for (size_t i = 0; i < p->nregions; i++)
		free(p->regions[i].name);
	free(p->regions);
	free(p->main);
	free(p->self_argv);
	free(p);
}

static void user_options_free(struct user_options *o)
{
	/* The QEMU_SET_ENV / QEMU_UNSET_ENV copies are the first items
	 * that came from those variables; -E/-U items point into argv. */
	free(o->set_env_copy);
	free(o->unset_env_copy);
	free(o->set_env);
	free(o->unset_env);
}

/* The process for `exe` on a new user-mode machine, or NULL (with a
 * message). */
static struct user_process *process_new(const struct user_options *o, const struct isa *isa,
					unsigned log_mask, FILE *log, const char *exe,
					const char *self)
{
	struct user_process *p = calloc(1, sizeof(*p));
	struct user_thread *t = calloc(1, sizeof(*t));
	if (!p || !t) {
		fprintf(stderr, "rvjit-user: out of memory\n");
		free(p);
		free(t);
		return NULL;
	}
	p->main = t;
	p->m = machine_new_user(USER_SPACE_SIZE, isa);
	if (!p->m) {
		process_free(p);
		return NULL;
	}
	struct machine *m = p->m;
	m->log_mask = log_mask;
	m->log = log;
	*t = (struct user_thread){.p = p, .h = m->harts[0], .tid = getpid()};
	p->threads[0] = t;
	p->nthreads = 1;
	pthread_mutex_init(&p->lock, NULL);
	p->exe_path = exe;
	p->sysroot = o->sysroot;
	p->strace = o->strace;
	p->stats = o->stats;
	p->log = log;
	p->self_exe = self;
	p->self_argv = self_arguments(o, self, &p->self_argc);
	m->user = p;
	m->user_trap = user_trap;
	if (!p->self_argv || !user_space_init(p)) {
		fprintf(stderr, "rvjit-user: out of memory\n");
		process_free(p);
		return NULL;
	}
	return p;
}

int main(int argc, char **argv)
{
	struct user_options o = {0};
	const int prog = parse(&o, argc, argv);
	if (prog < 0) {
		user_options_free(&o);
		return prog == -2 ? 0 : 1;
	}
	struct user_process *p = NULL;
	char **env = NULL;
	FILE *log = stderr;

	struct isa isa;
	isa_default(&isa);
	char err[512];
	unsigned log_mask = 0;
	char exe[PATH_MAX], self[PATH_MAX];
	const char *name = argv[prog];
	const ssize_t sn = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (o.cpu && isa_parse_cpu(o.cpu, &isa, err, sizeof(err))) {
		fprintf(stderr, "rvjit-user: -cpu %s: %s\n", o.cpu, err);
	} else if (o.log_items && !options_parse_log(o.log_items, &log_mask, err, sizeof(err))) {
		fprintf(stderr, "rvjit-user: -d %s: %s\n", o.log_items, err);
	} else if (o.log_file && !(log = fopen(o.log_file, "w"))) {
		fprintf(stderr, "rvjit-user: -D %s: %s\n", o.log_file, strerror(errno));
		log = stderr;
	} else if (!realpath(name, exe)) {
		/* The program's path as given (QEMU does not search PATH). */
		fprintf(stderr, "rvjit-user: %s: %s\n", name, strerror(errno));
	} else if (sn <= 0) {
		fprintf(stderr, "rvjit-user: /proc/self/exe: %s\n", strerror(errno));
	} else if ((self[sn] = 0, p = process_new(&o, &isa, log_mask, log, exe, self))) {
		char **args = argv + prog;
		if (o.argv0)
			args[0] = (char *)o.argv0;
		env = guest_environment(&o);
		if (!env || user_load(p, exe, args, env, err, sizeof(err))) {
			fprintf(stderr, "rvjit-user: %s: %s\n", name, env ? err : "out of memory");
		} else if (o.gdb_port && !user_gdb_start(p, o.gdb_port, err, sizeof(err))) {
			fprintf(stderr, "rvjit-user: -g %s: %s\n", o.gdb_port, err);
		} else if (o.interp || !jit_available() ||
			   jit_attach(p->m, &(const struct jit_options){.code_size = o.jit_cache,
									.perf_map = o.perf_map})) {
			user_thread_run(p->main);
		}
	}
	process_free(p);
	free(env);
	user_options_free(&o);
	if (log != stderr)
		fclose(log);
	return 1;
}
