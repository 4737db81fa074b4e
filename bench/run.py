#!/usr/bin/env python3
"""rvjit benchmark runner (stdlib only).

Builds the guest workloads in bench/workloads/ for the virt board (once per
mode: bare M-mode, and S-mode under Sv39) and for the host, runs each one on
rvjit (--interp, and the default engine), on qemu-system-riscv64 when
installed, on RVVM when given (--rvvm or $RVVM), and natively, then prints a
Markdown table of wall time, slowdown ratios to native and to QEMU with
per-mode geometric means, start-up cost and peak RSS.

Exit status: 0 when every engine printed the same checksum for every
workload, 1 on a mismatch or a failed run, 2 on a usage or build error.
See bench/README.md for how to read the table.
"""

import argparse
import json
import math
import os
import platform
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
RT_DIR = os.path.join(BENCH_DIR, "rt")
WL_DIR = os.path.join(BENCH_DIR, "workloads")

# (name, workload source). Order is the table's order. Every workload runs
# in every mode of MODES.
WORKLOADS = [
    ("integer", "integer.c"),
    ("memstream", "memstream.c"),
    ("pointer_chase", "pointer_chase.c"),
    ("branchy", "branchy.c"),
    ("switch_dispatch", "switch_dispatch.c"),
    ("calls", "calls.c"),
    ("fp", "fp.c"),
    ("recursion", "recursion.c"),
    ("sieve", "sieve.c"),
    ("matrix", "matrix.c"),
    ("sort", "sort.c"),
    ("hash", "hash.c"),
    ("divide", "divide.c"),
    ("bytecode", "bytecode.c"),
    ("strings", "strings.c"),
    ("mandelbrot", "mandelbrot.c"),
]

# (mode, start-up file): "bare" runs the workload in M-mode on physical
# addresses; "sv39" in S-mode under Sv39 paging (rt/start_sv39.S).
MODES = [("bare", "start.S"), ("sv39", "start_sv39.S")]

# The start-up rows: this workload built with n = 1 measures what a run
# costs before and after the work (process start, RAM set-up, exit).
STARTUP_WORKLOAD = "integer"

# Flags both builds share: no FMA contraction and no libcalls for sqrt keep
# the guest and host checksums bit-identical; no loop-to-memcpy rewriting
# keeps the memory loops ours.
COMMON_CFLAGS = [
    "-O2", "-fno-tree-loop-distribute-patterns", "-fno-math-errno",
    "-ffp-contract=off", "-fno-common", "-Wall", "-Wextra", "-I" + RT_DIR,
]
GUEST_CFLAGS = [
    "-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-nostdlib", "-static",
    "-ffreestanding", "-T", os.path.join(RT_DIR, "link.ld"),
]

CHECKSUM_RE = re.compile(rb"checksum: (0x[0-9a-f]+)")
# rt/guest.c's line for a trap. Emulators without the test finisher's fail
# code power off with success after it (see finish() there).
TRAP_RE = re.compile(rb"bench: unexpected trap[^\n]*")
STATS_RE = re.compile(
    r"rvjit: stats: instret=(\d+) seconds=([0-9.]+) mips=([0-9.]+)")
QEMU_MACHINE = ["-machine", "virt", "-bios", "none", "-nographic"]
XV6_PROMPT = b"$ "
# The Linux row (--linux-dir): test/linux/linux_boot.py's files, firmware,
# command line and the line its init prints first.
LINUX_BIOS = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
LINUX_IMAGE = "Image"
LINUX_INITRD = "initramfs.cpio.gz"
LINUX_HELLO = b"rvjit-init: hello"


class Result:
    """One process run: wall time, exit code, output, peak RSS."""

    def __init__(self):
        self.seconds = None      # wall clock, measured here
        self.code = None         # exit code, or -signal
        self.stdout = b""
        self.stderr = b""
        self.rss_mib = None      # peak resident set size of the process
        self.timed_out = False
        self.checksum = None     # "0x..." from the checksum line
        self.instret = None      # rvjit --stats
        self.self_seconds = None  # rvjit --stats
        self.error = None        # why this run does not count

    def mips(self, instret):
        if instret is None or not self.seconds:
            return None
        return instret / self.seconds / 1e6

    def as_dict(self):
        return {k: v for k, v in vars(self).items()
                if k not in ("stdout", "stderr")}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# rt/rusage_exec.c, built by build(): see its header for why it exists.
RUSAGE_EXEC = None


