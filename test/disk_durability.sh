#!/bin/sh
# What happens to a virtio-blk disk image when the emulator is stopped from
# outside. The guest (guest/disk_write_then_spin.c) writes sectors 4, 5, 6
# (all 0xd4, 0xd5, 0xd6), flushes, prints "written" and spins forever.
#   a) SIGTERM after "written": rvjit exits promptly, the image has the data.
#   b) Ctrl-a x on stdin after "written" (drive given as if=virtio): same.
#   c) snapshot=on (and the global -snapshot): the guest sees its writes,
#      the image stays byte-identical.
#   d) readonly=on: VIRTIO_BLK_F_RO offered, each write fails with IOERR
#      (status 1), the image stays byte-identical.
#   e) -snapshot and Ctrl-a s: the writes reach the image (raw and qcow2).
#   f) the monitor's `commit d0`: the same; `commit nope` is QEMU's error.
# usage: disk_durability.sh RVJIT ELF DISK_IMAGE_TOOL
rvjit=$1 elf=$2 tool=$3
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	exec 3>&- 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
KIB=64

fail() {
	echo "FAIL: $case: $*"
	echo "--- guest output:"
	cat "$tmp/out"
	echo "---"
	fails=$((fails + 1))
}

# Start rvjit in the background (stdin from $1, the rest its arguments).
start() {
	input=$1
	shift
	# Empty the output now: the background redirection may come after
	# wait_written's first look, which would find the last run's "written".
	: >"$tmp/out"
	"$rvjit" "$@" "$elf" <"$input" >"$tmp/out" 2>&1 &
	pid=$!
}

# Wait (up to 30 s) for the guest to say "written"; false if rvjit died or
# never said it.
wait_written() {
	i=0
	while [ $i -lt 300 ]; do
		grep -q '^written' "$tmp/out" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Wait (up to 5 s) for rvjit to exit; its status in $status, false if it
# had to be killed.
wait_exit() {
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ $i -ge 50 ]; then
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			pid=
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	wait "$pid"
	status=$?
	pid=
	return 0
}

# The guest's status lines: every write (and the flush) says $1.
check_statuses() {
	for s in 4 5 6; do
		grep -q "^write $s status=$1\$" "$tmp/out" || fail "write of sector $s: status is not $1"
	done
}

new_image() {
	"$tool" create "$tmp/disk.img" $KIB || exit 1
	cp "$tmp/disk.img" "$tmp/pristine.img"
}

unchanged() {
	cmp "$tmp/disk.img" "$tmp/pristine.img" || fail "the image changed"
	"$tool" check "$tmp/disk.img" $KIB >/dev/null || fail "the image no longer holds the pattern"
}

drive() { # extra -drive options
	echo "file=$tmp/disk.img,if=none,format=raw,id=d0$1"
}

# --- a) SIGTERM -----------------------------------------------------------
case="a) SIGTERM"
new_image
start /dev/null -drive "$(drive)" -device virtio-blk-device,drive=d0
if ! wait_written; then
	fail "the guest never printed 'written'"
else
	kill -TERM "$pid"
	if ! wait_exit; then
		fail "rvjit did not exit within 5 s of SIGTERM"
	else
		[ "$status" -eq 0 ] || fail "exit status $status after SIGTERM, expected 0"
	fi
	check_statuses 0
	grep -q '^flush status=0$' "$tmp/out" || fail "flush failed"
	grep -q '^readback=written$' "$tmp/out" || fail "the guest did not read its write back"
	"$tool" check "$tmp/disk.img" $KIB 4:0xd4 5:0xd5 6:0xd6 || fail "the image lacks the writes"
fi
echo "$case: done"

# --- b) Ctrl-a x ----------------------------------------------------------
case="b) Ctrl-a x"
new_image
mkfifo "$tmp/in"
start "$tmp/in" -drive "file=$tmp/disk.img,format=raw,if=virtio"
exec 3>"$tmp/in" # opening the writer lets rvjit's open of the FIFO finish
if ! wait_written; then
	fail "the guest never printed 'written'"
else
	printf '\001x' >&3
	if ! wait_exit; then
		fail "rvjit did not exit within 5 s of Ctrl-a x"
	else
		[ "$status" -eq 0 ] || fail "exit status $status after Ctrl-a x, expected 0"
	fi
	check_statuses 0
	"$tool" check "$tmp/disk.img" $KIB 4:0xd4 5:0xd5 6:0xd6 || fail "the image lacks the writes"
