#!/usr/bin/env bash
# Real C libraries built unmodified with `tagger cc` and no configuration (no --allocator,
# --noprof, .alloctag.json or ALLOCTAG_ALLOCATORS): SQLite (sqlean.py's amalgamation), LMDB,
# hiredis, zstd (zstandard), brotli, cmark-gfm (cmarkgfm), libuv (uvloop's vendor/libuv) and c-ares (pycares). Source distributions come from
# PyPI at test time and are cached outside the repo in ${XDG_CACHE_HOME:-~/.cache}/alloctag/sdists.
# For each library: scan numbers, plain vs instrumented build time, zero fallbacks, a driver
# run, its allocinfo report checked against the library's own accounting where it has one, and
# the share of live bytes on <untagged> and on lines inside allocation helpers (at most 10%).
# Ends with the table docs/real-libraries.md shows (written to $TABLE when set).
#
#   TAGGER=path/to/tagger Tests/RealLibraries/run.sh [sqlite] [lmdb] [hiredis] [zstd] [brotli] [cmark] [libuv] [cares]
#
# Needs: gcc, python3, pip, libclang (apt-get install -y libclang1-14 libclang-common-14-dev),
# cmake for c-ares's two configuration headers (made once per sdist, cached next to it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TAGGER=${TAGGER:-$ROOT/.build/release/tagger}
[ -x "$TAGGER" ] || TAGGER=$ROOT/.build/debug/tagger
TAGGER=$(cd "$(dirname "$TAGGER")" && pwd)/$(basename "$TAGGER")
CC=${CC:-gcc}
OPT=${OPT:--O2}
WORK=$(mktemp -d /tmp/alloctag-real.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export ALLOCTAG_FACTS_DIR=$WORK/facts
. "$ROOT/Tests/lib/sdists.sh"
LIBS=("$@"); [ ${#LIBS[@]} -gt 0 ] || LIBS=(sqlite lmdb hiredis zstd brotli cmark libuv cares)
counter_suite=real-libraries
. "$ROOT/Tests/lib/counter.sh"
ROWS=()

fetch() { fetch_sdist "$@"; }

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); python3 -c "print(f'{$e-$s:.2f}')"; }


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
mine = [r for r in rows if r[2].endswith("/" + sys.argv[2]) or r[2] == sys.argv[2]]
live = [r for r in mine if r[0] > 0]
print(sum(r[0] for r in mine), len(live), sum(r[0] for r in rows))
for r in sorted(live, reverse=True)[:8]:
    print(f"    {r[0]:>10} {r[1]:>6} {sys.argv[2]}:{r[3]} func:{r[4]}", file=sys.stderr)
PY
}

# files... -- flags → "sites tagged helpers recipes indirect decided" (also leaves $WORK/scan.json)
scan_numbers() {
	"$TAGGER" scan --json "$@" >"$WORK/scan.json" || [ $? = 1 ]
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(len(r["sites"]), sum(s["tagged"] for s in r["sites"]), len(r["helpers"]), sum(h["recipe"] for h in r["helpers"]),
      len(r["indirectCalls"]), sum(c["decided"] for c in r["indirectCalls"]))' "$WORK/scan.json"
}

# report-file → "live untagged wrappers top": live bytes, bytes on <untagged>, bytes on lines of
# functions the scan ($WORK/scan.json) found to be helpers, and the top sites (stderr).
shares() {
	python3 - "$1" "$WORK/scan.json" <<'PY'
import json, re, sys
helpers = {h["name"] for h in json.load(open(sys.argv[2]))["helpers"]}
rows = []
for l in open(sys.argv[1]).read().splitlines()[2:]:
    m = re.match(r"\s*(-?\d+)\s+(\d+) (\S+):(\d+) (?:\[\S+\] )?func:(\S+)", l)
    if m: rows.append((int(m[1]), m[3].split("/")[-1] + ":" + m[4], m[5]))
live = sum(r[0] for r in rows if r[0] > 0)
untagged = sum(r[0] for r in rows if r[1].startswith("<untagged>"))
wrappers = sum(r[0] for r in rows if r[2] in helpers and r[0] > 0)
print(live, untagged, wrappers)
for r in sorted(rows, reverse=True)[:6]:
    print(f"    {r[0]:>10} {r[1]} func:{r[2]}" + ("  (helper)" if r[2] in helpers else ""), file=sys.stderr)
PY
}

