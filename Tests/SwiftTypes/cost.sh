#!/bin/bash
# What recording Swift class types costs (docs/performance.md): the release probe's
# --types-cost run with ALLOCTAG_SWIFT_TYPES=0, 1 and all, interleaved, ROUNDS times (default 3).
# Not part of CI (timings on a shared machine are not a test).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
swift build -c release --product tagruntime-swift-probe >/dev/null
probe=$(swift build -c release --show-bin-path)/tagruntime-swift-probe
for _ in $(seq "${ROUNDS:-3}"); do
	for setting in 0 1 all; do ALLOCTAG_SWIFT_TYPES=$setting "$probe" --types-cost; done
done
