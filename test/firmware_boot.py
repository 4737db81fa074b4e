#!/usr/bin/env python3
"""Boot real firmware on rvjit and talk to it over the console.

usage: firmware_boot.py RVJIT SCENARIO [RVJIT-OPTION...]

Scenarios (each one ctest test, see test/CMakeLists.txt):
  opensbi_uboot   Debian's OpenSBI fw_jump + S-mode U-Boot: the OpenSBI banner,
                  the U-Boot prompt, `poweroff` ends rvjit with status 0.
  uboot_ext2      the same, with an ext2 disk: `virtio scan`, `virtio info`,
                  `ext2load`, and U-Boot's `crc32` equals the host's.
  uboot_fat       the same with a FAT disk and the generic `load`.
  uboot_pci       the ext2 disk as virtio-blk-pci: `pci enum` lists the host
                  bridge and the disk, `virtio scan` finds it, ext2load reads it.
  uboot_mmode     M-mode U-Boot as -bios: the prompt, then `poweroff`.
  opensbi_dynamic `-bios default` (OpenSBI fw_dynamic) + U-Boot with -m 128M:
                  the fw_dynamic info names U-Boot at 0x80200000 in S-mode and
                  a1 is the device tree at 0x87e00000 (where QEMU puts it);
                  -append reaches U-Boot's /chosen/bootargs.
  uboot_dtb       -dtb: our tree, decompiled, renamed and recompiled with dtc,
                  is the one U-Boot reports.

Input goes through rvjit's stdin (the console reads pipes); each command is
sent only after the prompt it answers has appeared. Exit status 0 = pass,
77 = a tool or firmware package is missing (skip), else fail.
Python standard library only.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib

OPENSBI_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
UBOOT_SMODE = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
UBOOT_MMODE = "/usr/lib/u-boot/qemu-riscv64/u-boot.bin"
SKIP = 77
TIMEOUT = 40  # seconds for any one expected reply


class Console:
    """rvjit as a child process, with its console output collected."""

    def __init__(self, argv):
        print("+", " ".join(argv), flush=True)
        argv = argv + EXTRA
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.out = b""
        self.seen = 0  # expect() searches from here
        self.lock = threading.Lock()
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                break
            sys.stdout.write(chunk.decode("latin-1"))
            sys.stdout.flush()
            with self.lock:
                self.out += chunk

    def expect(self, pattern, timeout=TIMEOUT):
        """Wait for regex `pattern` after the previous match; return the match."""
        rx = re.compile(pattern.encode())
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                m = rx.search(self.out, self.seen)
                if m:
                    self.seen = m.end()
                    return m
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the reader drain the pipe
                with self.lock:
                    m = rx.search(self.out, self.seen)
                if m:
                    self.seen = m.end()
                    return m
                fail(f"rvjit exited ({self.proc.returncode}) before {pattern!r} appeared")
            time.sleep(0.05)
        fail(f"no {pattern!r} within {timeout} s")

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def command(self, line, reply=None):
        """Type a command at the U-Boot prompt; wait for `reply` (if any) and
        the next prompt."""
        self.send(line + "\n")
        m = self.expect(reply) if reply else None
        self.expect(r"=> ")
        return m

    def wait_exit(self, timeout=TIMEOUT):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            fail(f"rvjit did not exit within {timeout} s")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


current = None
EXTRA = []  # rvjit options from the command line, e.g. --interp


def fail(msg):
    print(f"\nFAIL: {msg}", flush=True)
    if current:
        current.kill()
    sys.exit(1)


def need(*paths_or_tools):
    for p in paths_or_tools:
        if not (os.path.exists(p) if p.startswith("/") else shutil.which(p)):
            print(f"SKIP: {p} is missing (sh .ci/setup installs it)")
            sys.exit(SKIP)


def boot_uboot_smode(rvjit, extra):
    """OpenSBI, then S-mode U-Boot, up to its prompt."""
    global current
    current = Console([rvjit, "-machine", "virt", "-m", "256M", "-nographic",
                       "-bios", OPENSBI_JUMP, "-kernel", UBOOT_SMODE] + extra)
    current.expect(r"OpenSBI v\d")
    current.expect(r"Domain0 Next Mode\s+: S-mode")
    # OpenSBI finds Sstc by reading stimecmp in M-mode (csr.c allows it).
    current.expect(r"Boot HART ISA Extensions\s+: \S*sstc")
    current.expect(r"U-Boot 20\d\d")
    current.expect(r"Hit any key to stop autoboot")
    current.send(" ")  # stop autoboot
    current.expect(r"=> ")
    return current


def poweroff(con):
    con.send("poweroff\n")
    status = con.wait_exit()
    if status != 0:
        fail(f"rvjit exited with status {status} after poweroff, expected 0")


def random_file(path, size):
    rnd = random.Random(size)  # the same bytes on every run
    data = bytes(rnd.getrandbits(8) for _ in range(size))
    with open(path, "wb") as f:
        f.write(data)
    return zlib.crc32(data)


def load_and_crc(con, load_cmd, size, crc, vendor="QEMU"):
    """virtio-mmio's vendor ID reads "QEMU"; virtio-pci's is 1af4."""
    con.command("virtio scan")
    con.command("virtio info", rf"Device 0: {vendor} VirtIO Block Device")
    con.command(load_cmd, rf"{size} bytes read")
    m = con.command("crc32 ${loadaddr} ${filesize}", r"==> ([0-9a-f]{8})")
    got = m.group(1).decode()
    if got != f"{crc:08x}":
        fail(f"U-Boot's crc32 is {got}, the host's is {crc:08x}")


def scenario_opensbi_uboot(rvjit, tmp):
    need(OPENSBI_JUMP, UBOOT_SMODE)
    con = boot_uboot_smode(rvjit, [])
    con.command("version", r"U-Boot 20\d\d")
    poweroff(con)


def scenario_uboot_ext2(rvjit, tmp):
    need(OPENSBI_JUMP, UBOOT_SMODE, "mke2fs")
    src = os.path.join(tmp, "root")
    os.mkdir(src)
    size = 300000
    crc = random_file(os.path.join(src, "file.bin"), size)
    img = os.path.join(tmp, "ext2.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-d", src, img, "8M"], check=True)
    con = boot_uboot_smode(rvjit, ["-drive", f"file={img},format=raw,if=virtio"])
    load_and_crc(con, "ext2load virtio 0 ${loadaddr} file.bin", size, crc)
    con.command("ext2ls virtio 0 /", r"file\.bin")
    poweroff(con)


def scenario_uboot_pci(rvjit, tmp):
    need(OPENSBI_JUMP, UBOOT_SMODE, "mke2fs")
    src = os.path.join(tmp, "root")
    os.mkdir(src)
    size = 200000
    crc = random_file(os.path.join(src, "file.bin"), size)
    img = os.path.join(tmp, "ext2.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-d", src, img, "8M"], check=True)
    con = boot_uboot_smode(rvjit, ["-drive", f"file={img},format=raw,if=none,id=hd0",
                                   "-device", "virtio-blk-pci,drive=hd0,addr=2"])
    con.command("pci enum")
    con.command("pci", r"00\.02\.00\s+0x1af4\s+0x1042\s+Mass storage")
    load_and_crc(con, "ext2load virtio 0 ${loadaddr} file.bin", size, crc, vendor="1af4")
    poweroff(con)


def scenario_uboot_fat(rvjit, tmp):
    need(OPENSBI_JUMP, UBOOT_SMODE, "mkfs.vfat", "mcopy")
    size = 123457
    data = os.path.join(tmp, "data.bin")
    crc = random_file(data, size)
    img = os.path.join(tmp, "fat.img")
    with open(img, "wb") as f:
        f.truncate(8 << 20)
    subprocess.run(["mkfs.vfat", img], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["mcopy", "-i", img, data, "::DATA.BIN"], check=True)
    con = boot_uboot_smode(rvjit, ["-drive", f"file={img},format=raw,if=virtio"])
    load_and_crc(con, "load virtio 0 ${loadaddr} DATA.BIN", size, crc)
    poweroff(con)


def scenario_uboot_mmode(rvjit, tmp):
    global current
    need(UBOOT_MMODE)
    current = Console([rvjit, "-machine", "virt", "-m", "256M", "-nographic",
                       "-bios", UBOOT_MMODE])
    current.expect(r"U-Boot 20\d\d")
    current.expect(r"Hit any key to stop autoboot")
    current.send(" ")
    current.expect(r"=> ")
    current.command("version", r"U-Boot 20\d\d")
    poweroff(current)


def scenario_opensbi_dynamic(rvjit, tmp):
    global current
    need(UBOOT_SMODE)
    current = Console([rvjit, "-machine", "virt", "-m", "128M", "-nographic",
                       "-kernel", UBOOT_SMODE, "-append", "rvjit-bootargs-test"])
    current.expect(r"OpenSBI v\d")
    current.expect(r"Domain0 Next Address\s+: 0x0*80200000")
    current.expect(r"Domain0 Next Arg1\s+: 0x0*87e00000")
    current.expect(r"Domain0 Next Mode\s+: S-mode")
    current.expect(r"Hit any key to stop autoboot")
    current.send(" ")
    current.expect(r"=> ")
    current.command("fdt addr ${fdtcontroladdr}")
    current.command("fdt print /chosen", r'bootargs = "rvjit-bootargs-test"')
    poweroff(current)


def scenario_uboot_dtb(rvjit, tmp):
    need(OPENSBI_JUMP, UBOOT_SMODE, "dtc")
    ours, dts, theirs = (os.path.join(tmp, n) for n in ("ours.dtb", "t.dts", "theirs.dtb"))
    subprocess.run([rvjit, "-machine", f"virt,dumpdtb={ours}", "-m", "256M"] + EXTRA, check=True)
    subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", "-o", dts, ours], check=True)
    with open(dts) as f:
        text = f.read().replace('model = "riscv-virtio,qemu"', 'model = "rvjit,dtb-option-test"')
    with open(dts, "w") as f:
        f.write(text)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", theirs, dts], check=True)
    con = boot_uboot_smode(rvjit, ["-dtb", theirs])
    con.seen = 0  # the Model line came before the prompt
    con.expect(r"Model: rvjit,dtb-option-test")
    con.expect(r"=> ")
    poweroff(con)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    global EXTRA
    rvjit, scenario, EXTRA = sys.argv[1], sys.argv[2], sys.argv[3:]
    fn = globals().get("scenario_" + scenario)
    if not fn:
        print(f"unknown scenario {scenario!r}")
        return 2
    with tempfile.TemporaryDirectory(prefix="rvjit-fw-") as tmp:
        t0 = time.monotonic()
        try:
            fn(rvjit, tmp)
        finally:
            if current:
                current.kill()
        print(f"\nPASS: {scenario} in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
