#!/usr/bin/env bash
# A real Swift package with a C target annotated as a user would (issue 13): vapor/sqlite-nio
# 1.13.2, cloned at test time (cached under ${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/corpus): its
# C target VaporCSQLite is SQLite's amalgamation (SQLITE_API export macros, sqlite3Malloc ->
# sqlite3MemMalloc behind the sqlite3_mem_methods table), its Swift target SQLiteNIO runs SQLite
# on swift-nio's thread pool behind EventLoopFuture and async APIs. Added to Package.swift: the
# alloctag dependency, TagRuntime and the build plugin on both targets, and a workload target
# (Tests/SwiftPackages/SQLiteNIO/Workload: an in-memory database filled, queried, kept live).
#   1. `tagger annotate --scopes` on the Swift targets and the amalgamation (the command plugin's
#      C flags); a second run changes nothing;
#   2. debug and release builds with the build plugin: no untagged-site warning, no error, and
#      the build plugin's C flags are the ones annotate was given;
#   3. the workload's live bytes: >= 80% on the package's own lines (sqlite-nio's Swift and C,
#      the workload's), <= 20% on <untagged>; the database's pages on SQLite's page cache,
#      nothing left on sqlite3MemMalloc's own line;
#   4. sqlite-nio's own test suite passes annotated, debug and release (one `swift test` per
#      configuration builds everything, the workload included, and runs the tests).
# The annotator is the tagger CLI this repo builds, not the command plugin: the plugin would
# build swift-syntax again in the package's scratch folder (minutes) and runs the same code;
# the C flags are the ones the command plugin writes to its compile_commands.json
# (`-DSWIFT_PACKAGE=1`, the target's and its dependencies' public headers, the target's defines
# for this platform and the debug configuration), and step 2 checks them against the build plugin's, computed by SwiftPM from
# the same function.
counter_suite=swift-packages-sqlite-nio
. "$(dirname "$0")/../lib.sh"

P=$WORK/sqlite-nio
package_copy vapor/sqlite-nio 1.13.2 "$P"
mkdir -p "$P/Sources/SQLiteNIOWorkload"
cp "$ROOT/Tests/SwiftPackages/SQLiteNIO/Workload/main.swift" "$P/Sources/SQLiteNIOWorkload/"
python3 - "$P/Package.swift" "$WORK/alloctag" <<'PY'
import sys
path, alloctag = sys.argv[1], sys.argv[2]
s = open(path).read()
def sub(old, new):
    global s
    assert s.count(old) == 1, old
    s = s.replace(old, new)
runtime = '.product(name: "TagRuntime", package: "alloctag")'
plugin = 'plugins: [.plugin(name: "AllocTagBuildPlugin", package: "alloctag")]'
sub('        .package(url: "https://github.com/apple/swift-log.git", from: "1.14.0"),\n',
    '        .package(url: "https://github.com/apple/swift-log.git", from: "1.14.0"),\n'
    '        .package(path: "%s"),\n' % alloctag)
sub('            name: "VaporCSQLite",\n            cSettings: sqliteCSettings\n',
    '            name: "VaporCSQLite",\n            dependencies: [%s],\n            cSettings: sqliteCSettings,\n            %s\n' % (runtime, plugin))
sub('                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),\n            ],\n            swiftSettings: swiftSettings\n',
    '                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),\n                %s,\n            ],\n'
    '            swiftSettings: swiftSettings,\n            %s\n' % (runtime, plugin))
sub('        .testTarget(\n            name: "SQLiteNIOTests",',
    '        .executableTarget(\n            name: "SQLiteNIOWorkload",\n            dependencies: [.target(name: "SQLiteNIO"), %s],\n            %s\n        ),\n'
    '        .testTarget(\n            name: "SQLiteNIOTests",' % (runtime, plugin))
assert s.count("AllocTagBuildPlugin") == 3, s
open(path, "w").write(s)
PY
# The command plugin's compilation database for VaporCSQLite (AllocTagCommandPlugin.cFlags):
# SWIFT_PACKAGE, its public headers and its dependencies' (CAllocTag's), then its cSettings'
# defines as they apply on Linux in the debug configuration.
mkdir -p "$WORK/db"
python3 - "$P" "$WORK/alloctag" "$WORK/db/compile_commands.json" <<'PY'
import json, re, sys
pkg, alloctag, out = sys.argv[1:4]
s = open(pkg + "/Package.swift").read()
body = s[s.index("var sqliteCSettings"):]
body = body[:body.index("] }")]
flags = ["-I%s/Sources/VaporCSQLite/include" % pkg]
for m in re.finditer(r'\.define\("(\w+)"(?:, to: "([^"]*)")?(?:, \.when\(([^)]*)\))?\)', body):
    name, value, cond = m.groups()
    if cond and "platforms" in cond and ".linux" not in cond: continue
    flags.append("-D" + name + ("=" + value if value is not None else ""))
assert len(flags) == 33, flags  # 32 defines in 1.13.2 (HAVE_GETHOSTUUID is iOS's)
flags[1:1] = ["-I%s/Sources/TagRuntime/Core/include" % alloctag]
flags.insert(0, "-DSWIFT_PACKAGE=1")
f = pkg + "/Sources/VaporCSQLite/sqlite_nio_sqlite3.c"
json.dump([{"directory": pkg, "file": f, "arguments": ["cc"] + flags + ["-c", f]}], open(out, "w"), indent=1)
PY
cd "$P"

