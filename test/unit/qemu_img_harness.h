/*
 * What the qcow2 unit tests share: a scratch directory per test, shell
 * commands run in it (qemu-img, qemu-io, dd), and `qemu-img check` as the
 * judge of an image. Static functions: each test file is its own program.
 */
#ifndef RVJIT_TEST_QEMU_IMG_HARNESS_H
#define RVJIT_TEST_QEMU_IMG_HARNESS_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char dir[64];

static void need_qemu_img(void)
{
	if (system("qemu-img --version >/dev/null 2>&1 && qemu-io --version >/dev/null 2>&1")) {
		if (getenv("CI"))
			cr_assert_fail(
			    "qemu-img/qemu-io are required in CI (.ci/setup installs qemu-utils)");
		cr_skip_test("qemu-img not installed (apt install qemu-utils)");
	}
}

static void setup(void)
{
	strcpy(dir, "/tmp/rvjit-qcow2-XXXXXX");
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd)) {
	}
}

static const char *path_of(const char *name)
{
	static char bufs[8][160];
	static int next;
	char *p = bufs[next++ % 8];
	snprintf(p, sizeof(bufs[0]), "%s/%s", dir, name);
	return p;
}

/* Run a shell command (in the test's directory); its output into out. */
static int run(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[1024], full[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd %s && (%s) 2>&1", dir, cmd);
	FILE *p = popen(full, "r");
	cr_assert(p);
	size_t n = 0;
	char sink[256];
	if (!out) {
		out = sink;
		outlen = sizeof(sink);
	}
	out[0] = 0;
	while (n + 1 < outlen && fgets(out + n, (int)(outlen - n), p))
		n += strlen(out + n);
	while (fgets(sink, sizeof(sink), p)) {
	}
	const int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define SH(...)                                                                                    \
	do {                                                                                       \
		char o_[2048];                                                                     \
		const int rc_ = run(o_, sizeof(o_), __VA_ARGS__);                                  \
		cr_assert_eq(rc_, 0, "command failed (%d): %s", rc_, o_);                          \
	} while (0)

/* qemu-img check: no errors, no leaks. */
static void expect_clean(const char *img)
{
	char out[4096];
	const int rc = run(out, sizeof(out), "qemu-img check %s", img);
	cr_expect_eq(rc, 0, "qemu-img check %s exited %d:\n%s", img, rc, out);
	cr_expect(strstr(out, "No errors were found"), "qemu-img check %s:\n%s", img, out);
}

#endif
