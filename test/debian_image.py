#!/usr/bin/env python3
"""Make a Debian 13 (trixie) riscv64 root file system as an ext4 image,
cached in the build tree.

usage: debian_image.py CACHE

`mmdebstrap --variant=extract` fetches and unpacks a minimal system (the
essential set, login and passwd, systemd as init with udev, iproute2,
apt, the dropbear ssh server, dbus so that systemd-logind runs and takes
the power button) into a tree on the host; nothing runs
there, so no emulation of riscv64 is needed. The .deb files stay in the
tree's /var/cache/apt/archives: the guest's first boot (FIRSTBOOT, as
init= under a shell as PID 1) unpacks them again with dpkg, which records
them in its database and runs their preinst scripts, then runs
`dpkg --configure -a`, sets the root password to ROOT_PASSWORD, enables
systemd-networkd and powers off (test/linux/debian_system.py boots it).
This script writes /etc/fstab (/dev/vda as /), the host name, a DHCP
network for the NIC and the first-boot script, then makes the image with
`mke2fs -t ext4 -d` (as root, mke2fs keeps the tree's owners and modes;
the image is checked for that).

CACHE/distro/KEY holds the tree, rootfs.img (as unpacked) and, once a
first boot has succeeded, configured.img. KEY is a hash of the package
list and this file, so a change to either makes a new one. Runs on one
CACHE take turns (debian_packages.CacheLock). Prints rootfs.img's path.
Exit status 0 = done, 77 = no mmdebstrap, mke2fs or network (skip), 1 =
anything else. Python standard library only.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import urllib.request

from debian_packages import SKIP, SUITE, CacheLock, mirror

PACKAGES = ["?essential", "login", "passwd", "systemd-sysv", "udev", "iproute2", "apt",
            "dropbear", "dbus"]
IMAGE_SIZE = "2G"  # sparse: about 300 MB are used after the first boot
ROOT_PASSWORD = "rvjit"
HOSTNAME = "rvjit-debian"
FIRSTBOOT = "/usr/sbin/rvjit-firstboot"
# What the first boot prints; the tests wait for these lines.
MARK_UNPACK = "rvjit-firstboot: unpacking"
MARK_CONFIGURE = "rvjit-firstboot: configuring"
MARK_DONE = "rvjit-firstboot: configured"
MARK_FAIL = "rvjit-firstboot: FAIL"

FIRSTBOOT_SCRIPT = f"""#!/bin/sh
# rvjit's first boot of a Debian tree unpacked by mmdebstrap --variant=extract
# (written by test/debian_image.py): PID 1 is this shell, not systemd.
export PATH=/usr/sbin:/usr/bin
export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true LC_ALL=C.UTF-8
fail() {{
\techo "{MARK_FAIL}: $*"
\tsync
\tsystemctl poweroff -ff
}}
# PID 1 runs from a copy in /run: the script deletes itself from the disk
# at the end, and a file still open there would keep / from going read-only.
case "$1" in
finish)
	# A new shell: the old one's dash and libc, replaced by dpkg, are freed.
	sync
	mount -o remount,ro / || fail "remount read-only"
	systemctl poweroff -ff
	exit 1;;
main) ;;
*)
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
	mount -t tmpfs tmpfs /run
	mount -t tmpfs tmpfs /tmp
	cp "$0" /run/firstboot && exec /bin/sh /run/firstboot main
	fail "copy to /run";;
