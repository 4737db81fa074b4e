/*
 * -g PORT: debugging the guest program with gdb-multiarch, as with
 * `qemu-riscv64 -g PORT`: the program waits before its first instruction
 * until gdb connects (`target remote :PORT`) and continues it. The stub is
 * rvjit's own (cli/gdbstub.c: breakpoints, watchpoints, single-step, a
 * thread per guest thread); here it runs on a thread of its own, which
 * polls the connection while the guest runs, and the guest's threads take
 * part in the machine's pause (machine_enter_quantum).
 */
#include "cli/gdbstub.h"
#include "process.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void *poll_connection(void *arg)
{
	machine_poll_until_stopped(arg);
	return NULL;
}

bool user_gdb_start(struct user_process *p, const char *port, char *err, size_t errlen)
{
	struct machine *m = p->m;
	struct gdbstub *g = gdbstub_new(port, err, errlen);
	if (!g)
		return false;
	/* Threaded from the start: the stub's thread and the guest's share
	 * the machine under its locks, and a paused machine holds the
	 * guest's threads at their next quantum. */
	m->threaded = true;
	if (!gdbstub_attach(g, m)) {
		snprintf(err, errlen, "cannot attach the gdb stub");
		gdbstub_free(g);
		return false;
	}
	machine_pause(m);
	pthread_t thread;
	const int e = pthread_create(&thread, NULL, poll_connection, m);
	if (e) {
		snprintf(err, errlen, "cannot start the gdb stub's thread: %s", strerror(e));
		gdbstub_free(g);
		return false;
	}
	pthread_detach(thread);
	p->gdb = g;
	return true;
}

void user_gdb_exit(struct user_process *p, int code)
{
	if (!p->gdb)
		return;
	machine_io_lock(p->m);
	gdbstub_detach(p->gdb, true, code); /* gdb hears "exited with code" */
	machine_io_unlock(p->m);
}

void user_gdb_forget(struct user_process *p)
{
	/* A forked child runs on without gdb, as under QEMU: no stub thread
	 * serves it, so nothing may stop it. */
	struct machine *m = p->m;
	if (!p->gdb)
		return;
	p->gdb = NULL;
	memset(&m->debug, 0, sizeof(m->debug));
	machine_clear_breakpoints(m);
	machine_watch_data(m, false);
	m->per_insn = false;
	for (unsigned i = 0; i < MAX_HARTS; i++)
		m->held[i] = false;
	m->npollers = 0;
	machine_resume(m);
}
