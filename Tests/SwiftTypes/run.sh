#!/bin/bash
# Swift class types per site (issue 13, "which type"): the runtime records swift_allocObject's
# metadata per site (Sources/TagRuntime/Core/swift_types.c), the extended report carries it as
# "+ type" lines, and `tagger allocinfo` puts it in JSON and HTML. Exact numbers throughout:
#   - the probe (`tagruntime-swift-probe --types`, Tests/RuntimeSwiftProbe/Types.swift) in a
#     debug and a release build: 37 TypesA at one site; 23 TypesB and 29 TypesBox<Int> at a
#     second; ten TypesBox<T> at a third (eight named, two as "<other types>"), in the report
#     written at exit, in the HTML and in a live read (--pid); 4 threads' 100 TypesB, counted after
#     the threads exited (folded totals); ALLOCTAG_SWIFT_TYPES=0 records
#     nothing; the v2.0 report has no type line;
#   - a C program: nothing changes (version 1, identical bytes whatever the setting, no warning);
#   - 5000 sites through a stand-in for libswiftCore (fake_swift.c, table_full.c): the table
#     full, every instance on a type line or "not recorded"; a site's 12 types, exact;
#   - a Swift program that does not link the runtime, under LD_PRELOAD: its instances are seen.
# Needs the debug tagger (Tests/run-all builds it first); builds the probe in debug and release.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
counter_suite=swift-types
. "$root/Tests/lib/counter.sh"
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

swift build --product tagger >"$tmp/build.log" 2>&1 &&
	swift build --product TagRuntimePreload >>"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
debug_bin=$(swift build --show-bin-path)
tagger=$debug_bin/tagger

# The probe's three sites in a `tagger allocinfo --format json` document, checked exactly.
# Usage: probe_types JSON_FILE
probe_types() {
	python3 - "$1" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
m = "tagruntime_swift_probe."
expected = {
    "probe.typesA": [(m + "TypesA", 37, 37 * 24)],
    "probe.typesB": [(m + "TypesBox<Swift.Int>", 29, 29 * 24), (m + "TypesB", 23, 23 * 32)],
    "probe.typesMany": [(m + "TypesBox<Swift.%s>" % t, 1, 16 + size) for t, size in
                        [("Int8", 1), ("Int16", 2), ("Int32", 4), ("Int64", 8),
                         ("UInt8", 1), ("UInt16", 2), ("UInt32", 4), ("UInt64", 8)]]
                       + [("<other types>", 2, (16 + 16) + (16 + 8))],  # String, Double
    "probe.typesThreads": [(m + "TypesB", 100, 100 * 32)],  # four threads, exited before the report
}
sites = {s["function"]: s for s in doc["sites"]}
ok = True
for function, types in expected.items():
    got = [(t["name"], t["instances"], t["bytes"]) for t in sites[function]["types"]]
    if got != types:
        print("  %s: types %s, expected %s" % (function, got, types))
        ok = False
if doc.get("types_not_recorded") is not None:  # (a series, as the HTML embeds, has no such key)
    print("  types_not_recorded:", doc["types_not_recorded"])
    ok = False
sys.exit(0 if ok else 1)
EOF
}

# Every site's types in a JSON document are empty lists (an extended report with no type line).
no_types() {
	python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
sys.exit(0 if doc["sites"] and all(s["types"] == [] for s in doc["sites"]) and doc["types_not_recorded"] is None else 1)' "$1"
}

# The untagged site's types include NAME. Usage: untagged_has JSON_FILE NAME
untagged_has() {
	python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
site = [s for s in doc["sites"] if s["function"] == "<untagged>"][0]
sys.exit(0 if any(t["name"] == sys.argv[2] for t in site["types"]) else 1)' "$1" "$2"
}

