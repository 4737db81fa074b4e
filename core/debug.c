/*
 * The core's side of a debugger (the model is in machine.h, struct
 * machine_debug): the breakpoint set and the dropping of code it decoded
 * under another set, data watching, and what the dispatchers of both
 * engines call when they meet a breakpoint block or an abandoned watched
 * access. Every stop goes through the debugger's `stopped` hook, under
 * m->io_lock (the hook is the gdb stub's, which the I/O thread also runs).
 *
 * Resuming through a breakpoint: the hart that reported stopping at one
 * runs that instruction once in the interpreter when it next meets the
 * breakpoint block at the same pc, rather than stopping again at once.
 * Harts that met a breakpoint while the machine was already paused did
 * not report it; they stop there again on resume, and gdb hears of it
 * then.
 */
#include "machine.h"
#include "tb.h"

bool machine_is_breakpoint(const struct machine *m, uint64_t pc)
{
	for (unsigned i = 0; i < m->debug.nbps; i++)
		if (m->debug.bps[i] == pc)
			return true;
	return false;
}

bool machine_set_breakpoint(struct machine *m, uint64_t pc, bool insert)
{
	struct machine_debug *d = &m->debug;
	machine_tb_lock(m);
	unsigned i = 0;
	while (i < d->nbps && d->bps[i] != pc)
		i++;
	bool ok = true, changed = false;
	if (insert && i == d->nbps) {
		ok = d->nbps < MAX_BREAKPOINTS;
		if (ok) {
			d->bps[d->nbps++] = pc;
			changed = true;
		}
	} else if (!insert && i < d->nbps) {
		d->bps[i] = d->bps[--d->nbps];
		changed = true;
	}
	machine_tb_unlock(m);
	/* Blocks are keyed by physical code and virtual pc, and the pc may
	 * have no translation now: drop them all, as QEMU does. */
	if (changed)
		machine_drop_code(m);
	return ok;
}

void machine_clear_breakpoints(struct machine *m)
{
	machine_tb_lock(m);
	const bool any = m->debug.nbps != 0;
	m->debug.nbps = 0;
	machine_tb_unlock(m);
	if (any)
		machine_drop_code(m);
}

void machine_drop_code(struct machine *m)
{
	if (!m->threaded) {
		tb_flush(m);
		return;
	}
	atomic_store(&m->flush_requested, true);
	machine_halt_harts(m);
}

void machine_watch_data(struct machine *m, bool on)
{
	if (on == m->watch_data)
		return;
	m->watch_data = on;
	/* User mode: translated code reaches memory without the TLB while
	 * nothing is watched (jit/emit_mem.c), so it is translated again
	 * either way. */
	if (m->user_prot) {
		machine_drop_code(m);
		if (!m->threaded)
			machine_flush_tlbs(m);
		return;
	}
	if (!on)
		return; /* TLB entries come back as accesses refill them */
	if (m->threaded)
		machine_drop_code(m); /* the exclusive flush drops the TLBs too */
	else
		machine_flush_tlbs(m);
}

void machine_halt_harts(struct machine *m)
{
	for (unsigned i = 0; i < m->nharts; i++)
		__atomic_store_n(&m->harts[i]->budget, 0, __ATOMIC_RELAXED);
	machine_kick(m);
}

static bool report(struct hart *h, enum debug_event why)
{
	struct machine *m = h->m;
	struct debug_hart *d = &m->debug.hart[h->mhartid];
	bool heard = false;
	machine_io_lock(m);
	if (m->debug.stopped)
		heard = m->debug.stopped(m->debug.opaque, h, why, d);
	else
		machine_pause(m); /* (no debugger: cannot happen) */
	machine_io_unlock(m);
	return heard;
}

/* Run the instruction at pc; true when it hit a watchpoint, which was then
 * redone unwatched and reported. */
static bool exec_one_watched(struct hart *h)
{
	interp_exec_one(h);
	if (!debug_watch_pending(h))
		return false;
	debug_finish_watch(h);
	return true;
}

bool debug_breakpoint(struct hart *h)
{
	struct debug_hart *d = &h->m->debug.hart[h->mhartid];
	if (d->skip && d->skip_pc == h->pc) {
		d->skip = false;
		return exec_one_watched(h);
	}
	if (report(h, DEBUG_BREAK)) {
		d->skip = true;
		d->skip_pc = h->pc;
	}
	return true;
}

void debug_finish_watch(struct hart *h)
{
	struct debug_hart *d = &h->m->debug.hart[h->mhartid];
	d->watch_bypass = true;
	interp_exec_one(h);
	d->watch_bypass = false;
	report(h, DEBUG_WATCH);
	d->watch_pending = false;
}

void debug_resume(struct machine *m)
{
	for (unsigned i = 0; i < m->nharts; i++) {
		struct debug_hart *d = &m->debug.hart[i];
		if (d->skip && d->skip_pc != m->harts[i]->pc)
			d->skip = false;
	}
}
