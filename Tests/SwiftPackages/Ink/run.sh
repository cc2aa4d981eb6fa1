#!/usr/bin/env bash
# A real Swift package annotated as a user would (issue 13): JohnSundell/Ink 0.6.0, cloned at
# test time (cached under ${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/corpus), with the three
# Package.swift lines (the dependency, TagRuntime and the build plugin on the Ink target; the
# tools version raised to 5.9, which plugins need) and a workload target
# (Tests/SwiftPackages/Ink/Workload: parse a large document, keep the result).
#   1. `tagger annotate --scopes` on Ink and the workload; a second run changes nothing;
#   2. debug and release builds with the build plugin, no untagged-site warning;
#   3. the workload's live bytes: >= 80% on the package's own lines (Ink's and the workload's),
#      <= 20% on <untagged>, the parse's own scope first;
#   4. Ink's own test suite passes annotated (debug).
# The annotator is the tagger CLI this repo builds, not the command plugin: the plugin would
# build swift-syntax again in Ink's scratch folder (minutes), and runs the same code.
counter_suite=swift-packages-ink
. "$(dirname "$0")/../lib.sh"

P=$WORK/Ink
package_copy JohnSundell/Ink 0.6.0 "$P"
mkdir -p "$P/Sources/InkWorkload"
cp "$ROOT/Tests/SwiftPackages/Ink/Workload/main.swift" "$P/Sources/InkWorkload/"
python3 - "$P/Package.swift" "$WORK/alloctag" <<'PY'
import sys
path, alloctag = sys.argv[1], sys.argv[2]
s = open(path).read()
s = s.replace("// swift-tools-version:5.2", "// swift-tools-version:5.9")
plugin = '.product(name: "TagRuntime", package: "alloctag")], plugins: [.plugin(name: "AllocTagBuildPlugin", package: "alloctag")]'
s = s.replace('    targets: [\n        .target(name: "Ink"),',
              '    dependencies: [.package(path: "%s")],\n    targets: [\n        .target(name: "Ink", dependencies: [%s),\n'
              '        .executableTarget(name: "InkWorkload", dependencies: ["Ink", %s),' % (alloctag, plugin, plugin))
assert s.count("AllocTagBuildPlugin") == 2, s
open(path, "w").write(s)
PY
cd "$P"

# 1. Annotate once; a second run changes nothing.
out=$("$tagger" annotate --scopes Sources/Ink Sources/InkWorkload)
echo "${out##*$'\n'}"
scoped=$(sed -n 's/.*; \([0-9]*\) bodies scoped;.*/\1/p' <<<"$out")
check "annotate scopes Ink's bodies (97 and the workload's 1)" test "$scoped" = 98
snapshot=$(cat Sources/*/*.swift Sources/Ink/*/*.swift | md5sum)
"$tagger" annotate --scopes Sources/Ink Sources/InkWorkload >/dev/null
check "a second annotate changes nothing" test "$snapshot" = "$(cat Sources/*/*.swift Sources/Ink/*/*.swift | md5sum)"

# 2-3. Debug and release: the shares of live bytes.
for config in debug release; do
    out=$(swift build -c "$config" --product InkWorkload 2>&1) || { echo "$out"; exit 1; }
    check "$config build has no untagged-site warning" bash -c "! grep -q untagged-site <<<\"\$1\"" _ "$out"
    report=$(".build/$config/InkWorkload")
    # No `echo | head` under pipefail: head leaving before echo's last write is SIGPIPE, which
    # ended this suite silently in a fresh-clone run.
    sed -n 1,4p <<<"$report"
    live_shares "${report%%$'\n'*}"; ink=$pkg
    check "$config: >= 80% of live bytes on the package's own lines" test $((100 * (ink + own))) -ge $((80 * total))
    # Ink's library lines alone (the workload's document is the rest): said, not a bar.
    echo "  $config: Ink's library lines hold $((100 * ink / total))% of live bytes"
    check "$config: report names are the package's, not the build machine's" bash -c "! grep -q ' /.*Sources/Ink/' <<<\"\$1\"" _ "$report"
    check "$config: <= 20% of live bytes untagged" test $((100 * untagged)) -le $((20 * total))
    check "$config: the largest site is Ink's parse scope" grep -q "Sources/Ink/API/MarkdownParser.swift:[0-9]* func:MarkdownParser.parse(_:) $" <<<"$(sed -n 2p <<<"$report")"
done

# 4. Ink's own tests, annotated.
check "Ink's test suite passes annotated (debug)" bash -c 'swift test >/dev/null 2>&1'

finish
