#!/usr/bin/env python3
"""Small monitor items, as QEMU 7.2 answers them.

usage: monitor_name_gdbserver.py RVJIT SPIN_ELF [rvjit options...]

1. `info name` prints -name's value (and nothing without -name); `info`
   lists the item.
2. `gdbserver none` stops -gdb's stub ("Disabled gdbserver"): a connected
   gdb loses its connection, the port stops listening, and the machine
   stays as it was (paused by the connection: still paused);
   `gdbserver tcp::PORT` then listens again; with no stub at all it still
   says "Disabled gdbserver".
3. gdb's `monitor CMD` (qRcmd) runs monitor commands with -monitor none
   too, as QEMU's gdbstub does (skipped without gdb-multiarch).
"""
import re
import shutil
import socket
import sys
import time

from session import Checks, Console, exit_status, free_port, gdb_batch, start_gdb_stub

RVJIT, SPIN = sys.argv[1:3]
EXTRA = sys.argv[3:]
checks = Checks()
check = checks.check


def boot(args):
    vm = Console([RVJIT, "-nographic", "-bios", "none", "-kernel", SPIN] + args + EXTRA)
    check(vm.wait_for(r"spinning") is not None, "%s: the guest runs" % " ".join(args))
    vm.send(b"\x01c")
    vm.wait_for(r"\(qemu\) ")
    return vm


def output(text):
    """A command's output: what follows its echoed line, before the prompt."""
    lines = text.split("\n")
    return "\n".join(lines[1:-1])


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


# --- 1. info name ---------------------------------------------------------
vm = boot(["-name", "guest=course-vm"])
check(output(vm.command("info name")) == "course-vm", "info name: -name guest=course-vm")
check("info name  -- show the current VM name" in vm.command("info"), "info lists name")
check(vm.quit() == 0, "quit")
vm = boot([])
check(output(vm.command("info name")) == "", "info name without -name: nothing")
check(vm.quit() == 0, "quit")

# --- 2. gdbserver none ----------------------------------------------------
port = free_port()
vm = boot(["-gdb", "tcp::%d" % port])
g = socket.create_connection(("127.0.0.1", port), timeout=5)
time.sleep(0.3)
check("VM status: paused" in vm.command("info status"), "a gdb connection pauses the machine")
check(output(vm.command("gdbserver none")) == "Disabled gdbserver", "gdbserver none: QEMU's message")
closed = False
g.settimeout(5)
try:
    while g.recv(4096):  # whatever the stub said before, then the end
        pass
    closed = True
except socket.timeout:
    pass  # still open
except OSError:
    closed = True  # reset
check(closed, "gdbserver none closes gdb's connection")
check(not listening(port), "gdbserver none stops listening")
check("VM status: paused" in vm.command("info status"),
      "gdbserver none leaves the machine paused, as QEMU")
vm.command("cont")
port2 = free_port()
check("Waiting for gdb connection on device 'tcp::%d'" % port2
      in vm.command("gdbserver tcp::%d" % port2), "gdbserver DEVICE after none")
check(listening(port2), "gdbserver DEVICE listens again")
check(output(vm.command("gdbserver none")) == "Disabled gdbserver", "gdbserver none again")
check(vm.quit() == 0, "quit")
vm = boot([])
check(output(vm.command("gdbserver none")) == "Disabled gdbserver",
      "gdbserver none without a stub: QEMU's message")
check(vm.quit() == 0, "quit")

# --- 3. qRcmd with -monitor none ------------------------------------------
gdb = shutil.which("gdb-multiarch")
if not gdb:
    print("gdb-multiarch not found: the qRcmd check is skipped")
else:
    p, port = start_gdb_stub(RVJIT, ["-nographic", "-monitor", "none", "-name", "headless",
                                     "-bios", "none", "-kernel", SPIN] + EXTRA)
    out = gdb_batch(gdb, port, SPIN, ["monitor info name", "monitor info status",
                                      "monitor quit"])
    check("not supported" not in out and re.search(r"^headless$", out, re.M) is not None,
          "-monitor none: gdb's monitor info name", out)
    check("VM status: paused" in out, "-monitor none: gdb's monitor info status", out)
    check(exit_status(p, 20) == 0, "-monitor none: gdb's monitor quit ends rvjit")

checks.finish()
