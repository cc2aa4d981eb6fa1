#!/usr/bin/env bash
# A real program, plain vs instrumented: SQLite (sqlean.py's amalgamation from PyPI) running a
# fixed SQL workload (RealProgram/sqlite_workload.c: 200k inserts in transactions, two indexes,
# aggregate queries, delete half, query again) on an in-memory database.
#
#   Tests/Benchmarks/sqlite.sh [--rounds N] [--rows N]
#
# Builds, each with gcc -O2 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION:
#   plain                      gcc
#   LD_PRELOAD                 the plain binary with the runtime preloaded (every site <untagged>)
#   tagger cc                  `tagger cc gcc ...`: every malloc-family call tagged, helpers inferred
#   tagger cc, allocators      the same with ALLOCTAG_ALLOCATORS=sqlite3Malloc,sqlite3Realloc and
#                              ALLOCTAG_NOPROF=sqlite3MemMalloc,sqlite3MemRealloc (SQLite's wrappers)
# Without a working tagger (TAGGER=path, default .build-bench/debug/tagger, then .build/debug)
# the instrumented build falls back to `-include alloc_tag/override.h` and says so.
# Runs are interleaved per round; wall and CPU time medians and per-round ratios to plain;
# every build must print the same query results.  Then the top sites of each report.
# Needs gcc, python3, pip (PyPI access, or the sdist already in the cache).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CORE=$ROOT/Sources/TagRuntime/Core
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/sdists
rounds=5 rows=200000
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift ;;
	--rows) rows=$2; shift ;;
	-h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "sqlite.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
	esac
	shift
done
TAGGER=${TAGGER:-}
for t in "$ROOT/.build-bench/debug/tagger" "$ROOT/.build/release/tagger" "$ROOT/.build/debug/tagger"; do
	[ -z "$TAGGER" ] && [ -x "$t" ] && TAGGER=$t
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/alloctag-sqlite.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The same cache and the same way round pip's hang as Tests/RealLibraries/run.sh.
mkdir -p "$CACHE"
for try in 1 2 3; do
	ls "$CACHE"/sqlean_py-*.tar.gz >/dev/null 2>&1 && break
	timeout 180 pip download --no-deps --no-binary :all: sqlean.py -d "$CACHE" >/dev/null 2>&1 || true
done
SDIST=$(ls "$CACHE"/sqlean_py-*.tar.gz 2>/dev/null | tail -1 || true)
[ -n "$SDIST" ] || { echo "sqlite.sh: could not download sqlean.py from PyPI into $CACHE" >&2; exit 1; }
tar xzf "$SDIST" -C "$WORK"
SRC=$(dirname "$(find "$WORK" -name sqlite3.c | head -1)")
FLAGS=(-O2 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -I "$SRC")
DRIVER=$HERE/RealProgram/sqlite_workload.c
echo "sqlite.sh: $(basename "$SDIST"), $rows rows, $rounds round(s)"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"

seconds() { local s; s=$(date +%s%N); "$@"; echo "$((($(date +%s%N) - s) / 1000000))"; }

