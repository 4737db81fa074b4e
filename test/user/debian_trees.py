"""Debian 13 (trixie) trees for the user-mode tests and benchmarks: the
same packages unpacked for riscv64 (run under an emulator) and amd64 (run
natively), cached in the build tree, and the command lines that run a
program of each.

`mmdebstrap --variant=extract` resolves the dependencies and unpacks them
into a folder without running anything; this adds the merged-/usr links
(lib -> usr/lib and so on) that the packages' own maintainer scripts would
have made. CACHE/ARCH-KEY/root is the tree, KEY a hash of the suite, the
package list and TREE_FORMAT (so a new list makes a new tree); runs on one
cache take turns (debian_packages.CacheLock) and a tree appears only once
complete (unpacked beside it, then renamed). PACKAGES is the shared
tree most scenarios use; a scenario with packages of its own (Perl, a
compiler) gets a tree of its own from `tree(cache, arch, packages)`, so
that adding one does not make the others' trees anew.

A riscv64 program runs as EMULATOR... -L ROOT ROOT/usr/bin/PROG, the tree
as the sysroot that resolves its PT_INTERP (/lib/ld-linux-riscv64-lp64d.so.1).
An amd64 program runs through the tree's own dynamic linker with the
tree's library folders, since the host's glibc may be older than trixie's;
a static one (busybox) runs directly. Python standard library only.
"""
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from debian_packages import SKIP, SUITE, CacheLock, mirror  # noqa: E402

PACKAGES = ["busybox-static", "coreutils", "python3-minimal", "xz-utils", "zstd", "sqlite3"]
TREE_FORMAT = 1  # bump when the tree's making changes
MERGED_USR = ["bin", "sbin", "lib", "lib64"]
ARCHES = ["riscv64", "amd64"]


class Unavailable(Exception):
    """A tool or the network is missing: the caller skips (fails in CI)."""


def tree_dir(cache, arch, packages=PACKAGES):
    h = hashlib.sha256(repr((SUITE, arch, sorted(packages), TREE_FORMAT)).encode())
    return os.path.join(os.path.abspath(cache), f"{arch}-{h.hexdigest()[:16]}")


def make_tree(arch, root, packages):
    if not shutil.which("mmdebstrap"):
        raise Unavailable("mmdebstrap is missing (sh .ci/setup installs it)")
    try:  # mmdebstrap cannot tell an unreachable mirror from other trouble
        urllib.request.urlopen(f"{mirror()}/dists/{SUITE}/Release", timeout=60).close()
    except OSError as e:
        raise Unavailable(f"cannot reach {mirror()}: {e}")
    part = root + ".part"
    shutil.rmtree(part, ignore_errors=True)
    argv = ["mmdebstrap", f"--arch={arch}", "--variant=extract",
            "--include=" + ",".join(packages), SUITE, part, mirror()]
    print("+", " ".join(argv), flush=True)
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    for name in MERGED_USR:
        link = os.path.join(part, name)
        if not os.path.lexists(link):
            os.symlink("usr/" + name, link)
    os.replace(part, root)


def tree(cache, arch, packages=PACKAGES):
    """The root of the ARCH tree of `packages` (made when missing)."""
    d = tree_dir(cache, arch, packages)
    root = os.path.join(d, "root")
    with CacheLock(d):
        if not os.path.isdir(root):
            make_tree(arch, root, packages)
    return root


def is_static(path):
    """True if the ELF file at `path` has no PT_INTERP (statically linked)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            raise ValueError(f"{path} is not an ELF64 file")
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return all(struct.unpack_from("<I", table, i * phentsize)[0] != 3 for i in range(phnum))


class Runner:
    """Command lines for the programs of one tree: `argv(prog, args)` gives
    the command that runs ROOT/usr/bin/PROG with ARGS."""

    def __init__(self, arch, root, emulator=None):
        self.arch, self.root, self.emulator = arch, root, emulator

    def path(self, prog):
        return os.path.join(self.root, "usr/bin", prog)

    def argv(self, prog, args=()):
        exe = self.path(prog)
        if self.emulator is not None:
            return list(self.emulator) + ["-L", self.root, exe] + list(args)
        if is_static(exe):
            return [exe] + list(args)
        libs = [os.path.join(self.root, d) for d in ("usr/lib/x86_64-linux-gnu", "usr/lib")]
        return [os.path.join(self.root, "usr/lib64/ld-linux-x86-64.so.2"), "--library-path",
                ":".join(libs), exe] + list(args)

    def name(self):
        return " ".join(self.emulator) if self.emulator is not None else f"native {self.arch}"
