#!/usr/bin/env python3
"""No acknowledged write is lost: rvjit killed at random moments, and host
I/O errors, under a guest that writes and flushes generations of stamped
sectors (test/guest/disk_flush_generations.c says what it writes).

usage: disk_crash_kill.py RVJIT GUEST_ELF [rvjit options...]
       (DISK_CRASH_SEED=N repeats a run; DISK_CRASH_KILLS=N kills per format)

1. Kills. For raw, qcow2, and qcow2 over a backing file (raw and qcow2 in
   turn, holding a known pattern), rvjit is started on a fresh image and
   SIGKILLed after a random time (seeded; the seed is printed). Then:
   - qemu-img check finds no corruption. Leaked clusters are allowed: QEMU's
     own qcow2 driver leaks clusters when it dies between counting a new
     cluster and pointing at it (the order that keeps a crash from ever
     leaving a cluster referenced but free), qemu-img check reports them
     as leaks (exit status 3, "Leaked cluster"), and `qemu-img check -r
     leaks` frees them; corruption (exit status 2) is what loses data.
   - If the guest printed "flushed G" last, every sector a generation up to
     G wrote holds that generation's stamp or a later one, intact (CRC,
     sector number); no sector holds a stamp the guest never wrote or a
     generation past G + 1 (the one it may have been writing); every sector
     the guest never wrote still holds the original content (zeros, or the
     backing file's pattern through copy-on-write clusters).
2. Host I/O errors, with the guest going on writing:
   - RLIMIT_FSIZE (no root needed): the image may not grow past 1 MiB, so
     writes there fail with EFBIG; rvjit ignores SIGXFSZ, which would
     otherwise kill it before the write could fail (QEMU 7.2 also gives the
     guest an I/O error there). For raw the writes past 1 MiB fail, for
     qcow2 every new cluster once the file reaches 1 MiB.
   - ENOSPC: the image on a 2 MiB tmpfs (when root can mount one; otherwise
     said, and only the other branches run).
   - EIO injected by strace into the image's pwrite64 calls (every Nth
     from the Mth, both from the seed: data, L2 tables, refcounts), and
     into one fdatasync.
   Each time the guest must see VIRTIO_BLK_S_IOERR (status 1) for the
   failed requests, rvjit must keep running and serving (later flushes
   succeed, except after a failed fdatasync, below), exit cleanly at
   SIGTERM, and leave an image that passes the checks of 1 with the failed
   requests' sectors allowed to hold either their old or new content.
   QEMU's -drive defaults are werror=enospc,rerror=report: on ENOSPC QEMU
   pauses the VM, on other errors it reports them to the guest. rvjit has
   no werror=/rerror= and reports every error to the guest, ENOSPC too.
   After a failed fdatasync the kernel may have dropped the dirty pages it
   could not write, so a later fdatasync that succeeds proves nothing about
   them: QEMU's file-posix then fails every later flush with EIO, and rvjit
   does the same.
Needs qemu-img (exit 77 without it, 1 in CI); strace for the injected
errors (a failure in CI without it; that part is skipped, said, where
ptrace is not permitted).
"""
import atexit
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zlib

RVJIT, ELF = sys.argv[1:3]
EXTRA = sys.argv[3:]
if not shutil.which("qemu-img"):
    print("qemu-img not found (.ci/setup installs qemu-utils)")
    sys.exit(1 if os.environ.get("CI") else 77)

# The guest's layout (test/guest/disk_flush_generations.c).
SECTOR = 512
BLOCK_SECTORS = 16
WRITTEN_SECTORS = 12
AREA_BLOCKS = 4096
OVERWRITES = 3
DISK_SECTORS = (AREA_BLOCKS + 64) * BLOCK_SECTORS
DISK_BYTES = DISK_SECTORS * SECTOR
STAMP_MAGIC = 0x31304E45474A5652
M64 = (1 << 64) - 1

