/*
 * Running a guest thread: its hart's quanta in the chosen engine, and
 * between them what a kernel does on the way back to user space (signals
 * that arrived meanwhile are delivered).
 */
#include "process.h"
#include "user_signal.h"

_Noreturn void user_thread_run(struct user_thread *t)
{
	struct machine *m = t->p->m;
	user_signal_thread_start(t);
	for (;;) {
		if (m->run_hart)
			m->run_hart(t->h);
		else
			interp_run_hart(t->h);
		user_signal_deliver(t);
	}
}
