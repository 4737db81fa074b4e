#!/bin/sh
# --perf-map: `perf report` must name translated guest blocks. Profile a
# guest that spends its time in a few hot loops (guest/perf_hot_loops.c)
# under `perf record` and check that most user-space samples land in
# symbols from /tmp/perf-PID.map named for guest pcs ("rvjit:0x8...").
# usage: perf_report_names_blocks.sh PERF RVJIT ELF
# Status 77 (skip) when the kernel refuses to profile, except in CI.
perf=$1 rvjit=$2 elf=$3
dir=$(mktemp -d)
pid=
trap 'rm -rf "$dir"; [ -n "$pid" ] && rm -f "/tmp/perf-$pid.map"' EXIT

# cpu-clock:u: a software event (no PMU needed, as in most VMs), user
# space only (allowed up to perf_event_paranoid 2 without root).
if ! "$perf" record -q -B -e cpu-clock:u -o "$dir/probe.data" -- true >"$dir/probe.log" 2>&1; then
	cat "$dir/probe.log"
	why="perf record cannot profile here (kernel.perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null))"
	if [ -n "$CI" ]; then
		echo "FAIL: $why"
		exit 1
	fi
	echo "SKIPPED: $why"
	exit 77
fi

# The shell records its pid and becomes rvjit, so the map's name is known.
timeout 60 "$perf" record -q -B -e cpu-clock:u -o "$dir/perf.data" -- \
	sh -c 'echo $$ >"$0/pid" && exec "$@"' "$dir" \
	"$rvjit" --perf-map "$elf" >"$dir/record.log" 2>&1
status=$?
pid=$(cat "$dir/pid" 2>/dev/null)
cat "$dir/record.log"
[ "$status" = 0 ] || { echo "FAIL: the guest under perf record exited with $status"; exit 1; }
[ -s "/tmp/perf-$pid.map" ] || { echo "FAIL: rvjit --perf-map wrote no /tmp/perf-$pid.map"; exit 1; }

"$perf" report -i "$dir/perf.data" --stdio --sort sym --percent-limit 0 >"$dir/report" 2>"$dir/report.err" ||
	{ cat "$dir/report.err"; echo "FAIL: perf report"; exit 1; }
grep -v '^#' "$dir/report" | grep . | head -n 15
# Rows are "  12.34%  [.] SYMBOL": add up the guest blocks' share.
named=$(awk '$1 ~ /%$/ && $NF ~ /^rvjit:0x8[0-9a-f]+$/ { sum += $1 } END { printf "%.1f", sum }' "$dir/report")
echo "samples in translated blocks named for their guest pc: $named%"
awk -v n="$named" 'BEGIN { exit !(n >= 50) }' ||
	{ echo "FAIL: perf report names guest blocks for only $named% of the samples"; exit 1; }