def spawn(cmd, **kw):
    """Start cmd in its own process group, through rusage_exec if built.

    Returns (proc, rss_file or None)."""
    rss_file = None
    if RUSAGE_EXEC:
        fd, rss_file = tempfile.mkstemp(prefix="rvjit-bench-rss-")
        os.close(fd)
        cmd = [RUSAGE_EXEC, rss_file] + cmd
    proc = subprocess.Popen(cmd, start_new_session=True, **kw)
    return proc, rss_file


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def reap(proc, rss_file, result, t0):
    """Wait for proc; record wall time, exit code and peak RSS."""
    _, status, ru = os.wait4(proc.pid, 0)
    result.seconds = time.perf_counter() - t0
    result.code = os.waitstatus_to_exitcode(status)
    proc.returncode = result.code  # already reaped: keep Popen from waiting
    kill_group(proc)  # leave nothing behind (e.g. after a timeout)
    # Without rusage_exec, ru_maxrss includes this Python process's size.
    kib = ru.ru_maxrss  # Linux reports KiB
    if rss_file:
        try:
            with open(rss_file) as f:
                m = re.search(r"maxrss_kib=(\d+)", f.read())
            kib = int(m.group(1)) if m else None
        finally:
            os.unlink(rss_file)
    result.rss_mib = None if kib is None else kib / 1024.0


def run_timed(cmd, timeout):
    """Run cmd to completion (stdin empty), capturing output and usage."""
    result = Result()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc, rss_file = spawn(cmd, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=err)
        done = threading.Event()

        def on_timeout():
            if not done.is_set():
                result.timed_out = True
                kill_group(proc)

        timer = threading.Timer(timeout, on_timeout)
        timer.start()
        try:
            reap(proc, rss_file, result, t0)
        finally:
            done.set()
            timer.cancel()
        out.seek(0)
        err.seek(0)
        result.stdout = out.read()
        result.stderr = err.read()
    m = CHECKSUM_RE.search(result.stdout)
    if m:
        result.checksum = m.group(1).decode()
    m = STATS_RE.search(result.stderr.decode(errors="replace"))
    if m:
        result.instret = int(m.group(1))
        result.self_seconds = float(m.group(2))
    trap = TRAP_RE.search(result.stdout)
    if result.timed_out:
        result.error = "timed out after %ds" % timeout
    elif trap:
        result.error = trap.group(0).decode(errors="replace")
    elif result.code != 0:
        result.error = "exit code %d" % result.code
    elif result.checksum is None:
        result.error = "no checksum line"
    return result