KILLS = int(os.environ.get("DISK_CRASH_KILLS", "8"))
SEED = int(os.environ.get("DISK_CRASH_SEED", str(random.SystemRandom().randrange(1 << 32))))
print("seed %d (DISK_CRASH_SEED=%d repeats this run)" % (SEED, SEED))
rng = random.Random(SEED)

failures = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
        if detail:
            print(detail)
    return cond


def mix(x):
    x &= M64
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & M64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & M64
    x ^= x >> 33
    return x


def gen_blocks(g):
    """The blocks generation g writes, as the guest's gen_block."""
    fresh = g - 1 < AREA_BLOCKS
    n = 1 + (OVERWRITES if g > 1 else 0) if fresh else OVERWRITES
    written = g - 1 if fresh else AREA_BLOCKS
    return [g - 1 if fresh and k == 0 else mix(g << 8 | k) % written for k in range(n)]


def pattern_sector(s):
    return bytes(((s * 7 + j) & 0xFF) for j in range(SECTOR))


# The backing file's pattern (test/disk_image.c's DISK_PATTERN): sector s
# depends on s mod 256 only.
PATTERNS = [pattern_sector(s) for s in range(256)]
ZERO = bytes(SECTOR)
tmp = tempfile.mkdtemp()
mnt = None
live = []  # every rvjit started, killed at exit


def cleanup():
    global mnt
    for proc in live:
        if proc.poll() is None:
            stop(proc)
    if mnt:
        subprocess.run(["umount", mnt], stderr=subprocess.DEVNULL)
        mnt = None
    shutil.rmtree(tmp, ignore_errors=True)


atexit.register(cleanup)  # also when a check raises