# label srcdir compile-args... : plain vs `tagger cc` build of the library, fallbacks counted;
# leaves the instrumented objects in $WORK/<label>/ and sets $overhead and $fallbacks.
build_pair() {
	local label=$1; shift
	mkdir -p "$WORK/$label-plain" "$WORK/$label"
	local plain inst
	plain=$(cd "$WORK/$label-plain" && seconds $CC "$@")
	inst=$(cd "$WORK/$label" && seconds "$TAGGER" cc $CC "$@" 2>"$WORK/$label.log")
	fallbacks=$(grep -c 'tagger cc: warning' "$WORK/$label.log" || true)
	overhead=$(python3 -c "print(f'{($inst/$plain-1)*100:.0f}%')")
	echo "  build: plain ${plain}s, tagger cc ${inst}s, overhead $overhead (first build: every file's facts gathered); fallbacks $fallbacks"
	head -5 "$WORK/$label.log"
	check_flag "no file compiled uninstrumented ($fallbacks fallbacks)" "$([ "$fallbacks" = 0 ] && echo 1 || echo 0)"
}

# label report: the shares check and the table row (after scan_numbers and build_pair).
row() {
	local label=$1 report=$2 live untagged wrappers
	read -r sites _ helpers _ indirect decided <<<"$scan"
	shares "$report" >"$WORK/shares" 2>"$WORK/top"; read -r live untagged wrappers <"$WORK/shares"
	cat "$WORK/top"
	local pct
	pct=$(python3 -c "print(f'{100*($untagged+$wrappers)/max($live,1):.1f}')")
	echo "  live $live bytes: <untagged> $untagged, helper lines $wrappers ($pct%)"
	check_flag "at most 10% of live bytes on <untagged> plus helper lines ($pct%)" "$(python3 -c "print(int($pct <= 10))")"
	ROWS+=("| $label | $sites | $helpers | $decided of $indirect | $live | $untagged | $wrappers | $pct% | $fallbacks | $overhead |")
}

for lib in "${LIBS[@]}"; do
case $lib in
sqlite)
	echo "== SQLite (sqlean.py amalgamation; sqlite3MemMalloc behind sqlite3_mem_methods, no declared allocators)"
	tar xzf "$(fetch sqlean.py sqlean_py)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -name sqlite3.c | head -1)")
	FLAGS=(-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION)
	scan=$(scan_numbers "$SRC/sqlite3.c" -- "${FLAGS[@]}")
	echo "  scan: $scan (sites tagged helpers recipes indirect-calls decided)"
	mkdir -p "$WORK/ann"
	echo "  annotate sqlite3.c ($(du -h "$SRC/sqlite3.c" | cut -f1)): $(seconds "$TAGGER" annotate --output "$WORK/ann" --root "$SRC" "$SRC/sqlite3.c" -- "${FLAGS[@]}")s"
	cp "$HERE/sqlite_driver.c" "$SRC/"
	build_pair sqlite $OPT -c "${FLAGS[@]}" "$SRC/sqlite3.c"
	(cd "$WORK/sqlite" && "$TAGGER" cc $CC $OPT -I "$SRC" "$SRC/sqlite_driver.c" sqlite3.o -o demo -lm)
	out=$(ALLOCTAG_REPORT="$WORK/sqlite.report" "$WORK/sqlite/demo")
	echo "  demo: $out"
	report_summary "$WORK/sqlite.report" sqlite3.c >"$WORK/sum" 2>"$WORK/top"; read -r total live all <"$WORK/sum"
	report_summary "$WORK/sqlite.report" sqlite_driver.c >"$WORK/sum" 2>/dev/null; read -r driver _ _ <"$WORK/sum"
	used=$(sed -n 's/.*sqlite_memory_used=\([0-9]*\).*/\1/p' <<<"$out")
	count=$(sed -n 's/.*sqlite_malloc_count=\([0-9]*\).*/\1/p' <<<"$out")
	echo "  report: sqlite3.c $total bytes at $live live sites, driver lines $driver; SQLite says $used bytes in $count allocations (+8-byte size prefix each = $((used + 8 * count)))"
	check_flag "report total (sqlite3.c + driver lines) equals SQLite's own count (memory_used + 8*count)" "$([ $((total + driver)) = $((used + 8 * count)) ] && echo 1 || echo 0)"
	check_flag "allocations are charged to many callers, not the helper's line (>= 10 live sites)" "$([ "$live" -ge 10 ] && echo 1 || echo 0)"
	check_flag "no live bytes left on sqlite3MemMalloc's own line" "$(grep -q 'func:sqlite3MemMalloc' "$WORK/top" && echo 0 || echo 1)"
	row SQLite "$WORK/sqlite.report"
	;;
