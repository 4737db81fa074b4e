#!/bin/sh
# QEMU's options where their effect shows in a run: a device given before
# its drive, -hda (QEMU 7.2's riscv virt attaches no device to it), the
# -blockdev chains, -pidfile, -daemonize, -no-shutdown, -nodefaults and
# -d help / nochain.
# usage: option_run.sh RVJIT GUEST_DIR DISK_IMAGE_TOOL
rvjit=$1 guests=$2 disk_image=$3
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
reader=$guests/virtio_blk_read_first_disk.elf

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# expect_run STATUS REGEX -- ARGS...: the run exits STATUS and its output
# (stdout and stderr) matches REGEX.
expect_run() {
	want=$1 regex=$2
	shift 2
	out=$(timeout 20 "$rvjit" "$@" </dev/null 2>&1)
	st=$?
	if [ "$st" != "$want" ]; then
		fail "rvjit $*: exit $st, want $want: $out"
	elif ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
		fail "rvjit $*: output '$out' does not match /$regex/"
	else
		echo "ok: rvjit $*"
	fi
}

"$disk_image" create "$tmp/d.img" 64 || exit 1
qemu-img create -q -f qcow2 -b "$tmp/d.img" -F raw "$tmp/d.qcow2" || exit 1

# Bug 5: the Debian wiki's order, the device before its drive.
expect_run 0 "disk slot=.* ok" -bios none -device virtio-blk-device,drive=hd0 \
	-drive file="$tmp/d.img",format=raw,id=hd0 "$reader"
expect_run 0 "disk slot=0x0+ ok" -bios none -device virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0 \
	-drive file="$tmp/d.img",format=raw,id=hd0 "$reader"
expect_run 1 "no drive with id 'nope'" -bios none -device virtio-blk-device,drive=nope "$reader"
# -hda: drive none0, seen through a -device; alone, no disk (as QEMU).
expect_run 0 "disk slot=.* ok" -bios none -hda "$tmp/d.img" -device virtio-blk-device,drive=none0 "$reader"
expect_run 3 "warning: drive none0 .* has no device" -bios none -hda "$tmp/d.img" "$reader"
# -blockdev: file, raw over file, qcow2 over file, inline file node.
expect_run 0 "disk slot=.* ok" -bios none -device virtio-blk-device,drive=f0 \
	-blockdev driver=file,node-name=f0,filename="$tmp/d.img" "$reader"
expect_run 0 "disk slot=.* ok" -bios none -blockdev driver=file,node-name=f0,filename="$tmp/d.img" \
	-blockdev driver=raw,node-name=r0,file=f0 -device virtio-blk-device,drive=r0 "$reader"
expect_run 0 "disk slot=.* ok" -bios none -device virtio-blk-device,drive=q0 \
	-blockdev driver=qcow2,node-name=q0,file=f0 \
	-blockdev driver=file,node-name=f0,filename="$tmp/d.qcow2" "$reader"
expect_run 0 "disk slot=.* ok" -bios none -device virtio-blk-device,drive=r0 \
	-blockdev driver=raw,node-name=r0,file.driver=file,file.filename="$tmp/d.img" "$reader"
expect_run 0 "disk slot=.* ok" -bios none -machine virt,accel=tcg -name vm1 \
	-device virtio-blk-device,drive=hd0 -drive file="$tmp/d.img",format=raw,id=hd0 "$reader"

# -pidfile: our pid while running (locked against a second process),
# removed at exit.
"$rvjit" -bios none -pidfile "$tmp/r.pid" "$guests/monitor_spin.elf" </dev/null >/dev/null 2>&1 &
bg=$!
i=0
while [ ! -s "$tmp/r.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(cat "$tmp/r.pid" 2>/dev/null)" != "$bg" ]; then
	fail "-pidfile holds '$(cat "$tmp/r.pid" 2>/dev/null)', not $bg"
else
	echo "ok: -pidfile holds the pid"
fi
expect_run 1 "cannot create PID file: Cannot lock pid file" -bios none -pidfile "$tmp/r.pid" "$reader"
kill "$bg"
wait "$bg"
[ -e "$tmp/r.pid" ] && fail "-pidfile: $tmp/r.pid is still there after exit" || echo "ok: -pidfile removed at exit"

