# The real C libraries' source distributions, from PyPI, cached outside the repo in
# ${XDG_CACHE_HOME:-~/.cache}/alloctag/sdists (sourced by Tests/setup, which fetches them
# all before any suite runs, and by Tests/RealLibraries/run.sh).
SDIST_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/alloctag/sdists
# pip name and tarball prefix of each library the suites build or scan, and the version the
# suites' exact numbers were measured on: a new release on PyPI must not change what CI sees.
SDISTS=("sqlean.py sqlean_py" "lmdb lmdb" "hiredis hiredis" "zstandard zstandard" "brotli brotli"
	"cmarkgfm cmarkgfm" "pycares pycares" "uvloop uvloop")
declare -A SDIST_VERSION=([sqlean.py]=3.50.4.5 [lmdb]=3.0.0 [hiredis]=3.5.0 [zstandard]=0.25.0 [brotli]=1.2.1
	[cmarkgfm]=2025.10.22 [pycares]=5.2.1 [uvloop]=0.23.0)

fetch_sdist() { # fetch_sdist PIP-NAME TARBALL-PREFIX: prints the cached tarball's path
	local name=$1 prefix=$2
	local version=${SDIST_VERSION[$name]}
	mkdir -p "$SDIST_CACHE"
	for _ in 1 2 3; do
		ls "$SDIST_CACHE/$prefix-$version.tar.gz" >/dev/null 2>&1 && break
		# pip may hang preparing build requirements after the download: the tarball is what we need.
		# Only the package itself must be a source distribution: its build requirements (uvloop's
		# Cython) come as wheels, or preparing its metadata compiles them for minutes.
		timeout 180 pip download --no-deps --no-binary "$name" "$name==$version" -d "$SDIST_CACHE" >/dev/null 2>&1 || true
	done
	ls "$SDIST_CACHE/$prefix-$version.tar.gz"
}
