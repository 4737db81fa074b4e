/*
 * QEMU's rng-random and rng-builtin backends (see rng_backend.h). Both
 * read without blocking, so a hart that notified the device never waits
 * on the host: /dev/random before the host's pool is ready, a FIFO with a
 * slow writer, or a file at its end simply have no bytes yet.
 */
#include "rng_backend.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

struct rng_backend {
	int fd; /* rng-random's file; -1 for rng-builtin */
};

struct rng_backend *rng_backend_open(const char *filename, char *err, size_t errlen)
{
	struct rng_backend *b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->fd = -1;
	if (filename) {
		b->fd = open(filename, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (b->fd < 0) {
			snprintf(err, errlen, "Could not open '%s': %s", filename, strerror(errno));
			free(b);
			return NULL;
		}
	}
	return b;
}

void rng_backend_close(struct rng_backend *b)
{
	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

size_t rng_backend_read(struct rng_backend *b, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t done = 0;
	while (done < len) {
		const ssize_t n = b->fd >= 0 ? read(b->fd, p + done, len - done)
					     : getrandom(p + done, len - done, GRND_NONBLOCK);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		break; /* EAGAIN (nothing now), the end of a file, or an error */
	}
	return done;
}
