#!/usr/bin/env python3
"""Linux fetches a file from a server on the host, with restrict=on.

usage: linux_net_fetch.py RVJIT LINUXDIR [RVJIT-OPTION...]

RVJIT may be qemu-system-riscv64 too (the same command line works there:
this is how the behaviour was checked against QEMU 7.2). LINUXDIR (or
RVJIT_LINUX_DIR) holds Image and initramfs.cpio.gz (init.c). The test
starts a TCP server on 127.0.0.1 serving 4 MiB of random bytes ("GET\\n"
asks; the answer is "LEN\\n" and the bytes) and boots Linux with
-netdev user,restrict=on,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:PORT,
which is how QEMU lets a restricted guest reach a host service; init's
rvjit-init.fetch=PORT mode then
  - tries the server directly as 10.0.2.2:PORT, which restrict=on must
    keep unreachable (the server must see no connection but the
    guestfwd's, made when the emulator starts);
  - fetches the file from 10.0.2.100:80 and prints its length and FNV-1a
    64, which must be the server's,
while the host floods the guest through two more forwards: connections to
hostfwd=tcp:...-:7 (nothing listens there: the guest resets them) and
1400-byte datagrams to hostfwd=udp:...-:9, in bursts of 1000, four times
the NIC's bounded queue. The frames past the queue are dropped; the fetch
must still complete and the emulator power off normally. The flood is a
fixed amount, not a rate kept up until the end: a guest slowed down
enough (a sanitizer build interpreting, on a busy machine) spends all its
time taking in any fixed rate, as Linux would on a slow enough machine,
and never gets to power off.
Exit status 0 = pass, 77 = a tool or the kernel is missing (skip), else fail.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

OPENSBI_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
SKIP = 77
TIMEOUT = 120
SIZE = 4 << 20
FLOOD_BURSTS = 60        # of 1000 datagrams, 50 ms apart
FLOOD_CONNECTIONS = 300


def fnv1a64(data):
    h = 14695981039346656037
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fail(msg, proc=None):
    print(f"\nFAIL: {msg}", flush=True)
    if proc and proc.poll() is None:
        proc.kill()
    sys.exit(1)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    rvjit, linuxdir, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    linuxdir = os.path.abspath(os.environ.get("RVJIT_LINUX_DIR") or linuxdir)
    image = os.path.join(linuxdir, "Image")
    initrd = os.path.join(linuxdir, "initramfs.cpio.gz")
    for p in (OPENSBI_JUMP, image, initrd):
        if not os.path.exists(p):
            print(f"SKIP: {p} is missing")
            sys.exit(SKIP)

    data = os.urandom(SIZE)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    accepted = []

    def serve():
        while True:
            try:
                c, _ = server.accept()
            except OSError:
                return
            accepted.append(c)

            def answer(c=c):
                req = b""
                while not req.endswith(b"\n"):
                    chunk = c.recv(64)
                    if not chunk:
                        return
                    req += chunk
                if req == b"GET\n":
                    c.sendall(b"%d\n" % SIZE + data)
            threading.Thread(target=answer, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    want = fnv1a64(data)

    tcp_fwd, udp_fwd = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
    flood = {"tcp": 0, "udp": 0}

    def flood_udp(proc):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        payload = os.urandom(1400)
        for _ in range(FLOOD_BURSTS):
            if proc.poll() is not None:
                return
            # Bursts past the NIC's queue (256) and ring, paced so that the
            # flood does not starve the emulator of the host's CPUs.
            for _ in range(1000):
                udp.sendto(payload, ("127.0.0.1", udp_fwd))
            flood["udp"] += 1000
            time.sleep(0.05)

    def flood_tcp(proc):
        while proc.poll() is None and flood["tcp"] < FLOOD_CONNECTIONS:
            try:
                socket.create_connection(("127.0.0.1", tcp_fwd), timeout=1).close()
                flood["tcp"] += 1
            except OSError:
                time.sleep(0.01)  # not forwarding yet

    argv = [rvjit, "-machine", "virt", "-m", "256M", "-smp", "2", "-nographic",
            "-bios", OPENSBI_JUMP, "-kernel", image, "-initrd", initrd,
            "-append", f"console=ttyS0 rvjit-init.fetch={port} rvjit-init.nodisk",
            "-netdev", f"user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:{port},"
            f"hostfwd=tcp:127.0.0.1:{tcp_fwd}-:7,hostfwd=udp:127.0.0.1:{udp_fwd}-:9",
            "-device", "virtio-net-device,netdev=n0"] + extra
    print("+", " ".join(argv), flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    flooders = [threading.Thread(target=f, args=(proc,), daemon=True)
                for f in (flood_udp, flood_tcp)]
    for f in flooders:
        f.start()
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        # What the guest got to says where it stuck.
        proc.kill()
        out, _ = proc.communicate()
        print(out.decode("latin-1").replace("\r", ""))
        fail(f"no power-off within {TIMEOUT} s (the host's flood: {flood['tcp']} "
             f"connections, {flood['udp']} datagrams)")
    text = out.decode("latin-1").replace("\r", "")
    print(text)
    for f in flooders:
        f.join(10)
    print(f"--- checks ({time.monotonic() - start:.1f} s; the host's flood: "
          f"{flood['tcp']} connections, {flood['udp']} datagrams)")
    if "rvjit-init: hello" not in text:
        fail(f"the guest never ran (status {proc.returncode})")
    if re.search(r"rvjit-init: FAIL|Kernel panic|Oops|BUG:", text):
        fail("the guest reported trouble")
    if f"rvjit-init: fetch 10.0.2.2:{port} unreachable" not in text:
        fail(f"restrict=on let the guest reach the host's 10.0.2.2:{port}")
    m = re.search(r"rvjit-init: fetched (\d+) of (\d+) bytes, fnv1a64 ([0-9a-f]+)", text)
    if not m:
        fail("the guest fetched nothing")
    if int(m.group(1)) != SIZE or int(m.group(2)) != SIZE or int(m.group(3), 16) != want:
        fail(f"the guest got {m.group(1)} of {m.group(2)} bytes, FNV-1a {m.group(3)}; "
             f"the server sent {SIZE}, {want:016x}")
    if flood["tcp"] < 1 or flood["udp"] < 1000:
        fail("the host's flood did not get going")
    if len(accepted) != 1:
        fail(f"the server saw {len(accepted)} connections, not just the guestfwd's")
    if "rvjit-init: done" not in text or proc.returncode != 0:
        fail(f"no clean power-off (status {proc.returncode})")
    print(f"PASS: {SIZE} bytes through guestfwd, 10.0.2.2 unreachable under restrict=on")


if __name__ == "__main__":
    main()
