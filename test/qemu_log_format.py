"""-d logs read as a script reads QEMU 7.2's.

usage: qemu_log_format.py RVJIT ELF [rvjit engine options...]

ELF is guest/qemu_log_events.S: an ecall, an illegal instruction, then
offsets of the ACLINT, PLIC and test finisher where there is no register
and virtio-mmio accesses QEMU rejects.
The checks parse `-d in_asm,cpu,int,exec` with the regular expressions of
QEMU's formats (accel/tcg, target/riscv/translate.c and cpu.c, its
disassembler, riscv_cpu_do_interrupt) and look for the right causes, pcs
and tvals; `-d unimp` and `-d guest_errors` must name each access in
QEMU's device's words, each item alone. Where qemu-system-riscv64 is
installed, both emulators run the program with the same items (and
nochain, so that every block's Trace line is printed) and the logs must be
equal line for line, but for what is the host's (the Trace line's code
address and TCG flags).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from session import Checks, nm_symbol

rvjit, elf = sys.argv[1], sys.argv[2]
engine = sys.argv[3:]
checks = Checks()
check = checks.check

IN_BLOCK = re.compile(
    r"^-{16}\nIN: (\S*)\nPriv: (\d); Virt: 0\n"
    r"((?:0x[0-9a-f]{16}:  (?:[0-9a-f]{8} {10}|[0-9a-f]{4} {14})\S.*\n)+)\n", re.M)
INSN = re.compile(r"^0x([0-9a-f]{16}):  ([0-9a-f]{8}|[0-9a-f]{4}) +(\S+) *(.*?)$", re.M)
TRACE = re.compile(
    r"^Trace (\d+): 0x[0-9a-f]+ \[0{16}/([0-9a-f]{16})/[0-9a-f]{8}/[0-9a-f]{8}\] (\S*)\n"
    r" pc       ([0-9a-f]{16})\n", re.M)
XREGS = re.compile(r"^ x0/zero  [0-9a-f]{16} x1/ra    [0-9a-f]{16} x2/sp    [0-9a-f]{16}"
                   r" x3/gp    [0-9a-f]{16}$", re.M)
INT = re.compile(
    r"^riscv_cpu_do_interrupt: hart:(\d+), async:([01]), cause:([0-9a-f]{16}), "
    r"epc:0x([0-9a-f]{16}), tval:0x([0-9a-f]{16}), desc=(\S+)$", re.M)


def run(argv, log, timeout=30):
    """The status of argv (None on timeout) and its -D log."""
    try:
        status = subprocess.run(argv + ["-D", log], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        status = None
    with open(log, errors="replace") as f:
        return status, f.read()


def board(tmp):
    """The options both emulators run the program with: a modern virtio-blk
    device on the first virtio-mmio slot, for the program's accesses."""
    disk = os.path.join(tmp, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(1 << 20)
    return ["-M", "virt", "-bios", "none", "-nographic", "-kernel", elf,
            "-global", "virtio-mmio.force-legacy=false",
            "-drive", "file=%s,format=raw,if=none,id=d0" % disk,
            "-device", "virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0"]


def rvjit_log(tmp, items):
    log = os.path.join(tmp, "rvjit-%s.log" % items.replace(",", "-"))
    status, text = run([rvjit] + engine + board(tmp) + ["-d", items], log)
    check(status == 0, "-d %s: the program runs to its finisher write" % items,
          "exit status %s" % status)
    return text


start, ecall, illegal = (nm_symbol(elf, s) for s in ("_start", "at_ecall", "at_illegal"))
handler = nm_symbol(elf, "handler")

with tempfile.TemporaryDirectory() as tmp:
    text = rvjit_log(tmp, "in_asm,cpu,int,exec")

    blocks = IN_BLOCK.findall(text)
    check(len(blocks) >= 2, "in_asm: '----------------' / 'IN: symbol' / 'Priv:' blocks",
          text[:2000])
    insns = {int(a, 16): (bits, mn, ops) for _, _, body in blocks
             for a, bits, mn, ops in INSN.findall(body)}
    named = {sym for sym, _, _ in blocks}
    check({"_start", "handler"} <= named, "in_asm: blocks named by their ELF function",
          repr(named))
    check(all(priv == "3" for _, priv, _ in blocks), "in_asm: Priv: 3 (M-mode) throughout")
    check(insns.get(ecall) == ("00000073", "ecall", ""), "in_asm: the ecall, as QEMU spells it",
          repr(insns.get(ecall)))
    check(insns.get(illegal) == ("1234506b", "illegal", ""),
          "in_asm: the reserved opcode as 'illegal'", repr(insns.get(illegal)))
    check(insns.get(handler) == ("341022f3", "csrrs", "t0,mepc,zero"),
          "in_asm: csrr as QEMU's csrrs t0,mepc,zero", repr(insns.get(handler)))

    traces = TRACE.findall(text)
    check(any(int(pc, 16) == start and sym == "_start" for _, pc, sym, _ in traces),
          "exec: 'Trace 0: host [0/pc/flags/cflags] _start' for the first block")
    check(any(int(pc, 16) == handler and sym == "handler" for _, pc, sym, _ in traces),
          "exec: a Trace line for the handler")
    check(traces and all(pc == dump_pc and cpu == "0" for cpu, pc, _, dump_pc in traces),
          "cpu: each Trace line followed by the dump of that pc")
    check(len(XREGS.findall(text)) == len(traces) > 0,
          "cpu: the x registers four to a line, once per block")

    ints = [(int(c, 16), int(e, 16), int(t, 16), d, a) for _, a, c, e, t, d in INT.findall(text)]
    check(ints == [(11, ecall, 0, "machine_ecall", "0"),
                   (2, illegal, 0x1234506B, "illegal_instruction", "0")],
          "int: riscv_cpu_do_interrupt lines for the ecall and the illegal instruction",
          repr(ints))

    unimp = rvjit_log(tmp, "unimp").splitlines()
    check(unimp == ["aclint-swi: invalid read: 00000010", "aclint-swi: invalid write: 00000010",
                    "aclint-mtimer: invalid read: 00000008"],
          "unimp: the ACLINT offsets without a register", repr(unimp))
    errors = rvjit_log(tmp, "guest_errors").splitlines()
    check(errors == ["sifive_plic_read: Invalid register read 0x1100",
                     "sifive_plic_write: Invalid register write 0x1100",
                     "virtio_mmio_read: bad register offset (0xd0)",
                     "virtio_mmio_read: read of write-only register (0x50)",
                     "virtio_mmio_write: write to read-only register (0x0)",
                     "virtio_mmio_write: write to legacy register (0x28) in non-legacy mode",
                     "virtio_mmio_read: wrong size access to register!",
                     "sifive_test_write: write: addr=0x0 val=0x0000000000001234"],
          "guest_errors: the PLIC offset, virtio-mmio registers, the finisher code",
          repr(errors))

    qemu = shutil.which("qemu-system-riscv64")
    version = subprocess.run([qemu, "--version"], stdout=subprocess.PIPE,
                             text=True).stdout if qemu else ""
    if not qemu:
        print("qemu-system-riscv64 not found: no side-by-side comparison")
        check(not os.environ.get("CI"), "qemu-system-riscv64 is installed in CI (.ci/setup)")
    elif not re.search(r"version 7\.2\.", version):
        # other versions print other CSRs and spell some instructions otherwise
        print("not QEMU 7.2 (%s): no side-by-side comparison" % version.split("\n")[0])
    else:
        items = "in_asm,cpu,int,exec,nochain,unimp,guest_errors"
        mine = rvjit_log(tmp, items)
        status, theirs = run([qemu, "-cpu", "rv64,h=false"] + board(tmp) + ["-d", items],
                             os.path.join(tmp, "qemu.log"))
        check(status == 0, "QEMU runs the program to its finisher write", repr(status))

        def host_free(log):
            # the Trace line's host address and QEMU's TCG flags; QEMU's
            # ACLINT messages end without a newline, rvjit's with one
            log = re.sub(r"^(Trace \d+: )0x[0-9a-f]+ (\[[0-9a-f]{16}/[0-9a-f]{16}/)"
                         r"[0-9a-f]{8}/[0-9a-f]{8}\]", r"\1HOST \2FLAGS]", log, flags=re.M)
            return re.sub(r"(aclint-\w+: invalid \w+: [0-9a-f]{8})(?!\n)", r"\1\n", log)

        a, b = host_free(theirs).splitlines(), host_free(mine).splitlines()
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        check(a == b, "the log equals QEMU's line for line (%d lines)" % len(a),
              "first difference at line %d:\nQEMU:  %r\nrvjit: %r"
              % (first + 1, a[first] if first < len(a) else None,
                 b[first] if first < len(b) else None))

checks.finish()