for config in debug release; do
	if [ $config = release ]; then
		swift build -c release --product tagruntime-swift-probe >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "release build"; continue; }
		bin=$(swift build -c release --show-bin-path)
	else
		swift build --product tagruntime-swift-probe >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "debug build"; continue; }
		bin=$debug_bin
	fi
	probe=$bin/tagruntime-swift-probe
	out=$tmp/$config
	mkdir -p "$out"

	ALLOCTAG_REPORT="$out/v2.txt" ALLOCTAG_REPORT_EXTENDED="$out/ext.txt" "$probe" --types >/dev/null 2>"$out/err"
	check "$config: probe ran, nothing on stderr" test $? = 0 -a ! -s "$out/err"
	check "$config: extended report is version 2" test "$(head -1 "$out/ext.txt")" = "alloctag extended allocinfo - version: 2"
	"$tagger" allocinfo "$out/ext.txt" --format json -o "$out/ext.json"
	check "$config: JSON names the types per site, exact counts and bytes" probe_types "$out/ext.json"
	check "$config: v2.0 report has no type line" eval "! grep -q '^+ type' '$out/v2.txt' && head -1 '$out/v2.txt' | grep -qx 'allocinfo - version: 2.0'"
	# The extended report's site lines end in the v2.0 report's lines, byte for byte.
	grep 'func:probe.types' "$out/v2.txt" >"$out/v2-sites"
	grep 'func:probe.types' "$out/ext.txt" | cut -c57- >"$out/ext-sites"
	check "$config: extended site lines are the allocinfo lines (4 sites)" eval "cmp -s '$out/v2-sites' '$out/ext-sites' && [ \$(wc -l <'$out/v2-sites') = 4 ]"
	"$tagger" allocinfo "$out/ext.txt" --format html -o "$out/ext.html"
	python3 -c 'import json, re, sys
page = open(sys.argv[1]).read()
data = re.search(r"<script type=\"application/json\" id=\"alloctag-data\">(.*?)</script>", page, re.S).group(1)
json.dump(json.loads(data), open(sys.argv[2], "w"))' "$out/ext.html" "$out/html.json"
	check "$config: HTML embeds the same exact types and has the column" eval "probe_types '$out/html.json' && grep -q 'Swift types (instances)' '$out/ext.html'"

	ALLOCTAG_SWIFT_TYPES=0 ALLOCTAG_REPORT_EXTENDED="$out/off.txt" "$probe" --types >/dev/null 2>"$out/err"
	check "$config: ALLOCTAG_SWIFT_TYPES=0: version 1, no type line" eval "head -1 '$out/off.txt' | grep -qx 'alloctag extended allocinfo - version: 1' && ! grep -q '^+ type' '$out/off.txt'"

	# `all` (Instruments' hook) is not offered: it crashes Swift 6.3.1 programs (swift_types.c).
	ALLOCTAG_SWIFT_TYPES=all ALLOCTAG_REPORT_EXTENDED="$out/bad.txt" "$probe" --types >/dev/null 2>"$out/err"
	check "$config: ALLOCTAG_SWIFT_TYPES=all: one warning, the default kept" eval "[ \$(wc -l <'$out/err') = 1 ] && grep -q 'ignoring ALLOCTAG_SWIFT_TYPES=\"all\": expected 1, on, 0 or off; keeping the default (1)' '$out/err' && grep -q '^+ type' '$out/bad.txt'"

	# Live read: the same lines over the inspection socket (the inspection thread resolves the names).
	mkfifo "$out/in"
	"$probe" --types --serve <"$out/in" >"$out/serve.out" 2>&1 &
	pid=$!
	exec 3>"$out/in"
	for _ in $(seq 100); do grep -q ready "$out/serve.out" && break; sleep 0.1; done
	"$tagger" allocinfo --pid $pid --format json -o "$out/live.json" 2>"$out/live.err"
	check "$config: live read (--pid): the same exact types" probe_types "$out/live.json"
	exec 3>&-
	wait $pid
done