gcc -O2 -shared -fPIC -D_GNU_SOURCE -I "$CORE/include" "$CORE"/*.c -o "$WORK/libTagRuntimePreload.so" -lpthread
mkdir -p "$WORK/plain" "$WORK/tagged" "$WORK/alloc"
ms=$(seconds gcc "${FLAGS[@]}" -c "$SRC/sqlite3.c" -o "$WORK/plain/sqlite3.o")
echo "build sqlite3.c, plain gcc: ${ms} ms"
gcc "${FLAGS[@]}" "$DRIVER" "$WORK/plain/sqlite3.o" -o "$WORK/plain/demo" -lm

mode=""
if [ -n "$TAGGER" ] && "$TAGGER" cc --help >/dev/null 2>&1; then
	export ALLOCTAG_RUNTIME=$WORK/libTagRuntimePreload.so
	if ms=$(cd "$WORK/tagged" && seconds "$TAGGER" cc gcc "${FLAGS[@]}" -c "$SRC/sqlite3.c" -o sqlite3.o 2>"$WORK/tagger.err") &&
		(cd "$WORK/tagged" && "$TAGGER" cc gcc "${FLAGS[@]}" "$DRIVER" sqlite3.o -o demo -lm 2>>"$WORK/tagger.err"); then
		mode="tagger cc"
		echo "build sqlite3.c, tagger cc gcc: ${ms} ms ($TAGGER)"
		ms=$(cd "$WORK/alloc" && ALLOCTAG_ALLOCATORS=sqlite3Malloc,sqlite3Realloc ALLOCTAG_NOPROF=sqlite3MemMalloc,sqlite3MemRealloc \
			seconds "$TAGGER" cc gcc "${FLAGS[@]}" -c "$SRC/sqlite3.c" -o sqlite3.o 2>>"$WORK/tagger.err")
		(cd "$WORK/alloc" && "$TAGGER" cc gcc "${FLAGS[@]}" "$DRIVER" sqlite3.o -o demo -lm 2>>"$WORK/tagger.err")
		echo "build sqlite3.c, tagger cc gcc with declared allocators: ${ms} ms"
	else
		echo "tagger cc failed; falling back to -include alloc_tag/override.h:"; sed 's/^/    /' "$WORK/tagger.err" | head -5
	fi
else
	echo "no working tagger (${TAGGER:-not built}; swift build --product tagger): falling back to -include alloc_tag/override.h"
fi
if [ -z "$mode" ]; then
	mode="override.h"
	ms=$(seconds gcc "${FLAGS[@]}" -D_GNU_SOURCE -I "$CORE/include" -include alloc_tag/override.h -c "$SRC/sqlite3.c" -o "$WORK/tagged/sqlite3.o")
	echo "build sqlite3.c with -include alloc_tag/override.h: ${ms} ms"
	gcc "${FLAGS[@]}" "$DRIVER" "$WORK/tagged/sqlite3.o" -L "$WORK" -lTagRuntimePreload -Wl,-rpath,"$WORK" -o "$WORK/tagged/demo" -lm
fi

# name|command (environment first)
configs=("plain|$WORK/plain/demo $rows"
	"plain, LD_PRELOAD runtime (1)|env ALLOCTAG_PROFILING=1 ALLOCTAG_REPORT=$WORK/report.preload LD_PRELOAD=$WORK/libTagRuntimePreload.so $WORK/plain/demo $rows"
	"$mode, never|env ALLOCTAG_PROFILING=never $WORK/tagged/demo $rows"
	"$mode (1)|env ALLOCTAG_PROFILING=1 ALLOCTAG_REPORT=$WORK/report.tagged $WORK/tagged/demo $rows"
	"$mode (1,header)|env ALLOCTAG_PROFILING=1,header $WORK/tagged/demo $rows")
[ "$mode" = "tagger cc" ] && configs+=("tagger cc, declared allocators (1)|env ALLOCTAG_PROFILING=1 ALLOCTAG_REPORT=$WORK/report.alloc $WORK/alloc/demo $rows")

results=$WORK/results.tsv
: >"$results"
failures=0
for round in $(seq 1 "$rounds"); do
	for c in "${configs[@]}"; do
		name=${c%%|*} cmd=${c#*|}
		status=0
		# shellcheck disable=SC2086 # the command is split into words on purpose
		times=$(python3 "$HERE/timer.py" "$WORK/run.out" $cmd) || status=$?
		grep -v '^sqlite memory:' "$WORK/run.out" >"$WORK/run.results" || true
		if [ $status != 0 ]; then
			echo "FAIL: $name exited $status:"; tail -5 "$WORK/run.out"; failures=$((failures + 1)); continue
		fi
		if [ ! -f "$WORK/expected" ]; then
			cp "$WORK/run.results" "$WORK/expected"
			echo "results:"; sed 's/^/    /' "$WORK/expected"
		elif ! cmp -s "$WORK/run.results" "$WORK/expected"; then
			echo "FAIL: $name printed different results:"; diff "$WORK/expected" "$WORK/run.results" | head -5
			failures=$((failures + 1))
		fi
		printf '%s\t%s\t%s\n' "$round" "$name" "$times" >>"$results"
	done
done

python3 - "$results" <<'PY'
import sys, statistics as st
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
names = list(dict.fromkeys(r[1] for r in rows))
val = {n: {int(r[0]): (float(r[2]), float(r[3])) for r in rows if r[1] == n} for n in names}
base = val[names[0]]
print(f"\nwall and CPU time in ms: median [min .. max]; median of per-round ratios to {names[0]}")
for n in names:
    w = [v[0] for v in val[n].values()]; c = [v[1] for v in val[n].values()]
    rw = st.median(val[n][k][0] / base[k][0] for k in val[n] if k in base)
    rc = st.median(val[n][k][1] / base[k][1] for k in val[n] if k in base)
    print(f"  {n:40} wall {st.median(w):8.1f} [{min(w):8.1f} .. {max(w):8.1f}] {rw:6.3f}x   cpu {st.median(c):8.1f} {rc:6.3f}x")
PY

# Top sites by live bytes at exit (the workload leaves its database open).
top() { # title report
	[ -f "$2" ] || return 0
	echo
	echo "$1: $(($(wc -l <"$2") - 2)) sites in the report; by live bytes at exit:"
	tail -n +3 "$2" | sort -rn | head -6 | sed 's/^/  /'
}
top "plain, LD_PRELOAD runtime" "$WORK/report.preload"
top "$mode" "$WORK/report.tagged"
top "tagger cc, declared allocators" "$WORK/report.alloc"
[ $failures = 0 ]
