#!/bin/sh
# Run one guest program and check its exit status and console output.
# usage: run_guest.sh RVJIT ELF EXPECTED_EXIT OUTPUT_REGEX STDIN_TEXT [rvjit args...]
rvjit=$1 elf=$2 want=$3 regex=$4 input=$5
shift 5
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# printf interprets the C escapes of the stdin text; the guest keeps
# running after end of input, so a test that waits for input gets it.
printf "$input" | timeout 50 "$rvjit" "$@" "$elf" >"$out" 2>&1
got=$?
cat "$out"
if [ "$got" != "$want" ]; then
	echo "FAIL: exit status $got, expected $want"
	exit 1
fi
if [ -n "$regex" ] && ! grep -Eq -- "$regex" "$out"; then
	echo "FAIL: output does not match /$regex/"
	exit 1
fi
exit 0
