#!/bin/sh
# `cmake --install` into a scratch prefix: the installed rvjit runs a guest
# by its bare name on PATH, its man page has an entry per option, and the
# installed bash completion offers its options.
# usage: install.sh BUILD_DIR GUEST_ELF
set -u
build=$1
guest=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cmake --install "$build" --prefix "$prefix" >/dev/null || { echo "FAIL: cmake --install"; exit 1; }
[ -x "$prefix/bin/rvjit" ] || fail "no $prefix/bin/rvjit"

out=$(cd / && PATH="$prefix/bin:$PATH" rvjit "$guest" </dev/null 2>&1)
printf '%s\n' "$out" | grep -q 'hello' || fail "installed rvjit did not run the guest: $out"

page="$prefix/share/man/man1/rvjit.1"
if [ ! -f "$page" ]; then
	fail "no man page at $page"
else
	# Every option --help lists is an entry of the page's OPTIONS.
	for opt in -kernel -drive -gdb --interp -no-shutdown; do
		grep -q "^\.B $(printf '%s' "$opt" | sed 's/-/\\\\-/g')\( \|$\)" "$page" ||
			fail "the man page has no entry for $opt"
	done
fi

completion="$prefix/share/bash-completion/completions/rvjit"
if [ ! -f "$completion" ]; then
	fail "no bash completion at $completion"
elif command -v bash >/dev/null; then
	words=$(PATH="$prefix/bin:$PATH" bash -c '. "$1"; COMP_WORDS=(rvjit -ker); COMP_CWORD=1; _rvjit; echo "${COMPREPLY[*]}"' _ "$completion")
	[ "$words" = "-kernel" ] || fail "completing -ker gave '$words'"
	words=$(PATH="$prefix/bin:$PATH" bash -c '. "$1"; COMP_WORDS=(rvjit -sn); COMP_CWORD=1; _rvjit; echo "${COMPREPLY[*]}"' _ "$completion")
	[ "$words" = "-snapshot" ] || fail "completing -sn gave '$words'"
fi

[ $fails -eq 0 ] && echo "install: ok"
exit $fails
