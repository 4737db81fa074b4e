#!/bin/sh
# Bad command lines and bad files: one clear message naming the problem,
# a non-zero exit, and no crash.
rvjit=$1
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect STATUS_NONZERO REGEX -- ARGS...
expect_error() {
	regex=$1
	shift
	out=$("$rvjit" "$@" </dev/null 2>&1)
	st=$?
	if [ $st -eq 0 ] || [ $st -ge 128 ]; then
		echo "FAIL: rvjit $* exited $st (want a clean error)"; fails=$((fails + 1)); return
	fi
	if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
		echo "FAIL: rvjit $*: message '$out' does not match /$regex/"; fails=$((fails + 1)); return
	fi
	if [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then
		echo "FAIL: rvjit $*: more than one line: $out"; fails=$((fails + 1)); return
	fi
	echo "ok: rvjit $* -> $out"
}

printf 'hello' > "$tmp/notelf"
{ printf '\177ELF\001\001\001'; head -c 57 /dev/zero; } > "$tmp/elf32"
head -c 100 /dev/zero > "$tmp/zeros"
: > "$tmp/empty"

expect_error "unknown option '--frobnicate'" --frobnicate
expect_error "unknown option '-frobnicate'" -frobnicate x
expect_error "no program given"
expect_error "missing-file.*No such file" "$tmp/missing-file"
expect_error "is a directory|Is a directory" "$tmp"
expect_error "-m: 'lots'" -m lots "$tmp/notelf"
expect_error "^rvjit: unable to find CPU model 'pentium'$" -cpu pentium "$tmp/notelf"
expect_error "^rvjit: can't apply global rv64-riscv-cpu.zfoo=on: Property 'rv64-riscv-cpu.zfoo' not found$" -cpu rv64,zfoo=on "$tmp/notelf"
expect_error "^rvjit: -cpu rv64,f=off,zfh=on: extension 'd' requires 'f'$" -cpu rv64,f=off,zfh=on "$tmp/notelf"
expect_error "^rvjit: CPU model 'rva23s64' is not available: the RVA23S64 profile needs v, which rvjit does not implement$" -cpu rva23s64 "$tmp/notelf"
expect_error "^rvjit: Invalid SMP CPUs 513. The max CPUs supported by machine 'virt' is 512$" -smp 513 "$tmp/notelf"
expect_error "unsupported machine 'sifive_u'" -machine sifive_u "$tmp/notelf"
expect_error "-d: unknown log item 'bogus' \(see -d help" -d bogus "$tmp/notelf"
expect_error "not a 64-bit ELF" "$tmp/elf32"
expect_error "-kernel: missing argument" -kernel
expect_error "no drive with id 'nope'" -device virtio-blk-device,drive=nope "$tmp/notelf"
expect_error "-drive file=$tmp/missing.img: .*No such file" -drive file=$tmp/missing.img,if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0 -bios none -kernel "$tmp/notelf"
expect_error "unsupported format 'vmdk'" -drive file=$tmp/zeros,if=none,format=vmdk,id=x0 "$tmp/notelf"
expect_error "/dev/zero: not a regular file" -device loader,file=/dev/zero,addr=0x80000000 -bios none -kernel "$tmp/zeros"
head -c 2097152 /dev/zero > "$tmp/big"
expect_error "does not fit in RAM" -m 1M -device loader,file="$tmp/big",addr=0x80000000 -bios none -kernel "$tmp/zeros"
expect_error "empty image" -bios none -kernel "$tmp/empty"
expect_error "-rtc base=2006/06/17: invalid datetime format \(valid formats: '2006-06-17T16:01:21' or '2006-06-17'\)" -rtc base=2006/06/17 "$tmp/notelf"
expect_error "-rtc clock=vm,clock=wall: invalid option value 'wall'" -rtc clock=vm,clock=wall "$tmp/notelf"
expect_error "-rtc driftfix=fast: invalid option value 'fast'" -rtc driftfix=fast "$tmp/notelf"
expect_error "-rtc 2006-06-17: Invalid parameter '2006-06-17'" -rtc 2006-06-17 "$tmp/notelf"

# QEMU's options: refused forms, with QEMU's wording where QEMU has one.
expect_error "-device virtio-blk-device,drive=nope: no drive with id 'nope'" -device virtio-blk-device,drive=nope -drive file="$tmp/zeros",format=raw,id=x0 -device virtio-blk-device,drive=x0 "$tmp/notelf"
expect_error "drive 'x0' is already in use" -device virtio-blk-device,drive=x0 -device virtio-blk-device,drive=x0 -drive file="$tmp/zeros",format=raw,id=x0 "$tmp/notelf"
expect_error "-machine: invalid accelerator 'kvm'" -machine virt,accel=kvm "$tmp/notelf"
expect_error "-accel: 'kvm': only 'tcg'" -accel kvm "$tmp/notelf"
expect_error "-name: unsupported parameter 'debug-threads'" -name vm,debug-threads=on "$tmp/notelf"
expect_error "-name: missing argument" -name
expect_error "-pidfile: missing argument" -pidfile
expect_error "cannot create PID file: Could not create '$tmp/no/such/dir/p.pid'" -pidfile "$tmp/no/such/dir/p.pid" -bios none "$tmp/notelf"
expect_error "-nographic cannot be used with -daemonize" -daemonize -nographic "$tmp/notelf"
expect_error "-serial stdio: cannot use stdio with -daemonize" -daemonize -serial mon:stdio "$tmp/notelf"
expect_error "-monitor stdio: cannot use stdio with -daemonize" -monitor stdio -daemonize "$tmp/notelf"
expect_error "missing-file.*No such file" -daemonize "$tmp/missing-file"
expect_error "-hda: missing argument" -hda
expect_error "-hda: drive index 0 is already in use" -hda "$tmp/zeros" -hda "$tmp/zeros" "$tmp/notelf"
expect_error "-drive file=$tmp/missing.img: .*No such file" -hda "$tmp/missing.img" -device virtio-blk-device,drive=none0 -bios none -kernel "$tmp/notelf"
expect_error "-blockdev: unsupported driver 'vmdk'" -blockdev driver=vmdk,node-name=v "$tmp/notelf"
expect_error "-blockdev: unsupported parameter 'locking'" -blockdev driver=file,node-name=f,filename=x,locking=off "$tmp/notelf"
expect_error "-blockdev: missing node-name=" -blockdev driver=file,filename=x "$tmp/notelf"
expect_error "-blockdev driver=file: needs filename=" -blockdev driver=file,node-name=f "$tmp/notelf"
expect_error "-blockdev driver=qcow2: needs file=NODE" -blockdev driver=qcow2,node-name=q "$tmp/notelf"
expect_error "-blockdev node-name=q: no node 'f' for file=" -blockdev driver=qcow2,node-name=q,file=f -device virtio-blk-device,drive=q "$tmp/notelf"
expect_error "-blockdev node-name=q: file=r must be a driver=file node" -blockdev driver=raw,node-name=r,file.driver=file,file.filename=x -blockdev driver=qcow2,node-name=q,file=r -device virtio-blk-device,drive=q "$tmp/notelf"
expect_error "-blockdev: node-name 'x0' is already in use" -drive file=x,id=x0 -blockdev driver=file,node-name=x0,filename=x "$tmp/notelf"
expect_error "-d: log item 'mmu' is not supported" -d in_asm,mmu "$tmp/notelf"
expect_error "-d: log item 'cpu_reset' is not supported" -d cpu_reset "$tmp/notelf"
expect_error "-d: log item 'op' is not supported" -d unimp,page,op "$tmp/notelf"
expect_error "unknown option '-no-such-thing'" -no-shutdown -no-such-thing "$tmp/notelf"

# The random-number device and its backends: QEMU 7.2's messages.
expect_error "^rvjit: -device virtio-rng-device,rng=nope: Device 'nope' not found$" -device virtio-rng-device,rng=nope -bios none "$tmp/notelf"
expect_error "^rvjit: Could not open '$tmp/no-such-rng': No such file or directory$" -object rng-random,id=r0,filename="$tmp/no-such-rng" -device virtio-rng-device,rng=r0 -bios none "$tmp/notelf"
expect_error "^rvjit: Could not open '': No such file or directory$" -object rng-random,id=r0,filename= -device virtio-rng-device,rng=r0 -bios none "$tmp/notelf"
expect_error "^rvjit: -object rng-random,filename=/dev/urandom: Parameter 'id' is missing$" -object rng-random,filename=/dev/urandom "$tmp/notelf"
expect_error "^rvjit: -object rng-builtin,id=r0,filename=/dev/urandom: Invalid parameter 'filename'$" -object rng-builtin,id=r0,filename=/dev/urandom "$tmp/notelf"
# virtio-pci devices: QEMU's words for a taken slot, a bad address, a bus
# that does not exist or is of the wrong kind.
expect_error "^rvjit: -device virtio-rng-pci,addr=3: PCI: slot 3 function 0 not available for virtio-rng-pci, in use by virtio-rng-pci,id=\(null\)$" -device virtio-rng-pci,addr=3 -device virtio-rng-pci,addr=3 "$tmp/notelf"
expect_error "^rvjit: -device virtio-net-pci,addr=0: PCI: slot 0 function 0 not available for virtio-net-pci, in use by gpex-root,id=\(null\)$" -device virtio-net-pci,addr=0 "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-pci,addr=20: Property 'virtio-rng-pci.addr' doesn't take value '20'$" -device virtio-rng-pci,addr=20 "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-pci,addr=3.9: Property 'virtio-rng-pci.addr' doesn't take value '3.9'$" -device virtio-rng-pci,addr=3.9 "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-pci,bus=foo: Bus 'foo' not found$" -device virtio-rng-pci,bus=foo "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-pci,bus=virtio-mmio-bus.0: Device 'virtio-rng-pci' can't go on virtio-mmio-bus bus$" -device virtio-rng-pci,bus=virtio-mmio-bus.0 "$tmp/notelf"
expect_error "^rvjit: -device virtio-blk-pci,drive=d0,addr=2: PCI: slot 2 function 0 not available for virtio-blk-pci, in use by virtio-net-pci,id=\(null\)$" -device virtio-net-pci,addr=2 -drive file="$tmp/zeros",if=none,format=raw,id=d0 -device virtio-blk-pci,drive=d0,addr=2 "$tmp/notelf"
expect_error "^rvjit: -device virtio-blk-pci,drive=nope: no drive with id 'nope'" -device virtio-blk-pci,drive=nope "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-pci,rng=nope: Device 'nope' not found$" -device virtio-rng-pci,rng=nope "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-device,bus=pcie.0: Device 'virtio-rng-device' can't go on PCIE bus$" -device virtio-rng-device,bus=pcie.0 "$tmp/notelf"
expect_error "^rvjit: -device virtio-blk-device,drive=d0,bus=pcie.0: Device 'virtio-blk-device' can't go on PCIE bus$" -device virtio-blk-device,drive=d0,bus=pcie.0 "$tmp/notelf"
expect_error "^rvjit: -object rng-builtin,id=r0: Duplicate ID 'r0' for object$" -object rng-builtin,id=r0 -object rng-builtin,id=r0 "$tmp/notelf"
expect_error "^rvjit: -object rng-foo,id=r0: Parameter 'qom-type' does not accept value 'rng-foo'$" -object rng-foo,id=r0 "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-device,period=0: 'period' parameter expects a positive integer$" -device virtio-rng-device,period=0 "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-device,max-bytes=-1: 'max-bytes' parameter must be non-negative, and less than 2\^63$" -device virtio-rng-device,max-bytes=-1 "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-device,max-bytes=lots: Parameter 'max-bytes' expects integer$" -device virtio-rng-device,max-bytes=lots "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-device,period=4294967296: Parameter 'period' expects uint32_t$" -device virtio-rng-device,period=4294967296 "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-device,rate=1: Property 'virtio-rng-device.rate' not found$" -device virtio-rng-device,rate=1 "$tmp/notelf"
expect_error "^rvjit: -device virtio-rng-device,bus=virtio-mmio-bus.8: Bus 'virtio-mmio-bus.8' not found$" -device virtio-rng-device,bus=virtio-mmio-bus.8 "$tmp/notelf"
expect_error "virtio-mmio-bus.3 is used twice" -device virtio-rng-device,bus=virtio-mmio-bus.3 -device virtio-rng-device,bus=virtio-mmio-bus.3 -bios none "$tmp/notelf"
# Networking, in QEMU's words. The hostfwd port in use is held on the
# loopback by a listener of our own.
expect_error "^rvjit: -netdev foo,id=x: Parameter 'type' does not accept value 'foo'$" -netdev foo,id=x "$tmp/notelf"
expect_error "^rvjit: -nic foo: Parameter 'type' does not accept value 'foo'$" -nic foo "$tmp/notelf"
expect_error "^rvjit: -net foo: Parameter 'type' does not accept value 'foo'$" -net foo "$tmp/notelf"
expect_error "^rvjit: -netdev user: Parameter 'id' is missing$" -netdev user "$tmp/notelf"
expect_error "^rvjit: -netdev user,id=n0: Duplicate ID 'n0' for netdev$" -netdev user,id=n0 -netdev user,id=n0 "$tmp/notelf"
expect_error "^rvjit: -device virtio-net-device,netdev=zz: Property 'virtio-net-device.netdev' can't find value 'zz'$" -device virtio-net-device,netdev=zz -bios none "$tmp/notelf"
expect_error "^rvjit: -netdev user,id=n0,restrict=maybe: Parameter 'restrict' expects 'on' or 'off'$" -netdev user,id=n0,restrict=maybe -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
# IPv6 on slirp: QEMU's words for each refusal
expect_error "^rvjit: -netdev user,id=n0,ipv6-net=fec0::/130: Invalid IPv6 prefix provided \\(IPv6 prefix length must be between 0 and 126\\)$" -netdev user,id=n0,ipv6-net=fec0::/130 -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
expect_error "^rvjit: -netdev user,id=n0,ipv6-net=zz: Failed to parse IPv6 prefix$" -netdev user,id=n0,ipv6-net=zz -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
expect_error "^rvjit: -netdev user,id=n0,ipv6-host=fed0::2: IPv6 Host doesn't belong to network$" -netdev user,id=n0,ipv6-host=fed0::2 -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
expect_error "^rvjit: -netdev user,id=n0,ipv6=off,ipv6-host=fec0::2: IPv6 disabled but prefix/host6/dns6 provided$" -netdev user,id=n0,ipv6=off,ipv6-host=fec0::2 -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
expect_error "^rvjit: -netdev user,id=n0,ipv4=off,ipv6=off: IPv4 and IPv6 disabled$" -netdev user,id=n0,ipv4=off,ipv6=off -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
expect_error "^rvjit: -netdev user,id=n0,hostfwd=bad: Invalid host forwarding rule 'bad' \(No : separators\)$" -netdev user,id=n0,hostfwd=bad -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
if "$rvjit" -netdev user,id=n0 -device virtio-net-device,netdev=n0 -bios none -machine virt,dumpdtb="$tmp/net.dtb" 2>&1 | grep -q "built without libslirp"; then
	expect_error "^rvjit: -netdev user,id=n0: this rvjit was built without libslirp" -netdev user,id=n0 -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
else
	python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1]); time.sleep(60)' "$tmp/port" &
	holder=$!
	n=0
	while [ ! -s "$tmp/port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	port=$(cat "$tmp/port")
	expect_error "^rvjit: -netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22: Could not set up host forwarding rule 'tcp:127.0.0.1:$port-:22' \\(Address already in use\\)$" -netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22 -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
	kill $holder
	# guestfwd=, in QEMU 7.2's words (its two lines for a device joined in one).
	for rule in tcp:10.0.2.100:0-cmd:cat udp:10.0.2.100:80-cmd:cat tcp:10.0.2.100:80 tcp:x:80-cmd:cat; do
		expect_error "^rvjit: -netdev user,id=n0,guestfwd=$rule: Invalid guest forwarding rule '$rule'$" -netdev user,id=n0,guestfwd=$rule -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
	done
	expect_error "^rvjit: -netdev user,id=n0,guestfwd=tcp:10.0.2.2:80-cmd:cat: Conflicting/invalid host:port in guest forwarding rule 'tcp:10.0.2.2:80-cmd:cat'$" -netdev user,id=n0,guestfwd=tcp:10.0.2.2:80-cmd:cat -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
	expect_error "^rvjit: -netdev user,id=n0,guestfwd=tcp:10.0.2.100:80-unix:$tmp/none: Could not open guest forwarding device 'guestfwd.tcp.80' \\(Failed to connect to '$tmp/none': No such file or directory\\)$" -netdev user,id=n0,guestfwd=tcp:10.0.2.100:80-unix:$tmp/none -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
	expect_error "^rvjit: -netdev user,id=n0,guestfwd=tcp:10.0.2.100:80-bogus:x: Could not open guest forwarding device 'guestfwd.tcp.80' \\('bogus:x' is not a valid char driver" -netdev user,id=n0,guestfwd=tcp:10.0.2.100:80-bogus:x -device virtio-net-device,netdev=n0 -bios none "$tmp/notelf"
fi

echo "cli_errors: $fails failed"
[ $fails -eq 0 ]
