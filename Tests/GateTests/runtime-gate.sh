#!/bin/sh
# The runtime coverage gate (docs/coverage-gate.md, "Runtime gate"): with ALLOCTAG_DEBUG=fatal an
# instrumented program exits 1 at exit when its own code allocated with no current tag, and the
# warning names the place (addr2line turns image+offset into file:line). Needs cc and addr2line
# (binutils). About 2 s. Usage: Tests/GateTests/runtime-gate.sh   (from anywhere)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
core="$root/Sources/TagRuntime/Core"
work=$(mktemp -d "${TMPDIR:-/tmp}/alloctag-runtime-gate.XXXXXX")
trap 'rm -rf "$work"' EXIT
counter_suite=runtime-gate
. "$root/Tests/lib/counter.sh"
contains() { case $1 in *"$2"*) return 0 ;; esac; return 1; }

cat >"$work/probe.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <alloc_tag/override.h>
static void *volatile sink;
int main(int argc, char **argv)
{
	sink = malloc(16);
	free(sink);
	if (argc > 1) {
		sink = malloc_noprof(24);
		free(sink);
	}
	(void)argv;
	puts("done");
	return 0;
}
C
${CC:-cc} -g -O1 -D_GNU_SOURCE -I"$core/include" -o "$work/probe" "$work/probe.c" "$core"/*.c -lpthread -ldl

# run DEBUG ARGS...: sets $status, $out, $err
run() {
	debug=$1
	shift
	status=0
	if [ -n "$debug" ]; then
		ALLOCTAG_DEBUG=$debug "$work/probe" "$@" >"$work/out" 2>"$work/err" || status=$?
	else
		env -u ALLOCTAG_DEBUG "$work/probe" "$@" >"$work/out" 2>"$work/err" || status=$?
	fi
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}

run fatal
check "all tagged, fatal: status $status, expected 0 ($err)" [ "$status" = 0 ]
check "all tagged, fatal: no stderr (got: $err)" [ -z "$err" ]

run fatal untagged
check "untagged, fatal: status $status, expected 1" [ "$status" = 1 ]
check "untagged, fatal: the program runs to its end (stdout: $out)" [ "$out" = done ]
check "untagged, fatal: a warning naming the place" \
	contains "$err" "allocation with no current tag from instrumented code at "
check "untagged, fatal: the place is an image offset" contains "$err" "probe+0x"
check "untagged, fatal: the exit message" \
	contains "$err" "ALLOCTAG_DEBUG=fatal: 1 debug warning(s) fired; exiting with status 1"
offset=$(printf '%s\n' "$err" | sed -n 's/.*probe+\(0x[0-9a-f]*\)).*/\1/p' | head -n 1)
# addr2line comes with binutils, which Tests/setup installs: no skip.
where=$(addr2line -e "$work/probe" "$offset")
check "addr2line $offset gives $work/probe.c:10 (got '$where')" [ "$where" = "$work/probe.c:10" ]

run 1 untagged
check "untagged, ALLOCTAG_DEBUG=1: status $status, expected 0 (warn only)" [ "$status" = 0 ]
check "untagged, ALLOCTAG_DEBUG=1: a warning" contains "$err" "allocation with no current tag"

run "" untagged
check "untagged, no debug: status $status, expected 0" [ "$status" = 0 ]
check "untagged, no debug: no stderr (got: $err)" [ -z "$err" ]

finish