def run_until_prompt(cmd, timeout, prompt=XV6_PROMPT, then=None):
    """Start cmd with a stdin pipe, time until prompt shows on stdout, kill.
    then = (input, second prompt): at the prompt, type input and time from
    there to the second prompt instead."""
    result = Result()
    t0 = time.perf_counter()
    t_mark = t0
    proc, rss_file = spawn(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    seen = b""
    fd = proc.stdout.fileno()
    deadline = t0 + timeout
    found = None
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            result.timed_out = True
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            break  # exited before the prompt
        seen += chunk
        if then and prompt in seen:
            proc.stdin.write(then[0])
            proc.stdin.flush()
            t_mark = time.perf_counter()
            seen = b""
            prompt, then = then[1], None
            continue
        if prompt in seen:
            found = time.perf_counter() - t_mark
            break
    # Kill the emulator itself; rusage_exec then reports its peak RSS.
    try:
        os.killpg(proc.pid, signal.SIGTERM if RUSAGE_EXEC else signal.SIGKILL)
    except ProcessLookupError:
        pass
    if RUSAGE_EXEC:
        # The helper ignores SIGTERM's default action and forwards it; give
        # the emulator a moment, then make sure.
        killer = threading.Timer(5, kill_group, (proc,))
        killer.start()
    reap(proc, rss_file, result, t0)
    if RUSAGE_EXEC:
        killer.cancel()
    proc.stdin.close()
    proc.stdout.close()
    result.stdout = seen
    result.seconds = found
    if found is None:
        result.error = ("timed out after %ds" % timeout if result.timed_out
                        else "exited (code %s) before the prompt" % result.code)
    return result


# ---------------------------------------------------------------- building

def check_call(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        log("build failed: " + " ".join(cmd))
        log(proc.stdout.decode(errors="replace"))
        sys.exit(2)


def build_helper(args):
    """Build rt/rusage_exec.c with the host compiler, if there is one."""
    global RUSAGE_EXEC
    if shutil.which(args.host_cc) is None:
        log("note: no host compiler: peak RSS includes the runner's own size")
        return
    os.makedirs(args.build_dir, exist_ok=True)
    exe = os.path.join(args.build_dir, "rusage_exec")
    check_call([args.host_cc, "-O2", "-Wall", "-o", exe,
                os.path.join(RT_DIR, "rusage_exec.c")])
    RUSAGE_EXEC = exe


def build(names, modes, args, n=None):
    """Build guest ELFs (one per workload and mode) and native binaries.

    Returns {(name, mode): (elf, exe)}. n overrides the size (start-up rows)."""
    n = n or args.n
    sub = "n%d" % n if n else "scale%d" % args.scale
    out_dir = os.path.join(args.build_dir, sub)
    os.makedirs(out_dir, exist_ok=True)
    size = ["-DBENCH_N=%d" % n] if n else ["-DBENCH_SCALE=%d" % args.scale]
    built = {}
    for name, src in WORKLOADS:
        if name not in names:
            continue
        # The host build is the same whatever the guest's mode.
        exe = None
        if not args.no_native:
            exe = os.path.join(out_dir, name + ".native")
            check_call([args.host_cc] + COMMON_CFLAGS + size +
                       ["-o", exe, os.path.join(RT_DIR, "native.c"),
                        os.path.join(WL_DIR, src)])
        for mode, start in MODES:
            if mode not in modes:
                continue
            elf = os.path.join(out_dir, "%s-%s.elf" % (name, mode))
            check_call([args.cross_cc] + COMMON_CFLAGS + GUEST_CFLAGS + size +
                       ["-o", elf, os.path.join(RT_DIR, start),
                        os.path.join(RT_DIR, "guest.c"), os.path.join(WL_DIR, src),
                        "-lgcc"])
            built[(name, mode)] = (elf, exe)
    return built


# ---------------------------------------------------------------- engines

def rvjit_default_engine(rvjit):
    """Name rvjit's default engine: 'jit' unless the build says otherwise."""
    try:
        text = subprocess.run([rvjit, "--help"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "jit"
    if b"only engine in this build" in text:
        return "interp"
    return "jit"


def rvvm_version(rvvm):
    """RVVM has no --version: its help banner names the version."""
    try:
        out = subprocess.run([rvvm, "-h"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    m = re.search(rb"RVVM \(v([^)]+)\)", out)
    return "RVVM %s (%s)" % (m.group(1).decode() if m else "unknown", rvvm)


def tool_version(cmd):
    try:
        out = subprocess.run(cmd + ["--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=10).stdout
        return out.decode(errors="replace").splitlines()[0].strip()
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"


# ---------------------------------------------------------------- table

# Run keys, in column order, and their column labels. "default" is rvjit's
# default engine (the translator); rvvm only with --rvvm / $RVVM.
ENGINE_LABELS = [("interp", "rvjit --interp"), ("default", "rvjit"),
                 ("qemu", "QEMU"), ("rvvm", "RVVM"), ("native", "native")]


def fmt_s(x):
    return "-" if x is None else ("%.3f" % x if x < 10 else "%.2f" % x)


def fmt_time(res):
    if res is None:
        return "-"
    if res.error:
        return "FAIL"
    return fmt_s(res.seconds)


def seconds_of(res):
    return None if res is None or res.error or not res.seconds else res.seconds


def ratio(a, b):
    """a's time over b's, or None when either is missing or failed."""
    a, b = seconds_of(a), seconds_of(b)
    return None if a is None or b is None else a / b


def minus(res, start):
    """res with start's time taken off, or None when either failed."""
    a, b = seconds_of(res), seconds_of(start)
    if a is None or b is None or a <= b:
        return None
    net = Result()
    net.seconds = a - b
    return net


def fmt_ratio(x):
    return "-" if x is None else "%.2f" % x


def geomean(xs):
    xs = [x for x in xs if x]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def fmt_rss(results):
    vals = []
    for r in results:
        vals.append("-" if r is None or r.rss_mib is None else "%.0f" % r.rss_mib)
    return " / ".join(vals)


def print_table(rows, engine_label, keys):
    """One Markdown table: times, ratios to native and to QEMU, RSS.

    keys: the run keys that were run (ENGINE_LABELS order)."""
    label = dict(ENGINE_LABELS)
    label["default"] = "rvjit" if engine_label == "jit" else "rvjit (%s)" % engine_label
    emus = [k for k in keys if k != "native"]
    vs_native = emus if "native" in keys else []
    vs_qemu = [k for k in emus if k not in ("qemu", "interp")] if "qemu" in keys else []
    head = (["workload", "mode", "guest Minsn", "%s MIPS" % label["default"]] +
            ["%s s" % label[k] for k in keys] +
            ["%s / native" % label[k] for k in vs_native] +
            ["QEMU / %s" % label[k] for k in vs_qemu] +
            ["peak RSS MiB (%s)" % " / ".join(label[k] for k in keys), "checksum"])
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---", "---"] + ["---:"] * (len(head) - 3) + [":---:"]) + "|")

    def line(name, mode, instret, runs, native_ratio, qemu_ratio, verdict, rss=True):
        mips = runs.get("default") and runs["default"].mips(instret)
        cells = ([name, mode, "-" if instret is None else "%.0f" % (instret / 1e6),
                  "%.0f" % mips if mips else "-"] +
                 [fmt_time(runs.get(k)) for k in keys] +
                 [fmt_ratio(native_ratio(k)) for k in vs_native] +
                 [fmt_ratio(qemu_ratio(k)) for k in vs_qemu] +
                 [fmt_rss([runs.get(k) for k in keys]) if rss else "", verdict])
        print("| " + " | ".join(cells) + " |")

    def plain(row):
        r = row["runs"]
        line(row["name"], row.get("mode", "-"), row["instret"], r,
             lambda k: ratio(r.get(k), r.get("native")),
             lambda k: ratio(r.get("qemu"), r.get(k)), row["verdict"])

    for row in rows:
        if row.get("kind") == "workload":
            plain(row)

    def total(title, mode, these, runs_of):
        """Per mode: the geometric mean of every ratio over the workloads
        where both engines ran; the time columns hold the sums."""
        sums = {}
        for k in keys:
            secs = [seconds_of(runs_of(row).get(k)) for row in these]
            if all(x is not None for x in secs):
                sums[k] = Result()
                sums[k].seconds = sum(secs)
        instret = sum(row["instret"] or 0 for row in these) or None
        line(title, mode, instret, sums,
             lambda k: geomean([ratio(runs_of(row).get(k), runs_of(row).get("native"))
                                for row in these]),
             lambda k: geomean([ratio(runs_of(row).get("qemu"), runs_of(row).get(k))
                                for row in these]),
             "%d workloads" % len(these), rss=False)

    work = [row for row in rows if row.get("kind") == "workload"]
    startup = {row["mode"]: row["runs"] for row in rows if row.get("kind") == "startup"}
    for mode in sorted(set(row["mode"] for row in work),
                       key=lambda m: [x for x, _ in MODES].index(m)):
        these = [row for row in work if row["mode"] == mode]
        total("**total (geomean of ratios)**", mode, these, lambda row: row["runs"])
        if mode in startup:
            # The same with each engine's start-up row taken off every time.
            total("total, start-up subtracted", mode, these,
                  lambda row: {k: minus(r, startup[mode].get(k))
                               for k, r in row["runs"].items()})
    for row in rows:
        if row.get("kind") != "workload":
            plain(row)


def startup_shares(rows, keys):
    """For each engine, the largest share of a workload's time that the
    start-up row of its mode accounts for: (share, workload, mode)."""
    startup = {row["mode"]: row for row in rows if row.get("kind") == "startup"}
    shares = {}
    for row in rows:
        if row.get("kind") != "workload" or row["mode"] not in startup:
            continue
        for k in keys:
            share = ratio(startup[row["mode"]]["runs"].get(k), row["runs"].get(k))
            if share is not None and (k not in shares or share > shares[k][0]):
                shares[k] = (share, row["name"], row["mode"])
    return shares


# ---------------------------------------------------------------- main

def best_of(runs):
    """The fastest successful run of a repeat set (or the first failure)."""
    ok = [r for r in runs if not r.error]
    if not ok:
        return runs[0]
    return min(ok, key=lambda r: r.seconds)


def bench_workload(name, mode, elf, exe, args, engines, kind="workload", repeat=None,
                   native_runs=None):
    """Run one guest ELF on every engine and exe natively; one table row.
    native_runs caches the native run by binary across modes."""
    repeat = repeat or args.repeat
    runs = {}
    what = "%s %s" % (name, mode)
    for key, cmd in engines:
        full = cmd(elf)
        reps = []
        for _ in range(repeat):
            reps.append(run_timed(full, args.timeout))
            if reps[-1].error:
                break
        runs[key] = best_of(reps)
        r = runs[key]
        log("  %-20s %-8s %s" % (what, key, r.error or "%.3fs %s" % (r.seconds, r.checksum)))
        if r.error and r.stdout:
            log("    stdout: " + r.stdout.decode(errors="replace").strip()[-300:])
        if r.error and r.stderr:
            log("    stderr: " + r.stderr.decode(errors="replace").strip()[-300:])
    if exe:
        # One host binary serves every mode: run it once, so both modes'
        # ratios share their denominator.
        if native_runs is None or exe not in native_runs:
            reps = [run_timed([exe], args.timeout) for _ in range(repeat)]
            r = best_of(reps)
            log("  %-20s %-8s %s" % (name, "native", r.error or "%.3fs %s" % (r.seconds, r.checksum)))
            if native_runs is not None:
                native_runs[exe] = r
        runs["native"] = native_runs[exe] if native_runs is not None else r

    instret = None
    for key in ("interp", "default"):
        if key in runs and runs[key].instret is not None:
            instret = runs[key].instret
            break
    sums = {k: r.checksum for k, r in runs.items()}
    failed = [k for k, r in runs.items() if r.error]
    distinct = set(v for v in sums.values() if v is not None)
    if len(distinct) > 1:
        verdict = "MISMATCH " + ", ".join("%s=%s" % kv for kv in sorted(sums.items()))
    elif failed:
        verdict = "FAIL (" + ", ".join(failed) + ")"
    else:
        verdict = "ok"
    return {"name": name, "mode": mode, "kind": kind, "instret": instret, "runs": runs,
            "verdict": verdict, "checksums": sums,
            "ok": len(distinct) <= 1 and not failed}


def bench_xv6(args, engines, usertests=False):
    """Time from launch to xv6's shell prompt on each emulator, or with
    usertests from typing `usertests` to ALL TESTS PASSED."""
    runs = {}
    what = "usertests" if usertests else "xv6"
    with tempfile.TemporaryDirectory(prefix="rvjit-bench-xv6-") as tmp:
        for key, base in engines:
            fs = os.path.join(tmp, "fs-%s.img" % key)
            shutil.copyfile(args.xv6_fs, fs)
            cmd = base + [
                "-machine", "virt", "-bios", "none", "-kernel", args.xv6_kernel,
                "-m", "128M", "-smp", "3", "-nographic",
                "-global", "virtio-mmio.force-legacy=false",
                "-drive", "file=%s,if=none,format=raw,id=x0" % fs,
                "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"]
            if usertests:
                r = run_until_prompt(cmd, args.usertests_timeout,
                                     then=(b"usertests\n", b"ALL TESTS PASSED"))
            else:
                # Boots are short and their time varies: --repeat counts
                # here too, the fastest successful boot stands.
                r = None
                for _ in range(max(1, args.repeat)):
                    shutil.copyfile(args.xv6_fs, fs)
                    this = run_until_prompt(cmd, args.timeout)
                    if r is None or (not this.error and (r.error or this.seconds < r.seconds)):
                        r = this
            runs[key] = r
            log("  %-16s %-8s %s" % (what, key, r.error or "%.3fs" % r.seconds))
            if r.error:
                log("    output: " + r.stdout.decode(errors="replace").strip()[-300:])
    failed = [k for k, r in runs.items() if r.error]
    return {"name": "xv6 usertests (-smp 3)" if usertests else "xv6 boot to `$ ` (-smp 3)",
            "instret": None, "runs": runs,
            "verdict": "FAIL (" + ", ".join(failed) + ")" if failed else "ok",
            "checksums": {}, "ok": not failed}


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, proc, timeout=10):
    """Until something listens on port (found without connecting: a gdb
    stub stops the guest when a client connects)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and proc.poll() is None:
        s = socket.socket()
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return True
        finally:
            s.close()
        time.sleep(0.02)
    return False


def run_to_gdb_break(emu, kernel, fs, smp, gdb, timeout):
    """Start emu -S -gdb with xv6's command line, then time a gdb batch
    script from `target remote` through `break syscall` and `continue` to
    the stop there."""
    result = Result()
    port = free_tcp_port()
    cmd = emu + [
        "-machine", "virt", "-bios", "none", "-kernel", kernel, "-m", "128M",
        "-smp", str(smp), "-nographic", "-global", "virtio-mmio.force-legacy=false",
        "-drive", "file=%s,if=none,format=raw,id=x0" % fs,
        "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
        "-S", "-gdb", "tcp::%d" % port]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if not wait_listening(port, proc):
            result.error = "no gdb stub listening on port %d" % port
            return result
        t0 = time.perf_counter()
        try:
            out = subprocess.run(
                [gdb, "-batch", "-nx", "-ex", "set confirm off", "-ex", "file " + kernel,
                 "-ex", "target remote 127.0.0.1:%d" % port, "-ex", "break syscall",
                 "-ex", "continue", "-ex", "quit"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                timeout=timeout).stdout
        except subprocess.TimeoutExpired:
            result.error = "timed out after %ds" % timeout
            return result
        result.seconds = time.perf_counter() - t0
        result.stdout = out
        if not re.search(rb"Breakpoint 1, (0x[0-9a-f]+ in )?syscall \(", out):
            result.error = "gdb did not stop at syscall"
    finally:
        kill_group(proc)
        proc.wait()
    return result


def bench_xv6_gdb(args, engines, smp):
    """Time for gdb to reach xv6's first `syscall` breakpoint from -S."""
    runs = {}
    gdb = shutil.which("gdb-multiarch")
    name = "xv6 gdb to `break syscall` (-smp %d)" % smp
    with tempfile.TemporaryDirectory(prefix="rvjit-bench-xv6-gdb-") as tmp:
        for key, base in engines:
            fs = os.path.join(tmp, "fs-%s.img" % key)
            r = None
            for _ in range(max(1, args.repeat)):
                shutil.copyfile(args.xv6_fs, fs)
                if not gdb:
                    this = Result()
                    this.error = "gdb-multiarch not found"
                else:
                    this = run_to_gdb_break(base, args.xv6_kernel, fs, smp, gdb,
                                            args.timeout)
                if r is None or (not this.error and (r.error or this.seconds < r.seconds)):
                    r = this
            runs[key] = r
            log("  %-16s %-8s %s" % ("xv6 gdb -smp %d" % smp, key,
                                     r.error or "%.3fs" % r.seconds))
    failed = [k for k, r in runs.items() if r.error]
    return {"name": name, "instret": None, "runs": runs,
            "verdict": "FAIL (" + ", ".join(failed) + ")" if failed else "ok",
            "checksums": {}, "ok": not failed}


def bench_linux(args, engines):
    """Time from launch to the Linux init's first line on each emulator."""
    runs = {}
    smp = args.linux_smp
    with tempfile.TemporaryDirectory(prefix="rvjit-bench-linux-") as tmp:
        # The init mounts /dev/vda: an 8 MiB ext2 image like linux_boot.py's,
        # made once and copied fresh for every run.
        root = os.path.join(tmp, "root")
        os.mkdir(root)
        with open(os.path.join(root, "from-host.txt"), "w") as f:
            f.write("rvjit bench host file\n")
        master = os.path.join(tmp, "disk.img")
        check_call(["mke2fs", "-q", "-F", "-t", "ext2", "-d", root, master, "8M"])
        for key, base in engines:
            disk = os.path.join(tmp, "disk-%s.img" % key)
            shutil.copyfile(master, disk)
            cmd = base + [
                "-machine", "virt", "-m", "256M", "-smp", str(smp), "-nographic",
                "-bios", LINUX_BIOS,
                "-kernel", os.path.join(args.linux_dir, LINUX_IMAGE),
                "-initrd", os.path.join(args.linux_dir, LINUX_INITRD),
                "-append", "console=ttyS0",
                "-drive", "file=%s,format=raw,if=virtio" % disk]
            r = run_until_prompt(cmd, args.timeout, prompt=LINUX_HELLO)
            runs[key] = r
            log("  %-16s %-8s %s" % ("linux", key, r.error or "%.3fs to init" % r.seconds))
            if r.error:
                log("    output: " + r.stdout.decode(errors="replace").strip()[-300:])
    failed = [k for k, r in runs.items() if r.error]
    return {"name": "Linux boot to /init (-smp %d)" % smp, "instret": None,
            "runs": runs,
            "verdict": "FAIL (" + ", ".join(failed) + ")" if failed else "ok",
            "checksums": {}, "ok": not failed}


def main():
    names = [w[0] for w in WORKLOADS]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="run each workload at 20%% of its full size")
    ap.add_argument("--scale", type=int, default=None,
                    help="percent of the full size (default 100, 20 with --quick)")
    ap.add_argument("--n", type=int, default=None,
                    help="set every workload's iteration count outright")
    ap.add_argument("--only", action="append", default=[],
                    help="run only this workload (repeatable, or comma-separated): "
                    + ", ".join(names))
    ap.add_argument("--rvjit", default=os.path.join(REPO_DIR, "build", "rvjit"),
                    help="rvjit binary (default: build/rvjit)")
    ap.add_argument("--no-rvjit", action="store_true", help="skip rvjit")
    ap.add_argument("--qemu", default="qemu-system-riscv64", help="QEMU binary")
    ap.add_argument("--no-qemu", action="store_true", help="skip QEMU")
    ap.add_argument("--rvvm", default=os.environ.get("RVVM"),
                    help="RVVM binary (rvvm_x86_64 from its own make): adds an RVVM "
                    "column (default: $RVVM, else none)")
    ap.add_argument("--modes", default="bare,sv39",
                    help="comma-separated guest modes: bare (M-mode), sv39 "
                    "(S-mode under Sv39 paging); default both")
    ap.add_argument("--no-native", action="store_true", help="skip the host runs")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per engine; the fastest counts (default 1)")
    ap.add_argument("--timeout", type=int, default=120,
                    help="seconds before a run is killed (default 120)")
    ap.add_argument("--build-dir", default=os.path.join(BENCH_DIR, "build"),
                    help="where binaries go (default bench/build)")
    ap.add_argument("--cross-cc", default="riscv64-unknown-elf-gcc")
    ap.add_argument("--host-cc", default=os.environ.get("CC", "gcc"))
    ap.add_argument("--xv6-kernel", help="xv6 kernel ELF: adds an xv6 boot row")
    ap.add_argument("--xv6-fs", help="xv6 fs.img (a copy is used)")
    ap.add_argument("--xv6-usertests", action="store_true",
                    help="also time xv6's full usertests (minutes; translator and QEMU)")
    ap.add_argument("--usertests-timeout", type=float, default=1800,
                    help="seconds allowed for usertests (default 1800)")
    ap.add_argument("--linux-dir",
                    help="directory with Image and initramfs.cpio.gz "
                    "(test/linux/build-*.sh): adds a Linux boot row")
    ap.add_argument("--linux-smp", type=int, default=2,
                    help="harts for the Linux row (default 2)")
    ap.add_argument("--json", help="also write raw results to this file")
    args = ap.parse_args()

    if args.scale is None:
        args.scale = 20 if args.quick else 100
    only = [x for o in args.only for x in o.split(",") if x]
    boot_rows = ("xv6", "linux")
    for o in only:
        if o not in names and o not in boot_rows:
            hint = (" (modes are chosen with --modes)"
                    if o in [m for m, _ in MODES] else "")
            ap.error("unknown workload '%s'%s (known: %s, xv6, linux)"
                     % (o, hint, ", ".join(names)))
    selected = [n for n in names if not only or n in only]
    modes = [m for m in args.modes.split(",") if m]
    for m in modes:
        if m not in [x for x, _ in MODES]:
            ap.error("unknown mode '%s' (known: %s)" % (m, ", ".join(x for x, _ in MODES)))
    if args.rvvm and not os.access(args.rvvm, os.X_OK):
        ap.error("RVVM binary %s is not executable (bench/README.md, section "
                 "RVVM, says how to build one)" % args.rvvm)
    if bool(args.xv6_kernel) != bool(args.xv6_fs):
        ap.error("--xv6-kernel and --xv6-fs go together")
    if only == ["xv6"] and not args.xv6_kernel:
        ap.error("--only xv6 needs --xv6-kernel and --xv6-fs")
    if "linux" in only and not args.linux_dir:
        ap.error("--only linux needs --linux-dir")
    if args.linux_smp < 1:
        ap.error("--linux-smp must be at least 1")
    if args.linux_dir and (not only or "linux" in only):
        missing = [p for p in (os.path.join(args.linux_dir, LINUX_IMAGE),
                               os.path.join(args.linux_dir, LINUX_INITRD),
                               LINUX_BIOS) if not os.path.isfile(p)]
        if shutil.which("mke2fs") is None:
            missing.append("mke2fs")
        if missing:
            log("Linux row: missing %s (test/linux/build-kernel.sh and "
                "build-initramfs.sh fill --linux-dir; .ci/setup installs "
                "OpenSBI and e2fsprogs)" % ", ".join(missing))
            return 2

    have_rvjit = not args.no_rvjit
    if have_rvjit and not os.access(args.rvjit, os.X_OK):
        log("rvjit not found at %s (build it: cmake -S . -B build && "
            "cmake --build build), or pass --no-rvjit" % args.rvjit)
        return 2
    have_qemu = not args.no_qemu and shutil.which(args.qemu) is not None
    if not args.no_qemu and not have_qemu:
        log("note: %s not found, skipping QEMU" % args.qemu)
    # Boot rows alone need no compilers (the host one only builds the RSS
    # helper, which is optional).
    need_cc = (args.cross_cc,) + (() if args.no_native else (args.host_cc,))
    for cc in need_cc if selected else ():
        if shutil.which(cc) is None:
            log("compiler %s not found" % cc)
            return 2

    default_engine = rvjit_default_engine(args.rvjit) if have_rvjit else "jit"
    # The second rvjit column is the default engine: the JIT once it exists.
    engine_label = "jit" if default_engine == "jit" else "default (%s)" % default_engine
    engines = []
    if have_rvjit:
        rv = os.path.abspath(args.rvjit)
        engines.append(("interp", lambda elf: [rv, "--interp", "--stats"] + QEMU_MACHINE + ["-kernel", elf]))
        engines.append(("default", lambda elf: [rv, "--stats"] + QEMU_MACHINE + ["-kernel", elf]))
    if have_qemu:
        engines.append(("qemu", lambda elf: [args.qemu] + QEMU_MACHINE + ["-kernel", elf]))
    if args.rvvm:
        # RVVM loads an ELF given as its firmware at its physical addresses and
        # starts it in M-mode at 0x80000000 (README: RVVM).
        rvvm = os.path.abspath(args.rvvm)
        engines.append(("rvvm", lambda elf: [rvvm, elf, "-nogui", "-nonet"]))
    keys = [k for k, _ in ENGINE_LABELS
            if k in [e[0] for e in engines] or (k == "native" and not args.no_native)]

    rows = []
    t_start = time.perf_counter()
    build_helper(args)
    if selected:
        log("building %d workloads x %d modes (%s) into %s" % (
            len(selected), len(modes),
            "n=%d" % args.n if args.n else "scale %d%%" % args.scale, args.build_dir))
        built = build(selected, modes, args)
        native_runs = {}
        for name in selected:
            for mode in modes:
                elf, exe = built[(name, mode)]
                rows.append(bench_workload(name, mode, elf, exe, args, engines,
                                           native_runs=native_runs))
        # What a run costs besides the work: the same guest with n = 1,
        # fastest of at least 5 runs (they are short and noisy).
        tiny = build([STARTUP_WORKLOAD], modes, args, n=1)
        for mode in modes:
            elf, exe = tiny[(STARTUP_WORKLOAD, mode)]
            rows.append(bench_workload("start-up (%s, n=1)" % STARTUP_WORKLOAD, mode, elf,
                                       exe, args, engines, kind="startup",
                                       repeat=max(5, args.repeat), native_runs=native_runs))
    if args.xv6_kernel and (not only or "xv6" in only):
        xv6_engines = []
        if have_rvjit:
            xv6_engines.append(("interp", [os.path.abspath(args.rvjit), "--interp"]))
            xv6_engines.append(("default", [os.path.abspath(args.rvjit)]))
        if have_qemu:
            xv6_engines.append(("qemu", [args.qemu]))
        rows.append(bench_xv6(args, xv6_engines))
        # Under gdb: the OS course's `make qemu-gdb`, `break syscall`,
        # `continue`, at 1, 3 and 8 harts (the interpreter is left out).
        for smp in (1, 3, 8):
            rows.append(bench_xv6_gdb(args, [e for e in xv6_engines if e[0] != "interp"],
                                      smp))
        if args.xv6_usertests:
            rows.append(bench_xv6(args, [e for e in xv6_engines if e[0] != "interp"],
                                  usertests=True))
    if args.linux_dir and (not only or "linux" in only):
        linux_engines = []
        if have_rvjit:
            linux_engines.append(("interp", [os.path.abspath(args.rvjit), "--interp"]))
            linux_engines.append(("default", [os.path.abspath(args.rvjit)]))
        if have_qemu:
            linux_engines.append(("qemu", [args.qemu]))
        rows.append(bench_linux(args, linux_engines))
    elapsed = time.perf_counter() - t_start

    print()
    print("rvjit: %s (default engine: %s)" % (
        tool_version([args.rvjit]) if have_rvjit else "not run", default_engine))
    print("qemu: %s" % (tool_version([args.qemu]) if have_qemu else "not run"))
    print("rvvm: %s" % (rvvm_version(args.rvvm) if args.rvvm else "not run (--rvvm PATH)"))
    print("host: %s, %s, %d CPUs; size: %s; %d run(s) per engine, fastest shown; "
          "total %.0fs" % (
              platform.machine(), platform.processor() or platform.system(),
              os.cpu_count() or 0,
              "n=%d" % args.n if args.n else "%d%%" % args.scale,
              args.repeat, elapsed))
    print()
    print_table(rows, engine_label, keys)
    shares = startup_shares(rows, keys)
    if shares:
        print()
        print("start-up share (start-up row over the run), largest per engine: " +
              "; ".join("%s %.1f%% (%s, %s)" % (dict(ENGINE_LABELS)[k], 100 * v[0], v[1], v[2])
                        for k, v in sorted(shares.items(),
                                           key=lambda kv: [x for x, _ in ENGINE_LABELS]
                                           .index(kv[0]))))

    bad = [row for row in rows if not row["ok"]]
    for row in bad:
        print("\n%s: %s" % (row["name"], row["verdict"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"name": r["name"], "mode": r.get("mode"), "instret": r["instret"],
                        "ok": r["ok"], "checksums": r["checksums"],
                        "runs": {k: v.as_dict() for k, v in r["runs"].items()}}
                       for r in rows], f, indent=2)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
