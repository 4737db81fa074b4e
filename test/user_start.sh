#!/bin/sh
# rvjit-user starts riscv64 programs as Linux would and refuses bad ones
# with one clear line:
#  - a static and a dynamic (PIE, PT_INTERP under -L) glibc program, in the
#    given engine: argv, the environment (-E, -U, QEMU_SET_ENV), the exit
#    status, AT_EXECFN and /proc/self/exe, -0 for argv[0], -strace;
#  - non-RISC-V, 32-bit, truncated, corrupt ELF files, a segment past the
#    end of the file, a missing interpreter, a missing program, a bad option.
#
# usage: user_start.sh RVJIT_USER [ENGINE_OPTION]   (e.g. --interp)
# Needs riscv64-linux-gnu-gcc and its glibc in /usr/riscv64-linux-gnu.
rvjit_user=$(realpath "$1")
engine=$2
sysroot=/usr/riscv64-linux-gnu
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v riscv64-linux-gnu-gcc >/dev/null || [ ! -d $sysroot ]; then
	echo "SKIP: riscv64-linux-gnu-gcc and its glibc (apt install gcc-riscv64-linux-gnu)"
	[ -n "$CI" ] && exit 1
	exit 77
fi

cat > "$tmp/start.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
int main(int argc, char **argv)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	struct utsname u;
	uname(&u);
	printf("argc=%d", argc);
	for (int i = 0; i < argc; i++)
		printf(" [%s]", argv[i]);
	printf("\nFOO=%s BAR=%s\n", getenv("FOO") ? getenv("FOO") : "-",
	       getenv("BAR") ? getenv("BAR") : "-");
	printf("execfn=%s exe=%s machine=%s pagesz=%lu\n", (char *)getauxval(AT_EXECFN), exe,
	       u.machine, getauxval(AT_PAGESZ));
	return argc + 40;
}
C
riscv64-linux-gnu-gcc -O2 -static -o "$tmp/static" "$tmp/start.c" || exit 1
riscv64-linux-gnu-gcc -O2 -o "$tmp/dynamic" "$tmp/start.c" || exit 1

check() { # check NAME WANT GOT
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1"; echo "  want: $2"; echo "  got:  $3"; fails=$((fails + 1))
	fi
}

for kind in static dynamic; do
	prog=$tmp/$kind
	out=$(cd "$tmp" && FOO=1 BAR=2 "$rvjit_user" $engine -L $sysroot -U BAR ./$kind a "b c")
	st=$?
	check "$kind: output" "argc=3 [./$kind] [a] [b c]
FOO=1 BAR=-
execfn=$prog exe=$prog machine=riscv64 pagesz=4096" "$out"
	check "$kind: exit status" 43 $st
	out=$(QEMU_SET_ENV=FOO=x "$rvjit_user" $engine -L $sysroot -0 zero "$prog" | head -2)
	check "$kind: -0 and QEMU_SET_ENV" "argc=1 [zero]
FOO=x BAR=-" "$out"
	trace=$("$rvjit_user" $engine -strace -L $sysroot "$prog" 2>&1 >/dev/null)
	if printf '%s\n' "$trace" | grep -q "^[0-9]* write(1,.*) = " &&
		printf '%s\n' "$trace" | grep -q "^[0-9]* exit_group(41)"; then
		echo "ok: $kind: -strace"
	else
		echo "FAIL: $kind: -strace lacks write/exit_group:"; printf '%s\n' "$trace" | tail -5
		fails=$((fails + 1))
	fi
done

# expect_error REGEX ARGS...: one line, a clean non-zero exit
expect_error() {
	regex=$1
	shift
	out=$("$rvjit_user" $engine "$@" </dev/null 2>&1)
	st=$?
	if [ $st -eq 0 ] || [ $st -ge 128 ]; then
		echo "FAIL: rvjit-user $* exited $st (want a clean error)"; fails=$((fails + 1)); return
	fi
	if ! printf '%s\n' "$out" | grep -Eq -- "$regex" || [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then
		echo "FAIL: rvjit-user $*: message '$out' is not one line matching /$regex/"
		fails=$((fails + 1)); return
	fi
	echo "ok: rvjit-user $* -> $out"
}

printf 'hello' > "$tmp/notelf"
{ printf '\177ELF\001\001\001'; head -c 57 /dev/zero; } > "$tmp/elf32"
head -c 100 "$tmp/static" > "$tmp/truncated"
python3 - "$tmp" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1] + "/static", "rb").read())
phoff = struct.unpack_from("<Q", d, 0x20)[0]
for i in range(struct.unpack_from("<H", d, 0x38)[0]):
    o = phoff + i * 56
    if struct.unpack_from("<I", d, o)[0] == 1:  # PT_LOAD: claim more file than there is
        struct.pack_into("<Q", d, o + 0x20, 1 << 30)
        struct.pack_into("<Q", d, o + 0x28, 1 << 30)
        break
open(sys.argv[1] + "/pastend", "wb").write(d)
d = bytearray(open(sys.argv[1] + "/static", "rb").read())
struct.pack_into("<H", d, 0x36, 12)  # e_phentsize
open(sys.argv[1] + "/badphent", "wb").write(d)
PY

expect_error "/bin/sh: not a RISC-V program" /bin/sh
expect_error "notelf: not an ELF file" "$tmp/notelf"
expect_error "elf32: not a 64-bit ELF file" "$tmp/elf32"
expect_error "truncated: truncated program header table" "$tmp/truncated"
expect_error "pastend: segment [0-9]+: beyond the end of the file" "$tmp/pastend"
expect_error "badphent: bad program header table" "$tmp/badphent"
expect_error "dynamic: interpreter /lib/ld-linux-riscv64-lp64d.so.1: No such file" "$tmp/dynamic"
expect_error "missing: No such file or directory" "$tmp/missing"
expect_error "unknown option '-frobnicate'" -frobnicate "$tmp/static"
expect_error "no program given"
expect_error "-cpu pentium" -cpu pentium "$tmp/static"

# --binfmt-line: the kernel's register format, naming this rvjit-user, and
# a magic/mask that matches both programs built here and not the host's.
line=$("$rvjit_user" --binfmt-line)
if python3 - "$line" "$(realpath "$rvjit_user")" "$tmp/static" "$tmp/dynamic" /bin/sh <<'PY'; then
import sys
line, emu, static, dynamic, host = sys.argv[1:]
f = line.split(":")
assert f[1] == "rvjit-riscv64" and f[2] == "M" and f[6] == emu and f[7] == "F", f
magic = bytes(f[4], "ascii").decode("unicode_escape").encode("latin-1")
mask = bytes(f[5], "ascii").decode("unicode_escape").encode("latin-1")
def matches(path):
    head = open(path, "rb").read(len(magic))
    return all((h & k) == (m & k) for h, m, k in zip(head, magic, mask))
assert matches(static) and matches(dynamic), "riscv64 programs not matched"
assert not matches(host), "the host's /bin/sh matched"
PY
	echo "ok: --binfmt-line"
else
	echo "FAIL: --binfmt-line: $line"; fails=$((fails + 1))
fi

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
