#!/bin/sh
# A guest waiting in wfi must not burn host CPU: run a guest that sleeps
# 1.5 s of guest time in wfi and check rvjit used well under that in CPU.
rvjit=$1 elf=$2
out=$( { /usr/bin/time -f "%U %S" timeout 30 "$rvjit" "$elf" >/dev/null; } 2>&1 ) || { echo "FAIL: guest failed: $out"; exit 1; }
cpu=$(printf '%s\n' "$out" | tail -1 | awk '{print $1 + $2}')
echo "CPU seconds used while the guest slept 1.5 s: $cpu"
awk -v c="$cpu" 'BEGIN { exit !(c < 0.3) }' || { echo "FAIL: an idle guest burned $cpu s of CPU"; exit 1; }