# -daemonize: the command returns once the machine is built; the daemon
# runs on (its pid in the -pidfile) until killed.
if timeout 10 "$rvjit" -daemonize -bios none -pidfile "$tmp/d.pid" "$guests/monitor_spin.elf" </dev/null >"$tmp/d.out" 2>&1; then
	pid=$(cat "$tmp/d.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		echo "ok: -daemonize: daemon $pid runs"
		kill "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		[ -e "$tmp/d.pid" ] && fail "-daemonize: pidfile left behind"
	else
		fail "-daemonize: no daemon running (pid '$pid')"
	fi
	[ -s "$tmp/d.out" ] && fail "-daemonize: the daemon wrote to our stdout: $(cat "$tmp/d.out")"
else
	fail "-daemonize: exit status $?: $(cat "$tmp/d.out")"
fi

# -no-shutdown: the guest powers off (test finisher, code 7) but the
# process stays, monitor included, until `quit`.
mkfifo "$tmp/in"
timeout 20 "$rvjit" -no-shutdown -bios none "$guests/test_finisher_fail_code.elf" <"$tmp/in" >"$tmp/ns.out" 2>&1 &
ns=$!
exec 3>"$tmp/in"
sleep 1
if kill -0 "$ns" 2>/dev/null; then
	echo "ok: -no-shutdown: alive after poweroff"
else
	fail "-no-shutdown: the process exited at poweroff"
fi
printf '\001cinfo cpus\nquit\n' >&3
exec 3>&-
wait "$ns"
st=$?
if [ $st -ne 0 ] || ! grep -q "CPU #0" "$tmp/ns.out"; then
	fail "-no-shutdown: quit gave status $st, output: $(cat "$tmp/ns.out")"
else
	echo "ok: -no-shutdown: monitor answered, quit exits 0"
fi
# Without it the same guest ends the run with its code.
expect_run 7 "" -bios none "$guests/test_finisher_fail_code.elf"

# -nodefaults: no default serial, so the guest's UART output goes nowhere.
out=$(timeout 20 "$rvjit" -nodefaults -bios none "$guests/uart_hello.elf" </dev/null 2>&1)
st=$?
if [ $st -ne 0 ] || [ -n "$out" ]; then
	fail "-nodefaults: status $st, output '$out' (want 0 and nothing)"
else
	echo "ok: -nodefaults: no serial output"
fi
expect_run 0 "hello from rvjit" -nodefaults -serial stdio -bios none "$guests/uart_hello.elf"

# -d help lists what rvjit logs, in QEMU's layout; nochain with exec logs
# every block.
expect_run 0 "^nochain +do not chain" -d help
if "$rvjit" -d help | grep -Eq "^(op|mmu|cpu_reset) "; then
	fail "-d help lists an item rvjit refuses"
fi
expect_run 0 "hello from rvjit" -d nochain,exec -D "$tmp/log" -bios none "$guests/uart_hello.elf"
grep -q "^Trace 0: 0x[0-9a-f]* \[0000000000000000/0000000080000000/" "$tmp/log" ||
	fail "-d nochain,exec: no Trace lines in the log"
expect_run 0 "hello from rvjit" -d nochain -bios none "$guests/uart_hello.elf"

# -d cpu: QEMU's riscv_cpu_dump_state layout (for a hart without H)
# before each block, in both engines; fpu adds the f registers.
for engine in "" --interp; do
	rm -f "$tmp/cpu.log"
	"$rvjit" $engine -d cpu,fpu -D "$tmp/cpu.log" -bios none "$guests/test_finisher_pass.elf" </dev/null >/dev/null 2>&1
	for line in " pc       0000000000001000" " mhartid  0000000000000000" " satp     0000000000000000" \
		" x0/zero  0000000000000000 x1/ra    0000000000000000 x2/sp    0000000000000000 x3/gp    0000000000000000" \
		" f0/ft0   0000000000000000 f1/ft1   0000000000000000 f2/ft2   0000000000000000 f3/ft3   0000000000000000"; do
		grep -qxF -- "$line" "$tmp/cpu.log" || fail "-d cpu,fpu $engine: no line '$line'"
	done
	grep -q "^ pc       0000000080000000$" "$tmp/cpu.log" || fail "-d cpu $engine: no block at 0x80000000"
done

# -d guest_errors: an access where nothing is, in QEMU's words.
for engine in "" --interp; do
	"$rvjit" $engine -d guest_errors -D "$tmp/ge.log" -bios none "$guests/misaligned_and_access_faults.elf" </dev/null >/dev/null 2>&1
	grep -qx "Invalid write at addr 0x18000000, size 8, region '(null)', reason: rejected" "$tmp/ge.log" ||
		fail "-d guest_errors $engine: no line for the write to 0x18000000: $(head -3 "$tmp/ge.log")"
	grep -qx "Invalid read at addr 0x18000000, size 2, region '(null)', reason: rejected" "$tmp/ge.log" ||
		fail "-d guest_errors $engine: no line for the fetch from 0x18000000"
done

echo "option_run: $fails failed"
[ $fails -eq 0 ]
