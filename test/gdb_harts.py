#!/usr/bin/env python3
"""gdb-multiarch stepping one hart of three (the xv6 `make qemu-gdb` case).

usage: gdb_harts.py RVJIT GDB_HARTS_ELF GDB_HARTS_SOURCE [rvjit options...]

rvjit -smp 3 -S -gdb tcp::PORT runs test/guest/gdb_harts/gdb_harts.c, and
gdb runs test/gdb_harts_rounds.py in it: 50 rounds of break / next / step
/ finish with `set scheduler-locking on` (each round on the next thread,
every stop in it at the expected line), then 20 with gdb's default
scheduling (gdb works: no error, no assertion). gdb steps a RISC-V target
by planting a breakpoint and resuming the one thread (vCont;c:TID); the
stub must leave the other harts stopped, or another hart reports the
stop and gdb fails (gdb 13: "finish_step_over: Assertion ... failed").
Environment: GDB_HARTS_ROUNDS overrides 50. Missing gdb-multiarch skips
(77) outside CI.
"""
import os
import subprocess
import sys

from session import exit_status, gdb_remote_argv, need_gdb, start_gdb_stub

RVJIT, ELF, SOURCE = sys.argv[1:4]
EXTRA = sys.argv[4:]
GDB = need_gdb()
HERE = os.path.dirname(os.path.abspath(__file__))
ROUNDS = int(os.environ.get("GDB_HARTS_ROUNDS", "50"))


def session(mode, rounds):
    rv, port = start_gdb_stub(RVJIT, ["-S", "-smp", "3", "-bios", "none", "-nographic",
                                      "-kernel", ELF] + EXTRA)
    env = dict(os.environ, GDB_HARTS_SOURCE=SOURCE, GDB_HARTS_MODE=mode,
               GDB_HARTS_ROUNDS=str(rounds))
    argv = gdb_remote_argv(GDB, port) + ["-x", os.path.join(HERE, "gdb_harts_rounds.py"),
                                         "-ex", "kill", ELF]
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=300)
        out, rc = r.stdout.decode(errors="replace"), r.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode(errors="replace") + "\n(gdb timed out)", None
    exit_status(rv, 10)
    print(out)
    # gdb's internal errors (its assertions) print "internal-error", or
    # "Recursive internal problem." inside the rounds' captured commands.
    ok = ("ROUNDS PASSED" in out and rc == 0 and "internal-error" not in out
          and "internal problem" not in out and "Assertion" not in out)
    print("%s mode %s: %d rounds, gdb status %s" % ("ok  " if ok else "FAIL", mode, rounds, rc))
    return ok


ok = session("locked", ROUNDS)
ok = session("all", max(ROUNDS * 2 // 5, 1)) and ok
if not ok:
    print("gdb_harts: FAILED")
    sys.exit(1)
print("all checks passed")
