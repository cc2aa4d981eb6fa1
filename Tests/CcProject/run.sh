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
	ALLOCTAG_CC_LOG="$WORK/cclog" make -s -C "$WORK/p" -j2 CC="$TAGGER cc gcc" CFLAGS="$opt" 2>"$WORK/log" >/dev/null; t2=$(now)
	cat "$WORK/log"
	# One line per unit (ALLOCTAG_CC_LOG): version.c has nothing to tag and is compiled as
	# written; every unit with a site (its own or an included header's) is instrumented; units
	# whose facts the first compiles gathered are not parsed again.
	sed 's/^/    /' "$WORK/cclog"
	check_flag "version.c, without sites, compiled as written" "$(grep -qx 'version.c: facts [a-z]*; 0 sites; nothing to tag, compiled as written' "$WORK/cclog" && echo 1 || echo 0)"
	check_flag "the six units with sites instrumented" "$([ "$(grep -c '[1-9][0-9]* sites; instrumented$' "$WORK/cclog")" = 6 ] && [ "$(wc -l <"$WORK/cclog")" = 7 ] && echo 1 || echo 0)"
	check_flag "units whose facts were gathered are not parsed again" "$([ "$(grep -c 'facts reused' "$WORK/cclog")" -ge 4 ] && echo 1 || echo 0)"
	rm -f "$WORK/cclog"
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
# Include routes: the project headers' annotated copies must be what each compile reads, by
# every route a real build uses (a review found each of these untagged or falling back).
# route NAME FLAGS... -- SOURCES...: builds demo with `tagger cc gcc`, no warning allowed, then
# compares the report's rows with live bytes to $want.
route() {
	local name=$1; shift
	local flags=() srcs=()
	while [ "$1" != -- ]; do flags+=("$1"); shift; done; shift
	srcs=("$@")
	(cd "$WORK/r" && ALLOCTAG_FACTS_DIR="$WORK/facts-$name" "$TAGGER" cc gcc -O2 "${flags[@]}" -o demo "${srcs[@]}") 2>"$WORK/log" >/dev/null
	local got
	got=$(ALLOCTAG_REPORT="$WORK/report" "$WORK/r/demo" >/dev/null && rows "$WORK/report")
	check_flag "$name: no warning, every byte at its line ($got)" "$([ ! -s "$WORK/log" ] && [ "$got" = "$want" ] && echo 1 || echo 0)"
	[ -s "$WORK/log" ] && sed 's/^/    /' "$WORK/log" | head -5 || true
}
fresh() { rm -rf "$WORK/r" && mkdir -p "$WORK/r/src" "$WORK/r/include" "$WORK/r/compat" && touch "$WORK/r/Makefile"; }
echo "== include routes"
# A header of another -I directory includes "ring.h", found in src/ (after the mirrored -I
# directories, never before them); both include guards and #pragma once.
fresh
printf '#pragma once\n#include "ring.h"\n' >"$WORK/r/include/api.h"
printf '#pragma once\n#include <stdlib.h>\nstatic inline void ring_keep(void **out, size_t n) { *out = malloc(n); }\n' >"$WORK/r/src/ring.h"
printf '#include <api.h>\n#include "ring.h"\nvoid *volatile k;\nint main(void) { ring_keep((void **)&k, 24); return 0; }\n' >"$WORK/r/src/main.c"
want="main.c:4:24:1"; route "a quoted include from another -I directory" -Iinclude -Isrc -- src/main.c
# A directory linked into the include path (include/lib -> ../src) with #pragma once.
fresh
ln -s ../src "$WORK/r/include/lib"
printf '#pragma once\n#include "ring.h"\n' >"$WORK/r/src/api.h"
printf '#pragma once\n#include <stdlib.h>\nstruct ring { char *d; };\nstatic inline void ring_init(struct ring *r) { r->d = malloc(8); }\n' >"$WORK/r/src/ring.h"
printf '#include "ring.h"\n#include <lib/api.h>\nstatic struct ring r;\nint main(void) { ring_init(&r); return r.d == 0; }\n' >"$WORK/r/src/main.c"
want="ring.h:4:8:1"; route "a directory linked into the include path" -Iinclude -- src/main.c
# A gnulib-style #include_next wrapper in the include path, and a header only gcc reads.
fresh
printf '#ifndef COMPAT_STRING_H\n#define COMPAT_STRING_H\n#include_next <string.h>\n#endif\n' >"$WORK/r/compat/string.h"
printf '#ifndef A_H\n#define A_H\n#include <stdlib.h>\n#if !defined(__clang__)\n#include "gcc_only.h"\n#endif\nstatic inline void a_init(void **p) { *p = malloc(24); }\n#endif\n' >"$WORK/r/include/a.h"
printf 'static int gcc_only_flag = 1;\n' >"$WORK/r/include/gcc_only.h"
printf '#include <string.h>\n#include <a.h>\nvoid *volatile k;\nint main(void) { a_init((void **)&k); return (int)strlen("x") - 1; }\n' >"$WORK/r/src/main.c"
want="main.c:4:24:1"; route "#include_next and a header only gcc reads" -Iinclude -Icompat -- src/main.c
# Two sources in one link command: each its own copies (a.c's x.h must not be b.c's).
fresh
printf '#ifndef X_H\n#define X_H\n#include <stdlib.h>\n#ifdef WANT_X\n#define XALLOC(n) malloc(n)\n#else\n#define XALLOC(n) ((void *)(n))\n#endif\n#endif\n' >"$WORK/r/include/x.h"
printf '#include <x.h>\nvoid *volatile keep[2];\nvoid b_work(void);\nint main(void) { keep[0] = XALLOC(0); b_work(); return 0; }\n' >"$WORK/r/src/a.c"
printf '#define WANT_X 1\n#include <x.h>\nextern void *volatile keep[2];\nvoid b_work(void) { keep[1] = XALLOC(32); }\n' >"$WORK/r/src/b.c"
want="b.c:4:32:1"; route "two sources in one link command" -Iinclude -- src/a.c src/b.c
finish
