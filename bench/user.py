#!/usr/bin/env python3
"""Real Debian programs on user-mode emulators and natively, side by side
(issue 17's targets; Python standard library only).

usage: bench/user.py [--rvjit-user PATH | --no-rvjit-user] [--interp]
                     [--qemu PATH | --no-qemu] [--no-native]
                     [--engine NAME=COMMAND]... [--runs N] [--only NAME]...
                     [--quick] [--cache DIR] [--json FILE]

Each workload runs the Debian 13 (trixie) riscv64 build of a program under
every emulator (COMMAND -L ROOT ROOT/usr/bin/PROG ...) and the amd64 build of
the same version natively, in the same run, N times each (default 3), and
one Markdown table gives the minimum and median wall-clock seconds, each
emulator's median over native's, QEMU's over rvjit-user's, and a geometric
mean row. The trees are test/user/debian_trees.py's (made with mmdebstrap
on first use, cached in build/debian-cache/user). Engines: rvjit-user
(build/rvjit-user when it exists; --interp adds its interpreter),
qemu-riscv64 when installed, native; --engine adds any other emulator by
its command line. Every run's output must equal native's (a digest), else
the cell says DIFF and the exit status is 1.

Workloads (inputs generated here, the same bytes every run):
  xz        xz -9 -T1 of a 4 MiB file
  zstd      zstd -19 of a 2 MiB file
  python    python3 running test/user's pure-Python script (dicts, classes,
            formatting, a prime sieve, json), 8 times its test size
  sqlite3   sqlite3 running 100000 inserts in a transaction, an index and
            aggregate queries (test/user's SQL)
  sort      sort --parallel=1 of a 1000000-line text (35 MB)
  sha256sum sha256sum of a 256 MiB file
  busybox   busybox sh running a fork/exec-bound script: loops of command
            substitutions and pipelines through busybox applets run by
            path (a new process image each: execve)
  startup   30 runs of `ls -d .` (dynamic linking and start-up, 3 shared
            libraries), timed together

A guest's execve of a riscv64 program (busybox) is left by qemu-riscv64 to
the host kernel's binfmt_misc: for QEMU that workload runs with a private
binfmt_misc (a new user and mount namespace, Linux 6.7 and later) that
hands riscv64 ELF files to qemu-riscv64 with QEMU_LD_PREFIX, as a machine
set up for QEMU would; elsewhere QEMU's cell says n/a.
"""
import argparse
import hashlib
import json
import math
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
sys.path.insert(0, os.path.join(REPO_DIR, "test", "user"))
import debian_programs  # noqa: E402
import debian_trees  # noqa: E402

BUSYBOX_SCRIPT = r"""
BB=$1
i=0
while [ $i -lt $2 ]; do
	x=$("$BB" expr $i \* 7 % 13)
	y=$(echo "$i $x" | "$BB" awk '{ print $1 + $2 }')
	"$BB" echo "$i $x $y" | "$BB" tr 0-9 a-j | "$BB" cut -c1-4 >> out.txt
	i=$((i + 1))
done
"$BB" wc -l out.txt
"$BB" md5sum out.txt
"""


def workloads(scale):
    """name -> (setup(folder), prog, args, stdin, repeat, needs_exec). `args` may
    name the program's own path as "{BUSYBOX}" (filled per engine)."""
    def s(n):
        return max(1, int(n * scale))

    def files(times=1, **contents):
        """Writes each file's contents `times` times over."""
        def setup(d):
            for name, data in contents.items():
                with open(os.path.join(d, name), "wb") as f:
                    for _ in range(times):
                        f.write(data)
        return setup

    data4 = debian_programs.compressible_data(6, s(4 << 20))
    return {
        "xz": (files(data=data4), "xz", ["-9", "-T1", "-c", "data"], None, 1, False),
        "zstd": (files(data=data4[:s(2 << 20)]), "zstd", ["-19", "-c", "data"], None, 1, False),
        "python": (files(**{"script.py": debian_programs.PYTHON_SCRIPT.encode()}), "python3",
                   ["script.py", str(s(8))], None, 1, False),
        "sqlite3": (files(), "sqlite3", ["test.db"],
                    debian_programs.sqlite_script(s(100000)).encode(), 1, False),
        "sort": (files(**{"text": debian_programs.text_lines(7, s(1000000))}), "sort",
                 ["--parallel=1", "text"], None, 1, False),
        "sha256sum": (files(times=s(64), data=data4), "sha256sum", ["data"], None, 1, False),
        "busybox": (files(), "busybox", ["sh", "-c", BUSYBOX_SCRIPT, "sh", "{BUSYBOX}",
                                         str(s(100))], None, 1, True),
        "startup": (files(), "ls", ["-d", "."], None, s(30), False),
    }


