#!/usr/bin/env python3
"""The monitor, typed at the console through stdin, against QEMU 7.2's.

usage: monitor_session.py RVJIT SPIN_ELF [rvjit options...]

test/guest/monitor_spin.c prints "spinning" and increments `ticks` forever,
here on two harts with a read-only drive and a -D log file. Ctrl-a c opens
the monitor with the banner (once); the line editor echoes what QEMU's
readline echoes (byte for byte) and edits and recalls lines from escape
sequences; info (alone, registers [-a], mtree, cpus, status, version,
block, qtree, irq), cpu, x and xp, print, sendkey, log, gdbserver, stop and
cont, help answer as QEMU does; quit ends rvjit with status 0.
"""
import os
import re
import shutil
import socket
import sys
import tempfile
import time

from session import Checks, Console, free_port, nm_symbol

RVJIT, SPIN = sys.argv[1:3]
EXTRA = sys.argv[3:]
checks = Checks()
check = checks.check
TICKS = nm_symbol(SPIN, "ticks")
tmp = tempfile.mkdtemp()
DISK = os.path.join(tmp, "disk.img")
with open(DISK, "wb") as f:
    f.truncate(1 << 20)
LOG = os.path.join(tmp, "log.txt")
vm = Console([RVJIT, "-nographic", "-bios", "none", "-kernel", SPIN, "-smp", "2",
              "-drive", "file=%s,format=raw,if=virtio,readonly=on" % DISK, "-D", LOG,
              "-netdev", "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:0-:7",
              "-device", "virtio-net-device,netdev=n0,mac=52:54:00:ab:cd:ef",
              "-device", "virtio-rng-pci,addr=3"] + EXTRA)
send, command = vm.send, vm.command


def wait_for(pattern, timeout=10):
    """Wait for `pattern` in the output after the last match; return the text."""
    m = vm.wait_for(pattern, timeout)
    return m.string[:m.end()] if m else None


check(wait_for("spinning\n") is not None, "the guest runs")
send(b"\x01c")
check(wait_for(r"rvjit [0-9.]+ monitor - type 'help' for more information\n\(qemu\) ") is not None,
      "Ctrl-a c opens the monitor with QEMU's banner")
# QEMU's readline redraws the whole line after each key (captured from
# qemu-system-riscv64 7.2 with the same keys).
send("ab\x7f\x7f")
check(wait_for(re.escape("a\x1b[K\x1b[Dab\x1b[K\x1b[D\x1b[Da\x1b[K\x1b[D\x1b[K")) is not None,
      "the echo is QEMU's redraw")
# "/x 32", Ctrl-a (typed C-a C-a through the console's mux), "p ",
# Ctrl-e, "+1", left, Backspace, "-", right: "p /x 32-1".
text = command("/x 32\x01\x01p \x05+1\x1b[D\x7f-\x1b[C")
check(text.endswith("\n0x1f\n(qemu) "), "line editing: home, end, left, right, backspace")
command("p /x 7")
text = command("\x1b[A")
check(text.endswith("\n0x7\n(qemu) "), "up recalls the last line")
text = command("\x1b[A\x1b[A\x1b[B")
check(text.endswith("\n0x7\n(qemu) "), "up, up, down walks the history")
text = command("info")
check("\ninfo status  -- show the current VM status (running|paused)\n" in text
      and "\ninfo registers [-a|vcpu] -- show the cpu registers" in text
      and "\ninfo snapshots  -- show the currently saved VM snapshots\n" in text,
      "info alone lists its items")
text = command("info registers")
check("\nCPU#0\n" in text and "CPU#1" not in text and re.search(r" pc\s+0000000080", text) is not None
      and "x10/a0" in text and "mstatus" in text and re.search(r"priv\s+M", text) is not None,
      "info registers shows the selected hart")
check("invalid CPU index" in command("cpu 2"), "cpu N beyond the harts")
command("cpu 1")
text = command("info registers")
check("\nCPU#1\n" in text and "CPU#0" not in text and "mhartid  0000000000000001" in text,
      "cpu 1 selects the hart info registers shows")
text = command("info registers -a")
check("info registers -a\x1b[K\n" in text and "\nCPU#0\n" in text and "\nCPU#1\n" in text,
      "info registers -a shows every hart")
command("cpu 0")
check("VM status: running" in command("info status"), "info status: running")
check(re.search(r"\n[0-9]+\.[0-9]+ \(rvjit\)\n", command("info version")) is not None, "info version")
text = command("info block")
check("virtio0 (#block0): %s (raw, read-only)\n    Attached to:" % DISK in text, "info block")
text = command("info network")
check("virtio-net-device.0: index=0,type=nic,model=virtio-net-device,macaddr=52:54:00:ab:cd:ef\n"
      " \\ n0: index=0,type=user,net=10.0.2.0,restrict=on,hostfwd=tcp:127.0.0.1:0-:7\n" in text,
      "info network: the NIC, its backend and its forward")
text = command("info qtree")
check("bus: main-system-bus\n" in text and "dev: serial-mm, id \"\"\n    mmio 0000000010000000/" in text,
      "info qtree")
check("dev: gpex-pcihost, id \"\"\n    mmio 0000000030000000/0000000010000000\n" in text,
      "info qtree: the PCIe host bridge")
