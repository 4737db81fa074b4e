/* The checks of the user-mode test programs (test/user/): each program
 * defines TEST_NAME, checks with CHECK/CHECK_SYS, and ends with PASS().
 * A failed check prints which one failed (file, line, the expression and
 * errno) and exits with status 1, so that the runner (run_user.sh) sees
 * both the status and the message; "PASS name" is printed only at the end. */
#ifndef USER_CHECK_H
#define USER_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, dup3, REG_PC and the other Linux names */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TEST_NAME
#error "define TEST_NAME before including check.h"
#endif

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "FAIL %s: %s:%d: ", TEST_NAME, __FILE__, __LINE__);                \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
		exit(1);                                                                           \
	} while (0)

/* A condition that must hold; the message says what was expected. */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s: %s:%d: check `%s` failed: ", TEST_NAME,          \
				__FILE__, __LINE__, #cond);                                        \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* A system call or libc function that must not return -1 (errno says why). */
#define CHECK_SYS(expr)                                                                            \
	do {                                                                                       \
		if ((expr) == -1) {                                                                \
			int e_ = errno;                                                            \
			fprintf(stderr, "FAIL %s: %s:%d: `%s` failed: %s (errno %d)\n", TEST_NAME, \
				__FILE__, __LINE__, #expr, strerror(e_), e_);                      \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

#define PASS()                                                                                     \
	do {                                                                                       \
		printf("PASS %s\n", TEST_NAME);                                                    \
		fflush(stdout);                                                                    \
	} while (0)

#endif