# 1. Annotate once (Swift with scopes, the amalgamation with its flags, all-or-nothing as the
# command plugin runs it); a second run changes nothing.
sources() { cat Sources/SQLiteNIO/*.swift Sources/SQLiteNIOWorkload/*.swift Sources/VaporCSQLite/*.c | md5sum; }
annotate() { "$tagger" annotate --scopes --root "$P" -p "$WORK/db" Sources/SQLiteNIO Sources/SQLiteNIOWorkload Sources/VaporCSQLite/sqlite_nio_sqlite3.c; }
start=$SECONDS
out=$(annotate)
grep -v '^annotated ' <<<"$out"
echo "  annotate: $((SECONDS - start)) s"
scoped=$(sed -n 's/.*; \([0-9]*\) bodies scoped;.*/\1/p' <<<"$out")
check "annotate scopes sqlite-nio's Swift bodies (127) and the workload's (4)" test "$scoped" = 131
check "annotate tags every site of the amalgamation (1796)" grep -q "^1 files changed; 1796 of 1796 sites tagged" <<<"$out"
snapshot=$(sources)
annotate >/dev/null
check "a second annotate changes nothing" test "$snapshot" = "$(sources)"
# The amalgamation declares its API before defining it: each external helper renamed _noprof
# keeps its symbol through a forwarding definition with its export macro (Swift and other
# libraries call it by name); the built object is checked below.
api=(malloc malloc64 realloc realloc64 str_new str_finish vmprintf value_dup backup_init mutex_alloc create_filename)
check "the 11 API helpers get forwarding definitions with SQLITE_API" test "$(grep -c '^SQLITE_API [^(]*(sqlite_nio_sqlite3_[a-z0-9_]*)(' Sources/VaporCSQLite/sqlite_nio_sqlite3.c)" = ${#api[@]}

# 2-4. Debug and release: one `swift test` per configuration builds everything (the workload
# among the test build's products) and runs sqlite-nio's own tests; `--disable-testable-imports`
# keeps the release build a plain release build (sqlite-nio's tests import nothing @testable),
# while `swift build -c release` followed by `swift test -c release` built the whole graph twice
# (testable imports change every module's flags: 10 more minutes on the 2-core machine).
for config in debug release; do
    start=$SECONDS
    status=0
    swift test -c "$config" --disable-testable-imports >"$WORK/test-$config.log" 2>&1 || status=$?
    out=$(cat "$WORK/test-$config.log")
    echo "  $config build and tests: $((SECONDS - start)) s ($(grep -Eo 'Test run with [0-9]+ tests?[^.]*passed' <<<"$out" | tail -1))"
    check "$config build has no untagged-site warning" bash -c "! grep -q untagged-site <<<\"\$1\"" _ "$out"
    # Compiler-form errors (`file:line:col: error:` or a leading `error:`), shown when found.
    check "$config build has no error" bash -c "! grep -E '(^|:[0-9]+: )error:' <<<\"\$1\"" _ "$out"
    check "sqlite-nio's test suite passes annotated ($config)" bash -c "[ $status = 0 ] || { tail -30 <<<\"\$1\"; exit 1; }" _ "$out"
    [ -x ".build/$config/SQLiteNIOWorkload" ] || { echo "  no workload built"; exit 1; }
    object=$(ls .build/$config/VaporCSQLite.build/sqlite_nio_sqlite3.c.o)
    check "$config: the library still defines its API helpers (${api[*]})" bash -c 'for f in "${@:2}"; do nm --defined-only "$1" | grep -q " T sqlite_nio_sqlite3_$f$" || { echo "  missing: sqlite_nio_sqlite3_$f"; exit 1; }; done' _ "$object" "${api[@]}"
    if [ "$config" = debug ]; then
        check "the build plugin's C flags are the ones annotate was given" python3 - .build/debug.yaml "$WORK/db/compile_commands.json" <<'PY'
import json, sys
line = next(l for l in open(sys.argv[1]) if "alloc-sites-VaporCSQLite.txt\",\"--libclang" in l)
args = json.loads(line.split("args: ", 1)[1])
sys.exit(args[args.index("--") + 1:] != json.load(open(sys.argv[2]))[0]["arguments"][1:-2])
PY
    fi
    report=$(".build/$config/SQLiteNIOWorkload")
    sed -n 1,6p <<<"$report"
    live_shares "${report%%$'\n'*}"
    amalgamation=$(sed -n 's/.* amalgamation \([0-9]*\).*/\1/p' <<<"$report")
    check "$config: the workload kept its rows (19929 with score > 10, 17 categories)" grep -q ' rows 19929 categories 17$' <<<"${report%%$'\n'*}"
    check "$config: >= 80% of live bytes on the package's own lines" test $((100 * (pkg + own))) -ge $((80 * total))
    check "$config: <= 20% of live bytes untagged" test $((100 * untagged)) -le $((20 * total))
    # sqlite-nio's lines alone (the workload's own lines are the rest): said, not a bar.
    echo "  $config: sqlite-nio's lines hold $((100 * pkg / total))% of live bytes (its amalgamation's $((100 * amalgamation / total))%)"
    check "$config: the database's pages are charged to SQLite's page cache" grep -q 'Sources/VaporCSQLite/sqlite_nio_sqlite3.c:[0-9]* func:pcache1AllocPage $' <<<"$report"
    check "$config: no live bytes on sqlite3MemMalloc's own line" bash -c "! grep -q 'func:sqlite3MemMalloc ' <<<\"\$1\"" _ "$report"
    check "$config: report names are the package's, not the build machine's" bash -c "! grep -q ' /.*Sources/' <<<\"\$1\"" _ "$report"
done

finish
