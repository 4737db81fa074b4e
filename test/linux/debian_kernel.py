#!/usr/bin/env python3
"""Boot Debian 13's own riscv64 kernel with -cpu max and check that it sees
and uses the extensions rvjit offers.

usage: debian_kernel.py RVJIT LINUXDIR CACHE [RVJIT-OPTION...]

The kernel (linux-image-riscv64 of trixie) is fetched into CACHE by
test/debian_packages.py; LINUXDIR holds the test initramfs
(build-initramfs.sh), whose init is told by rvjit-init.nodisk to report the
harts and the ISA and power off (Debian builds virtio as modules, which the
initramfs does not carry). The test runs OpenSBI fw_jump + that kernel on
two harts with -cpu max and `-d in_asm`, and needs:
  - init's report and rvjit's exit status 0 within 120 s, no kernel warning;
  - /proc/cpuinfo's isa line to name each extension below that rvjit's own
    device tree (-cpu max) names: the kernel parsed them;
  - the translated code to contain the instructions the kernel patches in
    when it finds an extension (its alternatives): orc.b from the Zbb
    string routines (strlen/strcmp/strncmp), and cbo.zero from clear_page
    (Zicboz). Each is checked only when -cpu max offers the extension;
  - with Sscofpmf, init's perf line: its user-mode instructions counted
    (exclude_kernel: OpenSBI's SINH/MINH filtering) and about one sample
    per PERF_PERIOD of them, each one a counter-overflow interrupt.
Exit status 0 = pass, 77 = something needed is missing (skip), else fail.
"""
import os
import re
import subprocess
import sys
import tempfile

OPENSBI_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
SKIP = 77
TIMEOUT = 120
HERE = os.path.dirname(os.path.abspath(__file__))
# Extensions Linux 6.12 reports in /proc/cpuinfo (arch/riscv/kernel/cpufeature.c
# lists what it recognises); each is checked when rvjit's -cpu max has it.
KERNEL_KNOWS = ["zicbom", "zicboz", "zicntr", "zicond", "zihintntl", "zihintpause", "zihpm",
                "zimop", "zawrs", "zfa", "zfh", "zfhmin", "zca", "zcb", "zcd", "zcmop", "zba",
                "zbb", "zbc", "zbkb", "zbkc", "zbkx", "zbs", "zkt", "smstateen", "sscofpmf",
                "sstc", "svinval", "svnapot", "svpbmt"]
# What the kernel patches in when it has the extension: (extension, a
# mnemonic only that code uses, what it is).
USES = [("zbb", "orc.b", "the Zbb string routines"),
        ("zicboz", "cbo.zero", "clear_page with Zicboz")]
PERF_PERIOD = 100000  # init.c's sample period
PERF_LOOP = 2000000   # iterations of init.c's sampled loop

BAD = re.compile(r"WARNING:|BUG:|Oops|soft lockup|rcu: INFO|unhandled|Illegal instruction"
                 r"|Kernel panic|rvjit-init: FAIL")


def fail(msg):
    print(f"\nFAIL: {msg}", flush=True)
    sys.exit(1)


def skip_or_fail(msg):
    # In CI every tool is installed by .ci/setup: missing means broken.
    if os.environ.get("CI"):
        fail(msg)
    print(f"SKIP: {msg}", flush=True)
    sys.exit(SKIP)