fi
exec 3>&-
echo "$case: done"

# --- c) snapshot=on, and -snapshot ----------------------------------------
for how in drive global; do
	case="c) snapshot ($how)"
	new_image
	if [ $how = drive ]; then
		start /dev/null -drive "$(drive ,snapshot=on)" -device virtio-blk-device,drive=d0
	else
		start /dev/null -snapshot -drive "$(drive)" -device virtio-blk-device,drive=d0
	fi
	if ! wait_written; then
		fail "the guest never printed 'written'"
	else
		kill -TERM "$pid"
		wait_exit || fail "rvjit did not exit within 5 s of SIGTERM"
		check_statuses 0
		grep -q '^readback=written$' "$tmp/out" || fail "the guest did not see its own write"
		unchanged
	fi
	echo "$case: done"
done

# --- e) Ctrl-a s commits -snapshot writes ---------------------------------
# QEMU's "save disk data back to file": after C-a s the image holds the
# guest's writes even though the run then ends without them (C-a x drops
# an uncommitted overlay); raw, and qcow2 through qemu-img.
for fmt in raw qcow2; do
	case="e) Ctrl-a s ($fmt)"
	new_image
	img="$tmp/disk.img"
	if [ $fmt = qcow2 ]; then
		qemu-img convert -f raw -O qcow2 "$tmp/disk.img" "$tmp/disk.qcow2" || exit 1
		img="$tmp/disk.qcow2"
	fi
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	start "$tmp/in" -snapshot -drive "file=$img,if=none,format=$fmt,id=d0" \
		-device virtio-blk-device,drive=d0
	exec 3>"$tmp/in"
	if ! wait_written; then
		fail "the guest never printed 'written'"
	else
		printf '\001s' >&3
		sleep 1
		printf '\001x' >&3
		wait_exit || fail "rvjit did not exit within 5 s of Ctrl-a x"
		check_statuses 0
		if [ $fmt = qcow2 ]; then
			qemu-img check -q "$img" || fail "qemu-img check finds the image damaged"
			qemu-img convert -f qcow2 -O raw "$img" "$tmp/disk.img" || fail "convert"
		fi
		"$tool" check "$tmp/disk.img" $KIB 4:0xd4 5:0xd5 6:0xd6 ||
			fail "the image lacks the committed writes"
	fi
	exec 3>&-
	echo "$case: done"
done

# --- f) the monitor's commit ----------------------------------------------
case="f) monitor commit"
new_image
rm -f "$tmp/in"
mkfifo "$tmp/in"
start "$tmp/in" -drive "$(drive ,snapshot=on)" -device virtio-blk-device,drive=d0
exec 3>"$tmp/in"
if ! wait_written; then
	fail "the guest never printed 'written'"
else
	printf '\001ccommit nope\ncommit d0\n' >&3
	sleep 1
	printf '\001x' >&3
	wait_exit || fail "rvjit did not exit within 5 s of Ctrl-a x"
	grep -q "Device 'nope' not found" "$tmp/out" || fail "commit of an unknown drive: no QEMU message"
	"$tool" check "$tmp/disk.img" $KIB 4:0xd4 5:0xd5 6:0xd6 ||
		fail "the image lacks the committed writes"
fi
exec 3>&-
echo "$case: done"

# --- d) readonly=on -------------------------------------------------------
case="d) readonly=on"
new_image
chmod a-w "$tmp/disk.img" # read-only must not need a writable file
start /dev/null -drive "$(drive ,readonly=on)" -device virtio-blk-device,drive=d0
if ! wait_written; then
	fail "the guest never printed 'written'"
else
	kill -TERM "$pid"
	wait_exit || fail "rvjit did not exit within 5 s of SIGTERM"
	grep -q '^ro=1$' "$tmp/out" || fail "VIRTIO_BLK_F_RO not offered"
	check_statuses 1
	grep -q '^readback=pattern$' "$tmp/out" || fail "sector 4 does not read as before"
	unchanged
fi
chmod u+w "$tmp/disk.img"
echo "$case: done"

echo "disk_durability: $fails failure(s)"
[ $fails -eq 0 ]