def qemu_img(*args):
    r = subprocess.run(["qemu-img"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        print("qemu-img %s failed:\n%s" % (" ".join(args), r.stdout))
        cleanup()
        sys.exit(1)


BACKING_RAW = os.path.join(tmp, "backing.raw")
BACKING_QCOW2 = os.path.join(tmp, "backing.qcow2")
with open(BACKING_RAW, "wb") as f:
    f.write(b"".join(PATTERNS) * (DISK_SECTORS // 256))
qemu_img("convert", "-f", "raw", "-O", "qcow2", BACKING_RAW, BACKING_QCOW2)


def make_image(kind, path, n):
    """A fresh image; returns (format, original content of sector s)."""
    if os.path.exists(path):
        os.unlink(path)
    if kind == "raw":
        with open(path, "wb") as f:
            f.truncate(DISK_BYTES)
        return "raw", lambda s: ZERO
    opts = ["-o", "cluster_size=4096"]
    if kind == "qcow2":
        qemu_img("create", "-q", "-f", "qcow2", *opts, path, str(DISK_BYTES))
        return "qcow2", lambda s: ZERO
    back, fmt = (BACKING_RAW, "raw") if n % 2 == 0 else (BACKING_QCOW2, "qcow2")
    qemu_img("create", "-q", "-f", "qcow2", *opts, "-b", back, "-F", fmt, path)
    return "qcow2", lambda s: PATTERNS[s % 256]


def start(path, fmt, out, wrapper=(), limit=None):
    argv = list(wrapper) + [RVJIT, "-nographic", "-bios", "none", "-kernel", ELF,
                            "-drive", "file=%s,if=none,id=d0,format=%s" % (path, fmt),
                            "-device", "virtio-blk-device,drive=d0"] + EXTRA

    def fsize_limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT,
                            preexec_fn=fsize_limit if limit else None)
    proc.rvjit = proc.pid
    if wrapper:  # strace's child once it runs rvjit (strace forks probes first)
        for _ in range(1000):
            try:
                with open("/proc/%d/task/%d/children" % (proc.pid, proc.pid)) as f:
                    kids = [int(k) for k in f.read().split()]
                ours = [k for k in kids if open("/proc/%d/cmdline" % k, "rb").read()
                        .split(b"\0")[0] == RVJIT.encode()]
                if ours:
                    proc.rvjit = ours[0]
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.01)
    live.append(proc)
    return proc


def stop(proc):
    """SIGKILL rvjit (and its strace): a tracer's death leaves the tracee
    running."""
    for pid in {proc.rvjit, proc.pid}:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    proc.wait()


def read_out(path):
    with open(path, errors="replace") as f:
        return f.read()


def wait_for(proc, outpath, what, timeout=30):
    """Wait until the output has a line starting with `what`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if any(l.startswith(what) for l in read_out(outpath).splitlines()):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return False


def parse(text):
    """(last flushed generation, {gen: [(first, count)]} of failed writes,
    other problems, failed flush generations)."""
    flushed, failed, bad, flush_failed = 0, {}, [], []
    # A kill may cut the last line short ("flushed 12" of "flushed 123").
    for line in text[:text.rfind("\n") + 1].splitlines():
        w = line.split()
        if line.startswith("flushed "):
            flushed = int(w[1])
        elif line.startswith("ioerr write "):
            failed.setdefault(int(w[2]), []).append((int(w[3]), int(w[4]), w[5]))
        elif line.startswith("ioerr flush "):
            flush_failed.append(int(w[2]))
        elif line.startswith("readback bad") or line.startswith("driver error"):
            bad.append(line)
    return flushed, failed, bad, flush_failed


def image_check(path, fmt, what):
    """qemu-img check: no corruption (leaks allowed, see the top)."""
    if fmt != "qcow2":
        return True
    r = subprocess.run(["qemu-img", "check", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return check(r.returncode in (0, 3), "%s: qemu-img check finds no corruption (exit %d%s)"
                 % (what, r.returncode, ", leaks" if r.returncode == 3 else ""), r.stdout)


def data_check(path, fmt, original, text, what):
    """Every flushed write on the disk, whole; nothing else changed."""
    flushed, failed, _, flush_failed = parse(text)
    # The generation being written at the end: after a failed flush the
    # guest goes on past the last one that succeeded.
    last = max([flushed] + list(failed) + flush_failed) + 1
    data_path = path
    if fmt == "qcow2":
        data_path = os.path.join(tmp, "data.raw")
        r = subprocess.run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", path, data_path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if not check(r.returncode == 0, "%s: qemu-img convert reads the image" % what,
                     r.stdout):
            return
    with open(data_path, "rb") as f:
        data = f.read()
    if not check(len(data) == DISK_BYTES, "%s: the disk is %d bytes" % (what, DISK_BYTES)):
        return
    # required[s]: the generation sector s must hold at least; writers[b]:
    # every generation that may have stamped block b (`last` was perhaps
    # being written at the kill).
    required = {}
    writers = {}
    for g in range(1, last + 1):
        bad_ranges = failed.get(g, [])
        for b in gen_blocks(g):
            writers.setdefault(b, set()).add(g)
            if g > flushed:
                continue
            for i in range(WRITTEN_SECTORS):
                s = b * BLOCK_SECTORS + i
                if not any(a <= s < a + n for a, n, _ in bad_ranges):
                    required[s] = g
    problems = []
    for b in range(AREA_BLOCKS + 64):
        first = b * BLOCK_SECTORS
        if b not in writers:
            for s in range(first, first + BLOCK_SECTORS):
                if data[s * SECTOR:(s + 1) * SECTOR] != original(s):
                    problems.append("sector %d (never written) changed" % s)
            continue
        for s in range(first, first + BLOCK_SECTORS):
            sec = data[s * SECTOR:(s + 1) * SECTOR]
            need = required.get(s, 0)
            if s - first >= WRITTEN_SECTORS or sec == original(s):
                if sec != original(s):
                    problems.append("sector %d (never written) changed" % s)
                elif need:
                    problems.append("sector %d lost generation %d (flushed %d): original "
                                    "content" % (s, need, flushed))
                continue
            magic = int.from_bytes(sec[0:8], "little")
            gen = int.from_bytes(sec[8:16], "little")
            num = int.from_bytes(sec[16:24], "little")
            crc = int.from_bytes(sec[508:512], "little")
            if magic != STAMP_MAGIC or crc != zlib.crc32(sec[:508]) or num != s:
                problems.append("sector %d is torn or misplaced (magic %#x, gen %d, sector %d)"
                                % (s, magic, gen, num))
            elif gen not in writers[b]:
                problems.append("sector %d holds generation %d, which never wrote it "
                                "(flushed %d)" % (s, gen, flushed))
            elif gen < need:
                problems.append("sector %d holds generation %d, flushed %d needs %d"
                                % (s, gen, flushed, need))
        if len(problems) > 20:
            break
    check(not problems, "%s: every write flushed by generation %d is on the disk, intact, "
          "and nothing else changed" % (what, flushed), "\n".join(problems[:20]))


# ---- 1. SIGKILL at random moments --------------------------------------
def kill_run(kind, n):
    path = os.path.join(tmp, "disk.%s" % ("raw" if kind == "raw" else "qcow2"))
    fmt, original = make_image(kind, path, n)
    outpath = os.path.join(tmp, "out%d.txt" % len(live))  # one per run
    delay = rng.uniform(0.0, 0.8)
    what = "%s kill %d after %.3f s" % (kind if kind != "backing" else
                                        "qcow2 over %s backing" % ("raw", "qcow2")[n % 2],
                                        n + 1, delay)
    with open(outpath, "w") as out:
        proc = start(path, fmt, out)
    if not wait_for(proc, outpath, "ready"):
        proc.kill()
        proc.wait()
        check(False, "%s: the guest started" % what, read_out(outpath))
        return
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    text = read_out(outpath)
    flushed, failed, bad, flush_failed = parse(text)
    if not check(proc.returncode == -signal.SIGKILL and not failed and not bad
                 and not flush_failed, "%s: killed at generation %d, no I/O error"
                 % (what, flushed), text[-2000:]):
        return
    if image_check(path, fmt, what):
        data_check(path, fmt, original, text, what)


t0 = time.monotonic()
for kind in ("raw", "qcow2", "backing"):
    for n in range(KILLS):
        kill_run(kind, n)
print("kills took %.1f s" % (time.monotonic() - t0))


# ---- 2. Host I/O errors ----------------------------------------------------
def error_run(kind, what, directory=None, wrapper=(), limit=None, expect_st="1",
              flush_error=False):
    """Run until the guest has seen errors and gone on; then SIGTERM and
    check. Returns the guest's output."""
    path = os.path.join(directory or tmp, "disk.%s" % ("raw" if kind == "raw" else "qcow2"))
    for old in ("disk.raw", "disk.qcow2"):  # room on a small file system
        if os.path.exists(os.path.join(directory or tmp, old)):
            os.unlink(os.path.join(directory or tmp, old))
    fmt, original = make_image(kind, path, 0)
    outpath = os.path.join(tmp, "out%d.txt" % len(live))  # one per run
    with open(outpath, "w") as out:
        proc = start(path, fmt, out, wrapper, limit)
    if not wait_for(proc, outpath, "ioerr", timeout=60):
        status = proc.poll()
        stop(proc)
        check(False, "%s: the guest sees an I/O error (rvjit status %s)" % (what, status),
              read_out(outpath)[-2000:])
        return ""
    # The device goes on serving after the error: wait for later flushes
    # (or, after a failed fdatasync, later failed ones).
    seen = parse(read_out(outpath))
    later = False
    end = time.monotonic() + 20
    while time.monotonic() < end and proc.poll() is None:
        f, _, _, ff = parse(read_out(outpath))
        if len(ff) > 20 if flush_error else f > seen[0] + 20:
            later = True
            break
        time.sleep(0.02)
    alive = proc.poll() is None
    # Under strace the signal goes to rvjit itself (strace would detach and
    # leave it running); strace then exits with rvjit's status.
    try:
        os.kill(proc.rvjit, signal.SIGTERM)
        proc.wait(timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        stop(proc)
    text = read_out(outpath)
    flushed, failed, bad, flush_failed = parse(text)
    check(alive and proc.returncode == 0,
          "%s: rvjit keeps running after the errors and exits 0 at SIGTERM (status %s)"
          % (what, proc.returncode), text[-2000:])
    check(later, "%s: the guest goes on after the first error" % what, text[-2000:])
    statuses = {st for v in failed.values() for _, _, st in v}
    check(not bad and (flush_error or failed) and statuses <= {"st=" + expect_st},
          "%s: failed writes report VIRTIO_BLK_S_IOERR, nothing else is wrong (%d failed "
          "requests, %d failed flushes)" % (what, sum(len(v) for v in failed.values()),
                                            len(flush_failed)), text[-2000:])
    if image_check(path, fmt, what):
        data_check(path, fmt, original, text, what)
    return text


t1 = time.monotonic()
LIMIT = 1 << 20
for kind in ("raw", "qcow2", "backing"):
    what = "%s, file size limit 1 MiB (EFBIG)" % kind
    text = error_run(kind, what, limit=LIMIT)
    _, failed, _, _ = parse(text)
    if kind == "raw":
        # Only writes that reach past the limit may fail.
        wrong = [(a, n) for v in failed.values() for a, n, _ in v if (a + n) * SECTOR <= LIMIT]
        check(not wrong, "%s: only writes past the limit fail" % what, str(wrong[:5]))

# ENOSPC: a small tmpfs, where root may mount one.
mnt = os.path.join(tmp, "small")
os.mkdir(mnt)
if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt],
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
    print("ENOSPC branch: the image on a 2 MiB tmpfs")
    for kind in ("raw", "qcow2"):
        error_run(kind, "%s on a full file system (ENOSPC)" % kind, directory=mnt)
    subprocess.run(["umount", mnt])
else:
    print("ENOSPC branch SKIPPED: cannot mount a tmpfs here (not root, or a container "
          "without CAP_SYS_ADMIN); EFBIG and EIO cover the error paths")
mnt = None

# EIO injected by strace, into writes and into a flush.
if not shutil.which("strace"):
    print("strace not found (.ci/setup installs it)")
    if os.environ.get("CI"):
        failures.append("strace missing in CI")
elif subprocess.run(["strace", "-f", "-o", "/dev/null", "true"], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL).returncode:
    print("EIO branch SKIPPED: strace cannot trace here (ptrace not permitted)")
else:
    # LeakSanitizer cannot run under ptrace.
    os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    strace = ["strace", "-f", "-qq", "-o", "/dev/null"]
    for kind in ("raw", "qcow2", "backing"):
        # Which writes fail follows the seed: data, L2 entries, new L2
        # tables, refcounts, each in their turn.
        first, step = rng.randrange(200, 400), rng.choice((3, 5, 7, 11))
        error_run(kind, "%s, EIO on pwrite64 number %d and every %d after" % (kind, first, step),
                  wrapper=strace + ["-e", "trace=pwrite64", "-e",
                                    "inject=pwrite64:error=EIO:when=%d+%d" % (first, step)])
    for kind in ("raw", "qcow2"):
        text = error_run(kind, "%s, EIO on the 50th fdatasync" % kind,
                         wrapper=strace + ["-e", "trace=fdatasync", "-e",
                                          "inject=fdatasync:error=EIO:when=50"],
                         flush_error=True)
        flushed, _, _, flush_failed = parse(text)
        check(flush_failed and flush_failed[0] == 50 and flushed == 49,
              "%s: after the failed fdatasync every later flush fails too (QEMU's "
              "file-posix)" % kind, text[-600:])
print("I/O errors took %.1f s" % (time.monotonic() - t1))

cleanup()
if failures:
    print("%d check(s) failed (seed %d)" % (len(failures), SEED))
    sys.exit(1)
print("all checks passed")
