#!/bin/sh
# Write rvjit's man page (troff) to stdout. The OPTIONS section is made from
# `rvjit --help`, which the option table generates, so the page lists
# exactly the options of the binary it describes.
# usage: manpage.sh RVJIT
rvjit=$1
version=$("$rvjit" --version | head -n 1) || exit 1
cat <<'HEAD'
.TH RVJIT 1
.SH NAME
rvjit \- RISC\-V system emulator for QEMU's virt board, with a translator to x86\-64
.SH SYNOPSIS
.B rvjit
[\fIoptions\fR] \fIPROGRAM\fR
.br
.B rvjit
\-machine virt [\-bios none|default|\fIFILE\fR] \-kernel \fIPROGRAM\fR [\fIoptions\fR]
.SH DESCRIPTION
.B rvjit
runs RISC\-V RV64GC software built for
.B qemu\-system\-riscv64 \-machine virt
(bare\-metal programs, OpenSBI, U\-Boot, xv6, Linux) with QEMU's command
line, console escapes, monitor and gdb stub. Guest code runs through a
dynamic binary translator on x86\-64 hosts, or through the interpreter
(\-\-interp). A run ends when the guest writes its exit code through HTIF or
the test finisher; that code is rvjit's exit status.
.SH OPTIONS
HEAD
"$rvjit" --help | awk '
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	return s
}
# The options start at the first section title; the prose before it is
# the usage text the DESCRIPTION above already gives.
!started && /^[A-Z]/ { started = 1 }
!started { next }
/^$/ { title = ""; next }
console { print esc($0); next }
# A title: text in column 0 ending with a colon (it may take two lines).
/^[A-Za-z]/ && !/^-/ {
	title = title (title == "" ? "" : " ") $0
	if (title ~ /:$/) {
		print ".SS " esc(title)
		title = ""
	} else if (title ~ /^Console:/) {
		print ".SH CONSOLE"
		print esc(title)
		title = ""
		console = 1
	}
	next
}
# An option: up to the first run of two spaces, then its text.
/^ ? ?-/ {
	line = $0
	sub(/^ +/, "", line)
	split(line, parts, /  +/)
	print ".TP"
	print ".B " esc(parts[1])
	rest = substr(line, length(parts[1]) + 1)
	sub(/^ +/, "", rest)
	if (rest != "") print esc(rest)
	next
}
/^   / { line = $0; sub(/^ +/, "", line); print esc(line); next }
'
cat <<TAIL
.SH SEE ALSO
.BR qemu\-system\-riscv64 (1),
.BR gdb (1).
The README in rvjit's source tree describes every option in detail, the
differences from QEMU, and how to run xv6, U\-Boot and Linux.
.SH VERSION
$version
TAIL
