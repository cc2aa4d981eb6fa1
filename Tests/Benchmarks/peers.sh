#!/usr/bin/env bash
# TagRuntime next to the heap profilers a user would pick instead, on one workload
# (Peers/workload.c: bench.c's "mixed" loop, 8..512-byte blocks, 10k live, 1 thread).
#
#   Tests/Benchmarks/peers.sh [--install] [--rounds N] [--ops N] [--slow-ops N]
#   Tests/Benchmarks/peers.sh --smoke        quick self-check (tiny counts, one round)
#
# Two tiers, each compared with plain glibc at its OWN operation count, so every ratio is
# apples to apples:
#   native  (--ops, default 10M):     glibc, TagRuntime never / 1 / 1,header (rebuilt with
#                                     override.h) and 1 under LD_PRELOAD, plain jemalloc, and
#                                     LLVM -fmemory-profile (against the same program built by clang)
#   slow    (--slow-ops, default 1M): glibc, TagRuntime 1, jemalloc prof:true,lg_prof_sample:0,
#                                     heaptrack, DHAT, massif
# Configurations are interleaved in every round; wall time of the whole command (start-up and
# writing the profile included: what a user waits for), medians with min and max, and the
# median of the per-round ratios to glibc.  Every run must exit 0 and print the same checksum
# as glibc's run, and every profiler must leave its output file.
#
# --install installs heaptrack, valgrind and libjemalloc2 from Debian (apt-get, idempotent).
# Needs gcc and python3; clang for -fmemory-profile (CLANG=..., default /opt/swift/usr/bin/clang).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CORE=$ROOT/Sources/TagRuntime/Core
CLANG=${CLANG:-/opt/swift/usr/bin/clang}
[ -x "$CLANG" ] || CLANG=$(command -v clang || true)

rounds=5 ops=10000000 slow_ops=1000000 install=0 smoke=0
while [ $# -gt 0 ]; do
	case $1 in
	--install) install=1 ;;
	--smoke) smoke=1 rounds=1 ops=20000 slow_ops=5000 ;;
	--rounds) rounds=$2; shift ;;
	--ops) ops=$2; shift ;;
	--slow-ops) slow_ops=$2; shift ;;
	-h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "peers.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
	esac
	shift
done

if [ $install = 1 ]; then
	missing=()
	for p in heaptrack valgrind libjemalloc2; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "peers.sh: installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/alloctag-peers.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
notes=()
note() { notes+=("$*"); }

