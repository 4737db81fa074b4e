#!/usr/bin/env python3
"""savevm, loadvm, delvm, info snapshots and -loadvm, against QEMU 7.2's.

usage: savevm_loadvm.py RVJIT COUNTER_ELF [rvjit options...]

test/guest/savevm_counter.c counts in RAM and keeps the count in sector 0
of a qcow2 disk, printing "count N" every 50 ms and failing ("mismatch")
if the disk ever disagrees with RAM. So after `loadvm` the counting goes on
from the saved count, and with the disk reverted too; after every step
`qemu-img check` finds the image clean and `qemu-img snapshot -l` lists
what the monitor made. Errors (an unknown tag, a raw disk, no disk, a VM
state rvjit did not write) are QEMU's messages and leave the guest running.
Needs qemu-img (exit 77 without it, 1 in CI).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from session import Checks, Console, exit_status

RVJIT, COUNTER = sys.argv[1:3]
EXTRA = sys.argv[3:]
if not shutil.which("qemu-img"):
    print("qemu-img not found (.ci/setup installs qemu-utils)")
    sys.exit(1 if os.environ.get("CI") else 77)
checks = Checks()
check = checks.check
tmp = tempfile.mkdtemp()
IMG = os.path.join(tmp, "disk.qcow2")
RAW = os.path.join(tmp, "disk.raw")
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", IMG, "1M"], check=True)
with open(RAW, "wb") as f:
    f.truncate(1 << 20)


def rvjit(drive_file, fmt, *more):
    argv = [RVJIT, "-nographic", "-bios", "none", "-kernel", COUNTER]
    if drive_file:
        argv += ["-drive", "file=%s,if=none,id=x0,format=%s" % (drive_file, fmt),
                 "-device", "virtio-blk-device,drive=x0"]
    return Console(argv + list(more) + EXTRA)


def image_clean(what):
    r = subprocess.run(["qemu-img", "check", IMG], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    check(r.returncode == 0 and "No errors were found" in r.stdout,
          "qemu-img check is clean " + what, r.stdout)


def snapshot_list():
    return subprocess.run(["qemu-img", "snapshot", "-l", IMG], stdout=subprocess.PIPE,
                          text=True).stdout


def reply(text):
    """A command's output: after its echoed line (the line editor's last
    redraw), before the next prompt, without the guest's lines."""
    if not text.endswith("(qemu) ") or "\x1b[K\n" not in text:
        return None
    out = text.rsplit("\x1b[K\n", 1)[1][:-len("(qemu) ")]
    return re.sub(r"^count \d+\n", "", out, flags=re.M)


def last_count(vm):
    with vm.lock:
        counts = re.findall(rb"count (\d+)\n", bytes(vm.out))
    return int(counts[-1]) if counts else None


def stop_and_count(vm):
    """Stop the guest; the last count it printed."""
    vm.command("stop")
    time.sleep(0.2)
    return last_count(vm)


vm = rvjit(IMG, "qcow2")
check(vm.wait_for(r"count 3\n") is not None, "the guest counts")
vm.send(b"\x01c")
check(vm.wait_for(r"\(qemu\) ") is not None, "the monitor opens")
check(reply(vm.command("info snapshots")) == "There is no snapshot available.\n",
      "info snapshots without snapshots")
saved = stop_and_count(vm)
RTC_TIME = 0x101000  # the Goldfish RTC's count, in ns
rtc_saved = vm.read64(RTC_TIME)
text = vm.command("savevm s1")
check(reply(text) == "", "savevm prints nothing", text)
vm.command("cont")
check(vm.wait_for(r"count %d\n" % (saved + 6)) is not None, "the guest runs on after savevm")
time.sleep(1.5)
text = vm.command("loadvm s1")
check(reply(text) == "", "loadvm prints nothing", repr(text))
rtc_loaded = vm.read64(RTC_TIME)
# As QEMU's: the RTC reads on from the saved moment, not from the host's
# clock of now (which is 1.5 s and more later).
check(rtc_saved is not None and rtc_loaded is not None and
      0 <= rtc_loaded - rtc_saved < 1000000000,
      "after loadvm the RTC reads on from its saved count (saved %r, loaded %r)"
      % (rtc_saved, rtc_loaded))
m = vm.wait_for(r"(count|mismatch) [^\n]*\n")
first = m and m.group(0)
check(first in ("count %d\n" % (saved + 1), "count %d\n" % (saved + 2)),
      "after loadvm the count goes on from the saved one (saved %d, then %r)" % (saved, first))
check(vm.wait_for(r"count %d\n" % (saved + 4)) is not None and b"mismatch" not in vm.out,
      "the disk went back with RAM (the guest finds its count there)")
