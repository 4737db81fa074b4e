#!/usr/bin/env python3
"""Boot Linux 6.1 to user space on rvjit and check what the guest did.

usage: linux_boot.py RVJIT LINUXDIR SMP [--net] [--pci] [RVJIT-OPTION...]

LINUXDIR holds Image and initramfs.cpio.gz (build-kernel.sh and
build-initramfs.sh write them); the environment variable RVJIT_LINUX_DIR,
when set, takes its place. The test:
  - makes an 8 MiB ext2 image (mke2fs -d) holding from-host.txt with random
    content, attached as virtio-blk;
  - boots OpenSBI fw_jump + the kernel + the initramfs with -smp SMP; init
    (init.c) prints the harts and the ISA, reads /dev/hwrng, mounts /dev/vda, prints
    from-host.txt, writes from-guest.txt and powers off;
  - needs "rvjit-init: done" and rvjit's exit with status 0 within 60 s, the
    right hart count, 32 bytes from /dev/hwrng, the host file's content in the guest's output, no
    kernel warning (WARNING:, BUG:, Oops, ...), and from-guest.txt in the
    image afterwards (read back with debugfs);
  - prints the time from launch to "rvjit-init: hello";
  - with --net, adds a virtio-net NIC on -netdev user,restrict=on with a
    hostfwd from a free port of 127.0.0.1 to the guest's port 7: once init
    says "rvjit-init: net listening", the test connects through it, sends a
    random line and needs init's "guest got: LINE" back, and the line in
    init's output (loopback only: restrict=on lets nothing else out).
  - with --pci, the disk, the rng and the NIC are virtio-blk-pci,
    virtio-rng-pci and virtio-net-pci on the PCIe host bridge instead of
    virtio-mmio devices, and the kernel must have found them there (its
    pci 0000:00:0N.0 lines with the virtio vendor ID).
Exit status 0 = pass, 77 = a tool or the kernel is missing (skip), else fail.
Python standard library only.
"""
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

OPENSBI_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
SKIP = 77
TIMEOUT = 60  # seconds for the whole boot, init and power-off
GUEST_LINE = "written by rvjit-init on Linux"  # init.c's GUEST_LINE
# Kernel messages that mean something went wrong (in the emulator, most
# likely), and the known harmless ones that match them anyway.
BAD = re.compile(r"WARNING:|BUG:|Oops|soft lockup|rcu: INFO|unhandled|Illegal instruction"
                 r"|Kernel panic|rvjit-init: FAIL")
HARMLESS = [
    # OpenSBI's SRST extension already powers off; the syscon driver then
    # finds pm_power_off taken. QEMU prints the same.
    re.compile(r"syscon-poweroff.*error -16"),
]


