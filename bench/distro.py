#!/usr/bin/env python3
"""Debian 13 on rvjit and on qemu-system-riscv64, side by side (stdlib only).

usage: bench/distro.py [--rvjit PATH] [--qemu PATH | --no-qemu]
                       [--linux-dir DIR] [--cache DIR]

Runs the steps of test/linux/debian_system.py on each emulator, each on its
own copy of the same cached image (test/debian_image.py makes it; the
kernel is the test kernel's Image in DIR, default build/linux or
$RVJIT_LINUX_DIR): the first boot (dpkg unpacking and
`dpkg --configure -a` of the base system under a shell as PID 1), then
systemd with -smp 4 -m 2G to the login prompt, a root login, the system
state, an ssh login through hostfwd and poweroff. Prints one Markdown
table of seconds per step and QEMU's time over rvjit's (the issue's target
is at least 2 for the boot and for dpkg). Exit status 0 when every run
passed its checks, 1 otherwise.
"""
import argparse
import os
import shutil
import sys
import tempfile

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
sys.path.insert(0, os.path.join(REPO_DIR, "test"))
sys.path.insert(0, os.path.join(REPO_DIR, "test", "linux"))
import debian_image  # noqa: E402
import debian_system  # noqa: E402

# (key in debian_system's times, what the row says)
ROWS = [
    ("firstboot_kernel_to_script", "first boot: launch to the first-boot script"),
    ("firstboot_dpkg_unpack", "first boot: dpkg --unpack of the base system"),
    ("firstboot_dpkg_configure", "first boot: dpkg --configure -a"),
    ("firstboot_total", "first boot: launch to exit"),
    ("boot_to_login", "systemd boot to the login prompt (-smp 4)"),
    ("boot_to_running", "launch to is-system-running done (after login)"),
    ("poweroff", "poweroff to exit"),
]


def run(emulator, kernel, cache):
    """The step times of one emulator, or None when a check failed."""
    times = {}
    with tempfile.TemporaryDirectory(prefix="rvjit-bench-debian-") as tmp:
        image = os.path.join(tmp, "debian.img")
        try:
            debian_image.copy_image(debian_image.unpacked_image(cache), image)
            for step in (lambda: debian_system.first_boot(emulator, kernel, image, []),
                         lambda: debian_system.systemd_boot(emulator, kernel, image, [], tmp)):
                times.update(step())
                debian_system.report(times)
        except (debian_system.Failure, ValueError) as e:
            print(f"\n{emulator}: FAIL: {e}", flush=True)
            return None
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rvjit", default=os.path.join(REPO_DIR, "build", "rvjit"))
    ap.add_argument("--qemu", default=shutil.which("qemu-system-riscv64"))
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--linux-dir", default=os.environ.get("RVJIT_LINUX_DIR")
                    or os.path.join(REPO_DIR, "build", "linux"))
    ap.add_argument("--cache", default=os.path.join(REPO_DIR, "build", "debian-cache"))
    args = ap.parse_args()
    kernel = os.path.join(args.linux_dir, "Image")
    engines = [("rvjit", args.rvjit)]
    if args.qemu and not args.no_qemu:
        engines.append(("QEMU", args.qemu))
    results = {name: run(path, kernel, args.cache) for name, path in engines}

    print("\n| step (seconds) | " + " | ".join(n for n, _ in engines) +
          (" | QEMU / rvjit |" if len(engines) == 2 else " |"))
    print("| --- |" + " ---: |" * (len(engines) + (len(engines) == 2)))
    for key, label in ROWS:
        cells = []
        for name, _ in engines:
            t = (results[name] or {}).get(key)
            cells.append(f"{t:.1f}" if t is not None else "failed")
        if len(engines) == 2:
            a, b = ((results[n] or {}).get(key) for n in ("rvjit", "QEMU"))
            cells.append(f"{b / a:.2f}x" if a and b else "-")
        print(f"| {label} | " + " | ".join(cells) + " |")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
