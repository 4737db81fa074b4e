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
expect_error "-smp: '9'" -smp 9 "$tmp/notelf"
expect_error "unsupported machine 'sifive_u'" -machine sifive_u "$tmp/notelf"
expect_error "-d: unknown log item 'bogus'" -d bogus "$tmp/notelf"
expect_error "not a 64-bit ELF" "$tmp/elf32"
expect_error "-kernel: missing argument" -kernel
expect_error "no drive with id 'nope'" -device virtio-blk-device,drive=nope "$tmp/notelf"
expect_error "-drive file=$tmp/missing.img: .*No such file" -drive file=$tmp/missing.img,if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0 -bios none -kernel "$tmp/notelf"
expect_error "unsupported format 'vmdk'" -drive file=$tmp/zeros,if=none,format=vmdk,id=x0 "$tmp/notelf"
expect_error "/dev/zero: not a regular file" -device loader,file=/dev/zero,addr=0x80000000 -bios none -kernel "$tmp/zeros"
head -c 2097152 /dev/zero > "$tmp/big"
expect_error "does not fit in RAM" -m 1M -device loader,file="$tmp/big",addr=0x80000000 -bios none -kernel "$tmp/zeros"
expect_error "empty image" -bios none -kernel "$tmp/empty"

echo "cli_errors: $fails failed"
[ $fails -eq 0 ]
