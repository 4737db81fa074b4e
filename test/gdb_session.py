#!/usr/bin/env python3
"""The GDB stub with a real gdb-multiarch, and at the protocol level.

usage: gdb_session.py RVJIT GDB_TARGET_ELF SPIN_ELF [rvjit options...]

1. rvjit -S -gdb tcp::PORT runs test/guest/gdb_target.c; gdb's `monitor`
   runs monitor commands (qRcmd) and shows their output; gdb breaks at
   some_function, reads a0 and writes 8 there, steps, reads pc and memory,
   writes some_data[0] = 5, watches counter (0 -> 24), and continues to the
   exit, whose status (5) proves both writes reached the guest.
2. A spinning guest (no -S): a raw RSP client checks acks, qSupported, the
   target description, register writes (P, G), continue + Ctrl-C (T02),
   then disconnects; gdb
   connects a second time, reads pc and kills rvjit.
Missing gdb-multiarch skips (77) outside CI.
"""
import re
import socket
import sys
import time

from session import Checks, exit_status, gdb_batch, need_gdb, start_gdb_stub

RVJIT, TARGET, SPIN = sys.argv[1:4]
EXTRA = sys.argv[4:]
GDB = need_gdb()
checks = Checks()
check = checks.check


def start(args):
    return start_gdb_stub(RVJIT, args + EXTRA)


def gdb(port, elf, cmds):
    return gdb_batch(GDB, port, elf, cmds)


# --- 1. a debugging session with a real gdb -------------------------------
rv, port = start(["-S", "-bios", "none", "-kernel", TARGET])
out = gdb(port, TARGET, [
    "monitor help", "monitor info registers", "monitor no_such_command",
    "break some_function", "continue", "p/x $a0", "set var $a0 = 8", "stepi", "info registers pc",
    "x/4wx &some_data", "set var some_data[0] = 5", "p/x some_data[0]",
    "p $priv", "p/x $mhartid", "watch counter", "continue", "continue"])
print(out)
check("info [subcommand] -- show various information about the system state" in out, "monitor help: the monitor's list")
check(re.search(r"^CPU#0\n pc +0000000000001000$", out, re.M) is not None,
      "monitor info registers: hart 0 at the reset vector")
check("unknown command: 'no_such_command'" in out, "monitor: an unknown command says so")
m = re.search(r"Breakpoint 1 at (0x[0-9a-f]+)", out)
bp = int(m.group(1), 16) if m else None
check(re.search(r"Breakpoint 1, some_function \(x=(x@entry=)?7\)", out) is not None,
      "breakpoint at some_function hit with x = 7")
check("$1 = 0x7" in out, "a0 reads 7 at the breakpoint")
m = re.search(r"^pc\s+(0x[0-9a-f]+)", out, re.M)
pc = int(m.group(1), 16) if m else None
check(bp is not None and pc is not None and pc in (bp + 2, bp + 4),
      "stepi moved pc by one instruction (%s -> %s)" % (bp and hex(bp), pc and hex(pc)))
check(re.search(r"<some_data>:\s+0x11111111\s+0x22222222\s+0x33333333\s+0x44444444", out)
      is not None, "x/4wx reads some_data")
check("$2 = 0x5" in out, "the write to some_data[0] reads back")
check(re.search(r"\$3 = (3|prv_machine)", out) is not None, "priv is M")
check("$4 = 0x0" in out, "mhartid reads 0 through the CSR feature")
check(re.search(r"Hardware watchpoint 2: counter\s+Old value = 0\s+New value = 24", out)
      is not None, "the watchpoint on counter stops at its write, 0 -> 24 (a0 written as 8)")
check("exited with code 05" in out, "gdb sees the exit status 5")
rc = exit_status(rv)
check(rc == 5, "rvjit exits with some_data[0] = 5 (got %s)" % rc)


