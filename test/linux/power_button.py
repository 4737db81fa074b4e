#!/usr/bin/env python3
"""Linux powers off when the monitor's system_powerdown presses the button.

usage: power_button.py RVJIT LINUXDIR [RVJIT-OPTION...]

LINUXDIR holds Image and initramfs.cpio.gz (as for linux_boot.py; the
environment variable RVJIT_LINUX_DIR, when set, takes its place). The
kernel's virtio_input driver finds the board's power button (the ninth
virtio-mmio transport, devices/virtio_input.h) with no option given; init
(init.c, rvjit-init.powerbutton) lists /dev/input/event*, says "power
button waiting" and waits for KEY_POWER, as systemd-logind does. The test
then types system_powerdown at the monitor (Ctrl-a c) and needs init's
"power button pressed", rvjit's exit with status 0 within the time limit,
the button's name among the input devices and no kernel warning.
Exit status 0 = pass, 77 = the kernel or OpenSBI is missing (skip), else fail.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from session import Console, exit_status  # noqa: E402

OPENSBI_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
SKIP = 77
TIMEOUT = 60
BAD = re.compile(r"WARNING:|BUG:|Oops|soft lockup|rcu: INFO|unhandled|Illegal instruction"
                 r"|Kernel panic|rvjit-init: FAIL")


def fail(msg, vm=None):
    print(f"\nFAIL: {msg}", flush=True)
    if vm and vm.p.poll() is None:
        vm.p.kill()
        vm.p.wait()
    if vm:
        print(vm.out.decode("latin-1"))
    sys.exit(1)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    rvjit, linuxdir = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    linuxdir = os.path.abspath(os.environ.get("RVJIT_LINUX_DIR") or linuxdir)
    image = os.path.join(linuxdir, "Image")
    initrd = os.path.join(linuxdir, "initramfs.cpio.gz")
    for p in (OPENSBI_JUMP, image, initrd):
        if not os.path.exists(p):
            print(f"SKIP: {p} is missing (test/linux/build-kernel.sh builds the kernel)")
            sys.exit(SKIP)
    argv = [rvjit, "-machine", "virt", "-m", "256M", "-smp", "2", "-nographic",
            "-bios", OPENSBI_JUMP, "-kernel", image, "-initrd", initrd,
            "-append", "console=ttyS0 rvjit-init.powerbutton"] + extra
    print("+", " ".join(argv), flush=True)
    start = time.monotonic()
    vm = Console(argv)
    if not vm.wait_for(r"rvjit-init: power button waiting\r?\n", TIMEOUT):
        fail("init never waited for the power button", vm)
    vm.send(b"\x01c")
    if not vm.wait_for(r"\(qemu\) "):
        fail("the monitor did not open", vm)
    vm.send("system_powerdown\n")
    status = exit_status(vm.p, max(5, TIMEOUT - (time.monotonic() - start)))
    text = vm.out.decode("latin-1").replace("\r", "")
    print(text)
    print("--- checks")
    if status is None:
        fail(f"rvjit did not exit within {TIMEOUT} s of the start")
    bad = [line for line in text.split("\n") if BAD.search(line)
           and not re.search(r"syscon-poweroff.*error -16", line)]
    if bad:
        fail("the kernel or init reported trouble:\n  " + "\n  ".join(bad))
    if not re.search(r"rvjit-init: input /dev/input/event\d+: rvjit power button\n", text):
        fail("no input device named 'rvjit power button'")
    if "rvjit-init: power button pressed" not in text:
        fail("init never saw KEY_POWER")
    if status != 0:
        fail(f"rvjit exited with status {status}, not 0")
    print(f"PASS ({time.monotonic() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
