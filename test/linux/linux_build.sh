#!/bin/sh
# ctest's linux_build (the fixture of the linux_boot_* tests): the kernel and
# the initramfs in $RVJIT_LINUX_DIR, or in OUTDIR when that is unset.
#   usage: linux_build.sh OUTDIR
# .ci/test sets RVJIT_LINUX_DIR so that both of its builds (normal and
# sanitizer) share one kernel; build-kernel.sh skips an up-to-date kernel.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${RVJIT_LINUX_DIR:-${1:?usage: linux_build.sh OUTDIR}}
start=$(date +%s)
nice -n 5 sh "$here/build-kernel.sh" "$out"
sh "$here/build-initramfs.sh" "$out"
echo "linux_build: $out ready in $(( $(date +%s) - start )) s"
