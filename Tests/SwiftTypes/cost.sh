#!/bin/bash
# What recording Swift class types costs (docs/performance.md): the release probe's
# --types-cost run with ALLOCTAG_SWIFT_TYPES=0 and 1, interleaved, ROUNDS times (default 3),
# then the same loops in a program without the runtime, with and without Instruments' hook
# (hook-cost.swift: the alternative this runtime does not use).
# Not part of CI (timings on a shared machine are not a test).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
swift build -c release --product tagruntime-swift-probe >/dev/null
probe=$(swift build -c release --show-bin-path)/tagruntime-swift-probe
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
swiftc -O Tests/SwiftTypes/hook-cost.swift -o "$tmp/hook-cost"
for _ in $(seq "${ROUNDS:-3}"); do
	for setting in 0 1; do ALLOCTAG_SWIFT_TYPES=$setting "$probe" --types-cost; done
	"$tmp/hook-cost" plain
	"$tmp/hook-cost" hook
done
