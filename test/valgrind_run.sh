#!/bin/sh
# rvjit runs under valgrind: there the code buffer cannot be the alias of
# an anonymous mapping (valgrind refuses mremap with an old size of 0), and
# the translator must fall back to a memfd, not refuse to start. The guest
# flushes and patches translated code, so --smc-check=all makes valgrind
# see every rewrite; memcheck's errors fail the test.
# usage: valgrind_run.sh RVJIT ELF... (guests that pass with exit code 0)
rvjit=$1
shift
if ! command -v valgrind >/dev/null; then
	echo "FAIL: valgrind is not installed (.ci/setup installs it)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for elf in "$@"; do
	timeout 300 valgrind -q --smc-check=all --error-exitcode=99 "$rvjit" -M virt -bios none \
		-nographic -kernel "$elf" </dev/null >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $elf under valgrind: exit $rc"
		cat "$tmp/out"
		exit 1
	fi
	echo "ok: $elf ran under valgrind without errors"
done