# ---- Builds --------------------------------------------------------------------------------
SRC=$HERE/Peers/workload.c
gcc -O2 -o "$WORK/plain" "$SRC"
mkdir -p "$WORK/rt"
for f in "$CORE"/*.c; do gcc -O2 -D_GNU_SOURCE -I "$CORE/include" -c "$f" -o "$WORK/rt/$(basename "$f" .c).o"; done
gcc -O2 -D_GNU_SOURCE -I "$CORE/include" -include alloc_tag/override.h -c "$SRC" -o "$WORK/tagged.o"
gcc -O2 "$WORK/tagged.o" "$WORK/rt"/*.o -o "$WORK/tagged" -lpthread
gcc -O2 -shared -fPIC -D_GNU_SOURCE -I "$CORE/include" "$CORE"/*.c -o "$WORK/libTagRuntimePreload.so" -lpthread

have_clang=0 have_memprof=0
if [ -n "$CLANG" ] && "$CLANG" -O2 -o "$WORK/plain-clang" "$SRC" 2>/dev/null; then
	have_clang=1
	if "$CLANG" -O2 -fmemory-profile -o "$WORK/memprof" "$SRC" 2>"$WORK/memprof.err"; then
		have_memprof=1
	else
		note "LLVM -fmemory-profile does not link here ($CLANG): $(head -1 "$WORK/memprof.err")"
	fi
else
	note "no clang found: LLVM -fmemory-profile not measured"
fi

JEMALLOC=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -1 || true)
have_jemalloc=0 have_jeprof=0
if [ -n "$JEMALLOC" ]; then
	have_jemalloc=1
	# Debian's build is configured with --enable-prof; check rather than assume.
	stats=$(MALLOC_CONF=stats_print:true LD_PRELOAD=$JEMALLOC "$WORK/plain" 10 2>&1 || true)
	if grep -q "config.prof: true" <<<"$stats"; then
		have_jeprof=1
	else
		note "this jemalloc was built without profiling (config.prof: false): prof:true is not available"
	fi
else
	note "libjemalloc2 is not installed (--install): jemalloc not measured"
fi
have_heaptrack=0 have_valgrind=0
command -v heaptrack >/dev/null && have_heaptrack=1 || note "heaptrack is not installed (--install): not measured"
command -v valgrind >/dev/null && have_valgrind=1 || note "valgrind is not installed (--install): DHAT and massif not measured"

# ---- Configurations: tier|name|exactness|output file the profiler must leave|command ---------
configs=()
add() { configs+=("$1|$2|$3|$4|$5"); }
O='$OUT' # expanded per run
add native "glibc" "-" "" "$WORK/plain \$N"
add native "TagRuntime never" "none" "" "env ALLOCTAG_PROFILING=never $WORK/tagged \$N"
add native "TagRuntime 1" "exact: live bytes+calls per line" "$O/report" "env ALLOCTAG_PROFILING=1 ALLOCTAG_REPORT=$O/report $WORK/tagged \$N"
add native "TagRuntime 1,header" "exact: live bytes+calls per line" "$O/report" "env ALLOCTAG_PROFILING=1,header ALLOCTAG_REPORT=$O/report $WORK/tagged \$N"
add native "TagRuntime 1, LD_PRELOAD" "exact totals, untagged" "$O/report" "env ALLOCTAG_PROFILING=1 ALLOCTAG_REPORT=$O/report LD_PRELOAD=$WORK/libTagRuntimePreload.so $WORK/plain \$N"
[ $have_jemalloc = 1 ] && add native "jemalloc (no profiling)" "none" "" "env LD_PRELOAD=$JEMALLOC $WORK/plain \$N"
[ $have_clang = 1 ] && add native "glibc, clang -O2" "-" "" "$WORK/plain-clang \$N"
# writes memprof.profraw.<pid> into the working directory, $OUT
[ $have_memprof = 1 ] && add native "LLVM -fmemory-profile" "exact: allocs per context" "$O/memprof.profraw*" "$WORK/memprof \$N"

add slow "glibc" "-" "" "$WORK/plain \$N"
add slow "TagRuntime 1" "exact: live bytes+calls per line" "$O/report" "env ALLOCTAG_PROFILING=1 ALLOCTAG_REPORT=$O/report $WORK/tagged \$N"
[ $have_jeprof = 1 ] && add slow "jemalloc prof, lg_prof_sample:0" "exact: every allocation's stack" "$O/jeprof.*.heap" \
	"env LD_PRELOAD=$JEMALLOC MALLOC_CONF=prof:true,lg_prof_sample:0,prof_final:true,prof_prefix:$O/jeprof $WORK/plain \$N"
[ $have_heaptrack = 1 ] && add slow "heaptrack" "exact: every call's stack" "$O/ht.zst" "heaptrack -o $O/ht $WORK/plain \$N"
[ $have_valgrind = 1 ] && add slow "valgrind DHAT" "exact: every block" "$O/dhat.json" "valgrind --tool=dhat --dhat-out-file=$O/dhat.json $WORK/plain \$N"
[ $have_valgrind = 1 ] && add slow "valgrind massif" "exact bytes at snapshots" "$O/massif.out" "valgrind --tool=massif --massif-out-file=$O/massif.out $WORK/plain \$N"

# ---- Runs -------------------------------------------------------------------------------------
results=$WORK/results.tsv
: >"$results"
failures=0
declare -A checksum
run_one() { # tier round index
	local tier=$1 round=$2 i=$3 name exact file cmd N OUT
	IFS='|' read -r _ name exact file cmd <<<"${configs[$i]}"
	N=$([ "$tier" = native ] && echo "$ops" || echo "$slow_ops")
	OUT=$WORK/out; rm -rf "$OUT"; mkdir -p "$OUT"
	cmd=${cmd//\$OUT/$OUT}; cmd=${cmd//\$N/$N}
	local status=0 times
	times=$(cd "$OUT" && python3 "$HERE/timer.py" "$WORK/run.out" $cmd) || status=$?
	local sum
	sum=$(sed -n 's/.*checksum=\([0-9]*\).*/\1/p' "$WORK/run.out" | head -1)
	if [ $status != 0 ] || [ -z "$sum" ]; then
		echo "FAIL: $name ($tier, N=$N) exited $status:"; sed 's/^/    /' "$WORK/run.out" | tail -5
		failures=$((failures + 1)); return
	fi
	if [ -n "${checksum[$N]:-}" ] && [ "${checksum[$N]}" != "$sum" ]; then
		echo "FAIL: $name ran a different workload (checksum $sum, glibc ${checksum[$N]})"; failures=$((failures + 1))
	fi
	checksum[$N]=$sum
	if [ -n "$file" ]; then
		local pattern=${file//\$OUT/$OUT}
		# shellcheck disable=SC2086 # the pattern is a glob on purpose
		if ! ls $pattern >/dev/null 2>&1 || [ ! -s "$(ls $pattern | head -1)" ]; then
			echo "FAIL: $name left no profile ($pattern)"; failures=$((failures + 1))
		fi
	fi
	local loop
	loop=$(sed -n 's/.*loop_ns_per_op=\([0-9.]*\).*/\1/p' "$WORK/run.out" | head -1)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tier" "$round" "$name" "$exact" "$N" "$times" "$loop" >>"$results"
}

