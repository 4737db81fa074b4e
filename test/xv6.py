#!/usr/bin/env python3
"""xv6, as a course runs it: built from the fixture with its own Makefile,
booted with `make qemu` (QEMU=rvjit, 3 harts), driven at its shell.

usage: xv6.py RVJIT WORKDIR MODE [ENGINE_ARG...]
MODE:
  usertests-quick  `usertests -q` must print ALL TESTS PASSED
  usertests-some   a fixed list of usertests cases, one run each
  persist          write a file, leave with Ctrl-a x, boot again, read it

The fixture is ../shared/fixtures/xv6-riscv (or $XV6_SRC). It is copied to
WORKDIR/xv6 and built there once (the kernel and the user programs, with
riscv64-linux-gnu-gcc); its fs.img comes from test/xv6_fs.py, since the
fixture lacks xv6's own image writer. Every run boots a fresh copy of it.
Without the fixture the test fails in CI and skips (status 77) elsewhere.
"""

import fcntl
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from session import Checks, Console, exit_status  # noqa: E402

SKIP = 77
TOOLPREFIX = "riscv64-linux-gnu-"
# Each `usertests CASE` first and last counts the free memory by taking
# all of it (tens of seconds in the interpreter), so the interpreter runs a
# few cases that reach far: copies across the user/kernel boundary, exec,
# pipes, kills across harts, a file shared by processes, directories.
SOME_CASES = ["copyin", "exectest", "pipe1", "preempt", "sharedfd", "subdir"]


def fixture():
    src = os.environ.get("XV6_SRC") or os.path.join(HERE, "..", "..", "shared", "fixtures",
                                                     "xv6-riscv")
    if os.path.isfile(os.path.join(src, "Makefile")):
        return os.path.abspath(src)
    msg = "xv6 fixture not found at %s (set XV6_SRC)" % src
    if os.environ.get("CI"):
        print("FAIL: " + msg)
        sys.exit(1)
    print("SKIP: " + msg)
    sys.exit(SKIP)


