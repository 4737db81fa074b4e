#!/bin/sh
# -smp as QEMU 7.2 takes it: each bad topology or syntax is refused with
# QEMU's own message (and when qemu-system-riscv64 is installed, QEMU is
# asked too, so the table stays QEMU's); a good one starts `cpus` harts;
# and the device tree's cpu nodes, cpu-map and CLINT/PLIC wiring are
# QEMU's, node for node, up to 512 harts (compared with QEMU's dumpdtb
# when it is installed; phandle numbers, the riscv,isa properties (QEMU 7.2 writes no
# riscv,isa-base or riscv,isa-extensions) and the #address-cells
# of cpu-intc nodes differ on purpose, see loader/virt_fdt.c).
# usage: smp_topology.sh RVJIT
rvjit=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
qemu=$(command -v qemu-system-riscv64)

# refused ARG MESSAGE: one line "rvjit: MESSAGE", a non-zero exit; QEMU's
# line is "qemu-system-riscv64: MESSAGE".
refused() {
	out=$("$rvjit" -machine virt,dumpdtb="$tmp/x.dtb" -bios none -smp "$1" 2>&1) &&
		fail "-smp $1 accepted"
	[ "$out" = "rvjit: $2" ] || fail "-smp $1: '$out', want 'rvjit: $2'"
	if [ -n "$qemu" ]; then
		out=$("$qemu" -machine virt,dumpdtb="$tmp/q.dtb" -nographic -smp "$1" 2>&1)
		[ "$out" = "qemu-system-riscv64: $2" ] || fail "QEMU says '$out' for -smp $1"
	fi
}
topo="Invalid CPU topology: product of the hierarchy must match maxcpus:"
refused 513 "Invalid SMP CPUs 513. The max CPUs supported by machine 'virt' is 512"
refused sockets=2,cores=300 "Invalid SMP CPUs 600. The max CPUs supported by machine 'virt' is 512"
refused cpus=4,sockets=3 "$topo sockets (3) * cores (1) * threads (1) != maxcpus (4)"
refused 8,sockets=2,cores=3 "$topo sockets (2) * cores (3) * threads (1) != maxcpus (8)"
refused 4,maxcpus=8,sockets=3 "$topo sockets (3) * cores (2) * threads (1) != maxcpus (8)"
refused 4,maxcpus=2 "Invalid CPU topology: maxcpus must be equal to or greater than smp: sockets (1) * cores (2) * threads (1) == maxcpus (2) < smp_cpus (4)"
refused 8,dies=2 "dies not supported by this machine's CPU topology"
refused 8,clusters=2 "clusters not supported by this machine's CPU topology"
refused abc "Parameter 'smp.cpus' expects integer"
refused 4,foo=1 "Parameter 'smp.foo' is unexpected"
refused 4,8 "-smp 4,8: Invalid parameter '8'"
refused 4,cpus "-smp 4,cpus: Expected '=' after parameter 'cpus'"

# A 0 is omitted, with QEMU's warning; the run goes on.
out=$("$rvjit" -machine virt,dumpdtb="$tmp/x.dtb" -bios none -smp 4,sockets=0 2>&1) ||
	fail "-smp 4,sockets=0 refused: $out"
[ "$out" = "rvjit: warning: Deprecated CPU topology (considered invalid): CPU topology parameters must be greater than zero" ] ||
	fail "-smp 4,sockets=0: '$out'"

if ! command -v dtc >/dev/null; then
	echo "dtc is missing: device trees not checked"
	[ $status = 0 ] && echo "PASS: -smp topology (options only)"
	exit $status
fi

