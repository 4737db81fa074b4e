#!/bin/sh
# The generated device tree: dtc decompiles it without a single warning
# (default checks plus the optional ones listed below), it has the nodes and
# properties QEMU's virt board has, /chosen follows -append and -initrd (at
# QEMU's addresses), and -dtb refuses what is not a device tree.
# usage: device_tree.sh RVJIT
rvjit=$1
command -v dtc >/dev/null || { echo "SKIP: dtc is missing (device-tree-compiler; sh .ci/setup)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# dtc's checks that are off by default but apply to a tree like ours.
extra="-W unique_unit_address_if_enabled -W avoid_unnecessary_addr_size -W avoid_default_addr_size"
extra="$extra -W obsolete_chosen_interrupt_controller -W alias_paths"

decompile() { # DTB -> DTS; any dtc output on stderr is a failure
	# shellcheck disable=SC2086 # $extra is a word list
	if ! dtc -I dtb -O dts $extra -o "$2" "$1" 2>"$tmp/dtc.err"; then
		fail "dtc cannot decompile $1"; cat "$tmp/dtc.err"
	elif [ -s "$tmp/dtc.err" ]; then
		fail "dtc warns about $1:"; cat "$tmp/dtc.err"
	fi
}

"$rvjit" -machine virt,dumpdtb="$tmp/virt.dtb" -smp 3 -m 128M -nographic -bios none ||
	fail "dumpdtb exited with status $?"
decompile "$tmp/virt.dtb" "$tmp/virt.dts"
cat "$tmp/virt.dts"

# Each line: a fixed string that must be in the decompiled tree.
while IFS= read -r want; do
	[ -z "$want" ] && continue
	grep -qF -- "$want" "$tmp/virt.dts" || fail "no '$want' in the tree"
done <<'WANT'
compatible = "riscv-virtio";
model = "riscv-virtio,qemu";
stdout-path = "/soc/serial@10000000";
timebase-frequency = <0x989680>;
cpu@0 {
cpu@2 {
riscv,isa = "rv64imafdc_zic64b_ziccamoa_ziccif_zicclsm_ziccrse_zicntr_zicsr_zifencei_zihintpause_zihpm_za64rs_zkt_ssccptr_sscounterenw_sstc_sstvala_sstvecd_svadu";
mmu-type = "riscv,sv48";
compatible = "riscv,cpu-intc";
core2 {
memory@80000000 {
reg = <0x00 0x80000000 0x00 0x8000000>;
compatible = "simple-bus";
clint@2000000 {
compatible = "sifive,clint0\0riscv,clint0";
plic@c000000 {
compatible = "sifive,plic-1.0.0\0riscv,plic0";
riscv,ndev = <0x5f>;
rtc@101000 {
compatible = "google,goldfish-rtc";
interrupts = <0x0b>;
serial@10000000 {
compatible = "ns16550a";
clock-frequency = "\08@";
test@100000 {
compatible = "sifive,test1\0sifive,test0\0syscon";
compatible = "syscon-poweroff";
value = <0x5555>;
compatible = "syscon-reboot";
value = <0x7777>;
virtio_mmio@10001000 {
virtio_mmio@10008000 {
pci@30000000 {
compatible = "pci-host-ecam-generic";
device_type = "pci";
reg = <0x00 0x30000000 0x00 0x10000000>;
bus-range = <0x00 0xff>;
linux,pci-domain = <0x00>;
dma-coherent;
#address-cells = <0x03>;
#interrupt-cells = <0x01>;
interrupt-map-mask = <0x1800 0x00 0x00 0x07>;
ranges = <0x1000000 0x00 0x00 0x00 0x3000000 0x00 0x10000 0x2000000 0x00 0x40000000 0x00 0x40000000 0x00 0x40000000 0x3000000 0x04 0x00 0x04 0x00 0x04 0x00>;
WANT
# QEMU's eight slots and, last, rvjit's power button (loader/virt.h).
[ "$(grep -c 'compatible = "virtio,mmio"' "$tmp/virt.dts")" = 9 ] || fail "not 9 virtio_mmio nodes"
last=$(grep -o 'virtio_mmio@[0-9a-f]*' "$tmp/virt.dts" | tail -1)
[ "$last" = virtio_mmio@10009000 ] || fail "last virtio node is $last, not the power button's"
# PCIe INTx: slot s pin p to PLIC 32 + (s + p - 1) mod 4, as QEMU's
# interrupt-map (the PLIC is phandle 7 with three harts).
grep -qF -- "interrupt-map = <0x00 0x00 0x00 0x01 0x07 0x20 0x00 0x00 0x00 0x02 0x07 0x21 0x00 0x00 0x00 0x03 0x07 0x22 0x00 0x00 0x00 0x04 0x07 0x23 0x800 0x00 0x00 0x01 0x07 0x21 0x800 0x00 0x00 0x02 0x07 0x22 0x800 0x00 0x00 0x03 0x07 0x23 0x800 0x00 0x00 0x04 0x07 0x20 0x1000 0x00 0x00 0x01 0x07 0x22 0x1000 0x00 0x00 0x02 0x07 0x23 0x1000 0x00 0x00 0x03 0x07 0x20 0x1000 0x00 0x00 0x04 0x07 0x21 0x1800 0x00 0x00 0x01 0x07 0x23 0x1800 0x00 0x00 0x02 0x07 0x20 0x1800 0x00 0x00 0x03 0x07 0x21 0x1800 0x00 0x00 0x04 0x07 0x22>;" "$tmp/virt.dts" ||
	fail "the PCIe interrupt-map is not QEMU's"
[ "$(grep -c 'device_type = "cpu"' "$tmp/virt.dts")" = 3 ] || fail "not 3 cpu nodes"
# Three harts: CLINT and PLIC list an (M, S or M) pair per hart.
grep -q 'interrupts-extended = <0x02 0x03 0x02 0x07 0x04 0x03 0x04 0x07 0x06 0x03 0x06 0x07>' \
	"$tmp/virt.dts" || fail "CLINT interrupts-extended is not msip/mtip per hart"
grep -q 'interrupts-extended = <0x02 0x0b 0x02 0x09 0x04 0x0b 0x04 0x09 0x06 0x0b 0x06 0x09>' \
	"$tmp/virt.dts" || fail "PLIC interrupts-extended is not MEIP/SEIP per hart"
# QEMU's order: virtio slots from the highest address down.
first=$(grep -o 'virtio_mmio@[0-9a-f]*' "$tmp/virt.dts" | head -1)
[ "$first" = virtio_mmio@10008000 ] || fail "first virtio node is $first, not virtio_mmio@10008000"
grep -q bootargs "$tmp/virt.dts" && fail "bootargs without -append"

# -cpu max: Sv57 is the largest satp mode, and the CMO block sizes are
# there under QEMU's names; -cpu rv64 has none of them.
grep -q 'cbo' "$tmp/virt.dts" && fail "CMO block sizes without Zicbom/Zicboz/Zicbop"
"$rvjit" -machine virt,dumpdtb="$tmp/max.dtb" -cpu max -nographic -bios none ||
	fail "dumpdtb with -cpu max exited with status $?"
decompile "$tmp/max.dtb" "$tmp/max.dts"
for want in 'mmu-type = "riscv,sv57";' 'riscv,cbom-block-size = <0x40>;' \
	'riscv,cboz-block-size = <0x40>;' 'riscv,cbop-block-size = <0x40>;'; do
	grep -qF -- "$want" "$tmp/max.dts" || fail "no '$want' with -cpu max"
done

# -append and -initrd: a raw "kernel" at 0x80000000 (no firmware), the
# initrd at entry + min(RAM / 2, 128 MiB), as QEMU's riscv_load_initrd.
printf 'kernel' >"$tmp/kernel.bin"
printf '0123456789' >"$tmp/initrd.img"
"$rvjit" -machine virt,dumpdtb="$tmp/chosen.dtb" -m 128M -bios none -kernel "$tmp/kernel.bin" \
	-initrd "$tmp/initrd.img" -append "console=ttyS0 root=/dev/vda rw" ||
	fail "dumpdtb with -append/-initrd exited with status $?"
decompile "$tmp/chosen.dtb" "$tmp/chosen.dts"
grep -qF 'bootargs = "console=ttyS0 root=/dev/vda rw";' "$tmp/chosen.dts" || fail "no bootargs from -append"
grep -qF 'linux,initrd-start = <0x84000000>;' "$tmp/chosen.dts" || fail "initrd-start is not 0x84000000"
grep -qF 'linux,initrd-end = <0x8400000a>;' "$tmp/chosen.dts" || fail "initrd-end is not 0x8400000a"
# With 1 GiB the initrd goes 128 MiB after the kernel.
"$rvjit" -machine virt,dumpdtb="$tmp/big.dtb" -m 1G -bios none -kernel "$tmp/kernel.bin" \
	-initrd "$tmp/initrd.img" || fail "dumpdtb with -m 1G exited with status $?"
decompile "$tmp/big.dtb" "$tmp/big.dts"
grep -qF 'linux,initrd-start = <0x88000000>;' "$tmp/big.dts" || fail "initrd-start is not 0x88000000 with 1G"

# -dtb: a missing file and a file that is not a device tree get one error.
out=$("$rvjit" -bios none -kernel "$tmp/kernel.bin" -dtb "$tmp/none.dtb" 2>&1) &&
	fail "-dtb with a missing file succeeded"
echo "$out" | grep -q "^rvjit: -dtb .*none.dtb: No such file" || fail "unexpected -dtb error: $out"
out=$("$rvjit" -bios none -kernel "$tmp/kernel.bin" -dtb "$tmp/kernel.bin" 2>&1) &&
	fail "-dtb with a non-FDT file succeeded"
echo "$out" | grep -q "not a flattened device tree" || fail "unexpected -dtb error: $out"
# -dtb with a real tree is passed on unchanged: dumpdtb gives it back.
"$rvjit" -machine virt,dumpdtb="$tmp/again.dtb" -bios none -kernel "$tmp/kernel.bin" \
	-dtb "$tmp/chosen.dtb" || fail "dumpdtb with -dtb exited with status $?"
cmp -s "$tmp/chosen.dtb" "$tmp/again.dtb" || fail "-dtb's tree is not the one passed on"

[ $status = 0 ] && echo "PASS: device tree"
exit $status