def build(workdir):
    """WORKDIR/xv6 with kernel/kernel and fs.img, built once."""
    src = fixture()
    tree = os.path.join(workdir, "xv6")
    stamp = os.path.join(tree, ".built")
    os.makedirs(workdir, exist_ok=True)
    # Tests running at once build it once: the first builds, the others
    # wait on the lock and find it built.
    lock = open(os.path.join(workdir, "xv6.lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    if os.path.exists(stamp):
        return tree
    if shutil.which(TOOLPREFIX + "gcc") is None:
        print("FAIL: %sgcc is not installed (.ci/setup installs it)" % TOOLPREFIX)
        sys.exit(1)
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(src, tree)
    with open(os.path.join(tree, "Makefile")) as f:
        progs = ["user/_" + p for p in re.findall(r"\$U/_(\w+)", f.read())]
    subprocess.run(["make", "-s", "-C", tree, "TOOLPREFIX=" + TOOLPREFIX, "kernel/kernel"] +
                   progs, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(HERE, "xv6_fs.py"), tree,
                    os.path.join(tree, "fs.img.clean"), os.path.join(tree, "README")] +
                   [os.path.join(tree, p) for p in progs], check=True)
    open(stamp, "w").close()
    return tree


def make_qemu_argv(tree, rvjit, engine_args):
    """The command `make qemu` runs with QEMU=rvjit and 3 harts, from the
    Makefile itself (make -n), so the test boots exactly what a student's
    `make qemu` boots; fs.img and the kernel are taken as they are."""
    qemu = " ".join([rvjit] + engine_args)
    out = subprocess.run(["make", "-s", "-n", "-C", tree, "-o", "fs.img", "-o", "kernel/kernel",
                          "QEMU=" + qemu, "CPUS=3", "qemu"], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    line = [l for l in out.splitlines() if l.startswith(rvjit)]
    if len(line) != 1:
        print("FAIL: make -n qemu printed no rvjit command:\n" + out)
        sys.exit(1)
    return shlex.split(line[0])


def boot(argv):
    """rvjit booted to xv6's shell prompt, all boot output read.

    The harts' "hart N starting" lines and init's output (user-level
    printf writes a byte at a time) may interleave byte by byte, so the
    prompt is taken as a "$" followed by half a second of quiet."""
    con = Console(argv)
    end = time.monotonic() + 60
    seen = -1
    quiet_since = time.monotonic()
    while time.monotonic() < end:
        with con.lock:
            size = len(con.out)
            text = con.out[con.mark:].decode(errors="replace")
        if size != seen:
            seen, quiet_since = size, time.monotonic()
        elif "$" in text and time.monotonic() - quiet_since > 0.5:
            con.mark = size
            return con
        time.sleep(0.05)
    con.p.kill()
    print("FAIL: xv6 did not reach its shell; output:\n" + con.out.decode(errors="replace"))
    sys.exit(1)


def leave(con):
    """Ctrl-a x, as a student leaves; its exit status (None: it hung)."""
    con.send("\x01x")
    return exit_status(con.p, 30)


def shell(con, cmd, until=r"\n\$ ", timeout=60):
    con.send(cmd + "\n")
    return con.wait_for(until, timeout=timeout)


def main(argv):
    if len(argv) < 4:
        print(__doc__.splitlines()[3], file=sys.stderr)
        return 2
    rvjit, workdir, mode, engine_args = os.path.abspath(argv[1]), argv[2], argv[3], argv[4:]
    tree = build(workdir)
    argv = make_qemu_argv(tree, rvjit, engine_args)
    # `make qemu` names the kernel and fs.img relative to the tree; each
    # test runs in a folder of its own with its own fs.img, so tests can
    # run at once.
    run = os.path.join(workdir, "xv6-run-%s%s" % (mode, "".join(engine_args)))
    shutil.rmtree(run, ignore_errors=True)
    os.makedirs(run)
    os.symlink(os.path.join(tree, "kernel"), os.path.join(run, "kernel"))
    shutil.copyfile(os.path.join(tree, "fs.img.clean"), os.path.join(run, "fs.img"))
    os.chdir(run)
    c = Checks()
    con = boot(argv)
    if mode == "usertests-quick":
        t0 = time.monotonic()
        m = shell(con, "usertests -q", until=r"ALL TESTS PASSED|FAILED|panic", timeout=900)
        c.check(m is not None and m.group(0) == "ALL TESTS PASSED", "usertests -q passes")
        print("usertests -q: %.1f s" % (time.monotonic() - t0))
    elif mode == "usertests-some":
        for case in SOME_CASES:
            t0 = time.monotonic()
            m = shell(con, "usertests " + case, until=r"ALL TESTS PASSED|FAILED|panic",
                      timeout=300)
            c.check(m is not None and m.group(0) == "ALL TESTS PASSED",
                    "usertests %s passes (%.1f s)" % (case, time.monotonic() - t0))
            if m is None or m.group(0) != "ALL TESTS PASSED":
                break
            con.wait_for(r"\n\$ ", timeout=30)
    elif mode == "persist":
        token = "kept-%d" % os.getpid()
        shell(con, "echo %s > keep" % token)
        shell(con, "mkdir d")
        shell(con, "echo inner > d/f")
        c.check(leave(con) == 0, "Ctrl-a x ends rvjit with status 0")
        con = boot(argv)  # the same fs.img, as the next `make qemu`
        m = shell(con, "cat keep", until=r"(\S+)\n\$ ")
        c.check(m is not None and m.group(1) == token,
                "the file written before Ctrl-a x is there after a new boot")
        m = shell(con, "cat d/f", until=r"(\S+)\n\$ ")
        c.check(m is not None and m.group(1) == "inner",
                "the file in the new directory is there after a new boot")
    else:
        print("unknown mode " + mode, file=sys.stderr)
        return 2
    c.check(leave(con) == 0, "Ctrl-a x ends rvjit with status 0")
    c.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
