#!/usr/bin/env python3
"""Fetch and unpack Debian packages for the tests, cached in the build tree.

usage: debian_packages.py CACHE ARCH PACKAGE...

Downloads each PACKAGE of Debian 13 (trixie) for ARCH (riscv64, amd64)
from the Debian mirror ($DEBIAN_MIRROR, default http://deb.debian.org/debian),
checks its SHA256 against the archive's Packages index, and unpacks it with
dpkg-deb into CACHE/ARCH/root. A package whose Depends names exactly one
other package at an exact version (a metapackage such as
linux-image-riscv64) is followed to that package. Dependencies are not
otherwise resolved: the tests name what they need.

Prints the path of CACHE/ARCH/root. Concurrent runs on one CACHE take
turns (a lock file in it). The index is fetched again when it is
older than a day or when a listed file is gone from the mirror (the archive
moves on); .deb files already checked are not fetched again.
Exit status 0 = done, 77 = no network or dpkg-deb (the caller skips or
fails), 1 = anything else.
Python standard library only.
"""
import fcntl
import hashlib
import lzma
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

SUITE = "trixie"
SKIP = 77
INDEX_MAX_AGE = 24 * 3600


def mirror():
    return os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian").rstrip("/")


def fetch(url, path):
    tmp = path + ".part"
    with urllib.request.urlopen(url, timeout=120) as r, open(tmp, "wb") as out:
        shutil.copyfileobj(r, out, 1 << 20)
    os.replace(tmp, path)


def load_index(cache, arch, refresh):
    path = os.path.join(cache, f"Packages-{SUITE}-{arch}")
    stale = not os.path.exists(path) or time.time() - os.path.getmtime(path) > INDEX_MAX_AGE
    if refresh or stale:
        xz = path + ".xz"
        fetch(f"{mirror()}/dists/{SUITE}/main/binary-{arch}/Packages.xz", xz)
        with lzma.open(xz) as f, open(path + ".new", "wb") as out:
            shutil.copyfileobj(f, out)
        os.replace(path + ".new", path)
        os.remove(xz)
    packages = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for stanza in f.read().split("\n\n"):
            fields = dict(re.findall(r"^([A-Za-z0-9-]+): (.*)$", stanza, re.M))
            if "Package" in fields:
                packages[fields["Package"]] = fields
    return packages


def resolve(packages, name):
    """The package that holds the files: follows metapackages."""
    seen = set()
    while name not in seen:
        seen.add(name)
        p = packages.get(name)
        if p is None:
            raise KeyError(f"{name}: not in Debian {SUITE}")
        deps = [d.strip() for d in p.get("Depends", "").split(",") if d.strip()]
        if len(deps) == 1 and "|" not in deps[0] and "(=" in deps[0] and \
                p.get("Section", "").endswith("kernel"):
            name = deps[0].split()[0]
            continue
        return p
    raise KeyError(f"{name}: dependency loop")


class CacheLock:
    """An exclusive lock on a cache directory (a file in it), held for a
    `with` block: tests that run at once (both engines) take turns."""

    def __init__(self, directory):
        os.makedirs(directory, exist_ok=True)
        self.path = os.path.join(directory, ".lock")

    def __enter__(self):
        self.file = open(self.path, "w")
        fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.file.close()  # closing releases the lock


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def get_deb(cache, packages, p):
    path = os.path.join(cache, os.path.basename(p["Filename"]))
    if os.path.exists(path) and sha256(path) == p["SHA256"]:
        return path
    fetch(f"{mirror()}/{p['Filename']}", path)
    if sha256(path) != p["SHA256"]:
        os.remove(path)
        raise ValueError(f"{path}: SHA256 does not match the archive's index")
    return path


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    cache, arch, names = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if not shutil.which("dpkg-deb"):
        print("debian_packages: dpkg-deb is missing", file=sys.stderr)
        return SKIP
    cache = os.path.join(cache, arch)
    root = os.path.join(cache, "root")
    os.makedirs(root, exist_ok=True)
    try:
        with CacheLock(cache):
            packages = load_index(cache, arch, refresh=False)
            for name in names:
                try:
                    p = resolve(packages, name)
                    deb = get_deb(cache, packages, p)
                except (urllib.error.HTTPError, KeyError):
                    # The archive moved on since the index was read.
                    packages = load_index(cache, arch, refresh=True)
                    p = resolve(packages, name)
                    deb = get_deb(cache, packages, p)
                stamp = os.path.join(cache, f"{p['Package']}.unpacked")
                if not os.path.exists(stamp) or open(stamp).read() != p["Version"]:
                    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
                    with open(stamp, "w") as f:
                        f.write(p["Version"])
    except urllib.error.URLError as e:
        print(f"debian_packages: cannot reach {mirror()}: {e}", file=sys.stderr)
        return SKIP
    except (KeyError, ValueError, subprocess.CalledProcessError) as e:
        print(f"debian_packages: {e}", file=sys.stderr)
        return 1
    print(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
