#!/usr/bin/env bash
# Build times of Examples/PluginDemo with and without the build plugin: first debug build,
# incremental debug build (one Swift file touched), first release build, incremental release.
# "without": the example as written, plugin lines removed. "with": annotated, plugin on.
# Each first build uses a fresh scratch folder (dependencies resolved beforehand, not timed).
# Usage: Tests/PluginIntegration/measure.sh   (~6-10 min on 2 cores). Prints a table.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/alloctag-plugin-measure.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
TOOLS=${ALLOCTAG_PLUGIN_SCRATCH:-$ROOT/.build-plugin-it}

copy() {
    mkdir -p "$WORK/$1"
    (cd "$ROOT/Examples/PluginDemo" && tar --exclude='.build*' --exclude=.swiftpm -cf - .) | (cd "$WORK/$1" && tar -xf -)
    sed -i "s#path: \"../..\"#path: \"$ROOT\"#" "$WORK/$1/Package.swift"
}
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { printf "%.1f", e - s }'; }

copy without
sed -i '/plugins: \[/d' "$WORK/without/Package.swift"
copy with
(cd "$WORK/with" && swift package --scratch-path "$TOOLS" --allow-writing-to-package-directory \
    alloc-tag annotate --target PluginDemo --target DemoC >/dev/null 2>&1)

printf '%-8s %12s %12s %12s %12s\n' variant first-debug incr-debug first-release incr-release
for variant in without with; do
    cd "$WORK/$variant"
    scratch=$WORK/scratch-$variant
    swift package --scratch-path "$scratch" resolve >/dev/null 2>&1
    first_debug=$(seconds swift build --scratch-path "$scratch")
    touch Sources/PluginDemo/main.swift
    incr_debug=$(seconds swift build --scratch-path "$scratch")
    first_release=$(seconds swift build -c release --scratch-path "$scratch")
    touch Sources/PluginDemo/main.swift
    incr_release=$(seconds swift build -c release --scratch-path "$scratch")
    printf '%-8s %11ss %11ss %11ss %11ss\n' "$variant" "$first_debug" "$incr_debug" "$first_release" "$incr_release"
    rm -rf "$scratch"
done
