#!/usr/bin/env python3
"""TCP throughput through -netdev user (libslirp), rvjit against QEMU.

usage: bench/network.py [--rvjit PATH] [--qemu PATH|none] [--linux DIR]
                        [--mib N] [--smp N] [--runs N] [--extra OPTS]

Boots the test Linux (test/linux: Image and an initramfs with init.c, in
--linux, default $RVJIT_LINUX_DIR or build/linux) on each engine with a
virtio-net NIC on -netdev user,hostfwd=tcp:127.0.0.1:F-:9, the same
command line for both, and init's rvjit-init.tput=PORT,MIB mode:
  - host to guest: the host connects through the hostfwd to the guest's
    port 9 and sends MIB MiB; timed from the connection to the guest's
    "got N" answer (sent once it has read everything);
  - guest to host: the guest connects to 10.0.2.2:PORT (the host's
    127.0.0.1:PORT) and sends MIB MiB; timed from the accept to EOF.
Prints one Markdown table, both engines side by side (best of --runs), in
MB/s (10^6 bytes per second). Python standard library only.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPENSBI_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_once(engine, linux, mib, smp, extra):
    """(host-to-guest MB/s, guest-to-host MB/s) for one boot."""
    total = mib << 20
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    g2h = {}

    def sink():
        c, _ = server.accept()
        start = time.monotonic()
        got = 0
        while True:
            chunk = c.recv(1 << 20)
            if not chunk:
                break
            got += len(chunk)
        g2h["seconds"] = time.monotonic() - start
        g2h["bytes"] = got
        c.close()

    sink_thread = threading.Thread(target=sink, daemon=True)
    sink_thread.start()
    fwd = free_port()
    argv = [engine, "-machine", "virt", "-m", "512M", "-smp", str(smp), "-nographic",
            "-bios", OPENSBI_JUMP, "-kernel", os.path.join(linux, "Image"),
            "-initrd", os.path.join(linux, "initramfs.cpio.gz"),
            "-append", f"console=ttyS0 quiet rvjit-init.tput={port},{mib} rvjit-init.nodisk",
            "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{fwd}-:9",
            "-device", "virtio-net-device,netdev=n0"] + extra
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = b""
    try:
        while b"rvjit-init: tput listening" not in out:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{engine}: no 'tput listening':\n{out.decode('latin-1')}")
            out += line
        block = b"x" * (1 << 20)
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", fwd)) as c:
            for _ in range(mib):
                c.sendall(block)
            c.shutdown(socket.SHUT_WR)
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = c.recv(64)
                if not chunk:
                    break
                answer += chunk
        h2g_seconds = time.monotonic() - start
        if answer.strip() != b"got %d" % total:
            raise RuntimeError(f"{engine}: the guest answered {answer!r}, not 'got {total}'")
        rest, _ = proc.communicate(timeout=int(os.environ.get("NET_BENCH_TIMEOUT", "600")))
        out += rest
        sink_thread.join(60)
        if g2h.get("bytes") != total:
            raise RuntimeError(f"{engine}: the host got {g2h.get('bytes')} bytes, not {total}:"
                               f"\n{out.decode('latin-1')}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.close()
    return total / h2g_seconds / 1e6, total / g2h["seconds"] / 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rvjit", default=os.path.join(REPO, "build", "rvjit"))
    ap.add_argument("--qemu", default=shutil.which("qemu-system-riscv64") or "none")
    ap.add_argument("--linux", default=os.environ.get("RVJIT_LINUX_DIR")
                    or os.path.join(REPO, "build", "linux"))
    ap.add_argument("--mib", type=int, default=100)
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--extra", default="", help="more options for rvjit only")
    args = ap.parse_args()
    engines = [("rvjit", args.rvjit, args.extra.split())]
    if args.qemu != "none":
        engines.append(("QEMU", args.qemu, []))
    results = {}
    for name, path, extra in engines:
        best = (0.0, 0.0)
        for _ in range(args.runs):
            h2g, g2h = run_once(path, args.linux, args.mib, args.smp, extra)
            print(f"{name}: host to guest {h2g:.1f} MB/s, guest to host {g2h:.1f} MB/s",
                  file=sys.stderr, flush=True)
            best = (max(best[0], h2g), max(best[1], g2h))
        results[name] = best
    names = [n for n, _, _ in engines]
    print(f"\n{args.mib} MiB over TCP through -netdev user (libslirp), -smp {args.smp}, "
          f"best of {args.runs}, MB/s:\n")
    print("| direction | " + " | ".join(names) + (" | rvjit / QEMU |" if len(names) > 1 else " |"))
    print("|---" * (len(names) + 1 + (len(names) > 1)) + "|")
    for i, direction in enumerate(("host to guest", "guest to host")):
        row = [f"{results[n][i]:.1f}" for n in names]
        if len(names) > 1:
            row.append(f"{results['rvjit'][i] / results['QEMU'][i]:.2f}x")
        print(f"| {direction} | " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