# ELF64, little-endian, e_machine 243 (EM_RISCV): executables and PIEs.
BINFMT_MAGIC = r"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00"
BINFMT_MASK = r"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"


def private_binfmt(emulator_path):
    """A command prefix that runs the rest with riscv64 ELF files handed to
    `emulator_path` by a binfmt_misc of its own."""
    rule = f":riscv64-bench:M::{BINFMT_MAGIC}:{BINFMT_MASK}:{emulator_path}:"
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
            "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && "
            "printf '%s' \"$0\" > /proc/sys/fs/binfmt_misc/register && exec \"$@\"", rule]


class Engine:
    def __init__(self, name, runner, binfmt_exec=False):
        self.name, self.runner, self.binfmt_exec = name, runner, binfmt_exec


def run_once(engine, work, prog, args, stdin, repeat, needs_exec, timeout):
    """(seconds, output digest) of one measurement, or (None, why)."""
    args = [a.replace("{BUSYBOX}", engine.runner.path("busybox")) for a in args]
    argv = engine.runner.argv(prog, args)
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC0", "HOME": work,
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    if needs_exec and engine.binfmt_exec:
        argv = private_binfmt(engine.runner.emulator[0]) + argv
        env["QEMU_LD_PREFIX"] = engine.runner.root
    digest = hashlib.sha256()
    t0 = time.monotonic()
    for _ in range(repeat):
        try:
            p = subprocess.run(argv, cwd=work, input=stdin, env=env, capture_output=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"timeout ({timeout} s)"
        if p.returncode != 0:
            return None, f"exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}"
        digest.update(p.stdout)
    return time.monotonic() - t0, digest.hexdigest()


def measure(engine, name, spec, runs, timeout):
    setup, prog, args, stdin, repeat, needs_exec = spec
    times, digests, error = [], set(), None
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="rvjit-bench-user-") as work:
            setup(work)
            t, d = run_once(engine, work, prog, args, stdin, repeat, needs_exec, timeout)
        if t is None:
            error = d
            break
        times.append(t)
        digests.add(d)
    result = {"times": times, "digests": sorted(digests), "error": error}
    state = f"FAIL {error}" if error else \
        f"min {min(times):.3f} s, median {statistics.median(times):.3f} s"
    print(f"  {name:10s} {engine.name:22s} {state}", file=sys.stderr, flush=True)
    return result


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rvjit-user", default=os.path.join(REPO_DIR, "build", "rvjit-user"))
    ap.add_argument("--no-rvjit-user", action="store_true")
    ap.add_argument("--interp", action="store_true", help="add rvjit-user --interp")
    ap.add_argument("--qemu", default=shutil.which("qemu-riscv64"))
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--no-native", action="store_true")
    ap.add_argument("--engine", action="append", default=[], metavar="NAME=COMMAND",
                    help="another emulator, by its command line (repeatable)")
    ap.add_argument("--runs", type=int, default=3, help="runs per engine and workload")
    ap.add_argument("--only", action="append", default=[], help="workloads (repeatable, a,b)")
    ap.add_argument("--quick", action="store_true", help="every workload at 20%% of its size")
    ap.add_argument("--timeout", type=int, default=600, help="seconds for one run")
    ap.add_argument("--cache", default=os.path.join(REPO_DIR, "build", "debian-cache", "user"))
    ap.add_argument("--json", help="also write every measurement to this file")
    opts = ap.parse_args()

    specs = workloads(0.2 if opts.quick else 1.0)
    only = [w for o in opts.only for w in o.split(",") if w]
    for w in only:
        if w not in specs:
            ap.error(f"unknown workload {w} (known: {', '.join(specs)})")
    names = only or list(specs)

    try:
        rv_root = debian_trees.tree(opts.cache, "riscv64")
        native_root = debian_trees.tree(opts.cache, "amd64")
    except debian_trees.Unavailable as e:
        print(f"bench/user.py: {e}", file=sys.stderr)
        return 2

    def emulator(name, command, binfmt_exec=False):
        argv = shlex.split(command)
        found = shutil.which(argv[0])
        if not found:
            print(f"note: {name}: {argv[0]} not found, skipped", file=sys.stderr)
            return None
        argv[0] = os.path.abspath(found)
        return Engine(name, debian_trees.Runner("riscv64", rv_root, argv), binfmt_exec)

    engines = []
    if not opts.no_rvjit_user:
        if os.path.exists(opts.rvjit_user):
            engines.append(emulator("rvjit-user", shlex.quote(opts.rvjit_user)))
            if opts.interp:
                engines.append(emulator("rvjit-user --interp",
                                        shlex.quote(opts.rvjit_user) + " --interp"))
        else:
            print(f"note: no {opts.rvjit_user}: no rvjit-user column", file=sys.stderr)
    if opts.qemu and not opts.no_qemu:
        engines.append(emulator("qemu-riscv64", shlex.quote(opts.qemu), binfmt_exec=True))
    for spec in opts.engine:
        name, _, command = spec.partition("=")
        if not command:
            ap.error(f"--engine {spec}: want NAME=COMMAND")
        engines.append(emulator(name, command))
    engines = [e for e in engines if e]
    if not opts.no_native:
        engines.append(Engine("native", debian_trees.Runner("amd64", native_root)))
    if not engines:
        ap.error("no engine to run")

    results = {}
    for w in names:
        print(f"{w}:", file=sys.stderr, flush=True)
        for e in engines:
            results[(w, e.name)] = measure(e, w, specs[w], opts.runs, opts.timeout)

    # Outputs must agree with native's (or, without native, with the first engine's).
    ref_engine = engines[-1].name
    failed = False
    for w in names:
        ref = results[(w, ref_engine)]["digests"]
        for e in engines:
            r = results[(w, e.name)]
            if r["error"]:
                failed = True
            elif len(r["digests"]) != 1 or r["digests"] != ref:
                r["error"] = "DIFF"
                failed = True

    def median(w, e):
        r = results[(w, e)]
        return statistics.median(r["times"]) if r["times"] and not r["error"] else None

    emus = [e.name for e in engines if e.name != "native"]
    have_native = any(e.name == "native" for e in engines)
    pair = ("qemu-riscv64" in emus and "rvjit-user" in emus)
    header = ["workload"] + [f"{e.name} s (min / median)" for e in engines]
    if have_native:
        header += [f"{e} / native" for e in emus]
    if pair:
        header.append("qemu / rvjit-user")
    print("\n| " + " | ".join(header) + " |")
    print("| --- |" + " ---: |" * (len(header) - 1))
    ratios = {col: [] for col in header}
    for w in names:
        cells = [w]
        for e in engines:
            r = results[(w, e.name)]
            if r["error"] == "DIFF":
                cells.append("DIFF")
            elif r["error"]:
                cells.append("n/a" if e.binfmt_exec and specs[w][5] else "failed")
            else:
                cells.append(f"{min(r['times']):.2f} / {statistics.median(r['times']):.2f}")
        cols = []
        if have_native:
            cols += [(f"{e} / native", median(w, e), median(w, "native")) for e in emus]
        if pair:
            cols.append(("qemu / rvjit-user", median(w, "qemu-riscv64"), median(w, "rvjit-user")))
        for col, a, b in cols:
            if a and b:
                ratios[col].append(a / b)
                cells.append(f"{a / b:.2f}x")
            else:
                cells.append("-")
        print("| " + " | ".join(cells) + " |")
    # Geometric means: of each engine's medians over the workloads all
    # engines finished, and of each ratio over the workloads it has.
    common = [w for w in names if all(median(w, e.name) for e in engines)]
    cells = [f"geometric mean ({len(common)} of {len(names)})"]
    for e in engines:
        g = geomean([median(w, e.name) for w in common])
        cells.append(f"{g:.2f}" if g else "-")
    for col in header[1 + len(engines):]:
        g = geomean(ratios[col])
        cells.append(f"{g:.2f}x" if g else "-")
    print("| " + " | ".join(cells) + " |")

    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({f"{w}/{e}": r for (w, e), r in results.items()}, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
