#!/usr/bin/env bash
# Integration test of the SwiftPM plugins on a fresh copy of Examples/PluginDemo:
#   1. a plain build warns at each untagged Swift site (build plugin, token scan) and C site
#      (build plugin, libclang: `tagger check`'s findings, by construction);
#   2. `swift package --allow-writing-to-package-directory alloc-tag annotate --target X`
#      writes nothing when a C file does not parse, then tags the Swift and the C target in
#      place, and a second run changes nothing;
#   3. the annotated package builds without warnings, and its report (ALLOCTAG_REPORT) has
#      the exact bytes and calls of every site at its true file:line, in debug and release;
#   4. a line added above the sites renames no tag and the report follows the new lines;
#   5. `swift package alloc-tag check` passes, and fails (with file:line) on a new untagged site;
#   6. the release build compiled no swift-syntax object.
# Usage: Tests/PluginIntegration/run.sh   (env: ALLOCTAG_PLUGIN_SCRATCH, default .build-plugin-it)
# Needs what `tagger` needs (libclang-dev for the C annotator). Takes ~3-4 min warm, longer cold.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCRATCH=${ALLOCTAG_PLUGIN_SCRATCH:-$ROOT/.build-plugin-it}
WORK=$(mktemp -d /tmp/alloctag-plugin-it.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
D=$WORK/PluginDemo
counter_suite=plugin-integration
. "$ROOT/Tests/lib/counter.sh"


mkdir -p "$D"
(cd "$ROOT/Examples/PluginDemo" && tar --exclude='.build*' --exclude=.swiftpm -cf - .) | (cd "$D" && tar -xf -)
sed -i "s#path: \"../..\"#path: \"$ROOT\"#" "$D/Package.swift"
cd "$D"
build() { swift build --scratch-path "$SCRATCH" "$@" 2>&1; }

# 1. Warnings from the build plugin, at the user's own file:line:col.
out=$(build)
# C: libclang's message ("malloc() is not tagged"), check's; Swift: the token scan's ("malloc call").
warnings=$(grep -o '^/[^ ]*: warning: [A-Za-z.]*\(()\| call\) is not tagged' <<<"$out" | sort -u || true)
expected_warnings=$(sort <<EOF2
$D/Sources/DemoC/demo_c.c:11:19: warning: malloc() is not tagged
$D/Sources/DemoC/demo_c.c:12:19: warning: calloc() is not tagged
$D/Sources/DemoC/demo_c.c:13:19: warning: strdup() is not tagged
$D/Sources/PluginDemo/Buffers.swift:13:5: warning: UnsafeMutablePointer.allocate call is not tagged
$D/Sources/PluginDemo/Buffers.swift:18:28: warning: Particle call is not tagged
$D/Sources/PluginDemo/Buffers.swift:27:15: warning: UnsafeMutableRawPointer.allocate call is not tagged
$D/Sources/PluginDemo/Buffers.swift:28:17: warning: strdup call is not tagged
$D/Sources/PluginDemo/main.swift:11:13: warning: malloc call is not tagged
$D/Sources/PluginDemo/main.swift:13:11: warning: Particle call is not tagged
EOF2
)
check "plain build warns at every untagged site" test "$warnings" = "$expected_warnings"
[ "$warnings" = "$expected_warnings" ] || diff <(echo "$expected_warnings") <(echo "$warnings") || true
check "the C warnings come from libclang (no token-scan fallback)" bash -c "! grep -q libclang-unavailable <<<\"\$1\"" _ "$out"
check "libclang parsed the C target with its flags (no parse error)" bash -c "! grep -q parse-error <<<\"\$1\"" _ "$out"

# 2. Annotate both targets in place; a second run changes nothing.
annotate() { swift package --scratch-path "$SCRATCH" --allow-writing-to-package-directory alloc-tag annotate "$@" 2>&1; }
# All or nothing across targets: with a C file that does not parse, the run fails naming it and
# no file of either target is written (one tagger run for every target).
cp Sources/DemoC/demo_c.c "$WORK/demo_c.c.orig"
echo 'int broken(' >>Sources/DemoC/demo_c.c
broken=$(cat Sources/*/*.swift Sources/DemoC/*.c Sources/DemoC/include/*.h | md5sum)
if out=$(annotate --target PluginDemo --target DemoC); then fail "annotate succeeded with a C file that does not parse"; else pass; fi
check "the failure names the C file and line" grep -q 'demo_c\.c:[0-9]*:[0-9]*: error' <<<"$out"
check "annotate wrote nothing in either target when the C target failed" test "$broken" = "$(cat Sources/*/*.swift Sources/DemoC/*.c Sources/DemoC/include/*.h | md5sum)"
cp "$WORK/demo_c.c.orig" Sources/DemoC/demo_c.c
out=$(annotate --target PluginDemo --target DemoC) || { echo "$out"; exit 1; }
check "annotate reports the Swift sites" grep -q '2 Swift files changed; 6 sites wrapped; 0 bodies scoped; 0 sites left untagged' <<<"$out"
check "annotate reports the C sites" grep -q '3 of 3 sites tagged' <<<"$out"
snapshot=$(cat Sources/*/*.swift Sources/DemoC/*.c | md5sum)
annotate --target PluginDemo --target DemoC >/dev/null
check "a second annotate changes nothing" test "$snapshot" = "$(cat Sources/*/*.swift Sources/DemoC/*.c | md5sum)"
tags_before=$(grep -oh 'allocTag_[A-Za-z0-9_]*' Sources/PluginDemo/*.swift)

line_of() { grep -nF "$2" "$1" | head -1 | cut -d: -f1; }
expected_report() {
    local c=$D/Sources/DemoC/demo_c.c b=$D/Sources/PluginDemo/Buffers.swift m=$D/Sources/PluginDemo/main.swift
    {
        printf '%12d %8d %s:%s func:%s \n' 1000 1 "$c" "$(line_of "$c" 'malloc(1000)')" demo_c_allocate
        printf '%12d %8d %s:%s func:%s \n' 300 1 "$c" "$(line_of "$c" 'calloc(10, 30)')" demo_c_allocate
        printf '%12d %8d %s:%s func:%s \n' 9 1 "$c" "$(line_of "$c" 'strdup("alloctag")')" demo_c_allocate
        printf '%12d %8d %s:%s func:%s \n' 80 1 "$b" "$(line_of "$b" '.allocate(capacity: count)')" 'makeBuffer(of:count:)'
        printf '%12d %8d %s:%s func:%s \n' 96 3 "$b" "$(line_of "$b" 'Particle() }')" 'Array.swarm(_:)'
        printf '%12d %8d %s:%s func:%s \n' 100 1 "$b" "$(line_of "$b" 'allocate(byteCount: bytes')" 'Scratch.init(bytes:)'
        printf '%12d %8d %s:%s func:%s \n' 8 1 "$b" "$(line_of "$b" 'strdup("scratch")')" 'Scratch.init(bytes:)'
        printf '%12d %8d %s:%s func:%s \n' 4096 1 "$m" "$(line_of "$m" 'malloc(4096)')" main
        printf '%12d %8d %s:%s func:%s \n' 32 1 "$m" "$(line_of "$m" 'Particle() }')" main
    } | sort
}
run_report() { # run_report CONFIG
    rm -f "$WORK/report.txt"
    ALLOCTAG_REPORT=$WORK/report.txt "$SCRATCH/$1/PluginDemo" >/dev/null
    grep -F "$D/Sources/" "$WORK/report.txt" | sort
}

# 3. Debug and release: no warnings, exact bytes at true lines.
for config in debug release; do
    out=$(build -c "$config") || { echo "$out"; exit 1; }
    check "$config build of the annotated package has no untagged-site warning" bash -c "! grep -q untagged-site <<<\"\$1\"" _ "$out"
    # The annotated C file includes <alloc_tag/alloc_tag.h>: found through TagRuntime's public headers.
    check "$config build: libclang parsed the annotated C target (no parse error)" bash -c "! grep -q parse-error <<<\"\$1\"" _ "$out"
    actual=$(run_report "$config")
    check "$config report has each site's exact bytes at its true line" test "$actual" = "$(expected_report)"
    [ "$actual" = "$(expected_report)" ] || diff <(expected_report) <(echo "$actual") || true
    check "$config report header" test "$(head -1 "$WORK/report.txt")" = 'allocinfo - version: 2.0'
done

# 4. Unrelated edit above the sites: no tag renamed, lines follow.
sed -i '1i // a line added above every site' Sources/PluginDemo/Buffers.swift Sources/PluginDemo/main.swift
annotate --target PluginDemo >/dev/null
check "tag names survive an edit above them" test "$tags_before" = "$(grep -oh 'allocTag_[A-Za-z0-9_]*' Sources/PluginDemo/*.swift)"
build >/dev/null
actual=$(run_report debug)
check "incremental build reports the moved lines" test "$actual" = "$(expected_report)"

# 5. `alloc-tag check` runs the gate: clean now; a new untagged site fails it under --strict.
gate() { swift package --scratch-path "$SCRATCH" alloc-tag check "$@" 2>&1; }
gate_quiet() { gate "$@" >/dev/null; }
check "alloc-tag check passes on the annotated targets" gate_quiet --target PluginDemo --target DemoC --strict
echo '_ = malloc(3)' >>Sources/PluginDemo/main.swift
n=$(wc -l <Sources/PluginDemo/main.swift)
out=$(gate --target PluginDemo --strict) && status=0 || status=$?
check "alloc-tag check --strict fails on a new untagged site" test "$status" -ne 0
# Not anchored at the line start: the plugin's build output (stderr) can share a line with it.
check "... and names its file and line" grep -q "Sources/PluginDemo/main.swift:$n:5: error: malloc call is not tagged" <<<"$out"
grep -q "Sources/PluginDemo/main.swift:$n:5: error: malloc call is not tagged" <<<"$out" || echo "$out" | sed 's/^/    /' | tail -20

# 6. The user's release build must not have compiled swift-syntax (the plugin tool must not need it).
# Not vacuous: the search must find the release build's own objects, and the same pattern must
# find swift-syntax's objects where they do exist (the command plugin's tagger, built by annotate).
own=$(find "$SCRATCH" -path "$SCRATCH/*/release/*" -path '*PluginDemo.build*' -name '*.o' | wc -l)
check "the release build's own objects are where this check looks ($own found)" test "$own" -gt 0
syntax=$(find "$SCRATCH" -path '*SwiftSyntax*' -name '*.o' | wc -l)
check "swift-syntax objects exist for annotate's tagger ($syntax found)" test "$syntax" -gt 0
objects=$(find "$SCRATCH" -path "$SCRATCH/*/release/*" -path '*SwiftSyntax*' -name '*.o' | wc -l)
check "release build compiled no swift-syntax object ($objects found)" test "$objects" -eq 0

finish
