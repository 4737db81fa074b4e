#!/bin/bash
# Run one user-mode test program (test/user/*.c) under an emulator and check
# that it passed: exit status 0 and "PASS NAME" as its last line of output.
# usage: run_user.sh NAME SYSROOT EMULATOR [EMULATOR OPTIONS...] -- PROGRAM [ARGS...]
#
# The emulator is a command line: rvjit-user, rvjit-user --interp, or a peer
# such as qemu-riscv64; it is given `-L SYSROOT` (the riscv64 glibc the
# programs are linked against) and then the program. The program runs in a
# fresh empty directory (its files go there), removed afterwards.
#
# RUN_USER_PRIVATE_BINFMT=1 (for a peer that, unlike rvjit-user, leaves a
# guest's execve of a riscv64 program to the host kernel): the run gets a
# binfmt_misc of its own (a new user and mount namespace, Linux 6.7 and
# later) that hands riscv64 ELF files to the emulator, as binfmt_misc does
# on a machine set up for it. The host's binfmt_misc is not touched.
name=$1 sysroot=$2
shift 2
emu=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	emu+=("$1")
	shift
done
if [ "$1" != -- ] || [ ${#emu[@]} -eq 0 ] || [ $# -lt 2 ]; then
	echo "usage: run_user.sh NAME SYSROOT EMULATOR... -- PROGRAM [ARGS...]" >&2
	exit 2
fi
shift
# The program runs in another folder: relative paths are made absolute.
case "$1" in /*) ;; *) set -- "$PWD/$1" "${@:2}" ;; esac
case "$sysroot" in /*) ;; *) sysroot=$PWD/$sysroot ;; esac
dir=$(mktemp -d)
aux=$(mktemp -d)
trap 'rm -rf "$dir" "$aux"' EXIT
cmd=("${emu[@]}" -L "$sysroot" "$@")
if [ -n "$RUN_USER_PRIVATE_BINFMT" ]; then
	# The binfmt interpreter: the emulator with the sysroot (the guest's
	# environment may not carry QEMU_LD_PREFIX). Perl, not a shell: a
	# shell would add PWD and such to the environment the guest passed.
	printf '#!/usr/bin/perl\nexec { "%s" } "%s", "-L", "%s", @ARGV;\ndie "exec: $!";\n' \
		"$(command -v "${emu[0]}")" "${emu[0]}" "$sysroot" >"$aux/interp"
	chmod +x "$aux/interp"
	# ELF64, little-endian, e_machine 243 (EM_RISCV), executables and PIEs.
	magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00'
	mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
	cmd=(unshare --user --map-root-user --mount sh -c
	     'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc &&
	      printf "%s" "$0" >/proc/sys/fs/binfmt_misc/register && exec "$@"'
	     ":riscv64-user-test:M::$magic:$mask:$aux/interp:" "${cmd[@]}")
fi
# stdout is kept to find the PASS line, and shown whatever happens.
(cd "$dir" && exec "${cmd[@]}") >"$aux/out"
status=$?
cat "$aux/out"
if [ "$status" -ne 0 ]; then
	echo "FAIL $name: exit status $status under ${emu[*]}" >&2
	exit 1
fi
last=$(tail -n 1 "$aux/out")
if [ "$last" != "PASS $name" ]; then
	echo "FAIL $name: exit status 0 but the last line is \"$last\", not \"PASS $name\"" >&2
	exit 1
fi
exit 0
