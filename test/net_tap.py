#!/usr/bin/env python3
"""-netdev tap: frames through a host TAP interface, or a clear error.

usage: net_tap.py RVJIT TAP_ELF [rvjit options...]

Two branches, and the test says which ran:
  - the error: without the right to open /dev/net/tun (as an unprivileged
    user; when run as root, rvjit runs as `nobody` through setpriv) rvjit
    exits 1 with one line, QEMU's "could not open /dev/net/tun: REASON";
    script=/nonexistent is one line too (checked where a TAP opens);
  - the packet: where the host lets us create a TAP (root, `ip tuntap
    add`) and is not on 10.0.2.0/24 itself, the interface gets 10.0.2.2 with a route to the guest's
    10.0.2.15, and test/guest/virtio_net_tap.c (bare metal) ARPs for
    10.0.2.2 and pings it through -netdev tap: the reply's MAC must be the
    interface's. The interface is removed afterwards.
Exit status 0 = pass, 77 = neither branch could run here.
"""
import os
import re
import shutil
import subprocess
import sys

RVJIT, ELF = sys.argv[1:3]
EXTRA = sys.argv[3:]
SKIP = 77
fails = []


def run(args, timeout=50, prefix=()):
    p = subprocess.run(list(prefix) + [RVJIT, "-nographic", "-bios", "none"] + EXTRA + args +
                       [ELF], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, (p.stdout + p.stderr).strip()


def expect_error(args, regex, prefix=()):
    st, out = run(args, prefix=prefix)
    ok = st == 1 and re.search(regex, out) and len(out.splitlines()) == 1
    print(f"{'ok' if ok else 'FAIL'}: {' '.join(args)} -> status {st}: {out}")
    if not ok:
        fails.append(out)


ran = []
# The error branch.
drop = ()
if os.geteuid() == 0:
    drop = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
    if not shutil.which("setpriv"):
        drop = None
if drop is not None:
    print("branch: /dev/net/tun not permitted" + (" (as nobody)" if drop else ""))
    ran.append("error")
    expect_error(["-netdev", "tap,id=n0,ifname=rvjtnone,script=no,downscript=no",
                  "-device", "virtio-net-device,netdev=n0"],
                 r"^rvjit: -netdev tap,id=n0,ifname=rvjtnone,script=no,downscript=no: "
                 r"could not open /dev/net/tun: \S", prefix=drop)

# The packet branch. Not on a host that is itself on 10.0.2.0/24 (a QEMU
# guest on user networking, say): taking 10.0.2.2 would cut it off.
name = f"rvjt{os.getpid() % 100000}"
on_slirp_net = shutil.which("ip") and "inet 10.0.2." in subprocess.run(
    ["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True).stdout
made = os.geteuid() == 0 and shutil.which("ip") and not on_slirp_net and subprocess.run(
    ["ip", "tuntap", "add", "dev", name, "mode", "tap"], capture_output=True).returncode == 0
if made:
    print(f"branch: TAP {name} created, a packet through it")
    ran.append("packet")
    try:
        for cmd in (["ip", "addr", "add", "10.0.2.2/32", "dev", name],
                    ["ip", "link", "set", name, "up"],
                    ["ip", "route", "add", "10.0.2.15/32", "dev", name]):
            subprocess.run(cmd, check=True)
        mac = open(f"/sys/class/net/{name}/address").read().strip()
        expect_error(["-netdev", f"tap,id=n0,ifname={name},script=/nonexistent,downscript=no",
                      "-device", "virtio-net-device,netdev=n0"],
                     r"network script /nonexistent: No such file or directory")
        st, out = run(["-netdev", f"tap,id=n0,ifname={name},script=no,downscript=no",
                       "-device", "virtio-net-device,netdev=n0"])
        want = f"virtio-net tap ok, host MAC {mac}"
        ok = st == 0 and want in out
        print(f"{'ok' if ok else 'FAIL'}: guest through {name}: status {st}: {out}")
        if not ok:
            fails.append(out)
    finally:
        subprocess.run(["ip", "tuntap", "del", "dev", name, "mode", "tap"])
else:
    print("branch: no TAP can be created here (not root, no ip tuntap, or the host is on "
          "10.0.2.0/24 itself): packet part skipped")

if not ran:
    print("SKIP: neither branch can run here")
    sys.exit(SKIP)
print("net_tap:", "FAIL" if fails else "PASS", "(" + ", ".join(ran) + ")")
sys.exit(1 if fails else 0)
