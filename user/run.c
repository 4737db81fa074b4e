/*
 * Running a guest thread: its hart's quanta in the chosen engine, and
 * between them what a kernel does on the way back to user space: the
 * system call the quantum ended on, then the signals that arrived
 * meanwhile.
 *
 * With several threads (m->threaded, from the first clone of a thread
 * on), each host thread takes part in the machine's quantum protocol as
 * machine_run_threaded's hart threads do (core/hart_threads.c): it counts
 * as running only inside a quantum, so a full block cache is flushed and
 * an address-space change stops the harts (user/space.c) while other
 * threads sit in system calls; and it runs the flush a full cache asked
 * for between quanta. Each quantum starts by dropping the TLB if the
 * address space changed since the last one (user_space_sync).
 */
#include "process.h"
#include "user_signal.h"

_Noreturn void user_thread_run(struct user_thread *t)
{
	struct machine *m = t->p->m;
	user_signal_thread_start(t);
	struct hart *h = t->h;
	for (;;) {
		/* Fixed while this thread runs guest code: only its own
		 * system calls (the first clone of a thread, fork's child)
		 * change it. */
		const bool threaded = m->threaded;
		if (threaded && !machine_enter_quantum(h))
			user_exit(t->p, m->exit_code);
		/* Code dropped while the harts were held (a debugger's
		 * breakpoints or watchpoints) goes before anything runs. */
		if (threaded && atomic_load(&m->flush_requested)) {
			machine_leave_quantum(h);
			machine_flush_if_requested(m);
			continue;
		}
		user_space_sync(t);
		if (m->per_insn)
			interp_step_hart(h); /* gdb single-steps */
		else if (m->run_hart)
			m->run_hart(h);
		else
			interp_run_hart(h);
		if (threaded)
			machine_leave_quantum(h);
		if (t->syscall_pending)
			user_syscall(t);
		user_signal_deliver(t);
		machine_flush_if_requested(m);
	}
}
