#!/bin/sh
# -icount makes a multi-hart run repeat exactly: guest/icount_interleaving.S
# prints a fingerprint of how four harts interleaved their AMOs; two runs
# with -icount must print the same one (and pass), in the given engine.
# usage: icount_repeatable.sh RVJIT ELF [rvjit args...]
rvjit=$1 elf=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for run in 1 2; do
	timeout 60 "$rvjit" -machine virt -bios none -smp 4 -icount shift=1 "$@" -kernel "$elf" \
		</dev/null >"$tmp/out$run" 2>&1
	status=$?
	if [ $status != 0 ]; then
		echo "FAIL: run $run exited with status $status"
		cat "$tmp/out$run"
		exit 1
	fi
	if ! grep -q '^interleaving [0-9]' "$tmp/out$run"; then
		echo "FAIL: run $run printed no fingerprint"
		cat "$tmp/out$run"
		exit 1
	fi
done
if ! cmp -s "$tmp/out1" "$tmp/out2"; then
	echo "FAIL: two -icount runs differ"
	diff "$tmp/out1" "$tmp/out2"
	exit 1
fi
echo "PASS: both runs printed: $(cat "$tmp/out1")"
