"""The serial line and the monitor on QEMU's character devices.

usage: chardev_backends.py RVJIT GUEST_DIR [rvjit args...]

With guest/uart_echo.c (echoes the UART in upper case until 'q'),
guest/uart_hello.c and guest/monitor_spin.c:
- -serial file:PATH: the guest's output lands in the file;
- -serial tcp::PORT,server=on,wait=off: a client's bytes reach the guest
  and its echo comes back; a client that leaves is replaced by the next;
  20000 bytes at once all arrive (the flow control of stdio);
- -chardev socket,...,server=on,wait=on: nothing runs before the client
  connects, so it sees the guest's first line;
- -monitor unix:PATH,server,nowait and -chardev socket + -mon: QEMU's
  greeting and `info status` over the socket, each client greeted;
- mux=on: the serial line and the monitor on one socket, Ctrl-a c between;
- -serial pty: the /dev/pts path rvjit prints, opened and echoed through;
- -serial none: the guest's output goes nowhere;
- the errors, in QEMU's words.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import session

rvjit, guests = sys.argv[1], sys.argv[2]
extra = sys.argv[3:]
ECHO = os.path.join(guests, "uart_echo.elf")
HELLO = os.path.join(guests, "uart_hello.elf")
SPIN = os.path.join(guests, "monitor_spin.elf")
checks = session.Checks()
tmp = tempfile.mkdtemp()


def start(args, elf):
    """rvjit -bios none -nographic ARGS ELF, its output collected."""
    return session.Console([rvjit, "-bios", "none", "-nographic"] + extra + args + [elf])


def connect_tcp(port, timeout=10):
    end = time.time() + timeout
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port))
            s.settimeout(10)
            return s
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.05)


def connect_unix(path, timeout=10):
    end = time.time() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.settimeout(10)
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)


def read_until(read, pattern, timeout=10):
    """Bytes from read() until `pattern` (a regex) matches them."""
    data = b""
    end = time.time() + timeout
    while time.time() < end:
        if re.search(pattern, data):
            return data
        try:
            chunk = read()
        except (socket.timeout, BlockingIOError):
            chunk = None
        if chunk == b"":
            break
        if chunk:
            data += chunk
        else:
            time.sleep(0.02)
    return data


def sock_until(s, pattern, timeout=10):
    return read_until(lambda: s.recv(65536), pattern, timeout)


def finish(con, what):
    checks.check(session.exit_status(con.p, 20) == 0, what + ": exit status 0")


# -serial file:PATH
path = os.path.join(tmp, "serial.txt")
con = start(["-serial", "file:" + path, "-monitor", "none"], HELLO)
finish(con, "-serial file")
with open(path, "rb") as f:
    text = f.read()
checks.check(text == b"hello from rvjit\n", "-serial file: the guest's output is in the file",
             repr(text))

# -serial tcp::PORT,server=on,wait=off: echo, reconnect, flow control
port = session.free_port()
con = start(["-serial", "tcp::%d,server=on,wait=off" % port], ECHO)
checks.check(con.wait_for(r"monitor - type 'help'") is not None,
             "-serial tcp: the monitor stays on stdio (QEMU's -nographic default)")
s = connect_tcp(port)
s.sendall(b"abc")
got = sock_until(s, b"ABC")
checks.check(got.endswith(b"ABC"), "-serial tcp: input reaches the guest, its echo comes back",
             repr(got))
s.close()
s = connect_tcp(port)
s.sendall(b"de")
got = sock_until(s, b"DE")
checks.check(got == b"DE", "-serial tcp: a second client after the first left", repr(got))
s.sendall(b"x" * 20000)
got = sock_until(s, b"X{20000}", 30)
checks.check(got.count(b"X") == 20000, "-serial tcp: 20000 bytes at once, none lost",
             "%d echoed" % got.count(b"X"))
s.sendall(b"q")
got = sock_until(s, b"bye\n")
checks.check(got.endswith(b"bye\n"), "-serial tcp: the guest reads q and says bye", repr(got))
s.close()
finish(con, "-serial tcp")

# wait=on: the machine starts once the client is there
port = session.free_port()
con = start(["-chardev", "socket,id=s0,port=%d,host=localhost,server=on,wait=on" % port,
             "-serial", "chardev:s0", "-monitor", "none"], ECHO)
checks.check(con.wait_for(r"waiting for connection on: disconnected:tcp:localhost:%d" % port)
             is not None, "wait=on: says it waits, as QEMU")
s = connect_tcp(port)
got = sock_until(s, b"echo ready\n")
checks.check(got == b"echo ready\n", "wait=on: the client sees the guest's first line",
             repr(got))
s.sendall(b"q")
sock_until(s, b"bye\n")
s.close()
finish(con, "wait=on")

# -monitor on a unix socket
mon_path = os.path.join(tmp, "mon.sock")
con = start(["-monitor", "unix:%s,server,nowait" % mon_path], SPIN)
con.wait_for("spinning")
m = connect_unix(mon_path)
got = sock_until(m, rb"\(qemu\) $")
checks.check(re.search(rb"monitor - type 'help' for more information\r\n\(qemu\) $", got)
             is not None, "-monitor unix: QEMU's greeting, its \\r\\n", repr(got))
m.sendall(b"info status\n")
got = sock_until(m, rb"VM status: running\r\n\(qemu\) $")
checks.check(b"VM status: running\r\n(qemu) " in got, "-monitor unix: info status", repr(got))
m.close()
m = connect_unix(mon_path)
got = sock_until(m, rb"\(qemu\) $")
checks.check(b"monitor - type 'help'" in got, "-monitor unix: the next client is greeted too",
             repr(got))
m.sendall(b"quit\n")
finish(con, "-monitor unix")

# -chardev socket (TCP) + -mon
port = session.free_port()
con = start(["-chardev", "socket,id=m0,host=127.0.0.1,port=%d,server=on,wait=off" % port,
             "-mon", "chardev=m0,mode=readline"], SPIN)
m = connect_tcp(port)
sock_until(m, rb"\(qemu\) $")
m.sendall(b"stop\ninfo status\n")
got = sock_until(m, rb"VM status: paused\r\n\(qemu\) $")
checks.check(b"VM status: paused" in got, "-mon chardev=: stop, info status", repr(got))
checks.check(con.wait_for("spinning") is not None, "-mon chardev=: the serial line stays on stdio")
m.sendall(b"quit\n")
finish(con, "-mon")

# mux=on: serial and monitor on one socket, Ctrl-a c between them
port = session.free_port()
con = start(["-chardev", "socket,id=x,port=%d,server=on,wait=off,mux=on" % port,
             "-serial", "chardev:x", "-mon", "chardev=x"], ECHO)
s = connect_tcp(port)
s.sendall(b"ab")
got = sock_until(s, b"AB")
checks.check(got.endswith(b"AB"), "mux=on: the guest has the socket first", repr(got))
s.sendall(b"\x01cinfo status\r")
got = sock_until(s, rb"VM status: running\r\n\(qemu\) $")
checks.check(b"VM status: running" in got, "mux=on: Ctrl-a c, then the monitor answers",
             repr(got))
s.sendall(b"\x01ccq")
got = sock_until(s, b"Cbye\n")
checks.check(got.endswith(b"Cbye\n"), "mux=on: Ctrl-a c back to the guest", repr(got))
s.close()
finish(con, "mux=on")

# -serial pty
con = start(["-serial", "pty", "-monitor", "none"], ECHO)
mt = con.wait_for(r"char device redirected to (/dev/pts/\d+) \(label serial0\)")
checks.check(mt is not None, "-serial pty: prints the path as QEMU")
if mt:
    fd = os.open(mt.group(1), os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    os.write(fd, b"pty")
    got = read_until(lambda: os.read(fd, 100), b"PTY")
    checks.check(got.endswith(b"PTY"), "-serial pty: echoed through the pty", repr(got))
    os.write(fd, b"q")
    os.close(fd)
finish(con, "-serial pty")

# -serial none: the UART has no host end
con = start(["-serial", "none"], HELLO)
st = session.exit_status(con.p, 20)
time.sleep(0.1)
with con.lock:
    out = bytes(con.out)
checks.check(st == 0 and b"hello" not in out, "-serial none: the output goes nowhere",
             "status %r, output %r" % (st, out))

# Errors, in QEMU's words.
for args, want in [
    (["-chardev", "foo,id=x"], "-chardev foo,id=x: 'foo' is not a valid char driver name"),
    (["-chardev", "null"], "-chardev null: chardev: no id specified"),
    (["-chardev", "null,id=x", "-chardev", "null,id=x"],
     "-chardev null,id=x: Duplicate ID 'x' for chardev"),
    (["-chardev", "null,id=x", "-serial", "chardev:x", "-monitor", "chardev:x"],
     "-monitor chardev:x: Device 'x' is in use"),
    (["-serial", "chardev:nope"], '-serial chardev:nope: chardev "nope" not found'),
    (["-mon", "chardev=zz"], '-mon chardev=zz: chardev "zz" not found'),
    (["-serial", "foo"], "-serial foo: 'foo' is not a valid char driver"),
    (["-chardev", "file,id=f"], "-chardev file,id=f: chardev: file: no filename given"),
    (["-chardev", "stdio,id=s,signal=maybe"],
     "-chardev stdio,id=s,signal=maybe: Parameter 'signal' expects 'on' or 'off'"),
    (["-chardev", "socket,id=s,port=1,xx=1"], "-chardev socket,id=s,port=1,xx=1: Invalid parameter 'xx'"),
    (["-chardev", "stdio,id=x", "-serial", "chardev:x"],
     "cannot use stdio by multiple character devices"),
]:
    r = subprocess.run([rvjit, "-bios", "none", "-nographic"] + args + [HELLO],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    err = r.stderr.decode(errors="replace")
    checks.check(r.returncode == 1 and err == "rvjit: %s\n" % want, "error: " + want,
                 "status %d, stderr %r" % (r.returncode, err))

checks.finish()