# The properties of a decompiled tree, one "PATH PROP = VALUE" line each,
# phandle cells replaced by the path of the node they name (two passes:
# the first learns the phandles), sorted; without what differs on purpose.
properties() {
	dtc -I dtb -O dts -o "$1.dts" "$1" 2>/dev/null || { fail "dtc cannot read $1"; return; }
	awk '
	function path(   p, i) { for (i = 1; i <= depth; i++) p = p "/" stack[i]; return p }
	FNR == 1 { depth = -1 }
	$NF == "{" { depth++; if (depth > 0) stack[depth] = $1; next }
	$1 == "};" { depth--; next }
	/;$/ {
		line = $0; sub(/^[ \t]+/, "", line); sub(/;$/, "", line)
		n = index(line, " = "); prop = n ? substr(line, 1, n - 1) : line
		val = n ? substr(line, n + 3) : ""
		if (FNR == NR) { if (prop == "phandle") { gsub(/[<>]/, "", val); owner[val] = path() } next }
		if (prop == "phandle") next
		if (prop == "cpu" || prop == "interrupts-extended") {
			gsub(/[<>]/, "", val); k = split(val, cell, " "); val = ""
			for (c = 1; c <= k; c++)
				val = val (c > 1 ? " " : "") ((c % 2 || prop == "cpu") ? owner[cell[c]] : cell[c])
		}
		print path() " " prop (n ? " = " val : "")
	}' "$1.dts" "$1.dts" |
		grep -E '^/cpus|^/soc/(clint|plic)@[0-9a-f]+ interrupts-extended' |
		grep -vE ' (riscv,isa|riscv,isa-base|riscv,isa-extensions|#address-cells) ' | sort
}

# ARG CPUS: rvjit's tree has CPUS harts (and QEMU's is the same).
tree() {
	"$rvjit" -machine virt,dumpdtb="$tmp/r.dtb" -bios none -smp "$1" ||
		{ fail "-smp $1: dumpdtb failed"; return; }
	properties "$tmp/r.dtb" >"$tmp/r.txt"
	n=$(grep -c ' device_type = "cpu"' "$tmp/r.txt")
	[ "$n" = "$2" ] || fail "-smp $1: $n cpu nodes, want $2"
	n=$(grep -c '^/cpus/cpu-map/cluster0/core[0-9]* cpu = ' "$tmp/r.txt")
	[ "$n" = "$2" ] || fail "-smp $1: $n cores in cpu-map/cluster0, want $2"
	last=$(($2 - 1))
	grep -qx "/cpus/cpu-map/cluster0/core$last cpu = /cpus/cpu@$last" "$tmp/r.txt" ||
		fail "-smp $1: core$last is not cpu@$last"
	grep -qE "^/soc/plic@c000000 interrupts-extended = (.* )?/cpus/cpu@$last/interrupt-controller 0x0b /cpus/cpu@$last/interrupt-controller 0x09\$" "$tmp/r.txt" ||
		fail "-smp $1: the PLIC does not end with hart $last's M and S contexts"
	grep -qE "^/soc/clint@2000000 interrupts-extended = (.* )?/cpus/cpu@$last/interrupt-controller 0x03 /cpus/cpu@$last/interrupt-controller 0x07\$" "$tmp/r.txt" ||
		fail "-smp $1: the CLINT does not end with hart $last's msip and mtimecmp"
	[ -n "$qemu" ] || return
	"$qemu" -machine virt,dumpdtb="$tmp/q.dtb" -nographic -smp "$1" >/dev/null 2>&1 ||
		{ fail "QEMU -smp $1: dumpdtb failed"; return; }
	properties "$tmp/q.dtb" >"$tmp/q.txt"
	diff "$tmp/q.txt" "$tmp/r.txt" >"$tmp/diff" ||
		{ fail "-smp $1: the tree differs from QEMU's (< QEMU, > rvjit):"; head -20 "$tmp/diff"; }
}
tree 1 1
tree 3 3
tree 12 12
tree sockets=2,cores=2,threads=2 8
tree 4,maxcpus=8 4
tree 64 64
tree 512 512

[ $status = 0 ] && echo "PASS: -smp topology${qemu:+ (compared with QEMU)}"
exit $status
