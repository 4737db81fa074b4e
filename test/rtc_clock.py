#!/usr/bin/env python3
"""-rtc clock=: the Goldfish RTC follows the clock it names, as on QEMU.

usage: rtc_clock.py RVJIT SPIN_ELF [rvjit options...]

For each clock, rvjit runs SPIN_ELF with -rtc base=2006-06-17,clock=CLOCK,
and the monitor reads the RTC's count (xp/1gx at 0x101000: TIME_LOW then
TIME_HIGH, the whole count in ns):
- it starts at the base date (within a minute of 2006-06-17T00:00:00Z);
- `stop` for STOP_S seconds: clock=vm stands still (the machine's virtual
  clock, which mtime follows); clock=host and clock=rt go on (QEMU's host
  and realtime clocks run while the machine is stopped);
- after `cont` every clock runs.
"""
import sys
import time

from session import Checks, Console

RVJIT, ELF = sys.argv[1:3]
EXTRA = sys.argv[3:]
RTC = 0x101000
NS = 1000000000
BASE_NS = 1150502400 * NS  # 2006-06-17T00:00:00Z
STOP_S = 2.0
checks = Checks()
check = checks.check

for clock in ("vm", "host", "rt"):
    vm = Console([RVJIT, "-nographic", "-bios", "none", "-kernel", ELF,
                   "-rtc", "base=2006-06-17,clock=" + clock] + EXTRA)
    check(vm.wait_for(r"spinning") is not None, "clock=%s: the guest runs" % clock)
    vm.send(b"\x01c")
    check(vm.wait_for(r"\(qemu\) ") is not None, "clock=%s: Ctrl-a c opens the monitor" % clock)
    start = vm.read64(RTC)
    check(start is not None and BASE_NS <= start < BASE_NS + 60 * NS,
          "clock=%s: the RTC starts at the -rtc base (%s ns)" % (clock, start))
    vm.command("stop")
    before = vm.read64(RTC)
    time.sleep(STOP_S)
    after = vm.read64(RTC)
    if before is None or after is None:
        check(False, "clock=%s: the RTC reads while stopped" % clock)
    elif clock == "vm":
        check(after == before, "clock=vm: the RTC stands still while stopped (%d then %d)"
              % (before, after))
    else:
        check(after - before >= (STOP_S - 0.5) * NS,
              "clock=%s: the RTC runs while stopped (%.2f s in %.0f s)"
              % (clock, (after - before) / NS, STOP_S))
    vm.command("cont")
    time.sleep(0.3)
    later = vm.read64(RTC)
    check(later is not None and after is not None and later > after,
          "clock=%s: the RTC runs after cont" % clock)
    check(vm.quit() == 0, "clock=%s: quit exits with status 0" % clock)

checks.finish()
