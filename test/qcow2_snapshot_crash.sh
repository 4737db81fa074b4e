#!/bin/sh
# Crash safety of internal snapshots (devices/qcow2_snapshot.c): each
# operation (create with a VM state, revert, delete) is killed at each of
# its writes in turn (strace's fault injection sends SIGKILL at the Nth
# pwrite64), and every image left behind must be one qemu-img check finds
# consistent (leaked clusters allowed, exit status 0 or 3), holding either
# the snapshots it had or the ones it was given.
#
# usage: qcow2_snapshot_crash.sh QCOW2_SNAPSHOT_TOOL
# Needs qemu-img, qemu-io and strace (exit 77 without them; 1 in CI) and
# ptrace (a container that forbids it skips the test, CI too).
set -u
TOOL=$1
for t in qemu-img qemu-io strace; do
	if ! command -v $t >/dev/null; then
		echo "$t not found"
		[ -n "${CI:-}" ] && exit 1
		exit 77
	fi
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
# LeakSanitizer cannot run under ptrace: a sanitizer build of the tool is
# traced with leak checking off (the other tests check its leaks).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if ! strace -f -o /dev/null true 2>/dev/null; then
	echo "strace cannot trace here (ptrace not permitted): skipped"
	exit 77
fi

qemu-img create -q -f qcow2 -o cluster_size=4096 base.qcow2 1M
qemu-io -c 'write -P 0x11 0 300k' -c 'write -P 0x22 700k 100k' base.qcow2 >/dev/null
qemu-img snapshot -c old base.qcow2
qemu-io -c 'write -P 0x33 0 64k' base.qcow2 >/dev/null

failures=0
names() { qemu-img snapshot -l "$1" | awk 'NR > 2 { print $2 }' | tr '\n' ' '; }

# run OP TAG BEFORE AFTER: kill OP at each write; the snapshot names must
# read BEFORE or AFTER.
run() {
	op=$1 tag=$2 before=$3 after=$4
	cp base.qcow2 probe.qcow2
	n=$(strace -f -e trace=pwrite64 -o trace.txt "$TOOL" "$op" probe.qcow2 "$tag" && grep -c pwrite64 trace.txt)
	if [ -z "$n" ] || [ "$n" -lt 3 ]; then
		echo "FAIL $op: the operation itself failed or wrote nothing ($n writes)"
		failures=$((failures + 1))
		return
	fi
	if [ "$(names probe.qcow2)" != "$after" ]; then
		echo "FAIL $op: snapshots afterwards are '$(names probe.qcow2)', expected '$after'"
		failures=$((failures + 1))
	fi
	k=1
	while [ $k -le "$n" ]; do
		cp base.qcow2 crash.qcow2
		strace -f -o /dev/null -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=$k \
			"$TOOL" "$op" crash.qcow2 "$tag" 2>/dev/null
		qemu-img check crash.qcow2 >check.txt 2>&1
		st=$?
		got=$(names crash.qcow2)
		if [ $st -ne 0 ] && [ $st -ne 3 ]; then
			echo "FAIL $op killed at write $k of $n: qemu-img check exit $st"
			cat check.txt
			failures=$((failures + 1))
		elif [ "$got" != "$before" ] && [ "$got" != "$after" ]; then
			echo "FAIL $op killed at write $k of $n: snapshots '$got'"
			failures=$((failures + 1))
		fi
		k=$((k + 1))
	done
	echo "ok   $op killed at each of its $n writes leaves a consistent image"
}

run create new "old " "old new "
cp probe.qcow2 base.qcow2 # now with both snapshots
run goto old "old new " "old new "
run delete old "old new " "new "
[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all checks passed"
