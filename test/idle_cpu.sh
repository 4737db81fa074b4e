#!/bin/sh
# A guest waiting in wfi must not burn host CPU: run a guest whose harts
# sleep in wfi (1.5 s or 2 s of guest time) and check that rvjit, every
# thread together, used under 5% of one host core over the run.
# usage: idle_cpu.sh RVJIT ELF [rvjit args...]
rvjit=$1 elf=$2
shift 2
start=$(date +%s.%N)
out=$( { /usr/bin/time -f "%U %S" timeout 30 "$rvjit" "$@" "$elf" >/dev/null; } 2>&1 ) || { echo "FAIL: guest failed: $out"; exit 1; }
end=$(date +%s.%N)
cpu=$(printf '%s\n' "$out" | tail -1 | awk '{print $1 + $2}')
wall=$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')
echo "CPU seconds used by rvjit $*: $cpu over $wall s of wall time"
awk -v c="$cpu" -v w="$wall" 'BEGIN { exit !(w >= 1.4 && c < 0.05 * w) }' ||
	{ echo "FAIL: an idle guest burned $cpu s of CPU in $wall s (or did not sleep)"; exit 1; }
