#!/usr/bin/env bash
# A multi-file make project built unmodified with `make CC="tagger cc gcc"` and no
# configuration (Tests/CcProject/project): a wrapper in another file behind an API(type)
# export macro, a hooks struct whose allocate field defaults to malloc, a realloc-style
# allocator passed by address into a state and called through its field, a central object
# allocator and a constructor in a third file, a helper whose allocation comes back through an
# out-parameter (`alloc_out(n, &p)`). Every live byte must be charged to the calling
# lines of main.c, at -O0 and -O2, with make -j2, after an incremental rebuild, and after
# `tagger annotate` of all files; no file may fall back to an uninstrumented compile.
#
#   TAGGER=path/to/tagger Tests/CcProject/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TAGGER=${TAGGER:-$ROOT/.build/debug/tagger}
WORK=$(mktemp -d /tmp/alloctag-ccproject.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export ALLOCTAG_FACTS_DIR=$WORK/facts
counter_suite=ccproject
. "$ROOT/Tests/lib/counter.sh"

# The report's rows with live bytes as "file:line:bytes:calls", sorted, files by base name
# (a header's site may have one record per unit that includes it: summed).
rows() {
	python3 - "$1" <<'PY'
import re, sys, collections
rows = collections.Counter()
calls = collections.Counter()
for l in open(sys.argv[1]).read().splitlines()[2:]:
    m = re.match(r"\s*(-?\d+)\s+(\d+) (\S+):(\d+) ", l)
    if not m or m[3] == "<untagged>" or int(m[1]) == 0: continue
    key = (m[3].split("/")[-1], int(m[4]))
    rows[key] += int(m[1]); calls[key] += int(m[2])
print(" ".join(f"{f}:{n}:{rows[(f, n)]}:{calls[(f, n)]}" for f, n in sorted(rows)))
PY
}
# main.c line → bytes: state (24), xmalloc (100), hooks.allocate (200), mem_realloc (300),
# obj_new (400), str_new (sizeof(struct str) 16 + 11), xzalloc (60, through an out-parameter),
# xmake (70, a constructor yielding no value: alloc_hooks_void); ring.h's own line (80, a
# static inline function of a header included through another header).
EXPECTED="main.c:9:24:1 main.c:10:100:1 main.c:11:200:1 main.c:12:300:1 main.c:13:400:1 main.c:14:27:1 main.c:15:60:1 main.c:16:70:1 ring.h:13:80:1"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2-$1:.2f}')"; }

for opt in "-O0 -g" "-O2"; do
	echo "== make -j2 CC=\"tagger cc gcc\" CFLAGS=\"$opt\""
	rm -rf "$WORK/p" "$WORK/facts" && cp -r "$HERE/project" "$WORK/p"
	t0=$(now); make -s -C "$WORK/p" -j2 CFLAGS="$opt" >/dev/null; t1=$(now)
	make -s -C "$WORK/p" clean
	make -s -C "$WORK/p" -j2 CC="$TAGGER cc gcc" CFLAGS="$opt" 2>"$WORK/log" >/dev/null; t2=$(now)
	cat "$WORK/log"
	echo "  build: plain $(elapsed "$t0" "$t1")s, tagger cc $(elapsed "$t1" "$t2")s (first build: every file's facts gathered)"
	check_flag "no file fell back to an uninstrumented compile" "$([ "$(grep -c 'tagger cc: warning' "$WORK/log" || true)" = 0 ] && echo 1 || echo 0)"
	ALLOCTAG_REPORT="$WORK/report" "$WORK/p/demo" >/dev/null
	got=$(rows "$WORK/report")
	echo "  report: $got"
	check_flag "every byte on main.c's calling lines, exact" "$([ "$got" = "$EXPECTED" ] && echo 1 || echo 0)"
	# Paths relative to the project root, as the kernel prints mm/slub.c: no build-machine prefix.
	paths=$(awk 'NR > 2 && $3 != "<untagged>:0" { sub(/:[0-9]+$/, "", $3); print $3 }' "$WORK/report" | sort -u | tr '\n' ' ')
	check_flag "report paths are relative to the project root ($paths)" "$([ "$paths" = "main.c ring.h " ] && echo 1 || echo 0)"
	# Incremental: util.c changes (a new line above the wrapper); only util.o is rebuilt.
	sed -i '1i /* edited */' "$WORK/p/util.c"
	make -s -C "$WORK/p" -j2 CC="$TAGGER cc gcc" CFLAGS="$opt" 2>"$WORK/log" >/dev/null
	ALLOCTAG_REPORT="$WORK/report" "$WORK/p/demo" >/dev/null
	got=$(rows "$WORK/report")
	check_flag "incremental rebuild keeps the attribution ($got)" "$([ "$got" = "$EXPECTED" ] && [ ! -s "$WORK/log" ] && echo 1 || echo 0)"
done

echo "== tagger annotate of every file, then a plain compile"
rm -rf "$WORK/a" && cp -r "$HERE/project" "$WORK/a"
(cd "$WORK/a" && "$TAGGER" annotate ./*.c ./*.h -- >/dev/null)
for opt in "-O0" "-O2"; do
	(cd "$WORK/a" && gcc $opt -Wall -Werror -I "$ROOT/Sources/TagRuntime/Core/include" -c ./*.c && "$TAGGER" cc gcc ./*.o -o demo)
	ALLOCTAG_REPORT="$WORK/report" "$WORK/a/demo" >/dev/null
	got=$(rows "$WORK/report")
	# One line lower: annotate adds the #include to main.c and to ring.h.
	check_flag "annotated ($opt): every byte on main.c's calling lines and ring.h's site ($got)" \
		"$([ "$got" = "main.c:10:24:1 main.c:11:100:1 main.c:12:200:1 main.c:13:300:1 main.c:14:400:1 main.c:15:27:1 main.c:16:60:1 main.c:17:70:1 ring.h:14:80:1" ] && echo 1 || echo 0)"
done
finish
