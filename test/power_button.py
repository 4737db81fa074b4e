#!/usr/bin/env python3
"""The power button: the monitor's system_powerdown reaches a guest driver.

usage: power_button.py RVJIT ELF [rvjit options...]

ELF is test/guest/virtio_input_power_button.c, which checks the device and
every event itself and prints "ready", "hostile ready", "power button ok".
Here: each system_powerdown (typed at Ctrl-a c, silent as QEMU's) makes
the next step go on; help words it as QEMU 7.2 does; the device tree has
the ninth virtio-mmio node, and -machine virt,power-button=off leaves it
out (and system_powerdown then does nothing, as on QEMU).
"""
import os
import subprocess
import sys
import tempfile

from session import Checks, Console

RVJIT, ELF = sys.argv[1:3]
EXTRA = sys.argv[3:]
checks = Checks()
check = checks.check


def dts(machine):
    """The device tree rvjit builds for -machine `machine`, as text."""
    with tempfile.TemporaryDirectory() as tmp:
        dtb = os.path.join(tmp, "virt.dtb")
        subprocess.run([RVJIT, "-machine", machine + ",dumpdtb=" + dtb], check=True)
        return subprocess.run(["dtc", "-I", "dtb", "-O", "dts", dtb], check=True,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()


tree = dts("virt")
node = tree[tree.find("virtio_mmio@10009000"):]
check("virtio_mmio@10009000 {" in tree and 'compatible = "virtio,mmio"' in node[:200]
      and "reg = <0x00 0x10009000 0x00 0x1000>" in node[:200]
      and "interrupts = <0x09>" in node[:200],
      "the device tree has the power button's virtio-mmio node (0x10009000, irq 9)")
check(tree.rfind("virtio_mmio@") == tree.find("virtio_mmio@10009000"),
      "it comes after QEMU's eight slots")
check("10009000" not in dts("virt,power-button=off"), "power-button=off leaves it out")
bad = subprocess.run([RVJIT, "-machine", "virt,power-button=maybe"], stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT)
check(bad.returncode == 1 and b"power-button takes on or off, not 'maybe'" in bad.stdout,
      "a bad power-button value is an error", bad.stdout.decode(errors="replace"))

vm = Console([RVJIT, "-nographic", "-bios", "none", "-m", "128M", "-kernel", ELF] + EXTRA)
check(vm.wait_for("ready\n") is not None, "the guest found the button and posted buffers")
vm.send(b"\x01c")
check(vm.wait_for(r"\(qemu\) ") is not None, "the monitor opens")
text = vm.command("help system_powerdown")
check("system_powerdown  -- send system power down event\r\n" in text.replace("\r\n", "\n")
      .replace("\n", "\r\n"), "help words it as QEMU", text)
text = vm.command("system_powerdown")
check(text.endswith("system_powerdown\x1b[K\r\n(qemu) ") or
      text.replace("\r", "").endswith("system_powerdown\x1b[K\n(qemu) "),
      "system_powerdown prints nothing", repr(text))
check(vm.wait_for("pressed\n") is not None, "the press arrived as four events")
check(vm.wait_for("hostile ready\n") is not None, "bad chains came back unwritten")
vm.command("system_powerdown")
check(vm.wait_for("power button ok\n") is not None,
      "a press past bad chains, a reset, and the rest of the press")
status = vm.quit() if vm.p.poll() is None else vm.p.wait()
check(status == 0, "the guest passed (exit status %s)" % status)
if vm.p.returncode != 0:
    print(vm.out.decode(errors="replace"))

# Without the button nothing answers at 0x10009000: the guest's first
# read of it is a load access fault (crt0.S's unexpected_trap exits with
# 1000 + mcause 5, status 1005 & 0xff).
off = subprocess.run([RVJIT, "-nographic", "-bios", "none", "-machine", "virt,power-button=off",
                      "-kernel", ELF] + EXTRA, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                     timeout=30)
check(off.returncode == 1005 & 0xff and b"ready" not in off.stdout,
      "power-button=off: no device at 0x10009000 (exit status %d)" % off.returncode)
checks.finish()
