#!/usr/bin/env python3
"""Boot the Debian 13 image of test/debian_image.py: its first boot, then
systemd to a login prompt, the way people run Debian on QEMU.

usage: debian_system.py SCENARIO EMULATOR LINUXDIR CACHE [OPTION...]

EMULATOR is rvjit (or qemu-system-riscv64: the command lines are QEMU's);
LINUXDIR holds the test kernel's Image ($RVJIT_LINUX_DIR takes its place
when set); CACHE is where debian_image.py keeps the images. OPTIONs go to
the emulator. Each scenario works on its own copy of a cached image:
  firstboot  the image as unpacked, booted with init= its first-boot script
             under a shell as PID 1 (4 harts, 2 GiB): dpkg unpacks and
             configures every package (`dpkg --configure -a`), the script
             sets the root password and powers off. Needs its success line,
             the emulator's exit with status 0 and `e2fsck -fn` to pass;
             then the image is kept as the configured one for the others.
  systemd    the configured image (made first when missing) with systemd
             as init and the issue's QEMU command line: -smp 4 -m 2G,
             virtio-blk on -drive id=, virtio-net on -netdev user with
             restrict=on and a hostfwd from 127.0.0.1 to the guest's ssh
             port, virtio-rng on rng-random. Waits for the login prompt on
             the serial console, logs in as root, needs `uname -m` to say
             riscv64, `systemctl is-system-running --wait` running or
             degraded (failed units are listed in the log), 10.0.2.15 and an
             IPv6 address in slirp's fec0::/64 on the NIC; then the host's ssh client logs in through the hostfwd
             with a key made here and runs a command; `poweroff` must end
             the emulator with status 0 and leave `e2fsck -fn` clean.
  powerdown  boots and logs in the same way, waits for the system to be up,
             then presses the power button with the monitor's
             `system_powerdown` (Ctrl-a c on the console, as on QEMU):
             systemd-logind must take the key and systemd shut down (its
             poweroff.target on the console) cleanly, the
             emulator must exit with status 0 and `e2fsck -fn` pass.
  killed     boots and logs in the same way, starts writing a file, and
             ends the emulator with the console escape Ctrl-a x, as a user
             would. Then `e2fsck -p` (what a boot's fsck does: replay the
             journal, clear orphan inodes) may fix only those, and
             `e2fsck -fn` afterwards must find nothing at all.
Prints the time each step took ("time: STEP SECONDS" lines).
Exit status 0 = pass, 77 = something needed is missing (skip), else fail.
Python standard library only.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import debian_image  # noqa: E402
import session  # noqa: E402

OPENSBI_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
SKIP = 77
SMP = 4
MEMORY = "2G"
FIRSTBOOT_TIMEOUT = 1800  # seconds: dpkg unpacks and configures ~100 packages
BOOT_TIMEOUT = 600        # seconds to the login prompt
STEP_TIMEOUT = 120        # seconds for one shell command or the power-off
PROMPT = r"root@%s:[^\n]*# " % debian_image.HOSTNAME
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# After these the guest will never get where a test waits for it.
FATAL = re.compile(r"Freezing execution|Kernel panic|Attempted to kill init"
                   r"|systemd\[1\]: unhandled signal")
# Kernel messages that mean something went wrong in the emulator.
BAD = re.compile(r"WARNING:|BUG:|Oops|soft lockup|rcu: INFO|Illegal instruction|Kernel panic"
                 r"|unhandled signal")
# What `e2fsck -p` may do after the emulator was killed: a boot's fsck does
# the same before mounting, and none of it is damage.
PREEN_OK = re.compile(r"(\S+: )?(recovering journal|Clearing orphaned inode"
                      r"|Truncating orphaned inode|clean, \d+/\d+ files|\d+/\d+ files \()|\s*$")


class Failure(Exception):
    pass


class Guest(session.Console):
    """The emulator on pipes, its output echoed to ours and collected."""

    def __init__(self, argv):
        print("+", " ".join(argv), flush=True)
        self.start = time.monotonic()
        super().__init__(argv)

    def reader(self):
        while True:
            b = self.p.stdout.read1(4096)
            if not b:
                return
            sys.stdout.write(b.decode("latin-1"))
            sys.stdout.flush()
            with self.lock:
                self.out.extend(b)

    def expect(self, pattern, timeout, what):
        """Wait for `pattern`; give up early when the guest is past saving."""
        end = time.monotonic() + timeout
        while True:
            m = self.wait_for(pattern, min(5, max(end - time.monotonic(), 0.1)), quiet=True)
            if m:
                return m
            dead = FATAL.search(self.text())
            if dead or self.p.poll() is not None or time.monotonic() >= end:
                self.check_kernel()
                raise Failure(f"no {what} within {timeout} s" +
                              (f" ({dead.group(0)})" if dead else ""))

    def shell(self, cmd, timeout=STEP_TIMEOUT):
        """`cmd` at the root shell: its output (the lines before its status),
        which must be 0."""
        self.send(cmd + "; echo RVJIT-STATUS-$?\n")
        # From the end of the echoed line; bash's bracketed-paste switches
        # (ESC [ ? 2004 h/l) come with the prompt and the output.
        m = self.expect(r"\n((?:.*\n)*?).*RVJIT-STATUS-(\d+)\r?\n", timeout,
                        f"end of `{cmd}`")
        self.expect(PROMPT, timeout, "shell prompt")
        out = ESCAPE.sub("", m.group(1)).replace("\r", "")
        if m.group(2) != "0":
            raise Failure(f"`{cmd}` exited with status {m.group(2)}:\n{out}")
        return out

    def elapsed(self):
        return time.monotonic() - self.start

    def finish(self, timeout):
        """The emulator's exit status, or a Failure when it hangs."""
        status = session.exit_status(self.p, timeout)
        if status is None:
            raise Failure(f"the emulator did not exit within {timeout} s")
        time.sleep(0.2)  # the reader drains the pipe
        return status

    def check_kernel(self):
        """Last, so that the other checks still report: no kernel warning."""
        bad = [l for l in self.text().split("\n") if BAD.search(l)]
        if bad:
            raise Failure("the kernel reported trouble:\n  " + "\n  ".join(bad))

    def text(self):
        with self.lock:
            return self.out.decode("latin-1").replace("\r", "")


