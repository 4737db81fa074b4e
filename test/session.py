"""What the Python system tests share for driving rvjit, gdb and the monitor.

Imported by test/gdb_session.py, gdb_fast_debug.py, gdb_harts.py,
clock_stops.py, clock_stops_gdb.py, monitor_session.py and
chardev_backends.py (Python puts a
script's own folder on sys.path, so `import session` finds this file).

- need_gdb(): gdb-multiarch's path; without it, exit 77 (ctest's skip), or
  1 when CI is set, where a missing tool is a broken setup.
- Checks: check(cond, what, detail) prints ok/FAIL and collects failures;
  finish() prints the summary and exits 1 if any failed.
- free_port(), start_gdb_stub(): rvjit with `-gdb tcp::PORT`, returned once
  it listens; gdb_remote_argv() and gdb_batch(): a gdb-multiarch batch
  connected to it; exit_status(): rvjit's status, killed after a timeout.
- nm_symbol(): a guest symbol's address from riscv64-unknown-elf-nm.
- Console: rvjit on pipes, its output collected by a thread, with the
  monitor behind Ctrl-a c: wait_for, send, command, read64, quit.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time


def need_gdb():
    gdb = shutil.which("gdb-multiarch")
    if not gdb:
        print("gdb-multiarch not found (.ci/setup installs it)")
        sys.exit(1 if os.environ.get("CI") else 77)
    return gdb


class Checks:
    def __init__(self):
        self.failures = []

    def check(self, cond, what, detail=""):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            self.failures.append(what)
            if detail:
                print(detail)

    def finish(self):
        if self.failures:
            print("%d check(s) failed" % len(self.failures))
            sys.exit(1)
        print("all checks passed")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_gdb_stub(rvjit, args):
    """rvjit -gdb tcp::PORT ARGS, returned with PORT once the stub listens."""
    port = free_port()
    p = subprocess.Popen([rvjit, "-gdb", "tcp::%d" % port] + args,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    # Probe by binding, not connecting: a connection would stop the guest.
    for _ in range(100):
        s = socket.socket()
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            break
        finally:
            s.close()
        time.sleep(0.05)
    return p, port


def gdb_remote_argv(gdb, port):
    return [gdb, "-batch", "-nx", "-ex", "set architecture riscv:rv64",
            "-ex", "target remote 127.0.0.1:%d" % port]


def gdb_batch(gdb, port, elf, cmds, timeout=60):
    """gdb's output from running `cmds` against the stub at `port`."""
    argv = gdb_remote_argv(gdb, port)
    for c in cmds:
        argv += ["-ex", c]
    argv.append(elf)
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    return r.stdout.decode(errors="replace")


def exit_status(proc, timeout=30):
    """proc's exit status, or None if it had to be killed after `timeout`."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def nm_symbol(elf, name):
    nm = shutil.which("riscv64-unknown-elf-nm")
    out = subprocess.run([nm, elf], stdout=subprocess.PIPE, check=True).stdout.decode()
    m = re.search(r"^([0-9a-f]+) \w %s$" % name, out, re.M)
    return int(m.group(1), 16)


class Console:
    """rvjit on a pipe: the console, with the monitor behind Ctrl-a c."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = bytearray()
        self.mark = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.reader, daemon=True).start()

    def reader(self):
        while True:
            b = self.p.stdout.read1(4096)
            if not b:
                return
            with self.lock:
                self.out.extend(b)

    def wait_for(self, pattern, timeout=10, quiet=False):
        """Wait for `pattern` after the last match; return its match (None
        after `timeout`, with the output so far printed unless `quiet`)."""
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                text = self.out[self.mark:].decode(errors="replace")
            m = re.search(pattern, text)
            if m:
                self.mark += len(text[:m.end()].encode())
                return m
            time.sleep(0.02)
        if quiet:
            return None
        with self.lock:
            print("timed out waiting for %r; output so far:\n%s"
                  % (pattern, self.out[self.mark:].decode(errors="replace")))
        return None

    def send(self, s):
        self.p.stdin.write(s.encode() if isinstance(s, str) else s)
        self.p.stdin.flush()

    def command(self, cmd):
        """A monitor command's echo and output, up to the next prompt."""
        self.send(cmd + "\n")
        m = self.wait_for(r"\n\(qemu\) ")
        return m.string[:m.end()] if m else ""

    def read64(self, addr):
        """A 64-bit word of guest physical memory (RAM or a device)."""
        m = re.search(r": 0x([0-9a-f]{16})", self.command("xp/1gx %#x" % addr))
        return int(m.group(1), 16) if m else None

    def quit(self):
        self.send("quit\n")
        return exit_status(self.p, 20)
