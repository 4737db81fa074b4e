#!/usr/bin/env python3
"""The guest clock stands still while the machine is stopped (QEMU's virtual
clock): monitor `stop`/`cont`, and `-S` until `cont`.

usage: clock_stops.py RVJIT CLOCK_WATCH_ELF [rvjit options...]

test/guest/clock_watch.c prints its first `time` and mtime readings, then
keeps in `max_step` the largest step between two consecutive reads of
`time`.
1. Monitor: `stop`, mtime (read through xp at the CLINT) must not move in
   STOP_S seconds; after `cont` the guest's largest step must stay far
   below STOP_S, and it must run on.
2. -S: wait STOP_S seconds before `cont`; the guest's first reading of
   `time` and of mtime must be near 0.
The bound (LIMIT_TICKS, half a second) is far above any scheduling delay
of a loaded machine and far below STOP_S, so the checks fail with a clock
that runs while stopped and pass on a busy host.
"""
import sys
import time

from session import Checks, Console, nm_symbol

RVJIT, ELF = sys.argv[1:3]
EXTRA = sys.argv[3:]
MTIME_HZ = 10000000
STOP_S = 2.0
LIMIT_TICKS = MTIME_HZ // 2
MTIME_ADDR = 0x200BFF8
checks = Checks()
check = checks.check
MAX_STEP = nm_symbol(ELF, "max_step")
READS = nm_symbol(ELF, "reads")


def boot(args):
    return Console([RVJIT, "-nographic", "-bios", "none", "-kernel", ELF] + args + EXTRA)


def first_readings(vm):
    m = vm.wait_for(r"time 0x([0-9a-f]{16}) mtime 0x([0-9a-f]{16})\n")
    return (int(m.group(1), 16), int(m.group(2), 16)) if m else (None, None)


# --- 1. monitor stop / cont ------------------------------------------------
vm = boot([])
check(first_readings(vm)[0] is not None, "the guest runs")
vm.send(b"\x01c")
check(vm.wait_for(r"\(qemu\) ") is not None, "Ctrl-a c opens the monitor")
time.sleep(0.2)  # let the guest read its clock a while
vm.command("stop")
before = vm.read64(MTIME_ADDR)
time.sleep(STOP_S)
after = vm.read64(MTIME_ADDR)
check(before is not None and before == after,
      "mtime stands still while stopped (%s then %s)" % (before, after))
reads = vm.read64(READS)
vm.command("cont")
time.sleep(0.3)
step = vm.read64(MAX_STEP)
check(step is not None and step < LIMIT_TICKS,
      "after %.0f s stopped the guest's largest step of time is %s ticks (limit %d)"
      % (STOP_S, step, LIMIT_TICKS))
later = vm.read64(READS)
check(reads is not None and later is not None and later > reads, "cont resumes the guest")
now = vm.read64(MTIME_ADDR)
check(now is not None and after is not None and now > after, "mtime runs again after cont")
check(vm.quit() == 0, "quit exits with status 0")

# --- 2. -S: the clock starts with the machine -----------------------------
vm = boot(["-S"])
time.sleep(STOP_S)
vm.send(b"\x01c")
check(vm.wait_for(r"\(qemu\) ") is not None, "-S: Ctrl-a c opens the monitor")
vm.command("cont")
vm.send(b"\x01c")  # back to the guest, whose output follows
t0, m0 = first_readings(vm)
check(t0 is not None and t0 < LIMIT_TICKS and m0 < LIMIT_TICKS,
      "-S: %.0f s before cont, the first time/mtime readings are %s/%s ticks (limit %d)"
      % (STOP_S, t0, m0, LIMIT_TICKS))
vm.send(b"\x01c")
vm.wait_for(r"\(qemu\) ")
check(vm.quit() == 0, "-S: quit exits with status 0")

checks.finish()