def machine_argv(emulator, kernel, image, append, extra, port=None):
    """QEMU's command line for Debian on virt, as the distributions' wikis
    write it (-device before the -drive it names)."""
    argv = [emulator, "-machine", "virt", "-m", MEMORY, "-smp", str(SMP), "-nographic",
            "-bios", OPENSBI_JUMP, "-kernel", kernel, "-append", append,
            "-device", "virtio-blk-device,drive=hd0",
            "-drive", f"file={image},format=raw,id=hd0",
            "-object", "rng-random,filename=/dev/urandom,id=rng0",
            "-device", "virtio-rng-device,rng=rng0"]
    if port is not None:
        argv += ["-device", "virtio-net-device,netdev=net0",
                 "-netdev", f"user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:22"]
    return argv + extra


def fsck_clean(image):
    r = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure(f"e2fsck -fn finds the image damaged (status {r.returncode}):\n"
                      f"{r.stdout}{r.stderr}")


def first_boot(emulator, kernel, image, extra):
    """Configure the unpacked `image` in place; returns the step times."""
    g = Guest(machine_argv(emulator, kernel, image,
                           f"console=ttyS0 root=/dev/vda rw init={debian_image.FIRSTBOOT}",
                           extra))
    try:
        g.expect(debian_image.MARK_UNPACK, BOOT_TIMEOUT, "first-boot script")
        t_unpack = g.elapsed()
        g.expect(debian_image.MARK_CONFIGURE, FIRSTBOOT_TIMEOUT, "dpkg --configure -a")
        t_configure = g.elapsed()
        m = g.expect(f"{debian_image.MARK_DONE}|{debian_image.MARK_FAIL}.*",
                     FIRSTBOOT_TIMEOUT, "end of the first boot")
        if m.group(0) != debian_image.MARK_DONE:
            raise Failure(f"the first boot did not finish: {m.group(0)}")
        t_done = g.elapsed()
        status = g.finish(STEP_TIMEOUT)
    finally:
        if g.p.poll() is None:
            g.p.kill()
            g.p.wait()
    if status != 0:
        raise Failure(f"the emulator exited with status {status} after the first boot, not 0")
    fsck_clean(image)
    g.check_kernel()
    return {"firstboot_kernel_to_script": t_unpack, "firstboot_dpkg_unpack": t_configure - t_unpack,
            "firstboot_dpkg_configure": t_done - t_configure, "firstboot_total": g.elapsed()}


