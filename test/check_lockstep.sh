#!/bin/sh
# The lockstep check (--check): real guest programs run with the
# interpreter compared against the translator after every run of
# translated code (chained blocks and loops included), and a
# deliberately corrupted result (--check-selftest flips a bit of x5) is
# caught, named, and ends the run with a failure status.
# usage: check_lockstep.sh RVJIT GUEST_DIR
rvjit=$1 dir=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
# Integer, M/A/F/D, RVC, traps, CSRs, Sv39, PMP, SMC, interrupts and loop
# regions; NAME@CPU
# runs with -cpu CPU (the extensions' own guests).
for g in rvc_all_forms m_extension_edge_cases lrsc_reservation_rules fp_rounding_and_flags \
	illegal_instruction_tval csr_warl_fields precise_trap_in_block instret_is_precise \
	misaligned_and_access_faults sv39_basic_translation pmp_enforced_for_supervisor \
	smc_store_then_fence_i code_page_reuse trap_ecall_cause_per_mode jalr_return_stack \
	vectored_interrupt_and_priority uart_hello hostile_satp_and_page_tables \
	cbo_zero_and_cache_block_checks@max svpbmt_svnapot_svade_page_tables@max \
	sv57_five_level_walk@max loop_regions; do
	cpu=rv64
	case $g in *@*) cpu=${g#*@} g=${g%@*} ;; esac
	timeout 60 "$rvjit" -cpu "$cpu" --check "$dir/$g.elf" </dev/null >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || grep -q disagree "$out" || ! grep -Eq -- '--check: [1-9][0-9]* blocks checked' "$out"; then
		echo "FAIL: $g under --check (exit $rc)"
		cat "$out"
		fail=1
	else
		echo "ok: $g: $(grep -- '--check:' "$out")"
	fi
done

# Chaining, loops and the jump cache stay on under --check: most blocks of a
# call-heavy program are entered from translated code, not the dispatcher.
timeout 60 "$rvjit" --check "$dir/jalr_return_stack.elf" </dev/null >"$out" 2>&1
if ! grep -Eq -- '--check: [0-9]+ blocks checked \([1-9][0-9]* of them entered from translated code' "$out"; then
	echo "FAIL: --check compared no block entered from translated code"
	cat "$out"
	fail=1
else
	echo "ok: chained blocks are checked"
fi

# The checker must catch a wrong result, name the register and stop.
timeout 60 "$rvjit" --check-selftest "$dir/jalr_return_stack.elf" </dev/null >"$out" 2>&1
rc=$?
if [ $rc -eq 0 ] || ! grep -q 'disagree' "$out" || ! grep -Eq '^  x5: translated' "$out" ||
	! grep -q -- '--- host code' "$out" || ! grep -q -- '--- guest code' "$out"; then
	echo "FAIL: --check-selftest was not reported as a divergence of x5 (exit $rc)"
	cat "$out"
	fail=1
else
	echo "ok: the corrupted x5 was caught (exit $rc)"
fi

# --check needs the translator.
if "$rvjit" --check --interp "$dir/uart_hello.elf" </dev/null >"$out" 2>&1 || ! grep -q -- '--check' "$out"; then
	echo "FAIL: --check --interp was not refused"
	fail=1
fi
exit $fail