# A C program: no Swift runtime, so nothing changes whatever ALLOCTAG_SWIFT_TYPES says.
core=$root/Sources/TagRuntime/Core
if gcc -O2 -D_GNU_SOURCE -I "$core/include" Tests/SwiftTypes/sites.c "$core"/*.c -o "$tmp/sites" -lpthread 2>"$tmp/cc.err"; then
	for setting in default 0 1; do
		if [ $setting = default ]; then
			ALLOCTAG_REPORT_EXTENDED="$tmp/c-$setting.txt" "$tmp/sites" >/dev/null 2>"$tmp/c-$setting.err"
		else
			ALLOCTAG_SWIFT_TYPES=$setting ALLOCTAG_REPORT_EXTENDED="$tmp/c-$setting.txt" "$tmp/sites" >/dev/null 2>"$tmp/c-$setting.err"
		fi
	done
	check "C: extended report version 1, no type line, nothing on stderr" eval "head -1 '$tmp/c-default.txt' | grep -qx 'alloctag extended allocinfo - version: 1' && ! grep -q 'type' '$tmp/c-default.txt' && ! [ -s '$tmp/c-default.err' ] && ! [ -s '$tmp/c-0.err' ]"
	check "C: the same report with ALLOCTAG_SWIFT_TYPES=0 and =1" eval "cmp -s '$tmp/c-default.txt' '$tmp/c-0.txt' && cmp -s '$tmp/c-default.txt' '$tmp/c-1.txt'"
	check "C: the sites' exact counts" eval "grep -q '  400        4 Tests/SwiftTypes/sites.c:12 func:main \$' '$tmp/c-default.txt' && grep -q ' 3000        1 Tests/SwiftTypes/sites.c:13 func:main \$' '$tmp/c-default.txt'"
	"$tagger" allocinfo "$tmp/c-default.txt" --format json -o "$tmp/c.json"
	check "C: JSON types are empty lists" no_types "$tmp/c.json"
else
	cat "$tmp/cc.err"
	fail "C program build"
fi

# The table's bounds at scale, through a stand-in for libswiftCore (fake_swift.c): 5000 sites
# from two threads, more than the table's 4096: every instance is on a type line or counted as
# not recorded; and a site's types past 8 are its "<other types>".
if gcc -O2 -shared -fPIC Tests/SwiftTypes/fake_swift.c -o "$tmp/libfakeswift.so" 2>"$tmp/cc.err" &&
	gcc -O2 -D_GNU_SOURCE -I "$core/include" Tests/SwiftTypes/table_full.c "$core"/*.c -o "$tmp/table_full" \
		-Wl,--no-as-needed -L"$tmp" -lfakeswift -Wl,-rpath,"$tmp" -lpthread 2>>"$tmp/cc.err"; then
	"$tmp/table_full" >"$tmp/full.txt"
	check "table full: the report was written" test $? = 0
	"$tagger" allocinfo "$tmp/full.txt" --format json -o "$tmp/full.json"
	check "table full: 5000 instances = recorded + not recorded, 24 bytes each; the 12-type site exact" python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
sites = {s["function"]: s for s in doc["sites"]}
recorded = sites["site"]["types"]  # the 5000 tags share one file:line, merged into one site
lost = doc["types_not_recorded"]
ok = (len(recorded) == 1 and recorded[0]["name"] == "Fake.A" and lost is not None and lost["instances"] > 0
      and recorded[0]["instances"] + lost["instances"] == 5000 and recorded[0]["instances"] <= 4095
      and recorded[0]["bytes"] == 24 * recorded[0]["instances"] and lost["bytes"] == 24 * lost["instances"])
many = [(t["name"], t["instances"], t["bytes"]) for t in sites["main"]["types"]]
want = [("T%d" % i, i + 1, 16 * (i + 1)) for i in range(7, -1, -1)] + [("<other types>", 42, 42 * 16)]
if many != want: print("  12-type site:", many)
print("  recorded %d, not recorded %s" % (recorded[0]["instances"] if recorded else 0, lost))
sys.exit(0 if ok and many == want else 1)' "$tmp/full.json"
else
	cat "$tmp/cc.err"
	fail "table_full build"
fi

# A Swift program that does not link the runtime: LD_PRELOAD's swift_allocObject sees its calls.
if swiftc -O Tests/SwiftTypes/plain.swift -module-name plain -o "$tmp/plain" 2>"$tmp/swiftc.err"; then
	ALLOCTAG_REPORT_EXTENDED="$tmp/plain.txt" LD_PRELOAD="$debug_bin/libTagRuntimePreload.so" "$tmp/plain" >/dev/null
	"$tagger" allocinfo "$tmp/plain.txt" --format json -o "$tmp/plain.json"
	check "LD_PRELOAD: 1000 plain.PlainNode on <untagged>" python3 -c 'import json, sys
doc = json.load(open(sys.argv[1]))
site = [s for s in doc["sites"] if s["function"] == "<untagged>"][0]
sys.exit(0 if {"name": "plain.PlainNode", "instances": 1000, "bytes": 24000} in site["types"] else 1)' "$tmp/plain.json"
else
	cat "$tmp/swiftc.err"
	fail "swiftc plain.swift"
fi
finish
