#!/usr/bin/env bash
# What the build plugin adds to a real package's builds (issue 13: < 30% on a clean debug
# build, < 2 s on an incremental one): JohnSundell/Ink 0.6.0 (cloned once, cached as
# Tests/SwiftPackages does) built twice from the same sources, as written and with the three
# Package.swift lines (alloctag's package, TagRuntime and AllocTagBuildPlugin on the Ink target).
# Per round and configuration: a clean debug build (`swift build`, scratch folder removed first:
# what the plugin adds then includes building TagRuntime and alloctag-gen), then an incremental
# one after one Ink source file is touched. Configurations are interleaved; medians and the
# median of per-round ratios are printed.
#
#   Tests/Benchmarks/plugin-overhead.sh [--rounds N]     (default 2)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/corpus
rounds=2
[ "${1:-}" = --rounds ] && rounds=$2
WORK=$(mktemp -d /tmp/alloctag-plugin-overhead.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CACHE"
[ -d "$CACHE/Ink-0.6.0" ] || git -c advice.detachedHead=false clone --quiet --branch 0.6.0 https://github.com/JohnSundell/Ink "$CACHE/Ink-0.6.0"
ln -s "$ROOT" "$WORK/alloctag"
for config in plain plugin; do
	(cd "$CACHE/Ink-0.6.0" && tar --exclude=.git --exclude='.build*' -cf - .) | (mkdir -p "$WORK/$config" && cd "$WORK/$config" && tar -xf -)
done
python3 - "$WORK/plugin/Package.swift" "$WORK/alloctag" <<'PY'
import sys
path, alloctag = sys.argv[1], sys.argv[2]
s = open(path).read().replace("// swift-tools-version:5.2", "// swift-tools-version:5.9")
s = s.replace('    targets: [\n        .target(name: "Ink"),',
              '    dependencies: [.package(path: "%s")],\n    targets: [\n        .target(name: "Ink", dependencies: '
              '[.product(name: "TagRuntime", package: "alloctag")], plugins: [.plugin(name: "AllocTagBuildPlugin", package: "alloctag")]),' % alloctag)
assert "AllocTagBuildPlugin" in s, s
open(path, "w").write(s)
PY
sed -i 's|// swift-tools-version:5.2|// swift-tools-version:5.9|' "$WORK/plain/Package.swift"

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); python3 -c "print(f'{$e-$s:.2f}')"; }
results=$WORK/results
for round in $(seq "$rounds"); do
	for config in plain plugin; do
		cd "$WORK/$config"
		rm -rf .build
		clean=$(seconds swift build --target Ink)
		touch Sources/Ink/API/MarkdownParser.swift
		incremental=$(seconds swift build --target Ink)
		echo "round $round $config: clean ${clean}s, incremental ${incremental}s"
		echo "$round $config $clean $incremental" >>"$results"
	done
done
python3 - "$results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for r, c, clean, inc in rows: by.setdefault(c, {})[r] = (float(clean), float(inc))
rounds = sorted(by["plain"])
for i, name in enumerate(["clean debug build", "incremental build (one file touched)"]):
    plain = [by["plain"][r][i] for r in rounds]; plugin = [by["plugin"][r][i] for r in rounds]
    ratio = statistics.median(p / q for p, q in zip(plugin, plain))
    extra = statistics.median(p - q for p, q in zip(plugin, plain))
    print(f"{name}: plain median {statistics.median(plain):.2f}s, with the plugin {statistics.median(plugin):.2f}s: "
          f"ratio {ratio:.2f}x, {extra:+.2f}s")
PY
