#!/bin/sh
# The unbounded oracle campaign (test/fuzz/oracle.h): random programs on
# QEMU and rvjit until interrupted (Ctrl-C), each divergence minimised and
# written to test/regress/ as its own reproducer file.
#   test/oracle_forever.sh [system|user] [SEED] [BUILD_DIR]
# system (the default): qemu-system-riscv64 against rvjit's two engines;
# user: qemu-riscv64 against rvjit-user's. SEED defaults to the time.
set -e
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-system}
seed=${2:-$(date +%s)}
build=${3:-$here/../build}
fuzz=$build/test/fuzz
if [ ! -x "$fuzz/oracle_qemu" ]; then
	echo "oracle_forever: no $fuzz/oracle_qemu: build first (README: Fuzzing)" >&2
	exit 2
fi
set -- --harness "$fuzz/oracle_harness.elf" --regress "$here/regress"
case $mode in
system) set -- "$@" --rvjit "$build/rvjit" ;;
user) set -- "$@" --user "$fuzz/oracle_user" --rvjit-user "$build/rvjit-user" ;;
*)
	echo "oracle_forever: the mode is system or user, not '$mode'" >&2
	exit 2
	;;
esac
echo "oracle_forever: $mode mode from seed $seed; divergences go to $here/regress"
exec "$fuzz/oracle_qemu" "$@" --forever "$seed"
