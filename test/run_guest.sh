#!/bin/sh
# Run one guest program and check its exit status and console output.
# usage: run_guest.sh RVJIT ELF EXPECTED_EXIT OUTPUT_REGEX STDIN_TEXT [rvjit args...]
#
# A disk for the guest (set by test/CMakeLists.txt from the `disk:` and
# `disk-expect:` header lines):
#   GUEST_DISK="SIZE_KIB [legacy|modern|pci]"  a temporary raw image made by
#       DISK_IMAGE_TOOL (byte j of sector i = (i * 7 + j) & 0xff), attached
#       as virtio-blk on virtio-mmio-bus.0 (0x10001000, PLIC IRQ 1); modern
#       adds -global virtio-mmio.force-legacy=false; pci attaches it as
#       virtio-blk-pci at PCI address 02.0 instead.
#   GUEST_DISK_EXPECT="SECTOR:BYTE ..."  after the run, those sectors must
#       be entirely BYTE and every other sector must still hold the pattern.
rvjit=$1 elf=$2 want=$3 regex=$4 input=$5
shift 5
out=$(mktemp)
img=
trap 'rm -f "$out" ${img:+"$img" "$img.qcow2"}' EXIT
disk_kib=
if [ -n "$GUEST_DISK" ]; then
	# shellcheck disable=SC2086 # size and mode are separate words
	set -- $GUEST_DISK "$@"
	disk_kib=$1 disk_mode=${2:-legacy}
	shift
	case "$disk_mode" in
	legacy | modern | pci) shift ;;
	*) disk_mode=legacy ;;
	esac
	disk_fmt=raw
	if [ "$1" = qcow2 ]; then
		disk_fmt=qcow2
		shift
	fi
	img=$(mktemp)
	"$DISK_IMAGE_TOOL" create "$img" "$disk_kib" || { echo "FAIL: cannot create the disk image"; exit 1; }
	drive=$img
	if [ "$disk_fmt" = qcow2 ]; then
		# A qcow2 overlay on the patterned raw image: the guest reads
		# through to the backing file and its writes allocate clusters.
		drive=$img.qcow2
		qemu-img create -q -f qcow2 -o cluster_size=4096 -b "$img" -F raw "$drive" ||
			{ echo "FAIL: cannot make the qcow2 image"; exit 1; }
	fi
	if [ "$disk_mode" = pci ]; then
		set -- -drive "file=$drive,if=none,format=$disk_fmt,id=disk0" \
			-device virtio-blk-pci,drive=disk0,addr=2 "$@"
	else
		set -- -drive "file=$drive,if=none,format=$disk_fmt,id=disk0" \
			-device virtio-blk-device,drive=disk0,bus=virtio-mmio-bus.0 "$@"
	fi
	if [ "$disk_mode" = modern ]; then
		set -- -global virtio-mmio.force-legacy=false "$@"
	fi
fi
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
if [ -n "$disk_kib" ]; then
	# shellcheck disable=SC2086 # the expectations are separate words
	if [ "$disk_fmt" = qcow2 ]; then
		# Consistent, and (flattened) what the guest should have left.
		qemu-img check "$drive" || { echo "FAIL: qemu-img check $drive"; exit 1; }
		qemu-img convert -f qcow2 -O raw "$drive" "$img.flat" && mv "$img.flat" "$img" ||
			{ echo "FAIL: cannot convert $drive to raw"; exit 1; }
	fi
	if ! "$DISK_IMAGE_TOOL" check "$img" "$disk_kib" $GUEST_DISK_EXPECT; then
		echo "FAIL: the disk image does not hold what the guest should have written"
		exit 1
	fi
fi
exit 0
