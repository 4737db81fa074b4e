# bash completion for rvjit. Option names come from `rvjit --help` of the
# rvjit being completed, so they always match the binary.

_rvjit_options()
{
	"$1" --help 2>/dev/null |
		sed -n 's/^ \{0,2\}\(--\{0,1\}[A-Za-z][A-Za-z0-9_-]*\).*/\1/p' | sort -u
}

_rvjit()
{
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	-kernel | -bios | -initrd | -dtb | -hda | -pidfile | -D | -loadvm)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-machine | -M)
		COMPREPLY=($(compgen -W "virt help" -- "$cur"))
		return
		;;
	-d)
		local cats
		cats=$("${COMP_WORDS[0]}" -d help 2>/dev/null | awk 'NR > 1 && /^[a-z]/ { print $1 }')
		COMPREPLY=($(compgen -W "$cats" -- "${cur##*,}"))
		return
		;;
	-monitor | -serial)
		COMPREPLY=($(compgen -W "stdio none null mon:stdio pty file: chardev: tcp: telnet: unix:" -- "$cur"))
		return
		;;
	-chardev)
		COMPREPLY=($(compgen -W "null, stdio, file, socket, pty," -- "$cur"))
		return
		;;
	-object)
		COMPREPLY=($(compgen -W "rng-random, rng-builtin," -- "$cur"))
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_rvjit_options "${COMP_WORDS[0]}")" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

complete -F _rvjit rvjit
