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
failures=0
fail() { echo "runtime-gate: FAIL: $*" >&2; failures=$((failures + 1)); }

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
[ "$status" = 0 ] || fail "all tagged, fatal: status $status, expected 0 ($err)"
[ -z "$err" ] || fail "all tagged, fatal: unexpected stderr: $err"

run fatal untagged
[ "$status" = 1 ] || fail "untagged, fatal: status $status, expected 1"
[ "$out" = done ] || fail "untagged, fatal: the program must run to its end (stdout: $out)"
case $err in
*"allocation with no current tag from instrumented code at "*"probe+0x"*) ;;
*) fail "untagged, fatal: no warning naming the place: $err" ;;
esac
case $err in
*"ALLOCTAG_DEBUG=fatal: 1 debug warning(s) fired; exiting with status 1"*) ;;
*) fail "untagged, fatal: no exit message: $err" ;;
esac
offset=$(printf '%s\n' "$err" | sed -n 's/.*probe+\(0x[0-9a-f]*\)).*/\1/p' | head -n 1)
if command -v addr2line >/dev/null 2>&1; then
	where=$(addr2line -e "$work/probe" "$offset")
	[ "$where" = "$work/probe.c:10" ] || fail "addr2line $offset gave '$where', expected $work/probe.c:10"
else
	echo "runtime-gate: addr2line not installed (binutils); skipping the file:line check" >&2
fi

run 1 untagged
[ "$status" = 0 ] || fail "untagged, ALLOCTAG_DEBUG=1: status $status, expected 0 (warn only)"
case $err in *"allocation with no current tag"*) ;; *) fail "untagged, ALLOCTAG_DEBUG=1: no warning" ;; esac

run "" untagged
[ "$status" = 0 ] || fail "untagged, no debug: status $status"
[ -z "$err" ] || fail "untagged, no debug: unexpected stderr: $err"

if [ "$failures" -ne 0 ]; then
	echo "runtime-gate: $failures failure(s)" >&2
	exit 1
fi
echo "runtime-gate: ok (fatal exits 1 naming probe.c:10; tagged code and non-fatal modes exit 0)"
