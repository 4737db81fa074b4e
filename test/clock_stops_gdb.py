#!/usr/bin/env python3
"""A pause at a gdb breakpoint stops the guest clock.

usage: clock_stops_gdb.py RVJIT TIMER_ARMED_ELF [rvjit options...]

test/guest/timer_armed_at_breakpoint.S arms the machine timer 100 ms ahead,
interrupts enabled, and reaches `timer_armed`. gdb breaks there, waits
WAIT_S seconds, and `stepi` must land on the next instruction
(`after_step`), not in `timer_trap`: the clock stood still while gdb held
the machine (QEMU's virtual clock). Then `continue` takes the timer
interrupt and the guest exits with status 0. RISC-V gdb steps by planting
a breakpoint and continuing, so a timer interrupt that became pending
during the pause would be taken first.
Missing gdb-multiarch skips (77) outside CI.
"""
import re
import sys

from session import Checks, exit_status, gdb_batch, need_gdb, nm_symbol, start_gdb_stub

RVJIT, TARGET = sys.argv[1:3]
EXTRA = sys.argv[3:]
WAIT_S = 1
GDB = need_gdb()
checks = Checks()
check = checks.check


def symbol(name):
    return nm_symbol(TARGET, name)


rv, port = start_gdb_stub(RVJIT, ["-S", "-bios", "none", "-kernel", TARGET] + EXTRA)
out = gdb_batch(GDB, port, TARGET, [
    "break timer_armed", "break timer_trap", "continue", "shell sleep %d" % WAIT_S, "stepi",
    "p/x $pc", "continue", "p/x $pc", "delete", "continue"])
print(out)
after_step, timer_trap = symbol("after_step"), symbol("timer_trap")
check(re.search(r"Breakpoint 1, .*timer_armed", out) is not None, "the breakpoint is hit")
pcs = [int(v, 16) for v in re.findall(r"^\$\d+ = (0x[0-9a-f]+)", out, re.M)]
check(len(pcs) >= 1 and pcs[0] == after_step,
      "after %d s at the breakpoint, stepi runs the next instruction (pc %s, want %#x; "
      "the timer trap is %#x)" % (WAIT_S, pcs and hex(pcs[0]), after_step, timer_trap))
check(len(pcs) >= 2 and pcs[1] == timer_trap, "continue then takes the timer interrupt")
check("exited normally" in out, "the guest saw the machine timer interrupt and passed")
rc = exit_status(rv)
check(rc == 0, "rvjit exits with status 0 (got %s)" % rc)

checks.finish()
