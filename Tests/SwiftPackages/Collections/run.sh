#!/usr/bin/env bash
# A real Swift package annotated as a user would (issue 13): apple/swift-collections 1.6.0,
# cloned at test time (cached under ${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/corpus), written
# in `@inlinable`/`@frozen` style, so in release its generic code is specialised in the client.
# Its Package.swift makes every target in one place (CustomTarget.toTarget), so the three lines
# a user adds are: the package dependency, and in toTarget's library case TagRuntime and the
# build plugin; every library target gets them (each module the workload uses, their shared
# InternalCollectionsUtilities and ContainersPreview, and the rest, so `swift test` builds no
# library unannotated), test targets none. Plus a workload target
# (Tests/SwiftPackages/Collections/Workload: Deque, OrderedDictionary/OrderedSet,
# TreeDictionary/TreeSet, Heap and BitSet built element by element, kept live).
#   1. `tagger annotate --scopes` on every library target and the workload; a second run
#      changes nothing;
#   2. debug and release builds with the build plugin, no untagged-site warning;
#   3. the workload's live bytes: >= 80% on the package's own lines (swift-collections' and
#      the workload's), <= 20% on <untagged>; swift-collections' share alone said (and checked
#      to be the majority);
#   4. tag names survive an unrelated edit: a line inserted at the top of an annotated file,
#      re-annotating renames no tag and the report's lines follow;
#   5. the annotated modules' own test targets pass in debug (`swift test --filter`; release: see 5.),
#      371 s on a quiet 2-core machine; ALLOCTAG_PACKAGE_TESTS=skip skips them.
# The annotator is the tagger CLI this repo builds (as the Ink suite, for the same reason).
counter_suite=swift-packages-collections
. "$(dirname "$0")/../lib.sh"

P=$WORK/swift-collections
package_copy apple/swift-collections 1.6.0 "$P"
mkdir -p "$P/Sources/CollectionsWorkload"
cp "$ROOT/Tests/SwiftPackages/Collections/Workload/main.swift" "$P/Sources/CollectionsWorkload/"
python3 - "$P/Package.swift" "$WORK/alloctag" <<'PY'
import sys
path, alloctag = sys.argv[1], sys.argv[2]
s = open(path).read()
def sub(old, new):
    global s
    assert s.count(old) == 1, old
    s = s.replace(old, new)
# The user's three lines.
sub('  traits: _traits,\n', '  traits: _traits,\n  dependencies: [.package(path: "%s")],\n' % alloctag)
sub('        dependencies: dependencies,\n        path: kind.path(for: directory),\n        exclude: exclude,\n        sources: sources,\n',
    '        dependencies: dependencies + (kind.isTest ? [] : [.product(name: "TagRuntime", package: "alloctag")]),\n'
    '        path: kind.path(for: directory),\n        exclude: exclude,\n        sources: sources,\n')
sub('        swiftSettings: settings,\n        linkerSettings: linkerSettings)\n    case .test:',
    '        swiftSettings: settings,\n        linkerSettings: linkerSettings,\n'
    '        plugins: kind.isTest ? [] : [.plugin(name: "AllocTagBuildPlugin", package: "alloctag")])\n    case .test:')
# The workload (ours, not the user's).
sub('let _targets: [Target] = targets.map { $0.toTarget() }\n',
    'let _targets: [Target] = targets.map { $0.toTarget() } + [\n'
    '  .executableTarget(\n    name: "CollectionsWorkload",\n'
    '    dependencies: ["DequeModule", "OrderedCollections", "HashTreeCollections", "HeapModule", "BitCollections",\n'
    '                   .product(name: "TagRuntime", package: "alloctag")],\n'
    '    swiftSettings: _settings,\n'
    '    plugins: [.plugin(name: "AllocTagBuildPlugin", package: "alloctag")]),\n]\n')
open(path, "w").write(s)
PY
cd "$P"
# Some file names hold spaces (`SortedSet+Partial RangeReplaceableCollection.swift`).
sources() { find Sources -name '*.swift' -print0 | sort -z; }
tags() { sources | xargs -0 grep -oh 'allocTag_[A-Za-z0-9_]*' | sort -u; }

# 1. Annotate once; a second run changes nothing.
start=$SECONDS
out=$("$tagger" annotate --scopes Sources)
echo "${out##*$'\n'}  ($((SECONDS - start)) s)"
scoped=$(sed -n 's/.*; \([0-9]*\) bodies scoped;.*/\1/p' <<<"$out")
unscoped=$(sed -n 's/.*; \([0-9]*\) bodies that can allocate left unscoped.*/\1/p' <<<"$out")
check "annotate scopes swift-collections' bodies (4077 and the workload's 7)" test "$scoped" = 4084
# 44: 29 `_modify` and 1 `_read` coroutine accessors, 1 `borrow` accessor, 13 `#if DEBUG` checks.
check "44 bodies that can allocate are left unscoped" test "$unscoped" = 44
check "each body left unscoped has a finding naming why" \
    test "$(grep -c 'note: .* gets no scope: .*\[unscoped-body\]' <<<"$out")" = 44
