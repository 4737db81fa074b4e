#!/usr/bin/env python3
"""Breakpoints and watchpoints in translated code, a host thread per hart.

usage: gdb_fast_debug.py RVJIT TARGET_ELF [rvjit options...]

TARGET_ELF is test/guest/gdb_breakpoints_in_translated_code.S. On 1 and on
3 harts, gdb-multiarch:
1. `break f` and `continue` ten times: ten stops, each at f, gdb counts ten
   hits; the guest ran translated code meanwhile (--stats: blocks were
   translated while the breakpoint was in place, none under the old
   one-instruction-at-a-time mode).
2. connects to a guest that already spins in its translated, looping
   hot_loop, breaks in the middle of it and must stop there (inserting a
   breakpoint drops the translated code), twice.
3. `watch` a variable hart 0 writes in f: three stops, 0 -> 1 -> 2 -> 3.
4. breaks at f three times, deletes the breakpoint and continues through
   5 * 10^8 instructions to the exit: full speed again.
5. (1 hart, raw protocol) `c` from a breakpoint runs its instruction once:
   the next stop is f's next call, not the same one again.
Missing gdb-multiarch skips (77) outside CI.
"""
import re
import socket
import subprocess
import sys
import time

from session import Checks, gdb_batch, need_gdb, start_gdb_stub

RVJIT, TARGET = sys.argv[1:3]
EXTRA = sys.argv[3:]
JIT = "--interp" not in EXTRA
GDB = need_gdb()
checks = Checks()
check = checks.check


def start(args):
    return start_gdb_stub(RVJIT, ["-bios", "none", "-kernel", TARGET, "--stats"] + args + EXTRA)


def gdb(port, cmds):
    return gdb_batch(GDB, port, TARGET, cmds, timeout=90)


def finish(rv):
    try:
        out = rv.communicate(timeout=30)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:
        rv.kill()
        out = rv.communicate()[0].decode(errors="replace")
    return rv.returncode, out


def translated(stats):
    m = re.search(r"blocks_translated=(\d+)", stats)
    return int(m.group(1)) if m else 0


for smp in ("1", "3"):
    tag = "-smp %s: " % smp

    # 1. a breakpoint hit again and again in translated code
    rv, port = start(["-smp", smp, "-S"])
    out = gdb(port, ["break f"] + ["continue"] * 10 + ["info breakpoints", "kill"])
    rc, stats = finish(rv)
    print(out + stats)
    stops = re.findall(r"Breakpoint 1, (?:0x[0-9a-f]+ in )?(\w+) \(", out)
    check(len(stops) == 10 and set(stops) == {"f"},
          tag + "ten continues stop ten times at f (%s)" % stops)
    check("breakpoint already hit 10 times" in out, tag + "gdb counts ten hits")
    if JIT:
        check(translated(stats) > 0,
              tag + "the guest ran translated code with the breakpoint in place")

    # 2. a breakpoint inside a loop that is already translated and running
    rv, port = start(["-smp", smp])
    time.sleep(1.0)
    out = gdb(port, ["break hot_body", "continue", "p $pc == &hot_body", "continue",
                     "p $pc == &hot_body", "kill"])
    finish(rv)
    print(out)
    hits = re.findall(r"Breakpoint 1, (?:0x[0-9a-f]+ in )?hot_body \(", out)
    check(len(hits) == 2 and "$1 = 1" in out and "$2 = 1" in out,
          tag + "a breakpoint inserted into a running translated loop is hit, twice")

    # 3. a watchpoint on a variable translated code stores to
    rv, port = start(["-smp", smp, "-S"])
    out = gdb(port, ["watch *(long *)&watched"] + ["continue"] * 3 + ["kill"])
    rc, stats = finish(rv)
    print(out + stats)
    changes = re.findall(r"Old value = (\d+)\s+New value = (\d+)", out)
    check(changes == [("0", "1"), ("1", "2"), ("2", "3")],
          tag + "the watchpoint stops at each store, 0 -> 1 -> 2 -> 3 (%s)" % changes)
    if JIT:
        check(translated(stats) > 0, tag + "the guest ran translated code while watched")

    # 4. after the breakpoint goes, the guest runs at full speed
    rv, port = start(["-smp", smp, "-S"])
    t0 = time.monotonic()
    out = gdb(port, ["break f"] + ["continue"] * 3 +
              ["delete", "set var *(long *)&work_iterations = 100000000", "continue"])
    elapsed = time.monotonic() - t0
    rc, stats = finish(rv)
    print(out + stats)
    check("exited normally" in out and rc == 0,
          tag + "deleting the breakpoint lets the guest run to its exit")
    # One-at-a-time interpretation takes minutes for these 5 * 10^8
    # instructions; either engine at speed takes a few seconds at most.
    check(elapsed < 30, tag + "and at speed (%.1f s)" % elapsed)

# 5. continuing from a breakpoint does not stop there again at once
def symbol(name):
    out = subprocess.run([GDB, "-batch", "-nx", "-ex", "info address " + name, TARGET],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode()
    m = re.search(r"(?:is at|at address) (0x[0-9a-f]+)", out)
    return int(m.group(1), 16) if m else None


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.buf = b""

    def cmd(self, data):
        self.s.sendall(b"$%s#%02x" % (data, sum(data) & 0xff))
        while True:
            m = re.search(rb"\$([^#]*)#[0-9a-f]{2}", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                self.s.sendall(b"+")
                return m.group(1)
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk


def le64(hexstr):
    return int.from_bytes(bytes.fromhex(hexstr.decode()), "little")


f_addr, calls_addr = symbol("f"), symbol("f_calls")
rv, port = start(["-S"])
c = Client(port)
stops, pcs, calls = [], [], []
try:
    c.cmd(b"?")
    c.cmd(b"Z0,%x,2" % f_addr)
    for _ in range(3):
        stops.append(c.cmd(b"c")[:3])
        pcs.append(le64(c.cmd(b"p20")))
        calls.append(le64(c.cmd(b"m%x,8" % calls_addr)))
    c.s.sendall(b"$k#6b")  # no reply: rvjit exits
except (EOFError, OSError) as e:
    print("protocol error: %s" % e)
finish(rv)
check(stops == [b"T05"] * 3 and pcs == [f_addr] * 3 and calls == [0, 1, 2],
      "continuing from a breakpoint runs its instruction once (stops %s, calls %s)"
      % (stops, calls))

checks.finish()