def fail(msg, proc=None):
    print(f"\nFAIL: {msg}", flush=True)
    if proc and proc.poll() is None:
        proc.kill()
        proc.wait()
    sys.exit(1)


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        sys.exit(2)
    rvjit, linuxdir, smp = sys.argv[1], sys.argv[2], int(sys.argv[3])
    extra = sys.argv[4:]
    net = "--net" in extra
    pci = "--pci" in extra
    extra = [a for a in extra if a not in ("--net", "--pci")]
    kind = "pci" if pci else "device"
    linuxdir = os.path.abspath(os.environ.get("RVJIT_LINUX_DIR") or linuxdir)
    image = os.path.join(linuxdir, "Image")
    initrd = os.path.join(linuxdir, "initramfs.cpio.gz")
    for p in (OPENSBI_JUMP, image, initrd, "mke2fs", "debugfs"):
        if not (os.path.exists(p) if p.startswith("/") else shutil.which(p)):
            print(f"SKIP: {p} is missing (sh .ci/setup installs the tools; "
                  f"test/linux/build-kernel.sh builds the kernel)")
            sys.exit(SKIP)

    with tempfile.TemporaryDirectory(prefix="rvjit-linux-") as tmp:
        root = os.path.join(tmp, "root")
        os.mkdir(root)
        host_text = f"rvjit host file {secrets.token_hex(16)}"
        with open(os.path.join(root, "from-host.txt"), "w") as f:
            f.write(host_text + "\n")
        disk = os.path.join(tmp, "disk.img")
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-d", root, disk, "8M"], check=True)

        append = "console=ttyS0"
        net_args = []
        net_line = f"rvjit net line {secrets.token_hex(8)}"
        net_reply = []
        if net:
            with socket.socket() as probe:  # a free loopback port for hostfwd
                probe.bind(("127.0.0.1", 0))
                fwd_port = probe.getsockname()[1]
            append += " rvjit-init.net"
            net_args = ["-netdev", f"user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{fwd_port}-:7",
                        "-device", f"virtio-net-{kind},netdev=n0"]

        def talk_to_guest():
            """Through hostfwd to init's port 7: a line there, its answer back."""
            for _ in range(50):
                try:
                    with socket.create_connection(("127.0.0.1", fwd_port), timeout=20) as c:
                        c.sendall((net_line + "\n").encode())
                        data = b""
                        while not data.endswith(b"\n"):
                            chunk = c.recv(4096)
                            if not chunk:
                                break
                            data += chunk
                        if data:
                            net_reply.append(data.decode("latin-1").strip())
                            return
                except OSError:
                    pass
                time.sleep(0.2)

        argv = [rvjit, "-machine", "virt", "-m", "256M", "-smp", str(smp), "-nographic",
                "-bios", OPENSBI_JUMP, "-kernel", image, "-initrd", initrd,
                "-append", append,
                "-drive", f"file={disk},format=raw,if=none,id=hd0",
                "-device", f"virtio-blk-{kind},drive=hd0",
                "-device", f"virtio-rng-{kind}"] + net_args + extra
        print("+", " ".join(argv), flush=True)
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        out = bytearray()
        hello_at = []
        talker = []
        lock = threading.Lock()

        def reader():
            while True:
                chunk = proc.stdout.read1(4096)
                if not chunk:
                    break
                sys.stdout.write(chunk.decode("latin-1"))
                sys.stdout.flush()
                with lock:
                    out.extend(chunk)
                    if not hello_at and b"rvjit-init: hello" in out:
                        hello_at.append(time.monotonic() - start)
                    if net and not talker and b"rvjit-init: net listening" in out:
                        talker.append(threading.Thread(target=talk_to_guest, daemon=True))
                        talker[0].start()

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        try:
            status = proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            fail(f"rvjit did not power off within {TIMEOUT} s", proc)
        total = time.monotonic() - start
        t.join(5)
        text = out.decode("latin-1").replace("\r", "")

        print("\n--- checks", flush=True)
        if "rvjit-init: hello" not in text:
            fail("init never ran (no 'rvjit-init: hello')")
        print(f"time to 'rvjit-init: hello': {hello_at[0]:.2f} s; to exit: {total:.2f} s "
              f"(smp {smp}{' ' + ' '.join(extra) if extra else ''})")
        bad = [l for l in text.split("\n")
               if BAD.search(l) and not any(h.search(l) for h in HARMLESS)]
        if bad:
            fail("the kernel or init reported trouble:\n  " + "\n  ".join(bad))
        if "rvjit-init: done" not in text:
            fail("init did not finish (no 'rvjit-init: done')")
        if status != 0:
            fail(f"rvjit exited with status {status}, not 0")
        m = re.search(r"rvjit-init: harts (\d+)", text)
        if not m or int(m.group(1)) != smp:
            fail(f"init saw {m.group(1) if m else 'no'} harts, not {smp}")
        if not re.search(r"rvjit-init: isa rv64imafdc", text):
            fail("no rv64imafdc ISA line from init")
        if "rvjit-init: hwrng 32 bytes" not in text:
            fail("init read no bytes from /dev/hwrng (virtio-rng)")
        if net:
            if talker:
                talker[0].join(5)
            if net_reply != [f"guest got: {net_line}"]:
                fail(f"through hostfwd the guest answered {net_reply!r}, not 'guest got: {net_line}'")
            if f"rvjit-init: net from host: {net_line}" not in text:
                fail("init did not print the line the host sent through hostfwd")
        if pci:
            # Linux's enumeration: "pci 0000:00:01.0: [1af4:1042] type 00 class 0x010000"
            found = set(re.findall(r"pci 0000:00:[0-9a-f]{2}\.0: \[1af4:(10[0-9a-f]{2})\]", text))
            want = {"1042", "1044"} | ({"1041"} if net else set())
            if not want <= found:
                fail(f"the kernel found virtio-pci functions {sorted(found)}, not {sorted(want)}")
        if f"rvjit-init: from-host: {host_text}" not in text:
            fail("the guest did not print from-host.txt's content")
        got = subprocess.run(["debugfs", "-R", "cat /from-guest.txt", disk],
                             capture_output=True, text=True)
        if got.stdout.strip() != GUEST_LINE:
            fail(f"from-guest.txt in the image holds {got.stdout!r} "
                 f"(debugfs: {got.stderr.strip()!r}), not {GUEST_LINE!r}")
        fsck = subprocess.run(["e2fsck", "-fn", disk], capture_output=True, text=True)
        if fsck.returncode != 0:
            fail(f"e2fsck finds the image damaged:\n{fsck.stdout}{fsck.stderr}")
        print("PASS", flush=True)


if __name__ == "__main__":
    main()
