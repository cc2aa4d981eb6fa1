#!/usr/bin/env bash
# Soak test of the runtime (docs/reliability.md): Tests/Soak/soak.c runs threads, forks,
# dlopen/dlclose, cross-thread frees and the run-time switch at once for SOAK_SECONDS (15 by
# default) in each reference form (`1`: compressed, the default, and `1,header`), with the shared runtime and
# live inspection on, while this script reads its report from outside as often as it can.
# Passes when the program's checks pass (every site of soak.c and of the library back at
# 0 bytes in 0 calls), every live report and the report written at exit is well-formed, and the
# report at exit shows every soak.c site at zero.  Ends with "soak: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
core=$root/Sources/TagRuntime/Core
rt=$root/Tests/RuntimeC
seconds=${SOAK_SECONDS:-15}
work=$(mktemp -d "${TMPDIR:-/tmp}/alloctag-soak.XXXXXX")
trap 'rm -rf "$work"' EXIT
counter_suite=soak
. "$root/Tests/lib/counter.sh"

# A report line: "%12lli %8llu file:line [module] func:name[ accurate:no] " (allocinfo v2.0).
line_re='^ *-?[0-9]+ +-?[0-9]+ [^ ]+:[0-9]+( \[[^] ]+\])? func:[^ ]+( accurate:no)? $'
well_formed() { # FILE: header, then only report lines
	[ "$(sed -n 1p "$1")" = "allocinfo - version: 2.0" ] &&
		[ "$(sed -n 2p "$1")" = "#     <size>  <calls> <tag info>" ] &&
		[ "$(tail -n +3 "$1" | grep -cvE "$line_re")" -eq 0 ] &&
		[ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]
}

common=(-O2 -g -Wall -Werror -D_GNU_SOURCE -I "$core/include")
link=(-L "$work" -lTagRuntimePreload -Wl,-rpath,"$work" -lpthread)
if ! gcc "${common[@]}" -shared -fPIC "$core"/*.c -o "$work/libTagRuntimePreload.so" -lpthread ||
	! gcc "${common[@]}" -shared -fPIC "$rt/lib_tagged.c" "${link[@]}" -o "$work/lib_tagged.so" ||
	! gcc "${common[@]}" "$here/soak.c" "${link[@]}" -ldl -o "$work/soak" ||
	! gcc -O2 "$rt/inspect_client.c" -o "$work/inspect_client"; then
	echo "soak: cannot build"
	exit 1
fi

for mode in 1 1,header; do
	rm -f "$work"/report.* "$work"/live.*
	# env execs the program: $! is its pid.
	env ALLOCTAG_PROFILING=$mode ALLOCTAG_INSPECT=1 ALLOCTAG_REPORT="$work/report.%p.txt" \
		"$work/soak" "$work/lib_tagged.so" "$seconds" >"$work/soak.out" 2>"$work/soak.err" &
	pid=$!
	sleep 0.5
	reads=0 bad=0
	# Until it exits (a zombie, not yet waited for, still answers kill -0).
	while [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
		if "$work/inspect_client" "$pid" >"$work/live.txt" 2>/dev/null && [ -s "$work/live.txt" ]; then
			reads=$((reads + 1))
			well_formed "$work/live.txt" || { bad=$((bad + 1)); cp "$work/live.txt" "$work/live.bad"; }
		fi
		sleep 0.2
	done
	wait "$pid"
	status=$?
	sed "s/^/  [$mode] /" "$work/soak.out"
	if [ "$status" -eq 0 ]; then pass; else fail "$mode: soak exited $status"; cat "$work/soak.err"; fi
	if [ "$reads" -ge 3 ] && [ "$bad" -eq 0 ]; then pass; else
		fail "$mode: $reads live reports, $bad malformed"; [ -f "$work/live.bad" ] && grep -vnE "$line_re" "$work/live.bad" | head -5
	fi
	report=$work/report.$pid.txt
	if [ -f "$report" ] && well_formed "$report"; then pass; else fail "$mode: report at exit missing or malformed"; fi
	sites=$(grep -c "soak\.c:" "$report" 2>/dev/null)
	zero=$(grep -cE "^           0        0 [^ ]*soak\.c:[0-9]+ func:" "$report" 2>/dev/null)
	if [ "${sites:-0}" -eq 7 ] && [ "$zero" -eq 7 ]; then pass; else fail "$mode: $zero of $sites soak.c sites at zero at exit, expected 7 of 7"; fi
	echo "  [$mode] $reads live reports read, well-formed"
done
finish
