#!/bin/sh
# Two emulators on one disk image (devices/disk_lock.c): rvjit takes the
# byte-range locks QEMU takes, so a writer excludes every other user, readers
# share, and rvjit and QEMU see each other's locks whichever starts first.
#   a) rvjit vs rvjit: raw and qcow2, read-write, readonly=on, snapshot=on,
#      file.locking=off, and a qcow2 image's backing file.
#   b) rvjit vs qemu-system-riscv64 both ways, and `qemu-img info` beside
#      rvjit answers as it does beside QEMU (when QEMU is installed; CI has
#      it, so there it must be).
# A refused start is one line on stderr naming the file, exit status 1, and
# no guest run. The holder is paused (-S), so the guest never writes.
# usage: disk_locking.sh RVJIT ELF
rvjit=$1 elf=$2
tmp=$(mktemp -d)
holder=
cleanup() {
	[ -n "$holder" ] && kill -KILL "$holder" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() {
	echo "FAIL: $case: $*"
	fails=$((fails + 1))
}

qemu-img create -q -f raw "$tmp/r.img" 1M || exit 1
qemu-img create -q -f qcow2 "$tmp/base.qcow2" 1M || exit 1
qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 "$tmp/top.qcow2" || exit 1

fmt_of() { case $1 in *.qcow2) echo qcow2 ;; *) echo raw ;; esac; }

# rvjit's or QEMU's command line for image $2 with extra -drive options $3.
cmd_rvjit() {
	echo "$rvjit -S -monitor none -drive file=$1,if=none,id=d,format=$(fmt_of "$1")$2" \
		"-device virtio-blk-device,drive=d $elf"
}
cmd_qemu() {
	echo "qemu-system-riscv64 -machine virt -nographic -bios none -S -monitor none -serial none" \
		"-drive file=$1,if=none,id=d,format=$(fmt_of "$1")$2 -device virtio-blk-device,drive=d"
}

# Is some open file description holding a lock at byte 100 of $1?
locked() {
	ino=$(stat -c %i "$1")
	grep -q "OFDLCK .*:$ino 100 " /proc/locks
}

# Start a holder in the background: EMULATOR IMAGE OPTIONS. Waits for its
# locks (or, with file.locking=off, a moment), and fails if it died.
hold() {
	$(cmd_$1 "$tmp/$2" "$3") </dev/null >"$tmp/holder.out" 2>&1 &
	holder=$!
	i=0
	while [ $i -lt 100 ]; do
		case $3 in *locking=off*) [ $i -ge 5 ] && break ;; *) locked "$tmp/$2" && break ;; esac
		kill -0 "$holder" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$holder" 2>/dev/null || fail "the holder ($1 $2$3) died: $(cat "$tmp/holder.out")"
}

release() {
	kill -KILL "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	holder=
}

# A second emulator on the image: EMULATOR IMAGE OPTIONS EXPECT, where
# EXPECT is "runs" or the lock QEMU names ("write" / shared "write").
second() {
	timeout 3 $(cmd_$1 "$tmp/$2" "$3") </dev/null >"$tmp/out" 2>&1
	status=$?
	if [ "$4" = runs ]; then
		[ $status -eq 124 ] || fail "$1 $2$3 should run, exited $status: $(cat "$tmp/out")"
		return
	fi
	[ $status -eq 1 ] || fail "$1 $2$3 should be refused, exit status $status"
	grep -qF "Failed to get $4 lock" "$tmp/out" ||
		fail "$1 $2$3: expected 'Failed to get $4 lock', got: $(cat "$tmp/out")"
	if [ "$1" = rvjit ]; then
		[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "rvjit said more than one line: $(cat "$tmp/out")"
		grep -q "^rvjit: -drive file=$tmp/$2: " "$tmp/out" || fail "the error does not name $2"
	fi
}

W='"write"'
SW='shared "write"'

# --- a) rvjit vs rvjit ------------------------------------------------------
case="a) rvjit rw raw"
hold rvjit r.img ""
second rvjit r.img "" "$W"
second rvjit r.img ",readonly=on" "$SW"
second rvjit r.img ",snapshot=on" "$SW"
second rvjit r.img ",file.locking=off" runs
release
second rvjit r.img "" runs # the holder's locks went with it

case="a) rvjit readonly raw"
hold rvjit r.img ",readonly=on"
second rvjit r.img "" "$W"
second rvjit r.img ",readonly=on" runs
second rvjit r.img ",snapshot=on" runs
release

case="a) rvjit file.locking=off"
hold rvjit r.img ",file.locking=off"
second rvjit r.img "" runs
release

case="a) rvjit rw qcow2 with a backing file"
hold rvjit top.qcow2 ""
second rvjit top.qcow2 ",readonly=on" "$SW"
second rvjit base.qcow2 "" "$W"
second rvjit base.qcow2 ",readonly=on" runs
release

# --- b) rvjit vs QEMU -------------------------------------------------------
if ! command -v qemu-system-riscv64 >/dev/null; then
	if [ -n "$CI" ]; then
		echo "FAIL: qemu-system-riscv64 is required in CI (.ci/setup installs qemu-system-misc)"
		exit 1
	fi
	echo "disk_locking: qemu-system-riscv64 not installed: QEMU cases SKIPPED"
	echo "disk_locking: $fails failure(s)"
	[ $fails -eq 0 ]
	exit
fi

for first in qemu rvjit; do
	other=rvjit
	[ $first = rvjit ] && other=qemu
	case="b) $first holds raw rw, $other second"
	hold $first r.img ""
	second $other r.img "" "$W"
	second $other r.img ",readonly=on" "$SW"
	release

	case="b) $first holds raw readonly, $other second"
	hold $first r.img ",readonly=on"
	second $other r.img "" "$W"
	second $other r.img ",readonly=on" runs
	release

	case="b) $first holds qcow2 top rw, $other second"
	hold $first top.qcow2 ""
	second $other top.qcow2 ",snapshot=on" "$SW"
	second $other base.qcow2 "" "$W"
	release
done

# qemu-img info beside rvjit answers as beside QEMU (it may open a raw
# image beside a writer, not a qcow2 one).
for img_opts in "r.img|" "top.qcow2|" "top.qcow2|,readonly=on" "r.img|,snapshot=on"; do
	img=${img_opts%%|*} opts=${img_opts#*|}
	case="b) qemu-img info on $img$opts"
	for who in qemu rvjit; do
		hold $who "$img" "$opts"
		qemu-img info "$tmp/$img" >"$tmp/info.$who" 2>&1
		echo "status $?" >>"$tmp/info.$who"
		release
	done
	[ "$(tail -1 "$tmp/info.qemu")" = "$(tail -1 "$tmp/info.rvjit")" ] ||
		fail "beside QEMU: $(head -1 "$tmp/info.qemu"); beside rvjit: $(head -1 "$tmp/info.rvjit")"
done

echo "disk_locking: $fails failure(s)"
[ $fails -eq 0 ]