lmdb)
	echo "== LMDB (lmdb sdist: mdb.c, midl.c)"
	tar xzf "$(fetch lmdb lmdb)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -path '*lib/mdb.c' | head -1)")
	scan=$(scan_numbers "$SRC/mdb.c" "$SRC/midl.c" -- -pthread)
	echo "  scan: $scan (sites tagged helpers recipes indirect-calls decided)"
	cp "$HERE/lmdb_driver.c" "$SRC/"
	build_pair lmdb $OPT -pthread -c "$SRC/mdb.c" "$SRC/midl.c"
	(cd "$WORK/lmdb" && "$TAGGER" cc $CC $OPT -pthread -I "$SRC" "$SRC/lmdb_driver.c" mdb.o midl.o -o demo)
	mkdir -p "$WORK/lmdb-db"
	out=$(ALLOCTAG_REPORT="$WORK/lmdb.report" "$WORK/lmdb/demo" "$WORK/lmdb-db")
	echo "  demo: $out"
	report_summary "$WORK/lmdb.report" mdb.c >"$WORK/sum" 2>/dev/null; read -r total live all <"$WORK/sum"
	echo "  report: $total bytes at $live live mdb.c sites (all lines: $all bytes)"
	check_flag "demo found its key" "$([ "$out" = "found=value 7 of round 2" ] && echo 1 || echo 0)"
	check_flag "mdb.c sites carry live bytes (>= 3 sites)" "$([ "$live" -ge 3 ] && echo 1 || echo 0)"
	row LMDB "$WORK/lmdb.report"
	;;