# --- 2. the protocol itself, Ctrl-C, and a second connection --------------
def packet(data):
    return b"$%s#%02x" % (data, sum(data) & 0xff)


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def read_packet(self):
        while True:
            m = re.search(rb"\$([^#]*)#([0-9a-f]{2})", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m.group(1), self.buf
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def cmd(self, data):
        self.s.sendall(packet(data))
        reply, _ = self.read_packet()
        return reply


rv, port = start(["-bios", "none", "-kernel", SPIN])
time.sleep(0.3)
c = Client(port)
c.s.sendall(packet(b"qSupported:multiprocess+;xmlRegisters=riscv"))
time.sleep(0.2)
c.buf = c.s.recv(65536)
check(c.buf.startswith(b"+"), "the stub acks a packet")
reply, _ = c.read_packet()
check(b"qXfer:features:read+" in reply and b"PacketSize=" in reply, "qSupported")
c.s.sendall(b"+")
check(c.cmd(b"QStartNoAckMode") == b"OK", "QStartNoAckMode")
c.buf = c.buf.lstrip(b"+")
xml = c.cmd(b"qXfer:features:read:target.xml:0,3fff")
check(b"org.gnu.gdb.riscv.cpu" in xml and b"org.gnu.gdb.riscv.csr" in xml
      and b'name="mstatus"' in xml and b'regnum="833"' in xml
      and b"org.gnu.gdb.riscv.virtual" in xml, "target.xml has cpu, csr (65 + csrno), virtual")
check(c.cmd(b"qfThreadInfo") == b"m1" and c.cmd(b"qsThreadInfo") == b"l", "one thread per hart")
check(c.cmd(b"?").startswith(b"T05thread:1;"), "stopped on connect")
check(c.cmd(b"m0,4") == b"E14", "unmapped memory reads E14")
# Register writes: P for one register, G for all of them, each read back
# with p; then the hart's registers as they were.
regs = c.cmd(b"g")
check(len(regs) >= 33 * 16, "g: x0-x31 and pc, 16 hex digits each")
a0 = (0x1122334455667788).to_bytes(8, "little").hex().encode()
check(c.cmd(b"Pa=" + a0) == b"OK" and c.cmd(b"pa") == a0, "P writes a0, p reads it back")
a1 = (0x0123456789abcdef).to_bytes(8, "little").hex().encode()
check(c.cmd(b"G" + regs[:11 * 16] + a1 + regs[12 * 16:]) == b"OK" and c.cmd(b"pb") == a1
      and c.cmd(b"pa") == regs[10 * 16:11 * 16], "G writes every register (a1 changed, a0 back)")
check(c.cmd(b"G" + regs) == b"OK" and c.cmd(b"g") == regs, "G puts them all back")
check(c.cmd(b"vMustReplyEmpty") == b"", "vMustReplyEmpty")
reply, text = c.cmd(b"qRcmd," + b"info cpus".hex().encode()), b""
while reply.startswith(b"O") and reply != b"OK":
    text += bytes.fromhex(reply[1:].decode())
    reply, _ = c.read_packet()
check(reply == b"OK" and b"CPU #0:" in text,
      "qRcmd: the monitor's output in O packets, then OK (%r)" % text)
check(c.cmd(b"vCont;c:9") == b"E22", "vCont naming a thread that does not exist: E22")
c.s.sendall(packet(b"vCont;c"))
time.sleep(0.3)
c.s.sendall(b"\x03")
reply, _ = c.read_packet()
check(reply.startswith(b"T02"), "Ctrl-C stops the guest with SIGINT (%r)" % reply)
c.s.close()  # a disconnect resumes the guest
time.sleep(0.3)
check(rv.poll() is None, "rvjit keeps running after the client went away")
out = gdb(port, SPIN, ["info registers pc", "kill"])
print(out)
check(re.search(r"^pc\s+0x8000", out, re.M) is not None, "a second gdb connection reads pc")
rc = exit_status(rv)
check(rc == 0, "gdb's kill ends rvjit with status 0 (got %s)" % rc)

checks.finish()
