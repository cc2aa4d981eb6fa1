#!/usr/bin/env bash
# Real C libraries built with `tagger cc`: SQLite (sqlean.py's amalgamation), LMDB (lmdb's mdb.c)
# and hiredis (sds, reader). Source distributions come from PyPI at test time and are cached
# outside the repo in ${XDG_CACHE_HOME:-~/.cache}/alloctag/sdists. For each library: scan
# numbers, plain vs instrumented build time, a driver run, and checks on its allocinfo report.
#
#   TAGGER=path/to/tagger Tests/RealLibraries/run.sh [sqlite] [lmdb] [hiredis]
#
# Needs: gcc, python3, pip, libclang (apt-get install -y libclang1-14 libclang-common-14-dev).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TAGGER=${TAGGER:-$ROOT/.build/release/tagger}
[ -x "$TAGGER" ] || TAGGER=$ROOT/.build/debug/tagger
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/sdists
CC=${CC:-gcc}
OPT=${OPT:--O2}
WORK=$(mktemp -d /tmp/alloctag-real.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CACHE"
LIBS=("$@"); [ ${#LIBS[@]} -gt 0 ] || LIBS=(sqlite lmdb hiredis)
passed=0 failed=0

fetch() { # pip-name tarball-prefix
	local name=$1 prefix=$2
	for try in 1 2 3; do
		ls "$CACHE/$prefix"-*.tar.gz >/dev/null 2>&1 && break
		# pip may hang preparing build requirements after the download: the tarball is what we need.
		timeout 180 pip download --no-deps --no-binary :all: "$name" -d "$CACHE" >/dev/null 2>&1 || true
	done
	ls "$CACHE/$prefix"-*.tar.gz | tail -1
}

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); python3 -c "print(f'{$e-$s:.2f}')"; }

check() { # description, python expression result (0/1)
	if [ "$2" = 1 ]; then echo "  ok: $1"; passed=$((passed + 1)); else echo "  FAIL: $1"; failed=$((failed + 1)); fi
}

# report-file library-file → "bytes lines top-lines" of the report's entries for that file
report_summary() {
	python3 - "$1" "$2" <<'PY'
import sys, re
lines = open(sys.argv[1]).read().splitlines()
assert lines[0] == "allocinfo - version: 2.0", lines[0]
rows = []
for l in lines[2:]:
    m = re.match(r"\s*(-?\d+)\s+(\d+) (\S+):(\d+) (?:\[\S+\] )?func:(\S+)", l)
    if m: rows.append((int(m[1]), int(m[2]), m[3], int(m[4]), m[5]))
mine = [r for r in rows if r[2].endswith("/" + sys.argv[2])]
live = [r for r in mine if r[0] > 0]
print(sum(r[0] for r in mine), len(live), sum(r[0] for r in rows))
for r in sorted(live, reverse=True)[:8]:
    print(f"    {r[0]:>10} {r[1]:>6} {sys.argv[2]}:{r[3]} func:{r[4]}", file=sys.stderr)
PY
}

scan_numbers() { # files... -- flags → "sites tagged helpers recipes"
	"$TAGGER" scan --json "$@" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(len(r["sites"]), sum(s["tagged"] for s in r["sites"]), len(r["helpers"]), sum(h["recipe"] for h in r["helpers"]))'
}

build_pair() { # label, compile args... → prints timings, leaves instrumented objects in $WORK/<label>/
	local label=$1; shift
	mkdir -p "$WORK/$label-plain" "$WORK/$label"
	local plain inst
	plain=$(cd "$WORK/$label-plain" && seconds $CC "$@")
	inst=$(cd "$WORK/$label" && seconds "$TAGGER" cc $CC "$@")
	echo "  build: plain ${plain}s, tagger cc ${inst}s, overhead $(python3 -c "print(f'{($inst/$plain-1)*100:.0f}%')")"
}

for lib in "${LIBS[@]}"; do
case $lib in
sqlite)
	echo "== SQLite (sqlean.py amalgamation)"
	tar xzf "$(fetch sqlean.py sqlean_py)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -name sqlite3.c | head -1)")
	export ALLOCTAG_ALLOCATORS=sqlite3Malloc,sqlite3Realloc ALLOCTAG_NOPROF=sqlite3MemMalloc,sqlite3MemRealloc
	FLAGS=(-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION)
	echo "  scan (plain malloc family): $(scan_numbers "$SRC/sqlite3.c" -- "${FLAGS[@]}") (sites tagged helpers recipes)"
	echo "  scan (--allocator sqlite3Malloc,sqlite3Realloc --noprof sqlite3MemMalloc,sqlite3MemRealloc): $(scan_numbers "$SRC/sqlite3.c" --allocator sqlite3Malloc --allocator sqlite3Realloc --noprof sqlite3MemMalloc --noprof sqlite3MemRealloc -- "${FLAGS[@]}")"
	mkdir -p "$WORK/ann"
	echo "  annotate sqlite3.c ($(du -h "$SRC/sqlite3.c" | cut -f1)): $(seconds "$TAGGER" annotate --output "$WORK/ann" --root "$SRC" "$SRC/sqlite3.c" -- "${FLAGS[@]}")s"
	build_pair sqlite $OPT -c "${FLAGS[@]}" "$SRC/sqlite3.c"
	(cd "$WORK/sqlite" && "$TAGGER" cc $CC $OPT -I "$SRC" "$HERE/sqlite_driver.c" sqlite3.o -o demo -lm)
	out=$(ALLOCTAG_REPORT="$WORK/sqlite.report" "$WORK/sqlite/demo")
	echo "  demo: $out"
	report_summary "$WORK/sqlite.report" sqlite3.c >"$WORK/sum" 2>"$WORK/top"; read -r total live all <"$WORK/sum"
	cat "$WORK/top"
	used=$(sed -n 's/.*sqlite_memory_used=\([0-9]*\).*/\1/p' <<<"$out")
	count=$(sed -n 's/.*sqlite_malloc_count=\([0-9]*\).*/\1/p' <<<"$out")
	echo "  report: $total bytes at $live live sqlite3.c sites; SQLite says $used bytes in $count allocations (+8-byte size prefix each = $((used + 8 * count)))"
	check "report total for sqlite3.c equals SQLite's own count (memory_used + 8*count)" "$([ "$total" = $((used + 8 * count)) ] && echo 1 || echo 0)"
	check "allocations are charged to many callers, not the helper's line (>= 10 live sites)" "$([ "$live" -ge 10 ] && echo 1 || echo 0)"
	check "no live bytes left on sqlite3MemMalloc's own line" "$(grep -q 'func:sqlite3MemMalloc' "$WORK/top" && echo 0 || echo 1)"
	unset ALLOCTAG_ALLOCATORS ALLOCTAG_NOPROF
	;;
