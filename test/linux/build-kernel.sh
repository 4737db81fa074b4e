#!/bin/sh
# Build rvjit's test kernel: Debian's Linux 6.1 source (package
# linux-source-6.1), `tinyconfig` plus test/linux/kernel.config, Image only.
#
#   usage: build-kernel.sh OUTDIR
#
# OUTDIR (a build directory, never the source tree) gets the unpacked source
# in OUTDIR/linux-source-6.1 and the kernel in OUTDIR/Image. A second run with
# the same fragment (and tarball) finds OUTDIR/Image.stamp and does nothing.
# Every option of the fragment must end up in the final .config, else this
# fails. Needs riscv64-linux-gnu-gcc, make, flex, bison, bc, libssl-dev and
# libelf-dev. JOBS sets make's -j (default 2).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-kernel.sh OUTDIR}
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
fragment=$here/kernel.config
jobs=${JOBS:-2}

die() { echo "build-kernel: $*" >&2; exit 1; }
[ -f "$tarball" ] || die "$tarball not found (install linux-source-6.1)"
command -v riscv64-linux-gnu-gcc >/dev/null || die "riscv64-linux-gnu-gcc not found (install gcc-riscv64-linux-gnu)"

mkdir -p "$out"
out=$(cd "$out" && pwd)
# The stamp names everything the Image depends on: our fragment, this
# script and the tarball (by size and modification time).
stamp=$( { cat "$fragment" "$0"; ls -l --time-style=+%s "$tarball"; } | sha256sum | cut -d' ' -f1)
if [ -f "$out/Image" ] && [ "$(cat "$out/Image.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "build-kernel: $out/Image is up to date ($stamp)"
	exit 0
fi
rm -f "$out/Image" "$out/Image.stamp"

src=$out/linux-source-6.1
if [ ! -f "$src/Makefile" ]; then
	echo "build-kernel: unpacking $tarball"
	rm -rf "$src"
	tar -C "$out" -xf "$tarball"
	[ -f "$src/Makefile" ] || die "$tarball did not unpack to $src"
fi

mk() { make -C "$src" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- "$@"; }
mk -s tinyconfig
(cd "$src" && ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- \
	./scripts/kconfig/merge_config.sh -m .config "$fragment")
mk -s olddefconfig

# Every option of the fragment must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) want="# ${line%=n} is not set" ;;
	CONFIG_*) want=$line ;;
	*) continue ;;
	esac
	if ! grep -qxF "$want" "$src/.config"; then
		echo "build-kernel: '$line' is not in the final .config (have: $(grep -E "(^|# )${line%%=*}[= ]" "$src/.config" || echo nothing))" >&2
		missing=1
	fi
done < "$fragment"
[ "$missing" -eq 0 ] || die "the fragment did not apply; see above"

mk -j"$jobs" Image
cp "$src/arch/riscv/boot/Image" "$out/Image.tmp"
cp "$src/.config" "$out/config"
mv "$out/Image.tmp" "$out/Image"
# gen_init_cpio packs initramfs lists (device nodes without root).
mk -s usr/gen_init_cpio
cp "$src/usr/gen_init_cpio" "$out/gen_init_cpio"
echo "$stamp" > "$out/Image.stamp"
echo "build-kernel: built $out/Image"
