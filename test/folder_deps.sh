#!/bin/sh
# The folder graph has no cycles: every #include that crosses folders points
# one of the allowed ways (README, "Layout"):
#
#   cli     -> core, jit, loader, devices, fdt   (the user interface)
#   user    -> core, jit, cli                     (rvjit-user's front end)
#   loader  -> core, devices, fdt                 (the board)
#   devices -> core, fdt
#   jit     -> core
#   core, fdt -> nothing outside themselves
#
# Only folders are checked, not which header is used. A quoted include
# without a folder ("clint.h") names a file of the includer's own folder:
# that is where the compiler looks first, and the project root has none.
# Prints every folder -> folder pair with its number of includes, then each
# forbidden include; exits 1 if there is one.
#
# usage: folder_deps.sh [SOURCE_ROOT]   (default: this script's ../)
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2

folders="cli user core jit loader devices fdt"
allowed=" user:core user:jit user:cli cli:core cli:jit cli:loader cli:devices cli:fdt loader:core loader:devices loader:fdt devices:core devices:fdt jit:core "

fails=0
# A new top-level folder of C sources must join the table first.
for dir in */; do
	dir=${dir%/}
	case " $folders test bench " in *" $dir "*) continue ;; esac
	[ -f "$dir/CMakeCache.txt" ] && continue # a build directory
	if ls "$dir"/*.c "$dir"/*.h 2>/dev/null | grep -q .; then
		echo "FAIL: $dir/ holds C sources but is not in folder_deps.sh's table"
		fails=$((fails + 1))
	fi
done

# "from to file include" for every quoted include in the source folders.
edges=$(for from in $folders; do
	[ -d "$from" ] || continue
	grep -H -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
		"$from"/*.c "$from"/*.h "$from"/*.def 2>/dev/null |
		sed -E 's/^([^:]*):[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1 \2/' |
		while read -r file inc; do
			case $inc in
			*/*) to=${inc%%/*} ;;
			*) to=$from ;;
			esac
			echo "$from $to $file $inc"
		done
done)

echo "folder -> folder (includes):"
echo "$edges" | awk 'NF && $1 != $2 { print "  " $1 " -> " $2 }' | sort | uniq -c |
	awk '{ print "  " $2 " " $3 " " $4 " (" $1 ")" }'

bad=$(echo "$edges" | while read -r from to file inc; do
	[ -n "$from" ] || continue
	[ "$from" = "$to" ] && continue
	case "$allowed" in *" $from:$to "*) continue ;; esac
	echo "FAIL: $file includes \"$inc\": $from -> $to is not an allowed direction"
done)
if [ -n "$bad" ]; then
	echo "$bad"
	fails=$((fails + $(echo "$bad" | wc -l)))
fi

echo "folder_deps: $fails forbidden"
[ $fails -eq 0 ]