def boot_and_login(emulator, kernel, image, extra, port):
    g = Guest(machine_argv(emulator, kernel, image, "console=ttyS0 root=/dev/vda rw", extra,
                           port))
    times = {}
    g.expect(r"%s login: " % debian_image.HOSTNAME, BOOT_TIMEOUT, "login prompt")
    times["boot_to_login"] = g.elapsed()
    g.send("root\n")
    g.expect(r"Password: ", STEP_TIMEOUT, "password prompt")
    g.send(debian_image.ROOT_PASSWORD + "\n")
    g.expect(PROMPT, STEP_TIMEOUT, "shell prompt after logging in")
    g.shell("dmesg -n 1")  # kernel messages off the console we parse
    return g, times


def systemd_boot(emulator, kernel, image, extra, tmp):
    port = session.free_port()
    g, times = boot_and_login(emulator, kernel, image, extra, port)
    try:
        arch = g.shell("uname -m").strip()
        if arch != "riscv64":
            raise Failure(f"uname -m says {arch!r}, not riscv64")
        g.send("echo RVJIT-STATE-$(systemctl is-system-running --wait)\n")
        state = g.expect(r"RVJIT-STATE-(\w+)", BOOT_TIMEOUT, "system state").group(1)
        g.expect(PROMPT, STEP_TIMEOUT, "shell prompt")
        times["boot_to_running"] = g.elapsed()
        print(f"\nsystem state: {state}", flush=True)
        print(g.shell("systemctl --failed --no-legend --plain --no-pager"), flush=True)
        if state not in ("running", "degraded"):
            raise Failure(f"systemctl is-system-running says {state!r}")
        addr = g.shell("ip -4 addr show")
        if "inet 10.0.2.15/" not in addr:
            # networkd may still be waiting for the DHCP answer.
            addr = g.shell("/usr/lib/systemd/systemd-networkd-wait-online --timeout=60 -4;"
                           " ip -4 addr show")
            if "inet 10.0.2.15/" not in addr:
                raise Failure(f"the NIC has no 10.0.2.15:\n{addr}")
        # IPv6 on slirp (QEMU's default fec0::/64): the router advertisement
        # gives the NIC an address in the prefix.
        # (fec0:: is site-local: scope site, not global.)
        addr6 = g.shell("for i in $(seq 30); do ip -6 addr show | grep -q 'inet6 fec0:'"
                        " && break; sleep 1; done; ip -6 addr show")
        if "inet6 fec0::" not in addr6:
            raise Failure(f"the NIC has no IPv6 address in fec0::/64:\n{addr6}")
        ssh_login(g, port, tmp)
        times["ssh_login"] = g.elapsed() - times["boot_to_running"]
        t0 = g.elapsed()
        g.send("poweroff\n")
        status = g.finish(STEP_TIMEOUT)
        times["poweroff"] = g.elapsed() - t0
    finally:
        if g.p.poll() is None:
            g.p.kill()
            g.p.wait()
    if status != 0:
        raise Failure(f"the emulator exited with status {status} after poweroff, not 0")
    fsck_clean(image)
    g.check_kernel()
    return times


def ssh_login(g, port, tmp):
    """The host's ssh client through the hostfwd, with a key made here."""
    if not shutil.which("ssh") or not shutil.which("ssh-keygen"):
        print("ssh or ssh-keygen missing: only the server's banner is read", flush=True)
        import socket
        with socket.create_connection(("127.0.0.1", port), timeout=60) as c:
            banner = c.recv(256).decode("latin-1")
        if not banner.startswith("SSH-2.0-"):
            raise Failure(f"the guest's ssh port answered {banner!r}")
        return
    key = os.path.join(tmp, "key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    with open(key + ".pub") as f:
        pub = f.read().strip()
    g.shell("mkdir -p -m 700 /root/.ssh && echo '%s' > /root/.ssh/authorized_keys" % pub)
    argv = ["ssh", "-i", key, "-p", str(port), "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=60", "root@127.0.0.1", "uname -n; uname -m"]
    print("+", " ".join(argv), flush=True)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=STEP_TIMEOUT)
    print(r.stdout + r.stderr, flush=True)
    if r.returncode != 0 or r.stdout.split() != [debian_image.HOSTNAME, "riscv64"]:
        raise Failure(f"ssh through the hostfwd failed (status {r.returncode})")


