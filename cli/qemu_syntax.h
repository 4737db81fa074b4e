/*
 * QEMU's rules for option values that every option parser here shares:
 * what an id may look like, and what a boolean may be written as.
 */
#ifndef RVJIT_QEMU_SYNTAX_H
#define RVJIT_QEMU_SYNTAX_H

#include <stdbool.h>

/* QEMU's rule for ids (its id_wellformed), the same for chardevs,
 * netdevs and objects: a letter, then letters, digits, '-', '.', '_'. */
bool qemu_id_valid(const char *id);

/* A boolean option value: on/yes/true/y/1 or off/no/false/n/0. NULL (a bare
 * key, "server" for "server=on") means on, as QEMU 7.2 still accepts.
 * false when v is none of these (*out unchanged). */
bool qemu_bool_parse(const char *v, bool *out);

#endif