esac
# dpkg's database is empty: unpacking the packages again records them and
# runs their preinst scripts (what debootstrap's second stage does). The
# files are already there, so a crash here loses nothing: no fsync.
echo "{MARK_UNPACK}"
dpkg --force-depends --force-unsafe-io --unpack /var/cache/apt/archives/*.deb \\
\t|| fail "dpkg --unpack"
echo "{MARK_CONFIGURE}"
dpkg --force-confdef --force-confold --configure -a || fail "dpkg --configure -a"
left=$(dpkg --audit)
[ -z "$left" ] || fail "dpkg --audit: $left"
echo "root:{ROOT_PASSWORD}" | chpasswd || fail chpasswd
systemd-machine-id-setup || fail systemd-machine-id-setup
systemctl enable systemd-networkd.service || fail "systemctl enable"
rm -f /var/cache/apt/archives/*.deb {FIRSTBOOT}
echo "{MARK_DONE}: $(dpkg-query -W | wc -l) packages"
exec /bin/sh /run/firstboot finish
"""

# The files this script adds to the tree (path, mode, content).
FILES = [
    ("etc/fstab", 0o644, "/dev/vda / ext4 defaults,errors=remount-ro 0 1\n"),
    ("etc/hostname", 0o644, HOSTNAME + "\n"),
    ("etc/hosts", 0o644, f"127.0.0.1 localhost\n127.0.1.1 {HOSTNAME}\n"
                         "::1 localhost ip6-localhost ip6-loopback\n"),
    # QEMU's user networking: the DNS relay at 10.0.2.3.
    ("etc/resolv.conf", 0o644, "nameserver 10.0.2.3\n"),
    # The NIC is eth0 on virtio-mmio, enp0sN on PCI.
    ("etc/systemd/network/20-wired.network", 0o644,
     "[Match]\nName=eth* en*\n\n[Network]\nDHCP=yes\n"),
    (FIRSTBOOT.lstrip("/"), 0o755, FIRSTBOOT_SCRIPT),
]


def skip_or_fail(msg):
    # In CI every tool is installed by .ci/setup: missing means broken.
    print(f"SKIP: {msg}" if not os.environ.get("CI") else f"FAIL: {msg}", flush=True)
    sys.exit(1 if os.environ.get("CI") else SKIP)


def cache_dir(cache):
    h = hashlib.sha256()
    h.update(repr((SUITE, PACKAGES)).encode())
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    return os.path.join(os.path.abspath(cache), "distro", h.hexdigest()[:16])


def make_tree(tree):
    """mmdebstrap's extract into `tree`, plus FILES."""
    try:  # mmdebstrap cannot tell an unreachable mirror from other trouble
        urllib.request.urlopen(f"{mirror()}/dists/{SUITE}/Release", timeout=60).close()
    except OSError as e:
        skip_or_fail(f"cannot reach {mirror()}: {e}")
    part = tree + ".part"
    shutil.rmtree(part, ignore_errors=True)
    argv = ["mmdebstrap", "--arch=riscv64", "--variant=extract", "--skip=cleanup/apt/cache"]
    argv += ["--include=" + p for p in PACKAGES]
    argv += [SUITE, part, mirror()]
    print("+", " ".join(argv), flush=True)
    subprocess.run(argv, check=True)
    for path, mode, text in FILES:
        full = os.path.join(part, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.islink(full):
            os.remove(full)
        with open(full, "w") as f:
            f.write(text)
        os.chmod(full, mode)
    os.replace(part, tree)


def debugfs_stat(image, path):
    """(mode, uid, gid) of `path` in the ext4 `image`, as debugfs reads them."""
    out = subprocess.run(["debugfs", "-R", f"stat {path}", image], capture_output=True,
                         text=True).stdout
    m = re.search(r"Mode:\s+(\d+).*?User:\s+(\d+)\s+Group:\s+(\d+)", out, re.S)
    return (int(m.group(1), 8), int(m.group(2)), int(m.group(3))) if m else None


def check_owners(tree, image):
    """mke2fs -d keeps owners and modes: a set-uid, a set-gid with a group
    other than root's, and a sticky directory read back from the image."""
    wanted = []
    for d, _, files in os.walk(os.path.join(tree, "usr/bin")):
        for name in sorted(files):
            st = os.lstat(os.path.join(d, name))
            if (st.st_mode & 0o4000 and not any(w[1] & 0o4000 for w in wanted)) or \
               (st.st_mode & 0o2000 and st.st_gid and not any(w[1] & 0o2000 for w in wanted)):
                wanted.append(("/usr/bin/" + name, st.st_mode & 0o7777, st.st_uid, st.st_gid))
    st = os.lstat(os.path.join(tree, "tmp"))
    wanted.append(("/tmp", st.st_mode & 0o7777, st.st_uid, st.st_gid))
    if len(wanted) < 3:
        raise ValueError(f"expected a set-uid and a set-gid program in the tree, found {wanted}")
    for path, mode, uid, gid in wanted:
        got = debugfs_stat(image, path)
        if got is None or (got[0] & 0o7777, got[1], got[2]) != (mode, uid, gid):
            raise ValueError(f"{path} in the image: {got}, in the tree: "
                             f"mode {mode:o} uid {uid} gid {gid}")


def make_image(tree, image):
    part = image + ".part"
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "debian-root", "-d", tree,
                    part, IMAGE_SIZE], check=True)
    check_owners(tree, part)
    os.replace(part, image)


def copy_image(src, dst):
    """A private copy of a cached image for one test (holes stay holes)."""
    subprocess.run(["cp", "--sparse=always", src, dst], check=True)


def unpacked_image(cache):
    """The path of the cached image as unpacked (made when missing)."""
    for tool in ("mmdebstrap", "mke2fs", "debugfs"):
        if not shutil.which(tool):
            skip_or_fail(f"{tool} is missing (sh .ci/setup installs it)")
    if os.geteuid() != 0:
        skip_or_fail("making the image needs root (mmdebstrap and mke2fs -d keep owners)")
    d = cache_dir(cache)
    with CacheLock(d):
        tree, image = os.path.join(d, "root"), os.path.join(d, "rootfs.img")
        if not os.path.exists(image):
            try:
                if not os.path.isdir(tree):
                    make_tree(tree)
                make_image(tree, image)
            except subprocess.CalledProcessError as e:
                print(f"debian_image: {e}", flush=True)
                sys.exit(1)
    return image


def configured_image(cache):
    """The path of the cached image after a successful first boot, or None."""
    image = os.path.join(cache_dir(cache), "configured.img")
    return image if os.path.exists(image) else None


def store_configured(cache, image):
    """Keep a copy of `image` (after a first boot that passed) in the cache."""
    d = cache_dir(cache)
    with CacheLock(d):
        part = os.path.join(d, "configured.img.part")
        copy_image(image, part)
        os.replace(part, os.path.join(d, "configured.img"))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(unpacked_image(sys.argv[1]))
    except ValueError as e:
        print(f"debian_image: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