hiredis)
	echo "== hiredis (sds strings, reply reader; hi_malloc behind hiredisAllocFns)"
	tar xzf "$(fetch hiredis hiredis)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -path '*hiredis/sds.c' | head -1)")
	HFILES=("$SRC/sds.c" "$SRC/read.c" "$SRC/hiredis.c" "$SRC/alloc.c" "$SRC/net.c" "$SRC/sockcompat.c" "$SRC/async.c")
	scan=$(scan_numbers "${HFILES[@]}" --)
	echo "  scan: $scan (sites tagged helpers recipes indirect-calls decided)"
	cp "$HERE/hiredis_driver.c" "$SRC/"
	build_pair hiredis $OPT -c "${HFILES[@]}"
	(cd "$WORK/hiredis" && "$TAGGER" cc $CC $OPT -I "$SRC" "$SRC/hiredis_driver.c" ./*.o -o demo)
	out=$(ALLOCTAG_REPORT="$WORK/hiredis.report" "$WORK/hiredis/demo")
	echo "  demo: $out"
	for f in hiredis_driver.c sds.c hiredis.c read.c; do
		report_summary "$WORK/hiredis.report" $f >"$WORK/sum" 2>"$WORK/top-$f"; read -r total live all <"$WORK/sum"
		cat "$WORK/top-$f"
		eval "total_$(basename "$f" .c)=$total live_$(basename "$f" .c)=$live"
	done
	echo "  report: driver $total_hiredis_driver bytes at $live_hiredis_driver sites; sds.c $total_sds at $live_sds; hiredis.c $total_hiredis at $live_hiredis; read.c $total_read at $live_read"
	check_flag "the 2000 live sds strings are charged to the driver's calls, past sds.c (>= 2000*27 bytes)" "$([ "$total_hiredis_driver" -ge 54000 ] && [ "$total_sds" -lt 4096 ] && echo 1 || echo 0)"
	check_flag "live replies are charged to hiredis.c/read.c sites" "$([ $((live_hiredis + live_read)) -ge 2 ] && echo 1 || echo 0)"
	row hiredis "$WORK/hiredis.report"
	;;
zstd)
	echo "== zstd (zstandard's amalgamated zstd.c; ZSTD_customMem)"
	tar xzf "$(fetch zstandard zstandard)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -path '*zstd/zstd.c' | head -1)")
	FLAGS=(-pthread)
	scan=$(scan_numbers "$SRC/zstd.c" -- "${FLAGS[@]}")
	echo "  scan: $scan (sites tagged helpers recipes indirect-calls decided)"
	cp "$HERE/zstd_driver.c" "$SRC/"
	build_pair zstd $OPT -c "${FLAGS[@]}" "$SRC/zstd.c"
	(cd "$WORK/zstd" && "$TAGGER" cc $CC $OPT -pthread -I "$SRC" "$SRC/zstd_driver.c" zstd.o -o demo)
	out=$(ALLOCTAG_REPORT="$WORK/zstd.report" "$WORK/zstd/demo")
	echo "  demo: $out"
	report_summary "$WORK/zstd.report" zstd.c >"$WORK/sum" 2>/dev/null; read -r total _ _ <"$WORK/sum"
	python3 - "$WORK/zstd.report" >"$WORK/sum" <<'PY'
import re, sys
# Bytes zstd holds for the two contexts: lines of zstd.c plus the driver's create calls
# (zstd_driver.c lines 17 and 18).
t = 0
for l in open(sys.argv[1]).read().splitlines()[2:]:
    m = re.match(r"\s*(-?\d+)\s+\d+ (\S+):(\d+) (?:\[\S+\] )?func:(\S+)", l)
    if m and (m[2].endswith("zstd.c") or m[2].endswith("zstd_driver.c") and int(m[3]) in (17, 18)): t += int(m[1])
print(t)
PY
	read -r held <"$WORK/sum"
	said=$(sed -n 's/.*zstd_bytes=\([0-9]*\).*/\1/p' <<<"$out")
	echo "  report: contexts hold $held bytes (zstd.c lines $total); ZSTD_sizeof_CCtx + ZSTD_sizeof_DCtx = $said"
	check_flag "round trip" "$(grep -q round_trip=ok <<<"$out" && echo 1 || echo 0)"
	check_flag "the contexts' bytes equal zstd's own accounting" "$([ "$held" = "$said" ] && echo 1 || echo 0)"
	row zstd "$WORK/zstd.report"
	;;
brotli)
	echo "== brotli (brotli sdist; BrotliDefaultAllocFunc behind brotli_alloc_func, BROTLI_DECODER_ALLOC)"
	tar xzf "$(fetch brotli brotli)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -path '*c/dec/decode.c' | head -1)")/..
	SRC=$(cd "$SRC" && pwd)
	BFILES=("$SRC"/common/*.c "$SRC"/dec/*.c "$SRC"/enc/*.c)
	scan=$(scan_numbers "${BFILES[@]}" -- -I "$SRC/include")
	echo "  scan: $scan (sites tagged helpers recipes indirect-calls decided)"
	cp "$HERE/brotli_driver.c" "$SRC/"
	build_pair brotli $OPT -I "$SRC/include" -c "${BFILES[@]}"
	# dec/ and enc/ both have a static_init.c: the decoder's object, overwritten above, is made apart.
	mkdir -p "$WORK/brotli/dec" && (cd "$WORK/brotli/dec" && "$TAGGER" cc $CC $OPT -I "$SRC/include" -c "$SRC/dec/static_init.c")
	(cd "$WORK/brotli" && "$TAGGER" cc $CC $OPT -I "$SRC/include" "$SRC/brotli_driver.c" ./*.o dec/static_init.o -o demo -lm)
	out=$(ALLOCTAG_REPORT="$WORK/brotli.report" "$WORK/brotli/demo")
	echo "  demo: $out"
	check_flag "round trip" "$(grep -q round_trip=ok <<<"$out" && echo 1 || echo 0)"
	row brotli "$WORK/brotli.report"
	;;
cmark)
	echo "== cmark-gfm (cmarkgfm sdist; the cmark_mem table { xcalloc, xrealloc, xfree })"
	tar xzf "$(fetch cmarkgfm cmarkgfm)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -path '*cmark/src/blocks.c' | head -1)")
	GEN=$(dirname "$(find "$WORK" -path '*generated/unix/config.h' | head -1)")
	CFILES=(); for f in "$SRC"/*.c; do [ "$(basename "$f")" = main.c ] || CFILES+=("$f"); done
	scan=$(scan_numbers "${CFILES[@]}" -- -I "$SRC" -I "$GEN")
	echo "  scan: $scan (sites tagged helpers recipes indirect-calls decided)"
	cp "$HERE/cmark_driver.c" "$SRC/"
	build_pair cmark $OPT -I "$SRC" -I "$GEN" -c "${CFILES[@]}"
	(cd "$WORK/cmark" && "$TAGGER" cc $CC $OPT -I "$SRC" -I "$GEN" "$SRC/cmark_driver.c" ./*.o -o demo)
	out=$(ALLOCTAG_REPORT="$WORK/cmark.report" "$WORK/cmark/demo")
	echo "  demo: $out"
	check_flag "document parsed and rendered" "$(grep -q 'html_ok=1' <<<"$out" && echo 1 || echo 0)"
	row cmark-gfm "$WORK/cmark.report"
	;;
cares)
	echo "== c-ares (pycares sdist; ares_malloc/ares_realloc behind the pointers ares_library_init_mem sets)"
	TARBALL=$(fetch pycares pycares)
	tar xzf "$TARBALL" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -path '*deps/c-ares/CMakeLists.txt' | head -1)")
	# ares_config.h and ares_build.h from c-ares's CMake (pycares' options), once per sdist: the
	# sources themselves are compiled below, as they are, without CMake.
	CFG=$SDIST_CACHE/$(basename "$TARBALL" .tar.gz)-config-$(basename "$CC")
	if [ ! -f "$CFG/ares_config.h" ]; then
		if ! command -v cmake >/dev/null; then fail "cmake makes c-ares's configuration headers (Tests/setup installs it)"; continue; fi
		mkdir -p "$WORK/cares-cmake"
		if ! (cd "$WORK/cares-cmake" && cmake "$SRC" -DCMAKE_C_COMPILER="$CC" -DCARES_STATIC=ON -DCARES_SHARED=OFF \
			-DCARES_BUILD_TOOLS=OFF -DCARES_BUILD_TESTS=OFF -DCARES_THREADS=ON >"$WORK/cares-cmake.log" 2>&1); then
			tail -5 "$WORK/cares-cmake.log"; fail "c-ares's CMake configuration"; continue
		fi
		mkdir -p "$CFG.$$" && cp "$WORK/cares-cmake/ares_config.h" "$WORK/cares-cmake/ares_build.h" "$CFG.$$/"
		mv -T "$CFG.$$" "$CFG" 2>/dev/null || rm -rf "$CFG.$$"  # a concurrent run's copy is as good
	fi
	mapfile -t AFILES < <(find "$SRC/src/lib" -name '*.c' | sort)
	FLAGS=(-DHAVE_CONFIG_H=1 -DCARES_BUILDING_LIBRARY -D_GNU_SOURCE -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700
		-I "$CFG" -I "$SRC/include" -I "$SRC/src/lib" -I "$SRC/src/lib/include")
	scan=$(scan_numbers "${AFILES[@]}" -- "${FLAGS[@]}")
	echo "  scan: $scan (sites tagged helpers recipes indirect-calls decided)"
	# The driver sits with the library's sources (src/lib holds the CMakeLists.txt that makes
	# the project root), so its compile reads the library's cached facts.
	cp "$HERE/cares_driver.c" "$SRC/src/lib/"
	build_pair cares $OPT -c "${FLAGS[@]}" "${AFILES[@]}"
	(cd "$WORK/cares" && "$TAGGER" cc $CC $OPT -pthread -Wno-deprecated-declarations -I "$CFG" -I "$SRC/include" \
		"$SRC/src/lib/cares_driver.c" ./*.o -o demo)
	mkdir -p "$WORK/cares-run"
	out=$(ALLOCTAG_REPORT="$WORK/cares.report" "$WORK/cares/demo" "$WORK/cares-run")
	echo "  demo: $out"
	report_summary "$WORK/cares.report" cares_driver.c >"$WORK/sum" 2>/dev/null; read -r driver _ _ <"$WORK/sum"
	create_line=$(grep -n 'ares_dns_record_create(&rec' "$HERE/cares_driver.c" | head -1 | cut -d: -f1)
	python3 - "$WORK/cares.report" "$create_line" >"$WORK/sum" <<'PY'
import re, sys
# Live sites on c-ares's own lines (not the driver's, not <untagged>), and the live calls on the
# driver's ares_dns_record_create line (an out-parameter constructor: charged to its caller).
sites = calls = 0
for l in open(sys.argv[1]).read().splitlines()[2:]:
    m = re.match(r"\s*(-?\d+)\s+(\d+) (\S+):(\d+) (?:\[\S+\] )?func:(\S+)", l)
    if not m or int(m[1]) <= 0: continue
    if m[3].endswith("cares_driver.c"): calls += int(m[2]) if m[4] == sys.argv[2] else 0
    elif not m[3].startswith("<"): sites += 1
print(sites, calls)
PY
	read -r csites dcalls <"$WORK/sum"
	echo "  report: $csites live c-ares sites; driver lines $driver bytes; $dcalls live allocations on the ares_dns_record_create line"
	check_flag "hosts-file answers, queued queries and parsed records" \
		"$(grep -Eq '^servers=0 sortlist=0 found=400 of 400 answered=400 queued=450 parsed=120 of 120$' <<<"$out" && echo 1 || echo 0)"
	check_flag "live bytes charged across c-ares's own lines (>= 30 sites)" "$([ "$csites" -ge 30 ] && echo 1 || echo 0)"
	check_flag "the driver's 60 ares_dns_record_create calls (an out-parameter constructor) are charged to the driver" \
		"$([ "$dcalls" -ge 60 ] && echo 1 || echo 0)"
	row c-ares "$WORK/cares.report"
	;;
libuv)
	echo "== libuv (uvloop sdist's vendor/libuv; uv__malloc and kin call through the uv__allocator table)"
	tar xzf "$(fetch uvloop uvloop)" -C "$WORK"
	SRC=$(dirname "$(find "$WORK" -path '*vendor/libuv/src/uv-common.c' | head -1)")/..
	SRC=$(cd "$SRC" && pwd)
	# CMakeLists.txt's Linux list: the common sources, the unix ones, linux.c and kin.
	UFILES=()
	for f in fs-poll idna inet random strscpy strtok thread-common threadpool timer uv-common uv-data-getter-setters version; do UFILES+=("$SRC/src/$f.c"); done
	for f in async core dl fs getaddrinfo getnameinfo loop-watcher loop pipe poll process random-devurandom signal stream tcp thread tty udp \
		linux procfs-exepath random-getrandom random-sysctl-linux proctitle; do UFILES+=("$SRC/src/unix/$f.c"); done
	FLAGS=(-D_GNU_SOURCE -D_POSIX_C_SOURCE=200112 -D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE -I "$SRC/include" -I "$SRC/src")
	scan=$(scan_numbers "${UFILES[@]}" -- "${FLAGS[@]}")
	echo "  scan: $scan (sites tagged helpers recipes indirect-calls decided)"
	cp "$HERE/libuv_driver.c" "$SRC/"
	build_pair libuv $OPT -pthread "${FLAGS[@]}" -c "${UFILES[@]}"
	(cd "$WORK/libuv" && "$TAGGER" cc $CC $OPT -pthread -I "$SRC/include" "$SRC/libuv_driver.c" ./*.o -o demo -ldl -lrt -lm)
	mkdir -p "$WORK/libuv-scratch"
	out=$(UV_THREADPOOL_SIZE=8 ALLOCTAG_REPORT="$WORK/libuv.report" "$WORK/libuv/demo" "$WORK/libuv-scratch")
	echo "  demo: $out"
	python3 - "$WORK/libuv.report" >"$WORK/sum" <<'PY'
import re, sys
# Bytes on the lines of uv_fs_stat's and uv_fs_lstat's PATH (the copied paths), and on
# uv__strdup's and uv__malloc's own lines (none should stay there).
src = open(sys.argv[1]).read().splitlines()[2:]
paths = helpers = 0
for l in src:
    m = re.match(r"\s*(-?\d+)\s+\d+ (\S+):(\d+) (?:\[\S+\] )?func:(\S+)", l)
    if not m: continue
    if m[2].endswith("unix/fs.c") and m[4] in ("uv_fs_stat", "uv_fs_lstat"): paths += int(m[1])
    if m[4] in ("uv__strdup", "uv__strndup", "uv__malloc", "uv__calloc", "uv__realloc", "uv__reallocf"): helpers += int(m[1])
print(paths, helpers)
PY
	read -r path_held helper_held <"$WORK/sum"
	path_bytes=$(sed -n 's/.*path_bytes=\([0-9]*\).*/\1/p' <<<"$out")
	echo "  report: uv_fs_stat + uv_fs_lstat lines hold $path_held bytes; the driver's paths, copied twice: $((2 * path_bytes)); on uv__strdup/uv__malloc's own lines: $helper_held"
	check_flag "driver ran (requests, work, timers done; environ, interfaces, cpus read)" "$(grep -q 'uv_ok=1' <<<"$out" && echo 1 || echo 0)"
	check_flag "the copied paths are charged to uv_fs_stat/uv_fs_lstat, exactly (2 * path_bytes)" "$([ -n "$path_bytes" ] && [ "$path_held" = $((2 * path_bytes)) ] && echo 1 || echo 0)"
	check_flag "no live bytes on the allocation helpers' own lines" "$([ "$helper_held" = 0 ] && echo 1 || echo 0)"
	row libuv "$WORK/libuv.report"
	;;
*) echo "unknown library $lib (sqlite, lmdb, hiredis, zstd, brotli, cmark, libuv, cares)"; exit 64 ;;
esac
done
{
	echo "| library | sites | helpers inferred | indirect calls decided | live bytes | on \`<untagged>\` | on helper lines | share | fallbacks | build overhead |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	printf '%s\n' "${ROWS[@]}"
} | tee "${TABLE:-$WORK/table.md}"
finish