text = command("info pci")
check("  Bus  0, device   0, function 0:\n    Host bridge: PCI device 1b36:0008\n" in text and
      "  Bus  0, device   3, function 0:\n    Class 0255: PCI device 1af4:1044\n"
      "      PCI subsystem 1af4:1100\n      IRQ 0, pin A\n"
      "      BAR4: 64 bit prefetchable memory at 0xffffffffffffffff [0x00003ffe].\n" in text,
      "info pci: the host bridge and virtio-rng-pci, as QEMU shows them")
text = command("info irq")
check("PLIC at 0xc000000:" in text and "context 3 (hart 1 S): threshold" in text, "info irq: the PLIC")
check("unknown command: 'info frob'" in command("info frob"), "info of nothing")
# print: QEMU's expressions and formats; the format sticks, as in QEMU.
check("\n0xff\n" in command("p /x 255"), "p /x")
check("\n20\n" in command("print /d (2+3)*4"), "print /d with parentheses")
check("\n010\n" in command("p /o 8"), "p /o")
check("\n020\n" in command("p 16"), "p repeats the last format")
check("\n18446744073709551615\n" in command("p /u -1"), "p /u")
check("\n'A'\n" in command("p /c 65"), "p /c")
check("\n19\n" in command("p /d 0x10 ^ 3 | 0x100 & 0xff"), "p & | ^ left to right")
check("\n-1\n" in command("p /d ~0"), "p ~")
check(re.search(r"\n0x8000[0-9a-f]{4}\n", command("p /x $pc")) is not None, "p $pc")
check("division by zero\nTry \"help p\" for more information" in command("p 7/0"),
      "p: division by zero")
check("unexpected end of expression" in command("print 1+"), "print: an incomplete expression")
check("print|p: extraneous characters at the end of line\nTry \"help p\"" in command("p 1 2"),
      "print: junk after the expression")
# QEMU's memory_dump: /c shows count * unit bytes (the unit, w, repeats
# from the xp before it); unit b puts 8 on a line.
command("xp/1wx 0x1000")
text = command("x/3c 0x80000000")
check(re.search(r"\n0000000080000000:( '[^']+'){12}\n\(qemu\) $", text) is not None,
      "x/3c after /w shows 12 characters, as QEMU")
text = command("xp/16bx 0x1000")
check(re.search(r"\n0000000000001000:( 0x[0-9a-f]{2}){8}\n0000000000001008:( 0x[0-9a-f]{2}){8}\n", text)
      is not None, "xp/16bx: 8 bytes a line, as QEMU")
# sendkey: the virt board has no keyboard; QEMU checks the keys and drops them.
check(command("sendkey ctrl-c").endswith("sendkey ctrl-c\x1b[K\n(qemu) "), "sendkey ctrl-c: silent")
check("invalid parameter: foo" in command("sendkey ctrl-foo"), "sendkey: a wrong key")
check("log: string expected" in command("log"), "log without items")
check("unknown log item 'foo'" in command("log foo"), "log: a wrong item")
# gdbserver starts the stub; a connection stops the machine, as QEMU's.
port = free_port()
text = command("gdbserver tcp::%d" % port)
check("Waiting for gdb connection on device 'tcp::%d'" % port in text, "gdbserver starts the stub")
reply = b""
g = None
try:
    g = socket.create_connection(("127.0.0.1", port), timeout=5)
    g.sendall(b"$?#3f")
    end = time.time() + 5
    while b"#" not in reply and time.time() < end:
        reply += g.recv(4096)
except OSError as e:
    print("gdbserver: %s" % e)
check(re.search(rb"\$[ST][0-9a-f]{2}", reply) is not None, "the stub answers gdb's '?'")
time.sleep(0.2)
check("VM status: paused" in command("info status"), "info status: paused while gdb holds it")
if g:
    g.close()
time.sleep(0.3)
check("VM status: running" in command("info status"), "gdb's disconnect resumes it")
text = command("info mtree")
check("0000000080000000-0000000087ffffff (prio 0, ram): ram" in text
      and re.search(r"0000000000001000-\w+ \(prio 0, rom\)", text) is not None
      and "0000000010000000-" in text, "info mtree lists RAM, the boot ROM and the UART")
check(re.search(r"\* CPU #0: pc=0x", command("info cpus")) is not None, "info cpus")
text = command("x/2i 0x80000000")
# QEMU's listing: bits padded to 18 columns, the mnemonic to 24.
check(re.search(r"0x0000000080000000:  [0-9a-f]{8}          auipc {19}\w+,", text) is not None,
      "x/2i disassembles in QEMU's layout", text)
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
with vm.lock:
    banners = vm.out.count(b"monitor - type 'help'")
check(banners == 1, "the banner shows once (saw %d)" % banners)
text = command("help")
names = re.findall(r"^(\S+) .* -- ", text, re.M)
check(names == ["commit", "cont|c", "cpu", "delvm", "gdbserver", "help|?", "info", "loadvm", "log", "print|p",
                "quit|q", "savevm", "sendkey", "stop|s", "system_powerdown", "system_reset", "x",
                "xp"], "help lists exactly the commands (got %s)" % names)
check("unknown command: 'hello'" in command("hello"), "unknown commands are reported")
# log: the -d categories at run time, and across a reset.
command("log in_asm")
command("system_reset")
time.sleep(0.5)
command("log none")
rc = vm.quit()
check(rc == 0, "quit exits with status 0 (got %s)" % rc)
with open(LOG) as f:
    log = f.read()
check(re.search(r"000000008000000[0-9a-f]: ", log) is not None, "log in_asm logs the code run after it")
shutil.rmtree(tmp)
checks.finish()
