#!/usr/bin/env python3
"""rvjit-user -g PORT with a real gdb-multiarch, as with qemu-riscv64 -g.

usage: user_gdb.py RVJIT_USER [ENGINE_OPTION]

The program (written here, built static with -g) waits before its first
instruction; gdb connects, breaks in work(), reads its argument, walks the
stack, steps one instruction, watches a global (0 -> 10) and continues to
the exit, which it hears with the program's status. A forked child runs on
undebugged (its breakpoint is not the parent's). Needs gdb-multiarch and
riscv64-linux-gnu-gcc; without them it fails in CI and skips (77) elsewhere.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from session import Checks, exit_status, free_port, gdb_batch, need_gdb

RVJIT_USER = os.path.abspath(sys.argv[1])
ENGINE = sys.argv[2:]
GDB = need_gdb()
CC = shutil.which("riscv64-linux-gnu-gcc")
if not CC:
    print("riscv64-linux-gnu-gcc not found (.ci/setup installs it)")
    sys.exit(1 if os.environ.get("CI") else 77)

SOURCE = r"""
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int counter;
__attribute__((noinline)) int work(int n)
{
	int s = 0;
	for (int i = 0; i < n; i++) {
		s += i;
		counter++;
	}
	return s;
}
int main(void)
{
	int r = work(10);
	pid_t child = fork();
	if (child == 0)
		_exit(work(3) == 3 ? 0 : 1); /* the breakpoint must not stop it */
	int status;
	waitpid(child, &status, 0);
	printf("r=%d child=%d\n", r, WEXITSTATUS(status));
	return r % 7;
}
"""

checks = Checks()
check = checks.check
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "debugged.c")
    prog = os.path.join(tmp, "debugged")
    with open(src, "w") as f:
        f.write(SOURCE)
    subprocess.run([CC, "-g", "-O1", "-static", "-o", prog, src], check=True)
    port = free_port()
    rv = subprocess.Popen([RVJIT_USER] + ENGINE + ["-g", str(port), prog],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    out = gdb_batch(GDB, port, prog, [
        "break work", "continue", "p n", "bt", "p/x $pc", "stepi", "p/x $pc",
        "watch counter", "continue", "delete", "continue"])
    print(out)
    status = exit_status(rv)
    program_out = rv.stdout.read().decode(errors="replace")
    print(program_out)
    check(re.search(r"Breakpoint 1, work \(n=(n@entry=)?10\)", out) is not None,
          "the breakpoint in work() is hit, with n = 10")
    check(re.search(r"^\$1 = 10$", out, re.M) is not None, "p n reads the argument")
    check(re.search(r"^#1 .* in main \(\)", out, re.M) is not None, "bt: work called from main")
    pcs = [int(x, 16) for x in re.findall(r"^\$\d+ = (0x[0-9a-f]+)$", out, re.M)]
    check(len(pcs) == 2 and pcs[1] - pcs[0] in (2, 4), "stepi moves pc by one instruction (%s)"
          % [hex(p) for p in pcs])
    check(re.search(r"Old value = 0\s+New value = 10", out) is not None,
          "the watchpoint on counter fires: 0 -> 10")
    check("exited with code 03" in out, "gdb hears the exit status (45 % 7 = 3)")
    check(status == 3, "rvjit-user exits with the program's status (%s)" % status)
    check("r=45 child=0" in program_out,
          "the forked child ran undebugged through the breakpoint (%r)" % program_out)
checks.finish()
