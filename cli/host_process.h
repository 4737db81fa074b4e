/*
 * The process around the machine, as QEMU's -pidfile and -daemonize make
 * it (QEMU's os-posix.c): a locked file holding our pid, and a detached
 * daemon whose parent returns once start-up has succeeded.
 */
#ifndef RVJIT_HOST_PROCESS_H
#define RVJIT_HOST_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

/* -pidfile: create (mode 0600) and lock path, write our pid. The lock
 * keeps a second process from taking the same file. Returns the open
 * descriptor, or -1 after writing QEMU's message to err. */
int pidfile_create(const char *path, char *err, size_t errlen);
/* At exit: remove the file and close it (QEMU removes it too). */
void pidfile_remove(const char *path, int fd);

/*
 * -daemonize, in two steps around start-up. daemon_start forks before any
 * thread exists: the parent waits and exits with 0 once the child calls
 * daemon_ready, or with 1 if the child ends first (its error went to the
 * terminal, which it keeps until then). The child gets a new session and
 * returns the descriptor to pass to daemon_ready; -1 on failure (err
 * says why). daemon_ready tells the parent, and points stdin, stdout and
 * stderr at /dev/null, as QEMU does.
 */
int daemon_start(char *err, size_t errlen);
void daemon_ready(int fd);

#endif
