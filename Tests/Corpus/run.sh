#!/usr/bin/env bash
# The build plugin's token scan and the swift-syntax front end on real Swift packages:
#   1. every .swift file of the package's resolved dependencies (.build/checkouts) and of
#      apple/swift-collections, apple/swift-nio and JohnSundell/Ink (cloned at test time from
#      their GitHub URLs, cached under ${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/corpus):
#      no crash, no file over a time limit (20 s of CPU time: a loop that makes no progress
#      burns CPU; other builds on the machine do not count), the same sites from both
#      (disagreements 0); every 12th file is also annotated with scopes in memory: it must
#      parse, a second annotate must change nothing, and both front ends must give the same
#      scope tag records;
#   2. a bounded fuzz: mutants of those files (fixed seed), no crash, no time-out.
# Usage: Tests/Corpus/run.sh   (env: ALLOCTAG_CORPUS_FUZZ=N mutants, default 300)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/corpus
cd "$ROOT"

swift build --product alloctag-corpus >/dev/null
tool=$(swift build --show-bin-path)/alloctag-corpus

mkdir -p "$CACHE"
fetch() { # fetch OWNER/NAME TAG
    local dir=$CACHE/${1#*/}-$2
    [ -d "$dir" ] || git -c advice.detachedHead=false clone --quiet --branch "$2" "https://github.com/$1" "$dir"
    echo "$dir"
}
roots=(
    "$(fetch apple/swift-collections 1.6.0)"
    "$(fetch apple/swift-nio 2.101.3)"
    "$(fetch JohnSundell/Ink 0.6.0)"
)
for dep in swift-syntax swift-argument-parser swift-metrics; do
    [ -d ".build/checkouts/$dep" ] || { echo "not ok - .build/checkouts/$dep missing (swift build resolves it)"; exit 1; }
    roots+=(".build/checkouts/$dep")
done

list=$(mktemp)
trap 'rm -f "$list" "$list.fuzz"' EXIT
find "${roots[@]}" -name '*.swift' -type f -not -path '*/.build/*' | sort >"$list"
count=$(wc -l <"$list")
[ "$count" -gt 1000 ] || { echo "not ok - only $count Swift files found"; exit 1; }

failed=0
echo "--- agreement on $count files"
start=$SECONDS
"$tool" --timeout 20 --scope-every 12 --files-from "$list" || failed=1
echo "($((SECONDS - start)) s)"
start=$SECONDS
echo "--- fuzz"
# Every 8th file, so the mutants come from all packages.
awk 'NR % 8 == 0' "$list" >"$list.fuzz"
"$tool" --fuzz "${ALLOCTAG_CORPUS_FUZZ:-300}" --seed 20261202 --timeout 20 --files-from "$list.fuzz" || failed=1
echo "($((SECONDS - start)) s)"
[ "$failed" -eq 0 ] && echo "ok - corpus" || { echo "not ok - corpus"; exit 1; }
