#!/usr/bin/env python3
"""The monitor, typed at the console through stdin.

usage: monitor_session.py RVJIT SPIN_ELF [rvjit options...]

test/guest/monitor_spin.c prints "spinning" and increments `ticks` forever.
Ctrl-a c opens the monitor; info registers / mtree / cpus, x and xp (with
the x, d, c and i formats) answer; stop freezes `ticks`, cont lets it move
again; Ctrl-a c goes back to the guest and again to the monitor; quit ends
rvjit with status 0.
"""
import re
import shutil
import subprocess
import sys
import threading
import time

RVJIT, SPIN = sys.argv[1:3]
EXTRA = sys.argv[3:]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def symbol(name):
    nm = shutil.which("riscv64-unknown-elf-nm")
    out = subprocess.run([nm, SPIN], stdout=subprocess.PIPE, check=True).stdout.decode()
    m = re.search(r"^([0-9a-f]+) \w %s$" % name, out, re.M)
    return int(m.group(1), 16)


TICKS = symbol("ticks")
p = subprocess.Popen([RVJIT, "-nographic", "-bios", "none", "-kernel", SPIN] + EXTRA,
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = bytearray()
lock = threading.Lock()


def reader():
    while True:
        b = p.stdout.read1(4096)
        if not b:
            return
        with lock:
            out.extend(b)


threading.Thread(target=reader, daemon=True).start()
mark = 0


def wait_for(pattern, timeout=10):
    """Wait for `pattern` in the output after the last match; return the text."""
    global mark
    end = time.time() + timeout
    while time.time() < end:
        with lock:
            text = out[mark:].decode(errors="replace")
        m = re.search(pattern, text)
        if m:
            mark += len(text[:m.end()].encode())
            return text[:m.end()]
        time.sleep(0.02)
    with lock:
        print("timed out waiting for %r; output so far:\n%s" % (pattern, out[mark:].decode(errors="replace")))
    return None


def send(s):
    p.stdin.write(s.encode() if isinstance(s, str) else s)
    p.stdin.flush()


def command(cmd):
    send(cmd + "\n")
    return wait_for(r"\n\(qemu\) ") or ""


check(wait_for("spinning\n") is not None, "the guest runs")
send(b"\x01c")
check(wait_for(r"\(qemu\) ") is not None, "Ctrl-a c opens the monitor")
text = command("info registers")
check("CPU#0" in text and re.search(r" pc\s+0000000080", text) is not None
      and "x10/a0" in text and "mstatus" in text and re.search(r"priv\s+M", text) is not None,
      "info registers")
text = command("info mtree")
check("0000000080000000-0000000087ffffff (prio 0, ram): ram" in text
      and re.search(r"0000000000001000-\w+ \(prio 0, rom\)", text) is not None
      and "0000000010000000-" in text, "info mtree lists RAM, the boot ROM and the UART")
check(re.search(r"\* CPU #0: pc=0x", command("info cpus")) is not None, "info cpus")
text = command("x/2i 0x80000000")
check(re.search(r"0x0000000080000000:\s+[0-9a-f]+\s+auipc", text) is not None, "x/2i disassembles")
text = command("xp/2wx 0x1000")
check(re.search(r"0000000000001000: 0x[0-9a-f]{8} 0x[0-9a-f]{8}", text) is not None, "xp/2wx reads the boot ROM")
text = command("xp/2bd 0x100000000")
check("Cannot access memory" in text, "xp of nothing says so")
command("stop")
time.sleep(0.2)
first = command("xp/1gx %#x" % TICKS)
time.sleep(0.3)
second = command("xp/1gx %#x" % TICKS)
v1 = re.search(r": 0x([0-9a-f]{16})", first)
v2 = re.search(r": 0x([0-9a-f]{16})", second)
check(v1 is not None and v2 is not None and v1.group(1) == v2.group(1), "stop freezes the guest")
command("cont")
time.sleep(0.3)
third = command("x/1gu %#x" % TICKS)
v3 = re.search(r": +(\d+)", third)
check(v1 is not None and v3 is not None and int(v3.group(1)) > int(v1.group(1), 16),
      "cont resumes it")
text = command("x/1c 0x80000000")
check(re.search(r"0000000080000000: '", text) is not None, "x/1c")
send(b"\x01c")          # back to the guest
send(b"hello")          # guest input, not monitor input
send(b"\x01c")
check(wait_for(r"\(qemu\) ") is not None, "Ctrl-a c again opens the monitor")
text = command("help")
check("info registers" in text and "system_reset" in text, "help")
check("unknown command" in command("hello"), "unknown commands are reported")
send("quit\n")
try:
    rc = p.wait(timeout=20)
except subprocess.TimeoutExpired:
    p.kill()
    rc = None
check(rc == 0, "quit exits with status 0 (got %s)" % rc)
if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("all checks passed")
