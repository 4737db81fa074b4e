#!/bin/sh
# Build the test init (init.c, static) and pack the test initramfs:
#   usage: build-initramfs.sh OUTDIR
# OUTDIR is build-kernel.sh's: it provides OUTDIR/gen_init_cpio (the kernel's
# own packer, which makes /dev/console without root). Writes OUTDIR/init and
# OUTDIR/initramfs.cpio.gz. Needs riscv64-linux-gnu-gcc and
# libc6-dev-riscv64-cross (a static glibc).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:?usage: build-initramfs.sh OUTDIR}" && pwd)
[ -x "$out/gen_init_cpio" ] || { echo "build-initramfs: $out/gen_init_cpio missing (run build-kernel.sh $out first)" >&2; exit 1; }
riscv64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o "$out/init.tmp" "$here/init.c"
mv "$out/init.tmp" "$out/init"
sed "s|INIT|$out/init|" "$here/initramfs.list" > "$out/initramfs.list"
"$out/gen_init_cpio" "$out/initramfs.list" | gzip -9n > "$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
echo "build-initramfs: built $out/initramfs.cpio.gz"
