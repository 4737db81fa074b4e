"""Runs inside gdb-multiarch (gdb -x), driven by test/gdb_harts.py, against
test/guest/gdb_harts/gdb_harts.c on three harts.

Rounds of what a student does in xv6's syscall(): the breakpoint is hit,
then next, step, finish, next, step, next (over a call to work()) and a
step back into the handler. Each stop is checked for its thread, function
and line (lines are named by the "line: NAME" comments in the source).

GDB_HARTS_MODE=locked: `set scheduler-locking on`, and round n starts with
`thread (n % 3) + 1`: gdb resumes only that thread (vCont;c:TID), so the
breakpoint and every later stop must be in it, at the expected line.
GDB_HARTS_MODE=all: gdb's default, the other threads run while one steps,
so a stop is often another thread hitting the breakpoint, and gdb steps
threads over breakpoints one at a time (vCont;c:TID; gdb 13 asserts when
another thread reports that stop). The same commands, a round's worth per
round, are only checked to work: no gdb error, every stop in one of the
guest's functions. (Where a stop lands is not checked: QEMU and rvjit alike
give gdb's own "SIGTRAP" stops when a thread waiting to return from a
`next` ran meanwhile.)

Prints "ROUNDS PASSED" at the end; a gdb error or an unexpected stop prints
"ROUND FAILED" and ends the session.
"""
import os
import re

import gdb

SOURCE = os.environ["GDB_HARTS_SOURCE"]
ROUNDS = int(os.environ.get("GDB_HARTS_ROUNDS", "50"))
LOCKED = os.environ.get("GDB_HARTS_MODE", "locked") == "locked"
NHARTS = 3

LINES = {}
with open(SOURCE) as f:
    for number, text in enumerate(f, 1):
        m = re.search(r"/\* line: (\w+) \*/", text)
        if m:
            LINES[m.group(1)] = number

STEPS = [("next", "syscall", "count"), ("step", "syscall", "ret"),
         ("finish", "hart_main", "call"), ("next", "hart_main", "store"),
         ("step", "hart_main", "loop"), ("step", "hart_main", "work"),
         ("next", "hart_main", "call"), ("step", "syscall", "body")]


class Failed(Exception):
    pass


def where():
    frame = gdb.selected_frame()
    return gdb.selected_thread().num, frame.name(), frame.find_sal().line


def describe(thread, func, line):
    names = [k for k, v in LINES.items() if v == line]
    return "thread %d at %s:%s" % (thread, func, names[0] if names else line)


def run(cmd):
    try:
        gdb.execute(cmd, to_string=True)
    except gdb.error as e:
        raise Failed("%r: gdb error: %s" % (cmd, e))
    return where()


def at_breakpoint(func, line):
    return func == "syscall" and line == LINES["body"]


def one_round(n, threads_seen):
    if LOCKED:
        t = n % NHARTS + 1
        run("thread %d" % t)
    t_stop, func, line = run("continue")
    if not at_breakpoint(func, line) or (LOCKED and t_stop != t):
        raise Failed("continue: stopped in %s" % describe(t_stop, func, line))
    t = t_stop
    threads_seen.add(t)
    for cmd, want_func, place in STEPS:
        if not LOCKED and cmd == "finish" and where()[1] == "hart_main":
            continue  # the outermost frame: nothing to finish
        t_stop, func, line = run(cmd)
        threads_seen.add(t_stop)
        if LOCKED and (t_stop, func, line) != (t, want_func, LINES[place]):
            raise Failed("%r in thread %d: stopped in %s, expected %s:%s"
                         % (cmd, t, describe(t_stop, func, line), want_func, place))
        if func not in ("syscall", "hart_main", "work") or not 1 <= t_stop <= NHARTS:
            raise Failed("%r: stopped in %s" % (cmd, describe(t_stop, func, line)))
        if func == "work":
            run("finish")  # stepping through its loop would take thousands of steps


run("set pagination off")
run("set confirm off")
if LOCKED:
    run("set scheduler-locking on")
run("break syscall")
seen = set()
try:
    for n in range(ROUNDS):
        one_round(n, seen)
        print("round %d ok (threads so far: %s)" % (n + 1, sorted(seen)))
    print("ROUNDS PASSED (%d rounds, mode %s, threads %s)"
          % (ROUNDS, "locked" if LOCKED else "all", sorted(seen)))
except Failed as e:
    print("ROUND FAILED: %s" % e)