echo "peers.sh: $rounds round(s); native tier $ops ops, slow tier $slow_ops ops (one op = free + malloc)"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for tier in native slow; do
	for round in $(seq 1 "$rounds"); do
		for i in "${!configs[@]}"; do
			[ "${configs[$i]%%|*}" = "$tier" ] && run_one "$tier" "$round" "$i"
		done
	done
done

# TagRuntime's report of the instrumented workload, working set kept alive at exit: the
# array's calloc line holds LIVE pointers; the set-up and loop malloc lines together hold
# LIVE blocks and exactly the bytes the program counted.
for mode in 1 1,header; do
	out=$(ALLOCTAG_PROFILING=$mode ALLOCTAG_REPORT="$WORK/report" "$WORK/tagged" "$slow_ops" 10000 keep)
	want=$(sed -n 's/.*live_bytes=\([0-9]*\).*/\1/p' <<<"$out")
	got=$(python3 -c '
import re, sys
rows = [re.match(r"\s*(-?\d+)\s+(\d+) \S*workload\.c:\d+ func:main $", l) for l in open(sys.argv[1])]
rows = sorted((int(m[1]), int(m[2])) for m in rows if m)
# 2 or 3 lines: the set-up malloc line is back to zero once the loop has replaced every block
# (and the exit report leaves out sites of the main executable whose counters are zero).
ok = len(rows) in (2, 3) and (80000, 1) in rows
rest = [r for r in rows if r != (80000, 1)]
print(f"{sum(b for b, c in rest)} {sum(c for b, c in rest)}" if ok else "bad")' "$WORK/report")
	if [ "$got" != "$want 10000" ]; then
		echo "FAIL: TagRuntime report ($mode) of workload.c: got '$got', expected '$want 10000':"; cat "$WORK/report"
		failures=$((failures + 1))
	else
		echo "TagRuntime report ($mode, working set kept): workload.c's malloc lines hold $want bytes in 10000 calls, as the program counted"
	fi
done

python3 - "$results" <<'PY'
import sys, statistics as st
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
for tier in ("native", "slow"):
    t = [r for r in rows if r[0] == tier]
    if not t: continue
    names = list(dict.fromkeys(r[2] for r in t))
    exact = {r[2]: r[3] for r in t}
    n = int(t[0][4])
    # metric index: 5 wall ms, 6 cpu ms, 7 loop ns per op (the program's own clock)
    val = {name: {int(r[1]): [float(x) for x in r[5:8]] for r in t if r[2] == name} for name in names}
    def base(name):
        # -fmemory-profile is a clang build: compare it with the same program built by clang.
        return "glibc, clang -O2" if name == "LLVM -fmemory-profile" and "glibc, clang -O2" in val else "glibc"
    def ratio(name, m):
        b = val[base(name)]
        rs = [val[name][k][m] / b[k][m] for k in val[name] if k in b]
        return st.median(rs)
    print(f"\n{tier} tier, {n:,} ops; wall time of the whole command in ms (median [min .. max]); median per-round")
    print(f"ratios to glibc of wall time, of CPU time (user+sys, children included) and of the loop's own ns per op")
    print(f"  {'':32} {'wall ms':>9} {'min':>8} {'max':>8}  {'wall':>7} {'cpu':>7} {'loop ns':>8} {'loop':>7}  counts")
    r = {}
    for name in names:
        w = [v[0] for v in val[name].values()]
        loop = st.median(v[2] for v in val[name].values())
        r[name] = [ratio(name, m) for m in range(3)]
        vs = "" if base(name) == "glibc" else f" (ratios vs {base(name)})"
        print(f"  {name:32} {st.median(w):9.1f} {min(w):8.1f} {max(w):8.1f}  {r[name][0]:6.2f}x {r[name][1]:6.2f}x {loop:8.1f} {r[name][2]:6.2f}x  {exact[name]}{vs}")
    ours = r.get("TagRuntime 1")
    if ours and any(exact[x].startswith("exact") and not x.startswith("TagRuntime") for x in names):
        print(f"\n  slowdown (ratio - 1) of each exact peer against TagRuntime 1's at {n:,} ops (target: at least 10x)")
        print(f"  {'':32} {'wall':>16} {'cpu':>16} {'loop':>16}")
        print(f"  {'TagRuntime 1':32} " + " ".join(f"{ours[m] - 1:+8.2f}        " for m in range(3)))
        for name in names:
            if exact[name].startswith("exact") and not name.startswith("TagRuntime"):
                cells = []
                for m in range(3):
                    k = (r[name][m] - 1) / (ours[m] - 1) if ours[m] > 1 else float("inf")
                    cells.append(f"{r[name][m] - 1:+8.2f} {k:6.1f}x{'' if k >= 10 else '!'}")
                print(f"  {name:32} " + " ".join(cells))
        print("  (! marks a ratio under the 10x target)")
PY
for n in "${notes[@]+"${notes[@]}"}"; do echo "note: $n"; done
if [ $smoke = 1 ]; then
	[ $failures = 0 ] && echo "peers smoke: ok" || echo "peers smoke: $failures failure(s)"
fi
[ $failures = 0 ]
