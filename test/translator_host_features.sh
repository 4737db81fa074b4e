#!/bin/sh
# The host's optional instructions in the translator (jit/host_cpu.h):
# guest programs give the same results as the interpreter (--check) with
# every feature the host has and with none (RVJIT_HOST_FEATURES=none, the
# plain x86-64 sequences); with none, no optional instruction appears in
# the translated code (it would fault, or for lzcnt/tzcnt silently mean
# bsr/bsf, on a host without it); a bad value is refused.
# usage: translator_host_features.sh RVJIT GUEST_DIR
rvjit=$1 dir=$2
out=$(mktemp)
trap 'rm -f "$out" "$out.asm"' EXIT
fail=0

for features in all none; do
	for g in "bitmanip_zba_zbb -cpu max" "bitmanip_zbs_zbc_zbk_zicond -cpu max" \
		"fp_rounding_and_flags"; do
		set -- $g
		name=$1
		shift
		RVJIT_HOST_FEATURES=$features timeout 60 "$rvjit" --check "$@" "$dir/$name.elf" \
			</dev/null >"$out" 2>&1
		rc=$?
		if [ $rc -ne 0 ] || grep -q disagree "$out" ||
			! grep -Eq -- '--check: [1-9][0-9]* blocks checked' "$out"; then
			echo "FAIL: $name under --check with RVJIT_HOST_FEATURES=$features (exit $rc)"
			cat "$out"
			fail=1
		else
			echo "ok: $name, $features: $(grep -- '--check:' "$out")"
		fi
	done
done

# The optional instructions (and FMA's VEX forms) in Capstone's spelling.
optional='\b(lzcnt|tzcnt|popcnt|andn|rorx|sh[lr]x|sarx|vfn?m(add|sub)231s[sd])\b'
for g in bitmanip_zba_zbb bitmanip_zbs_zbc_zbk_zicond; do
	RVJIT_HOST_FEATURES=none "$rvjit" -cpu max -d out_asm -D "$out.asm" "$dir/$g.elf" </dev/null
	if grep -Eq "$optional" "$out.asm"; then
		echo "FAIL: $g with RVJIT_HOST_FEATURES=none uses $(grep -Eo "$optional" "$out.asm" | sort -u | tr '\n' ' ')"
		fail=1
	elif ! grep -Eq '\b(bsr|bsf|bt[src])\b' "$out.asm"; then
		echo "FAIL: $g with RVJIT_HOST_FEATURES=none: no native bit manipulation in out_asm"
		fail=1
	else
		echo "ok: $g, none: no optional instruction in the translated code"
	fi
done

# On a host that has them, they are used.
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
for pair in popcnt:popcnt abm:lzcnt bmi1:tzcnt bmi2:rorx; do
	flag=${pair%%:*} insn=${pair#*:}
	case " $flags " in
	*" $flag "*)
		RVJIT_HOST_FEATURES=all "$rvjit" -cpu max -d out_asm -D "$out.asm" \
			"$dir/bitmanip_zba_zbb.elf" </dev/null
		if grep -Eq "\\b$insn\\b" "$out.asm"; then
			echo "ok: the host has $flag: $insn is used"
		else
			echo "FAIL: the host has $flag, but no $insn in the translated code"
			fail=1
		fi
		;;
	*) echo "skip: the host has no $flag" ;;
	esac
done

# A subset that names one feature keeps only that one.
RVJIT_HOST_FEATURES=popcnt "$rvjit" -cpu max -d out_asm -D "$out.asm" "$dir/bitmanip_zba_zbb.elf" </dev/null
if grep -Eq '\b(lzcnt|tzcnt|andn|rorx)\b' "$out.asm"; then
	echo "FAIL: RVJIT_HOST_FEATURES=popcnt used another feature"
	fail=1
fi

# A name the translator does not know is one clear error at start-up.
if RVJIT_HOST_FEATURES=popcnt,avx9 "$rvjit" -cpu max "$dir/bitmanip_zba_zbb.elf" </dev/null >"$out" 2>&1 ||
	! grep -q 'RVJIT_HOST_FEATURES=popcnt,avx9' "$out"; then
	echo "FAIL: an unknown RVJIT_HOST_FEATURES name was not refused"
	cat "$out"
	fail=1
else
	echo "ok: $(cat "$out")"
fi
exit $fail
