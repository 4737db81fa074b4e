#!/bin/sh
# -icount makes a multi-hart run repeat exactly: guest/icount_interleaving.S
# prints a fingerprint of how four harts interleaved their AMOs; two runs
# with -icount must print the same one (and pass). The runs take the same
# rvjit arguments (repeatable in one engine), or those before and after a
# `--` (the engines agree: -icount gives both the same quantum).
# usage: icount_repeatable.sh RVJIT ELF [args of both runs]
#        icount_repeatable.sh RVJIT ELF [args of run 1] -- [args of run 2]
rvjit=$1 elf=$2
shift 2
first="" second="" seen_sep=0
for a in "$@"; do
	if [ "$a" = "--" ]; then
		seen_sep=1
	elif [ $seen_sep = 0 ]; then
		first="$first $a"
	else
		second="$second $a"
	fi
done
[ $seen_sep = 0 ] && second=$first
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for run in 1 2; do
	if [ $run = 1 ]; then args=$first; else args=$second; fi
	# shellcheck disable=SC2086 # the engine arguments are single words
	timeout 60 "$rvjit" -machine virt -bios none -smp 4 -icount shift=1 $args -kernel "$elf" \
		</dev/null >"$tmp/out$run" 2>&1
	status=$?
	if [ $status != 0 ]; then
		echo "FAIL: run $run ($args) exited with status $status"
		cat "$tmp/out$run"
		exit 1
	fi
	if ! grep -q '^interleaving [0-9]' "$tmp/out$run"; then
		echo "FAIL: run $run ($args) printed no fingerprint"
		cat "$tmp/out$run"
		exit 1
	fi
done
if ! cmp -s "$tmp/out1" "$tmp/out2"; then
	echo "FAIL: two -icount runs differ ($first vs $second)"
	diff "$tmp/out1" "$tmp/out2"
	exit 1
fi
echo "PASS: both runs printed: $(cat "$tmp/out1")"