def powerdown_boot(emulator, kernel, image, extra):
    g, times = boot_and_login(emulator, kernel, image, extra, session.free_port())
    try:
        g.send("echo RVJIT-STATE-$(systemctl is-system-running --wait)\n")
        g.expect(r"RVJIT-STATE-(running|degraded)", BOOT_TIMEOUT, "a running system")
        g.expect(PROMPT, STEP_TIMEOUT, "shell prompt")
        t0 = g.elapsed()
        g.send(b"\x01c")
        g.expect(r"\(qemu\) ", STEP_TIMEOUT, "the monitor's prompt")
        g.send("system_powerdown\n")
        # logind logs the key to the journal only; on the console the
        # shutdown shows as systemd's progress, then the kernel's last word.
        g.expect(r"Reached target .*poweroff\.target", STEP_TIMEOUT,
                 "systemd shutting down on the power key")
        status = g.finish(STEP_TIMEOUT)
        times["powerdown"] = g.elapsed() - t0
    finally:
        if g.p.poll() is None:
            g.p.kill()
            g.p.wait()
    if status != 0:
        raise Failure(f"the emulator exited with status {status} after system_powerdown, not 0")
    fsck_clean(image)
    g.check_kernel()
    return times


def killed_boot(emulator, kernel, image, extra):
    g, times = boot_and_login(emulator, kernel, image, extra, session.free_port())
    try:
        # A write in flight when the emulator goes away.
        g.shell("(sh -c 'dd if=/dev/urandom of=/root/junk bs=64k count=400 conv=fsync; sync'"
                " >/dev/null 2>&1 &)")
        time.sleep(2)
        g.send(b"\x01x")
        status = g.finish(STEP_TIMEOUT)
    finally:
        if g.p.poll() is None:
            g.p.kill()
            g.p.wait()
    if status != 0:  # QEMU's status after Ctrl-a x too
        raise Failure(f"the emulator exited with status {status} after Ctrl-a x, not 0")
    r = subprocess.run(["e2fsck", "-p", image], capture_output=True, text=True)
    print(f"e2fsck -p (status {r.returncode}):\n{r.stdout}{r.stderr}", flush=True)
    odd = [l for l in (r.stdout + r.stderr).split("\n") if not PREEN_OK.match(l)]
    if r.returncode > 1 or odd:
        raise Failure("e2fsck -p found more than an unclean shutdown leaves:\n  " +
                      "\n  ".join(odd))
    fsck_clean(image)
    g.check_kernel()
    return times


def configured_image(emulator, kernel, cache, extra, tmp):
    """The cached configured image, made by a first boot when missing."""
    image = debian_image.configured_image(cache)
    if image is None:
        work = os.path.join(tmp, "firstboot.img")
        debian_image.copy_image(debian_image.unpacked_image(cache), work)
        report(first_boot(emulator, kernel, work, extra))
        debian_image.store_configured(cache, work)
        image = debian_image.configured_image(cache)
    return image


def report(times):
    for step, seconds in times.items():
        print(f"time: {step} {seconds:.1f}", flush=True)


def main():
    if len(sys.argv) < 5 or sys.argv[1] not in ("firstboot", "systemd", "powerdown", "killed"):
        print(__doc__)
        return 2
    scenario, emulator, linuxdir, cache = sys.argv[1:5]
    extra = sys.argv[5:]
    linuxdir = os.path.abspath(os.environ.get("RVJIT_LINUX_DIR") or linuxdir)
    kernel = os.path.join(linuxdir, "Image")
    for p in (OPENSBI_JUMP, kernel, "e2fsck"):
        if not (os.path.exists(p) if p.startswith("/") else shutil.which(p)):
            debian_image.skip_or_fail(f"{p} is missing (sh .ci/setup installs the tools; "
                                      f"test/linux/build-kernel.sh builds the kernel)")
    with tempfile.TemporaryDirectory(prefix="rvjit-debian-") as tmp:
        work = os.path.join(tmp, "debian.img")
        try:
            if scenario == "firstboot":
                debian_image.copy_image(debian_image.unpacked_image(cache), work)
                times = first_boot(emulator, kernel, work, extra)
                report(times)
                debian_image.store_configured(cache, work)
            else:
                debian_image.copy_image(configured_image(emulator, kernel, cache, extra, tmp),
                                        work)
                if scenario == "systemd":
                    times = systemd_boot(emulator, kernel, work, extra, tmp)
                elif scenario == "powerdown":
                    times = powerdown_boot(emulator, kernel, work, extra)
                else:
                    times = killed_boot(emulator, kernel, work, extra)
                report(times)
        except (Failure, ValueError) as e:
            print(f"\nFAIL: {e}", flush=True)
            return 1
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