def rvjit_extensions(rvjit, extra, tmp):
    dtb = os.path.join(tmp, "max.dtb")
    subprocess.run([rvjit, "-cpu", "max", "-machine", f"virt,dumpdtb={dtb}"] + extra,
                   check=True, capture_output=True)
    got = subprocess.run(["fdtget", dtb, "/cpus/cpu@0", "riscv,isa-extensions"],
                         check=True, capture_output=True, text=True)
    return set(got.stdout.split())


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        sys.exit(2)
    rvjit, linuxdir, cache = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    extra = sys.argv[4:]
    linuxdir = os.path.abspath(os.environ.get("RVJIT_LINUX_DIR") or linuxdir)
    initrd = os.path.join(linuxdir, "initramfs.cpio.gz")
    for p in (OPENSBI_JUMP, initrd):
        if not os.path.exists(p):
            skip_or_fail(f"{p} is missing (.ci/setup; the linux_build test makes the initramfs)")
    fetched = subprocess.run([sys.executable, os.path.join(HERE, "..", "debian_packages.py"),
                              cache, "riscv64", "linux-image-riscv64"],
                             capture_output=True, text=True)
    if fetched.returncode != 0:
        skip_or_fail(f"cannot fetch Debian's kernel: {fetched.stderr.strip()}")
    boot = os.path.join(fetched.stdout.strip(), "boot")
    images = sorted(f for f in os.listdir(boot) if f.startswith("vmlinux-"))
    if not images:
        fail(f"no vmlinux-* in {boot}")
    image = os.path.join(boot, images[-1])

    with tempfile.TemporaryDirectory(prefix="rvjit-debian-kernel-") as tmp:
        offered = rvjit_extensions(rvjit, extra, tmp)
        log = os.path.join(tmp, "in_asm.log")
        argv = [rvjit, "-machine", "virt", "-cpu", "max", "-m", "512M", "-smp", "2",
                "-nographic", "-bios", OPENSBI_JUMP, "-kernel", image, "-initrd", initrd,
                "-append", "console=ttyS0 rvjit-init.nodisk", "-d", "in_asm", "-D", log] + extra
        print("+", " ".join(argv), flush=True)
        try:
            run = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                                 timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            fail(f"no power-off within {TIMEOUT} s")
        text = run.stdout.decode("latin-1").replace("\r", "")
        print(text[-3000:])
        print("--- checks", flush=True)
        bad = [l for l in text.split("\n") if BAD.search(l)]
        if bad:
            fail("the kernel or init reported trouble:\n  " + "\n  ".join(bad))
        if "rvjit-init: done" not in text or run.returncode != 0:
            fail(f"init did not finish, or rvjit exited with {run.returncode}")
        m = re.search(r"rvjit-init: isa (\S+)", text)
        if not m:
            fail("no ISA line from init")
        seen = set(m.group(1).split("_")[1:])
        want = [e for e in KERNEL_KNOWS if e in offered]
        missing = [e for e in want if e not in seen]
        print(f"rvjit -cpu max offers: {' '.join(sorted(offered))}")
        print(f"the kernel reports:    {m.group(1)}")
        if missing:
            fail(f"the kernel does not report {', '.join(missing)}")
        if "sscofpmf" in offered:
            p = re.search(r"rvjit-init: perf instructions (\d+) samples (\d+) other (\d+)",
                          text)
            if not p:
                fail("no perf line from init: sampling with Sscofpmf did not run")
            count, samples = int(p.group(1)), int(p.group(2))
            if not PERF_LOOP * 3 <= count <= PERF_LOOP * 10:
                fail(f"perf counted {count} user-mode instructions for a loop of {PERF_LOOP}")
            want = count // PERF_PERIOD
            if not want // 2 <= samples <= want + 8:
                fail(f"{samples} perf samples for {count} instructions, period {PERF_PERIOD}")
            print(f"perf: {count} user-mode instructions, {samples} overflow samples, "
                  f"{p.group(3)} other records")
        with open(log, encoding="latin-1") as f:
            asm = f.read()
        for ext, mnemonic, what in USES:
            if ext not in offered:
                print(f"not checked: {what} (-cpu max has no {ext})")
                continue
            if not re.search(rf"\s{re.escape(mnemonic)}\s", asm):
                fail(f"no {mnemonic} in the translated code: {what} did not run")
            print(f"{what}: {mnemonic} ran")
        print("PASS", flush=True)


if __name__ == "__main__":
    main()