text = vm.command("info snapshots")
check(re.search(r"List of snapshots present on all disks:\n"
                r"ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT\n"
                r"--        s1               [ 0-9.]{4} KiB \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \d\d:\d\d:\d\d\.\d{3}"
                r" {11}\n", text) is not None, "info snapshots lists s1 in QEMU's table", text)
text = vm.command("savevm")
auto = re.findall(r"vm-\d{14}", vm.command("info snapshots"))
check(len(auto) == 1, "savevm without a tag names it vm-YYYYMMDDHHMMSS")
text = vm.command("loadvm nope")
check("\nError: Snapshot 'nope' does not exist in one or more devices\n" in text,
      "loadvm of an unknown tag is QEMU's error", text)
text = vm.command("loadvm")
check("loadvm: string expected\nTry \"help loadvm\" for more information" in text,
      "loadvm needs a tag", text)
check(reply(vm.command("delvm s1")) == "", "delvm prints nothing")
text = vm.command("info snapshots")
check("s1 " not in text and auto and auto[0] in text, "delvm deleted s1 only", text)
saved2 = stop_and_count(vm)
vm.command("savevm s2")
rc = vm.quit()
check(rc == 0, "quit (status %s)" % rc)
image_clean("after savevm, loadvm, delvm")
listing = snapshot_list()
check(re.search(r"\n\d+\s+vm-\d{14}\s+[0-9.]+ KiB ", listing) is not None
      and re.search(r"\n\d+\s+s2\s+[0-9.]+ KiB ", listing) is not None and " s1 " not in listing,
      "qemu-img snapshot -l lists rvjit's snapshots", listing)

# -loadvm: the guest starts where s2 left it, without its start-up.
vm = rvjit(IMG, "qcow2", "-loadvm", "s2")
m = vm.wait_for(r"(count|mismatch|ready) [^\n]*\n|ready\n")
first = m and m.group(0)
check(first in ("count %d\n" % (saved2 + 1), "count %d\n" % (saved2 + 2)),
      "-loadvm starts from the snapshot (saved %d, then %r)" % (saved2, first))
check(vm.wait_for(r"count %d\n" % (saved2 + 3)) is not None and b"mismatch" not in vm.out,
      "with the disk of the snapshot")
vm.send(b"\x01c")
vm.wait_for(r"\(qemu\) ")
rc = vm.quit()
image_clean("after -loadvm")

# -snapshot: the snapshots live with the writes, in memory, as they live in
# QEMU's temporary overlay; the image keeps neither.
listing = snapshot_list()
vm = rvjit(IMG, "qcow2", "-snapshot")
vm.wait_for(r"count \d+\n")
vm.send(b"\x01c")
vm.wait_for(r"\(qemu\) ")
check(reply(vm.command("info snapshots")) == "There is no snapshot available.\n",
      "-snapshot starts without snapshots, as QEMU's temporary overlay")
saved3 = stop_and_count(vm)
check(reply(vm.command("savevm t")) == "", "savevm with -snapshot")
vm.command("cont")
vm.wait_for(r"count %d\n" % (saved3 + 4))
check(reply(vm.command("loadvm t")) == "", "loadvm with -snapshot")
m = vm.wait_for(r"(count|mismatch) [^\n]*\n")
first = m and m.group(0)
check(first in ("count %d\n" % (saved3 + 1), "count %d\n" % (saved3 + 2))
      and vm.wait_for(r"count %d\n" % (saved3 + 3)) is not None and b"mismatch" not in vm.out,
      "-snapshot: RAM and the overlay's disk go back together (saved %d, then %r)" % (saved3, first))
vm.quit()
check(snapshot_list() == listing, "-snapshot leaves the image's snapshots alone")

# A disk-only snapshot, and one whose VM state rvjit did not write.
subprocess.run(["qemu-img", "snapshot", "-c", "diskonly", IMG], check=True)
vm = rvjit(IMG, "qcow2")
vm.wait_for(r"count \d+\n")
vm.send(b"\x01c")
vm.wait_for(r"\(qemu\) ")
text = vm.command("loadvm diskonly")
check("Error: This is a disk-only snapshot. Revert to it  offline using qemu-img\n" in text,
      "loadvm of a disk-only snapshot is QEMU's error", text)