check "no site is left untagged" grep -q '; 0 sites left untagged;' <<<"${out##*$'\n'}"
snapshot=$(sources | xargs -0 cat | md5sum)
"$tagger" annotate --scopes Sources >/dev/null
check "a second annotate changes nothing" test "$snapshot" = "$(sources | xargs -0 cat | md5sum)"

# 2-3. Debug and release: the shares of live bytes.
declare -A line_of
for config in debug release; do
    start=$SECONDS
    out=$(swift build -c "$config" --product CollectionsWorkload 2>&1) || { echo "$out"; exit 1; }
    echo "  $config build: $((SECONDS - start)) s"
    check "$config build has no untagged-site warning" bash -c "! grep -q untagged-site <<<\"\$1\"" _ "$out"
    check "$config build has no warning from the annotation" bash -c "! grep -q '__allocScope\|allocTag_' <<<\"\$1\"" _ "$out"
    report=$(".build/$config/CollectionsWorkload")
    sed -n 1,6p <<<"$report"
    live_shares "${report%%$'\n'*}"; lib=$pkg
    check "$config: >= 80% of live bytes on the package's own lines" test $((100 * (lib + own))) -ge $((80 * total))
    check "$config: <= 20% of live bytes untagged" test $((100 * untagged)) -le $((20 * total))
    # The honest number: swift-collections' own lines (its storage growth), not the workload's.
    echo "  $config: swift-collections' own lines hold $((100 * lib / total))% of live bytes"
    check "$config: swift-collections' own lines hold the majority" test $((2 * lib)) -gt "$total"
    check "$config: report names are the package's, not the build machine's" \
        bash -c "! grep -q ' /.*Sources/DequeModule/' <<<\"\$1\"" _ "$report"
    # Deque's growth is charged to Deque's own code, also where release specialises it in the
    # workload's module.
    check "$config: the Deque's buffer is on a line of Sources/DequeModule" \
        grep -q ' Sources/DequeModule/[^ ]*\.swift:[0-9]* func:' <<<"$report"
    line_of[$config]=$(sed -n 2p <<<"$report")
done

# 4. Tag names survive an unrelated edit: a line inserted at the top of the file holding the
#    largest site (debug), re-annotated: the same tag names, and the site's line moves by one.
site=${line_of[debug]}
read -r _ _ place func <<<"$site"
file=${place%:*}; line=${place##*:}
before=$(tags)
sed -i '1i // An unrelated edit: one line inserted at the top.' "$file"
# The user re-annotates the file they edited (the rest is unchanged; annotating all of Sources
# again takes a minute on this machine and can only rename tags in that file).
out=$("$tagger" annotate --scopes "$file")
check "re-annotating after the edit changes no file" grep -q '^0 Swift files changed' <<<"${out##*$'\n'}"
check "re-annotating after the edit renames no tag" test "$before" = "$(tags)"
out=$(swift build --product CollectionsWorkload 2>&1) || { echo "$out"; exit 1; }
check "after the edit, the site's report line moved by one ($file:$line -> $((line + 1)))" \
    grep -q " $file:$((line + 1)) $func $" <<<"$(.build/debug/CollectionsWorkload)"
sed -i 1d "$file"

# 5. The annotated modules' own tests (debug). All library targets are annotated, so every test
#    target but the support library's self-test runs: 825 tests. Not in release: `swift test -c
#    release` compiles with -enable-testing, and there Swift 6.3 rejects 6 of the 129 generated
#    records of InternalCollectionsUtilities ("global variable must be a compile-time constant to
#    use @section attribute"; the plain release build of the same sources compiles): open.
filter='DequeTests|OrderedCollectionsTests|HashTreeCollectionsTests|HeapTests|BitCollectionsTests|BasicContainersTests|ContainersTests|RopeModuleTests|SortedCollectionsTests|TrailingElementsTests|CollectionsModuleTests'
# They take 371 s on a quiet 2-core machine (326 s running 825 tests; 852 s at load ~9): in CI.
# ALLOCTAG_PACKAGE_TESTS=skip skips them (counted as skipped) for a quicker local run.
if [ "${ALLOCTAG_PACKAGE_TESTS:-}" = skip ]; then
    skip "swift-collections' own tests (debug): ALLOCTAG_PACKAGE_TESTS=skip"
    finish
    exit
fi
start=$SECONDS
out=$(swift test --filter "$filter" 2>&1) && ok=0 || ok=1
echo "  debug tests: $((SECONDS - start)) s; $(grep -E 'Executed [0-9]+ tests' <<<"$out" | tail -1 | sed 's/^[[:space:]]*//')"
check "swift-collections' test suite passes annotated (debug)" test $ok = 0
# Every test of the 11 targets ran (XCTest names classes, not targets, in its summary).
check "debug: all 825 tests of the 11 targets ran" grep -q "Executed 825 tests, with 0 failures" <<<"$out"

finish
