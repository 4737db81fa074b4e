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
import os
import re
import shutil
import socket
import subprocess
import sys
import time

RVJIT, TARGET = sys.argv[1:3]
EXTRA = sys.argv[3:]
WAIT_S = 1
GDB = shutil.which("gdb-multiarch")
if not GDB:
    print("gdb-multiarch not found (.ci/setup installs it)")
    sys.exit(1 if os.environ.get("CI") else 77)

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def symbol(name):
    nm = shutil.which("riscv64-unknown-elf-nm")
    out = subprocess.run([nm, TARGET], stdout=subprocess.PIPE, check=True).stdout.decode()
    m = re.search(r"^([0-9a-f]+) \w %s$" % name, out, re.M)
    return int(m.group(1), 16)


port = free_port()
rv = subprocess.Popen([RVJIT, "-S", "-gdb", "tcp::%d" % port, "-bios", "none",
                       "-kernel", TARGET] + EXTRA, stdin=subprocess.DEVNULL,
                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
for _ in range(100):  # wait until it listens (without connecting)
    s = socket.socket()
    try:
        s.bind(("0.0.0.0", port))
    except OSError:
        break
    finally:
        s.close()
    time.sleep(0.05)

argv = [GDB, "-batch", "-nx", "-ex", "set architecture riscv:rv64",
        "-ex", "target remote 127.0.0.1:%d" % port]
for c in ["break timer_armed", "break timer_trap", "continue",
          "shell sleep %d" % WAIT_S, "stepi", "p/x $pc", "continue", "p/x $pc",
          "delete", "continue"]:
    argv += ["-ex", c]
argv.append(TARGET)
out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     timeout=60).stdout.decode(errors="replace")
print(out)
after_step, timer_trap = symbol("after_step"), symbol("timer_trap")
check(re.search(r"Breakpoint 1, .*timer_armed", out) is not None, "the breakpoint is hit")
pcs = [int(v, 16) for v in re.findall(r"^\$\d+ = (0x[0-9a-f]+)", out, re.M)]
check(len(pcs) >= 1 and pcs[0] == after_step,
      "after %d s at the breakpoint, stepi runs the next instruction (pc %s, want %#x; "
      "the timer trap is %#x)" % (WAIT_S, pcs and hex(pcs[0]), after_step, timer_trap))
check(len(pcs) >= 2 and pcs[1] == timer_trap, "continue then takes the timer interrupt")
check("exited normally" in out, "the guest saw the machine timer interrupt and passed")
try:
    rc = rv.wait(timeout=30)
except subprocess.TimeoutExpired:
    rv.kill()
    rc = None
check(rc == 0, "rvjit exits with status 0 (got %s)" % rc)

if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("all checks passed")
