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

# The report's main.c rows as "line:bytes:calls" sorted, and the bytes on any other tagged line.
rows() {
	python3 - "$1" <<'PY'
import re, sys
main, other = [], 0
for l in open(sys.argv[1]).read().splitlines()[2:]:
    m = re.match(r"\s*(-?\d+)\s+(\d+) (\S+):(\d+) ", l)
    if not m or m[3] == "<untagged>": continue
    if m[3].endswith("main.c"): main.append((int(m[4]), int(m[1]), int(m[2])))
    else: other += int(m[1])
print(" ".join(f"{a}:{b}:{c}" for a, b, c in sorted(main)), "other=%d" % other)
PY
}
# main.c line → bytes: state (24), xmalloc (100), hooks.allocate (200), mem_realloc (300),
# obj_new (400), str_new (sizeof(struct str) 16 + 11), xzalloc (60, through an out-parameter).
EXPECTED="8:24:1 9:100:1 10:200:1 11:300:1 12:400:1 13:27:1 14:60:1 other=0"

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
	check_flag "report paths are relative to the project root ($paths)" "$([ "$paths" = "main.c " ] && echo 1 || echo 0)"
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
	# One line lower: annotate adds the #include to main.c.
	check_flag "annotated ($opt): every byte on main.c's calling lines ($got)" \
		"$([ "$got" = "9:24:1 10:100:1 11:200:1 12:300:1 13:400:1 14:27:1 15:60:1 other=0" ] && echo 1 || echo 0)"
done
finish
