# What every real-package acceptance test (Tests/SwiftPackages/*/run.sh, issue 13) shares:
# the tagger CLI this repo builds, a scratch folder removed at exit, the package cache outside
# the repo, and a copy of a cached package set up as the user's own folder.
#
#   . "$(dirname "$0")/../lib.sh"          sets ROOT, CACHE, WORK, tagger; starts the counter
#   package_copy OWNER/NAME VERSION DEST     clones (once, into $CACHE) and copies the package to
#                                            DEST without .git or build folders
#   live_shares REPORT_LINE                  reads "live T pkg P workload W untagged U ..." into
#                                            $total $pkg $own $untagged
#
# The package depends on alloctag as `$WORK/alloctag` (a symlink to this repo), so the package
# identity is "alloctag", as a user's `.package(url: ".../alloctag")` gives.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/corpus
WORK=$(mktemp -d /tmp/alloctag-packages.XXXXXX)
# SwiftPM leaves zero-byte lock files named after the package's path in /tmp: removed too.
trap 'rm -rf "$WORK"; rm -f /tmp/_tmp_"${WORK##*/}"_*.lock' EXIT
. "$ROOT/Tests/lib/counter.sh"

(cd "$ROOT" && swift build --product tagger >/dev/null)
tagger=$(cd "$ROOT" && swift build --show-bin-path)/tagger
mkdir -p "$CACHE"
ln -s "$ROOT" "$WORK/alloctag"

package_copy() { # OWNER/NAME VERSION DEST
	local name=${1#*/}
	local cached=$CACHE/$name-$2
	[ -d "$cached" ] || git -c advice.detachedHead=false clone --quiet --branch "$2" "https://github.com/$1" "$cached"
	mkdir -p "$3"
	(cd "$cached" && tar --exclude=.git --exclude='.build*' -cf - .) | (cd "$3" && tar -xf -)
}

live_shares() { # "live T <pkg> P workload W untagged U ..."
	read -r _ total _ pkg _ own _ untagged _ <<<"$1"
}
