/*
 * Where a random-number device gets its bytes: QEMU's rng backends.
 *   rng-random   a host file or device (filename=, /dev/urandom by
 *                default), opened O_NONBLOCK as QEMU opens it;
 *   rng-builtin  the host's getrandom(), QEMU's builtin backend (and what
 *                a virtio-rng-device without rng= gets).
 * Reads never wait: a backend with nothing to give returns 0 and the
 * device asks again later. One backend may feed several devices.
 */
#ifndef RVJIT_RNG_BACKEND_H
#define RVJIT_RNG_BACKEND_H

#include <stddef.h>

struct rng_backend;

/* filename NULL: rng-builtin. NULL with QEMU's message in err
 * ("Could not open 'F': No such file or directory"). */
struct rng_backend *rng_backend_open(const char *filename, char *err, size_t errlen);
void rng_backend_close(struct rng_backend *b);

/* Up to len random bytes into buf without blocking: how many were
 * written, 0 when the backend has none now (or its file has ended). */
size_t rng_backend_read(struct rng_backend *b, void *buf, size_t len);

#endif
