#!/bin/sh
# Runs the built `tagger allocinfo` on the report fixtures and checks exact outputs and exit
# statuses (the formats themselves are tested in Tests/AllocReportTests). Takes ~1 s.
# Usage: Tests/reports-cli.sh [path/to/tagger]   (default: .build/debug/tagger)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TAGGER=${1:-$ROOT/.build/debug/tagger}
case $TAGGER in /*) ;; *) TAGGER="$(pwd)/$TAGGER" ;; esac
cd "$ROOT/Tests/AllocReportTests/Fixtures" || exit 2
[ -x "$TAGGER" ] || { echo "reports-cli: no tagger at $TAGGER (build it first)"; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
counter_suite=reports-cli
. "$ROOT/Tests/lib/counter.sh"
expect() {  # name, expected status, actual status, [expected file, actual file]
    if [ "$2" != "$3" ]; then fail "$1: exit status $3, expected $2"; return; fi
    if [ $# -ge 5 ] && ! cmp -s "$4" "$5"; then fail "$1:"; diff "$4" "$5" | head -20; return; fi
    pass "$1"
}
"$TAGGER" allocinfo --diff old.allocinfo new.allocinfo --top 3 > "$tmp/diff" 2>&1; expect diff 0 $? expected/diff-top3.txt "$tmp/diff"
"$TAGGER" allocinfo new.allocinfo --sort bytes --top 2 > "$tmp/top" 2>&1; expect top 0 $? expected/top2.txt "$tmp/top"
"$TAGGER" allocinfo --format folded --module 'libpng*' < new.allocinfo > "$tmp/folded" 2>&1; expect folded-stdin 0 $? expected/folded-libpng.txt "$tmp/folded"
"$TAGGER" allocinfo new.allocinfo > "$tmp/same" 2>&1; expect round-trip 0 $? new.allocinfo "$tmp/same"
"$TAGGER" allocinfo new.allocinfo --format pprof -o "$tmp/p.pb.gz"; s=$?; gzip -t "$tmp/p.pb.gz"; expect pprof-file "0 0" "$s $?"
"$TAGGER" allocinfo new.allocinfo --format json -o "$tmp/j.json"; s=$?; python3 -m json.tool "$tmp/j.json" > /dev/null; expect json-file "0 0" "$s $?"
"$TAGGER" allocinfo old.allocinfo new.allocinfo --format html -o "$tmp/h.html"; s=$?; grep -q 'id="alloctag-data"' "$tmp/h.html"; expect html-series "0 0" "$s $?"
printf 'allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n  1 x a.c:1 func:f\n' > "$tmp/bad"
"$TAGGER" allocinfo "$tmp/bad" > /dev/null 2> "$tmp/err"; s=$?
echo "$tmp/bad:3:5: error: expected the live allocation count (a decimal integer, printed as %8llu)" > "$tmp/err-expected"
expect bad-report 65 $s "$tmp/err-expected" "$tmp/err"
"$TAGGER" allocinfo --diff old.allocinfo > /dev/null 2>&1; expect diff-one-file 64 $?
"$TAGGER" allocinfo old.allocinfo new.allocinfo > /dev/null 2>&1; expect series-as-text 64 $?
"$TAGGER" allocinfo new.allocinfo --min-size 4Q > /dev/null 2>&1; expect bad-size 64 $?
"$TAGGER" allocinfo --pid 99999999 > /dev/null 2> "$tmp/err"; s=$?
echo "tagger: error: no process with pid 99999999" > "$tmp/err-expected"; expect no-such-pid 65 $s "$tmp/err-expected" "$tmp/err"
finish