lmdb)
	echo "== LMDB (lmdb sdist: mdb.c, midl.c)"
	tar xzf "$(fetch lmdb lmdb)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -path '*lib/mdb.c' | head -1)")
	echo "  scan: $(scan_numbers "$SRC/mdb.c" "$SRC/midl.c" -- -pthread) (sites tagged helpers recipes)"
	build_pair lmdb $OPT -pthread -c "$SRC/mdb.c" "$SRC/midl.c"
	(cd "$WORK/lmdb" && "$TAGGER" cc $CC $OPT -pthread -I "$SRC" "$HERE/lmdb_driver.c" mdb.o midl.o -o demo)
	mkdir -p "$WORK/lmdb-db"
	out=$(ALLOCTAG_REPORT="$WORK/lmdb.report" "$WORK/lmdb/demo" "$WORK/lmdb-db")
	echo "  demo: $out"
	report_summary "$WORK/lmdb.report" mdb.c >"$WORK/sum" 2>"$WORK/top"; read -r total live all <"$WORK/sum"
	cat "$WORK/top"
	echo "  report: $total bytes at $live live mdb.c sites (all lines: $all bytes)"
	check "demo found its key" "$([ "$out" = "found=value 7 of round 2" ] && echo 1 || echo 0)"
	check "mdb.c sites carry live bytes (>= 3 sites)" "$([ "$live" -ge 3 ] && echo 1 || echo 0)"
	;;
hiredis)
	echo "== hiredis (sds strings, reply reader)"
	tar xzf "$(fetch hiredis hiredis)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -path '*hiredis/sds.c' | head -1)")
	export ALLOCTAG_ALLOCATORS=hi_malloc,hi_calloc,hi_realloc,hi_strdup
	echo "  scan: $(scan_numbers "$SRC/sds.c" "$SRC/read.c" "$SRC/hiredis.c" --allocator hi_malloc --allocator hi_calloc --allocator hi_realloc --allocator hi_strdup) (sites tagged helpers recipes)"
	build_pair hiredis $OPT -c "$SRC/sds.c" "$SRC/read.c" "$SRC/hiredis.c" "$SRC/alloc.c" "$SRC/net.c" "$SRC/sockcompat.c" "$SRC/async.c"
	(cd "$WORK/hiredis" && "$TAGGER" cc $CC $OPT -I "$SRC" "$HERE/hiredis_driver.c" ./*.o -o demo)
	out=$(ALLOCTAG_REPORT="$WORK/hiredis.report" "$WORK/hiredis/demo")
	echo "  demo: $out"
	for f in sds.c hiredis.c read.c; do
		report_summary "$WORK/hiredis.report" $f >"$WORK/sum" 2>"$WORK/top-$f"; read -r total live all <"$WORK/sum"
		cat "$WORK/top-$f"
		eval "total_${f%.c}=$total live_${f%.c}=$live"
	done
	echo "  report: sds.c $total_sds bytes at $live_sds sites; hiredis.c $total_hiredis at $live_hiredis; read.c $total_read at $live_read"
	check "the 2000 live sds strings are charged to sds.c lines (>= 2000*27 bytes)" "$([ "$total_sds" -ge 54000 ] && echo 1 || echo 0)"
	check "live replies are charged to hiredis.c/read.c sites" "$([ $((live_hiredis + live_read)) -ge 2 ] && echo 1 || echo 0)"
	unset ALLOCTAG_ALLOCATORS
	;;
*) echo "unknown library $lib (sqlite, lmdb, hiredis)"; exit 64 ;;
esac
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