check("VM status: paused" in vm.command("info status"), "a failed loadvm leaves the machine stopped, as QEMU")
qemu = shutil.which("qemu-system-riscv64")
if qemu:
    vm.quit()
    p = subprocess.run("(sleep 1; echo 'savevm fromqemu'; sleep 1; echo quit) | %s -machine virt "
                       "-bios none -kernel %s -display none -serial none -monitor stdio -drive "
                       "file=%s,if=none,id=x0,format=qcow2 -device virtio-blk-device,drive=x0"
                       % (qemu, COUNTER, IMG), shell=True, stdout=subprocess.PIPE)
    vm = rvjit(IMG, "qcow2")
    vm.wait_for(r"count \d+\n")
    vm.send(b"\x01c")
    vm.wait_for(r"\(qemu\) ")
    before = last_count(vm)
    text = vm.command("loadvm fromqemu")
    check("Error: Error while loading VM state: the VM state was not saved by this version of rvjit"
          in text, "QEMU's VM state is refused with one error", text)
    vm.command("cont")
    check(vm.wait_for(r"count %d\n" % (before + 3)) is not None and b"mismatch" not in vm.out,
          "and the guest runs on unchanged")
vm.quit()
image_clean("after the refused loads")

# Two qcow2 drives: both get the snapshot, the first holds the machine
# state; names only one drive has are listed apart, as QEMU lists them.
IMG2 = os.path.join(tmp, "second.qcow2")
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", IMG2, "1M"], check=True)
vm = rvjit(IMG, "qcow2", "-drive", "file=%s,if=none,id=x1,format=qcow2" % IMG2,
           "-device", "virtio-blk-device,drive=x1")
vm.wait_for(r"count \d+\n")
vm.send(b"\x01c")
vm.wait_for(r"\(qemu\) ")
check(reply(vm.command("savevm both")) == "", "savevm with two qcow2 drives")
vm.quit()
second = subprocess.run(["qemu-img", "snapshot", "-l", IMG2], stdout=subprocess.PIPE, text=True).stdout
check(re.search(r"\n1\s+both\s+0 B ", second) is not None and re.search(r" both\s+[0-9.]+ KiB ", snapshot_list()),
      "both drives have the snapshot, the first with the machine state", second)
subprocess.run(["qemu-img", "snapshot", "-c", "only2", IMG2], check=True)
vm = rvjit(IMG, "qcow2", "-drive", "file=%s,if=none,id=x1,format=qcow2" % IMG2,
           "-device", "virtio-blk-device,drive=x1", "-S")
time.sleep(0.5)
vm.send(b"\x01c")
vm.wait_for(r"\(qemu\) ")
text = reply(vm.command("info snapshots"))
HEADER = "ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT\n"
check(text is not None and text.startswith("List of snapshots present on all disks:\n" + HEADER)
      and re.search(r"^--        both +\S.*\n\n", text, re.M) is not None
      and re.search(r"\nList of partial \(non-loadable\) snapshots on 'x0':\n" + HEADER
                    + r"(\d+ +\S+ .*\n)*\d+ +diskonly .*\n(\d+ +\S+ .*\n)*\nList of partial \(non-loadable\) snapshots on "
                    r"'x1':\n" + HEADER + r"\d+ +only2 .*\n$", text) is not None,
      "info snapshots lists partial snapshots per drive", text)
check("Error: Snapshot 'only2' does not exist in one or more devices" in vm.command("loadvm only2"),
      "a snapshot on one drive only cannot be loaded")
vm.quit()

# Drives that cannot hold snapshots.
vm = rvjit(RAW, "raw")
vm.wait_for(r"count 1\n")
vm.send(b"\x01c")
vm.wait_for(r"\(qemu\) ")
for cmd in ("savevm a", "loadvm a", "delvm a"):
    text = vm.command(cmd)
    check("\nError: Device 'x0' is writable but does not support snapshots\n" in text,
          "%s with a raw disk is QEMU's error" % cmd, text)
check("\nno block device can store vmstate for snapshot\n" in vm.command("info snapshots"),
      "info snapshots with a raw disk")
vm.quit()
vm = rvjit(None, None, "-S")  # without a disk the guest would stop at once
time.sleep(0.5)  # the console reads its input once it is up
vm.send(b"\x01c")
vm.wait_for(r"\(qemu\) ")
text = vm.command("savevm a")
check("\nError: no block device can store vmstate for snapshot\n" in text,
      "savevm without a disk is QEMU's error", repr(text))
vm.quit()
p = subprocess.run([RVJIT, "-nographic", "-bios", "none", "-kernel", COUNTER, "-drive",
                    "file=%s,if=none,id=x0,format=qcow2" % IMG, "-device",
                    "virtio-blk-device,drive=x0", "-loadvm", "nope"] + EXTRA,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=20)
check(p.returncode == 1 and "rvjit: Snapshot 'nope' does not exist in one or more devices\n" in p.stdout,
      "-loadvm of an unknown tag is one error", p.stdout)
image_clean("at the end")
shutil.rmtree(tmp)
checks.finish()
