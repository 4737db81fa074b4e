#!/bin/sh
# A fence that orders a store before a later load must become a full host
# barrier (mfence) in translated code: x86-64 reorders exactly that pair
# (guest/litmus_fences_need_host_barrier.S says why no guest run on x86-64
# can show the barrier missing). Runs the guest with -d in_asm,out_asm and
# checks, block by block, that the host code has an mfence for every such
# fence of the guest code.
# usage: fence_host_barrier.sh RVJIT ELF
rvjit=$1 elf=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! timeout 60 "$rvjit" -d in_asm,out_asm -D "$tmp/log" "$elf" </dev/null >"$tmp/out" 2>&1; then
	echo "FAIL: the guest did not pass"
	cat "$tmp/out"
	exit 1
fi
# The log (QEMU's layout): "IN: symbol", "Priv: ...", one line per guest
# instruction ("0xPC:  BITS  fence  rw,rw"), a blank line, then
# "OUT: [size=N] for PC", one line per host instruction, a blank line.
awk '
/^IN: / { section = "in"; need = 0; next }
/^OUT: / { block = $NF; section = "out"; have = 0; next }
/^$/ {
	if (section == "out") {
		if (need) {
			blocks++
			printf "block %s: %d fence(s) ordering a store before a load, %d mfence(s)\n", block, need, have
			if (have < need)
				bad++
		}
		section = ""
	}
	next
}
section == "in" && match($0, /fence +[iorw]+,[iorw]+/) {
	fence_sets = substr($0, RSTART + 5, RLENGTH - 5)
	gsub(/ /, "", fence_sets)
	split(fence_sets, sets, ",")
	if (sets[1] ~ /w/ && sets[2] ~ /r/)
		need++
}
section == "out" && $2 == "mfence" { have++ }
END {
	if (!blocks) {
		print "FAIL: no translated block with such a fence in the log"
		exit 1
	}
	if (bad) {
		print "FAIL: a fence ordering a store before a load was translated without mfence"
		exit 1
	}
}' "$tmp/log" || exit 1
grep -Eq 'fence +rw,rw' "$tmp/log" || { echo "FAIL: no fence rw,rw in the log"; exit 1; }
echo "PASS"
