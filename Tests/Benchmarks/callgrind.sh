#!/usr/bin/env bash
# Instructions per operation of alloctag-bench's workloads (Micro/bench.c), counted by
# callgrind inside each workload's own function (--toggle-collect): glibc, then the runtime
# with ALLOCTAG_PROFILING never / 1 / 1,header, and each one's ratio to glibc.
#
#   Tests/Benchmarks/callgrind.sh        (~5 min: 20 runs under valgrind)
#
# Why: on a shared or virtualised machine wall time moves by tens of percent between rounds
# (steal time), while an instruction count is the same on every run of the same binary, so a
# change to a hot path is judged here and its time in alloctag-bench.  Instructions are not
# time (a cache miss costs more than an add); both are reported in docs/performance.md.
# Built with gcc -O2: Valgrind 3.19 cannot read the debug information of the toolchain's clang.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORE=$ROOT/Sources/TagRuntime/Core
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/alloctag-callgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT

gcc -O2 -g -D_GNU_SOURCE -I "$CORE/include" "$ROOT/Tests/Benchmarks/Micro/bench.c" "$CORE"/*.c \
	-lpthread -ldl -o "$work/bench"
ops=$(sed -n 's/^#define OPS \([0-9]*\).*/\1/p' "$ROOT/Tests/Benchmarks/Micro/bench.c")

# index  function prefix  threads  operations counted (bench.c's loops: per pair, per call, per pair)
workloads=("0 mixed 1 $ops" "1 written 1 $ops" "2 shared 2 $((ops * 2))"
	"3 realloc 1 $((ops / 12 / 4 * 13))" "4 aligned 1 $((ops / 4))")

instructions() { # instructions WORKLOAD FUNCTION KIND THREADS PROFILING
	ALLOCTAG_PROFILING=$5 valgrind --tool=callgrind --callgrind-out-file="$work/out" \
		--toggle-collect="$2_$3" "$work/bench" --child "$1" "$3" "$4" >/dev/null 2>&1
	sed -n 's/^summary: //p' "$work/out"
}

printf '%-8s %3s %10s   %-22s %-22s %-22s\n' workload thr "glibc" "never" "1" "1,header"
for entry in "${workloads[@]}"; do
	read -r w name threads count <<<"$entry"
	glibc=$(instructions "$w" "$name" glibc "$threads" 1)
	line=$(printf '%-8s %3s %10.1f' "$name" "$threads" "$(awk -v a="$glibc" -v b="$count" 'BEGIN { print a / b }')")
	for profiling in never 1 1,header; do
		n=$(instructions "$w" "$name" tagged "$threads" "$profiling")
		line+=$(awk -v n="$n" -v c="$count" -v g="$glibc" 'BEGIN { printf "   %7.1f (%5.3fx)      ", n / c, n / g }')
	done
	echo "$line"
done
echo "(instructions per operation inside the workload's loop, set-up and tear-down of its live array included; ratio to glibc)"
