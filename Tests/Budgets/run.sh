#!/usr/bin/env bash
# Per-site budgets end to end: a C program with known allocations, built at -O0 and -O2 with
# the runtime, writes its extended report; `tagger allocinfo` turns it into JSON with exact
# cumulative counts and peaks and checks it against budget files (exit statuses, compiler-form
# findings, every reporter, a budget that follows its site when the line moves).
# Usage: Tests/Budgets/run.sh [path/to/tagger]   (default: $TAGGER, else .build/debug/tagger)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
core=$root/Sources/TagRuntime/Core
TAGGER=${1:-${TAGGER:-$root/.build/debug/tagger}}
[ -x "$TAGGER" ] || { echo "budgets: no tagger at $TAGGER (swift build first)"; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/alloctag-budgets.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2
counter_suite=budgets
. "$root/Tests/lib/counter.sh"
# expect NAME STATUS GOT_STATUS [EXPECTED_TEXT FILE]
expect() {
	if [ "$2" != "$3" ]; then fail "$1: exit $3, expected $2"; sed 's/^/    /' out err 2>/dev/null | head -10; return; fi
	if [ $# -ge 5 ] && [ "$(cat "$5")" != "$4" ]; then fail "$1: got"; sed 's/^/    /' "$5" | head -10; echo "    expected: $4"; return; fi
	pass
}

# Line 7 holds 4 MiB live (1 MiB allocated and freed before it: peak 5 MiB, the process's
# peak); line 10 allocates 1000 bytes ten times, freeing each, then keeps 500 (11 calls in
# all, peak 1000).  With an argument, line 10 keeps a second block.
write_program() { # $1: lines to put in front (moves every site down)
	{
		printf '%s' "$1"
		cat <<'C'
#include <stdlib.h>
#include <alloc_tag/alloc_tag.h>

static void *volatile keep[4];

static void *big(size_t n) {
	return keep[0] = alloc_hooks(malloc(n));
}
static void *small(size_t n) {
	return keep[1] = alloc_hooks(malloc(n));
}

int main(int argc, char **argv) {
	void *first = big(1048576);
	void *second = big(4194304);
	free(first);
	for (int i = 0; i < 10; i++)
		free(small(1000));
	keep[2] = small(500);
	if (argc > 1)
		keep[3] = small(500);
	(void)argv;
	(void)second;
	return 0;
}
C
	} > peak.c
}

build_and_run() { # $1: optimisation; writes report.txt
	gcc "$1" -D_GNU_SOURCE -I "$core/include" peak.c "$core"/*.c -o peak -lpthread 2>build.err ||
		{ fail "build peak.c $1"; cat build.err; return 1; }
	shift
	env ALLOCTAG_INSPECT=0 ALLOCTAG_PEAK_INTERVAL=1 ALLOCTAG_REPORT_EXTENDED="$work/report.txt" ./peak "$@"
}

for opt in -O0 -O2; do
	write_program ""
	build_and_run $opt || continue
	# The JSON report: exact numbers for both sites and the process's peak.
	"$TAGGER" allocinfo report.txt --format json --file peak.c > report.json 2>err
	expect "$opt json" 0 $?
	python3 - report.json > out 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 2, d["version"]
sites = {s["line"]: s for s in d["sites"]}
want = {7: (4194304, 1, 5242880, 5242880, 2), 10: (500, 1, 1000, 10500, 11)}
for line, (b, c, pb, tb, tc) in want.items():
    s = sites[line]
    got = (s["bytes"], s["calls"], s["peak_bytes"], s["total_bytes"], s["total_calls"])
    assert got == (b, c, pb, tb, tc), (line, got)
top = d["peak"]["sites"][0]
assert (top["file"], top["line"], top["function"], top["bytes"]) == ("peak.c", 7, "big", 5242880), top
assert d["peak"]["bytes"] >= 5242880 and d["peak"]["interval"] == 1, d["peak"]
print("ok")
PY
	expect "$opt json numbers" 0 $? "ok" out

	# Over, within, globs, cumulative and peak limits.
	echo '{"sites": [{"file": "peak.c", "line": 7, "max_bytes": 1048576}]}' > budget.json
	"$TAGGER" allocinfo --budget budget.json report.txt > out 2>err
	expect "$opt over budget" 1 $? "peak.c:7: error: 4194304 live bytes over budget 1048576 [alloc-budget]
budget failed: 1 error, 0 warnings, 0 notes" out
	echo '{"sites": [{"file": "peak.c", "line": 7, "max_bytes": 4194304}]}' > budget.json
	"$TAGGER" allocinfo --budget budget.json report.txt > out 2>err
	expect "$opt within budget" 0 $? "budget passed: 0 errors, 0 warnings, 0 notes" out
	printf '{"sites": [\n  {"function": "sm*", "max_total_calls": 10},\n  {"file": "*.c", "line": 7, "max_peak_bytes": 5000000, "max_total_bytes": 5242880}\n]}\n' > budget.json
	"$TAGGER" allocinfo --budget budget.json report.txt > out 2>err
	expect "$opt cumulative and peak limits" 1 $? "peak.c:7: error: 5242880 peak live bytes over budget 5000000 [alloc-budget]
peak.c:10: error: 11 allocations in total over budget 10 [alloc-budget]
budget failed: 2 errors, 0 warnings, 0 notes" out
	# The same findings through the gate's other reporters.
	"$TAGGER" allocinfo --budget budget.json report.txt --reporter github > out 2>err
	expect "$opt github reporter" 1 $?
	grep -q '^::error file=peak.c,line=10' out && pass || { fail "$opt github annotation"; cat out; }
	"$TAGGER" allocinfo --budget budget.json report.txt --reporter sarif > out 2>err
	expect "$opt sarif reporter" 1 $?
	python3 -c 'import json,sys; r=json.load(open("out"))["runs"][0]["results"]; assert [x["ruleId"] for x in r] == ["alloc-budget"]*2, r' && pass || fail "$opt sarif results"
	"$TAGGER" allocinfo --budget budget.json report.txt --reporter junit > out 2>err
	expect "$opt junit reporter" 1 $?
	grep -q '<testsuites name="alloc-tag" tests="2" failures="2"' out && pass || { fail "$opt junit"; head -3 out; }
	"$TAGGER" allocinfo --budget budget.json report.txt --reporter json > out 2>err
	expect "$opt json reporter" 1 $?
	python3 -c 'import json; d=json.load(open("out")); assert d["passed"] is False and "coverage" not in d and len(d["findings"]) == 2, d' && pass || fail "$opt json reporter content"

	# An entry whose site is gone fails the run (exit 1), at the entry's line.
	printf '{"sites": [\n  {"file": "peak.c", "line": 7, "max_bytes": 4194304},\n  {"file": "peak.c", "line": 99, "max_bytes": 1}\n]}\n' > gone.json
	"$TAGGER" allocinfo --budget gone.json report.txt > out 2>err
	expect "$opt unmatched entry" 1 $? "gone.json:3: error: budget entry matches no site in report.txt: its budget is no longer enforced [unmatched-budget-entry]
budget failed: 1 error, 0 warnings, 0 notes" out

	# A bad budget file (65, naming file and line) and a bad command line (64).
	printf '{"sites": [\n  {"file": "peak.c", "max_bytes": "1M"}\n]}\n' > bad.json
	"$TAGGER" allocinfo --budget bad.json report.txt > out 2>err
	expect "$opt bad budget file" 65 $? 'bad.json:2: error: "max_bytes" must be a whole number of 0 or more' err
	"$TAGGER" allocinfo --budget budget.json --diff report.txt report.txt > out 2>err
	expect "$opt usage" 64 $?

	# Adopt in one step, then move every line down: the recorded text still finds its site.
	"$TAGGER" allocinfo --write-budget recorded.json --tolerance 0.1 report.txt > out 2>err
	expect "$opt write budget" 0 $?
	"$TAGGER" allocinfo --budget recorded.json report.txt > out 2>err
	expect "$opt own report within" 0 $? "budget passed: 0 errors, 0 warnings, 0 notes" out
	write_program "/* one line more */
"
	build_and_run $opt || continue
	"$TAGGER" allocinfo --budget recorded.json report.txt > out 2>err
	expect "$opt after the line moved" 0 $? "budget passed: 0 errors, 0 warnings, 0 notes" out
	build_and_run $opt extra || continue
	"$TAGGER" allocinfo --budget recorded.json report.txt > out 2>err
	# 12 calls in total stay within 11 + 10% (12); 1000 live bytes do not fit 500 + 10%.
	expect "$opt regression at the moved line" 1 $? "peak.c:11: error: 1000 live bytes over budget 500 (550 with its tolerance) [alloc-budget]
peak.c:11: error: 2 live allocations over budget 1 [alloc-budget]
budget failed: 2 errors, 0 warnings, 0 notes" out
done

# Two sites with the same text in one function: the budget recorded from a report passes it.
cat > twins.c <<'C'
#include <stdlib.h>
#include <alloc_tag/alloc_tag.h>
static void *volatile keep[2];
int main(void) {
	void *buf;
	size_t len = 100;
	buf = alloc_hooks(malloc(len));
	keep[0] = buf;
	len = 5000;
	buf = alloc_hooks(malloc(len));
	keep[1] = buf;
	return 0;
}
C
if gcc -O0 -D_GNU_SOURCE -I "$core/include" twins.c "$core"/*.c -o twins -lpthread 2>build.err &&
	env ALLOCTAG_INSPECT=0 ALLOCTAG_REPORT_EXTENDED="$work/twins.txt" ./twins; then
	"$TAGGER" allocinfo --write-budget twins.json twins.txt > out 2>err
	expect "twins write budget" 0 $?
	"$TAGGER" allocinfo --budget twins.json twins.txt > out 2>err
	expect "twins own report within" 0 $? "budget passed: 0 errors, 0 warnings, 0 notes" out
else
	fail "build twins.c"; cat build.err
fi

finish
