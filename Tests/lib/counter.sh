# The one pass/fail counter of the shell suites (POSIX sh: the suites run under bash and dash).
#
#   counter_suite=NAME; . "$root/Tests/lib/counter.sh"   start counting for suite NAME
#   pass [DESCRIPTION] / fail DESCRIPTION   record one check
#   skip REASON                             a check that could not run here, said and counted
#   check DESCRIPTION COMMAND...            passes when COMMAND exits 0
#   check_flag DESCRIPTION 0|1              passes when the flag is 1 (a computed verdict)
#   finish                                  prints "NAME: N passed, N failed"; last command
#
# Invariant: `finish` fails when anything failed OR when nothing passed, so a suite whose
# inputs moved (no object file found, no report line matched, a loop over nothing) fails
# instead of passing without having checked anything.
counter_suite=${counter_suite:-$(basename "$0")}
passed=0
failed=0
skipped=0
pass() { passed=$((passed + 1)); [ $# -eq 0 ] || echo "  ok: $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL: $*"; }
skip() { skipped=$((skipped + 1)); echo "  SKIP: $*"; }
check() {
	counter_name=$1
	shift
	if "$@"; then pass "$counter_name"; else fail "$counter_name"; fi
}
check_flag() { if [ "$2" = 1 ]; then pass "$1"; else fail "$1"; fi; }
finish() {
	if [ "$skipped" -gt 0 ]; then
		echo "$counter_suite: $passed passed, $failed failed, $skipped skipped"
	else
		echo "$counter_suite: $passed passed, $failed failed"
	fi
	[ "$passed" -gt 0 ] || echo "$counter_suite: FAIL: nothing was checked"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
