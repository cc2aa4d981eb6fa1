#!/usr/bin/env bash
# The runtime's C scenario tests: each test program is built with every compiler and
# optimisation level available (gcc -O0/-O2, clang -O2) and run under each reference mode;
# start-up settings, debug mode, failure injection, the out-of-memory report, LD_PRELOAD
# and --gc-sections with each linker are checked from here.  Ends with
# "runtime-c: N passed, N failed[, N skipped]" (Tests/lib/counter.sh) and exits non-zero on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
core=$root/Sources/TagRuntime/Core
out=$(mktemp -d "${TMPDIR:-/tmp}/alloctag-runtime-c.XXXXXX")
trap 'rm -rf "$out"' EXIT
counter_suite=runtime-c
. "$root/Tests/lib/counter.sh"

# run DESCRIPTION EXPECTED_STATUS COMMAND...: stdout+stderr go to $out/last.{out,err}
run() {
	local what=$1 want=$2
	shift 2
	{ "$@" >"$out/last.out" 2>"$out/last.err"; } 2>/dev/null # (no "Aborted" from bash)
	local got=$?
	if [ "$got" -eq "$want" ]; then pass; else
		fail "$what: exit $got, expected $want"
		sed 's/^/    /' "$out/last.out" "$out/last.err" | head -20
	fi
}

# stderr_is DESCRIPTION EXACT_TEXT
stderr_is() {
	if [ "$(cat "$out/last.err")" = "$2" ]; then pass; else
		fail "$1: stderr was:"; sed 's/^/    /' "$out/last.err" | head -10
		echo "    expected: $2"
	fi
}

# stderr_has DESCRIPTION EXTENDED_REGEX [COUNT]
stderr_has() {
	local n
	n=$(grep -cE -- "$2" "$out/last.err")
	if [ "$n" -eq "${3:-1}" ]; then pass; else
		fail "$1: /$2/ matched $n lines of stderr, expected ${3:-1}"; sed 's/^/    /' "$out/last.err" | head -10
	fi
}

build() { # build NAME CC... : test program NAME linked with the runtime's sources
	local name=$1
	shift
	"$@" -g -Wall -Wextra -Wno-unused-parameter -Werror -D_GNU_SOURCE -I "$core/include" \
		"$here/$name.c" "$core"/*.c -o "$dir/$name" -lpthread 2>"$out/build.err" ||
		{ fail "build $name with $*"; cat "$out/build.err"; return 1; }
}

configs=("gcc -O0" "gcc -O2")
command -v clang >/dev/null && configs+=("clang -O2")

for config in "${configs[@]}"; do
	dir=$out/${config// /_}
	mkdir -p "$dir"
	read -r -a cc <<<"$config"
	for t in test_sites test_threads test_report test_modes test_debug test_faults test_oom test_slabs test_misuse test_fork test_aligned test_settings test_peak; do
		build "$t" "${cc[@]}"
	done

	for mode in 1 1,header; do
		for t in test_sites test_threads test_report; do
			run "$config $t ALLOCTAG_PROFILING=$mode" 0 env ALLOCTAG_PROFILING=$mode "$dir/$t"
		done
		run "$config test_faults $mode" 0 env ALLOCTAG_PROFILING=$mode ALLOCTAG_FAULT_REFS=3 "$dir/test_faults"
		# Other libraries' fork handlers allocating inside the runtime's fork window, from a
		# thread whose first allocation that is; over-aligned blocks charged exactly.
		run "$config test_fork $mode" 0 env ALLOCTAG_PROFILING=$mode "$dir/test_fork"
		run "$config test_aligned $mode" 0 env ALLOCTAG_PROFILING=$mode "$dir/test_aligned"
		# Cumulative counts and peaks: exact when every allocation samples, bounded by default.
		run "$config test_peak $mode exact" 0 env ALLOCTAG_PROFILING=$mode ALLOCTAG_PEAK_INTERVAL=1 "$dir/test_peak"
		run "$config test_peak $mode sampled" 0 env ALLOCTAG_PROFILING=$mode "$dir/test_peak"
		# The extended report at exit: its header and the exact peak line of test_peak.
		run "$config extended report at exit $mode" 0 env ALLOCTAG_PROFILING=$mode ALLOCTAG_PEAK_INTERVAL=1 \
			ALLOCTAG_REPORT_EXTENDED="$out/extended-%p.txt" "$dir/test_peak"
		if [ "$(head -3 "$out"/extended-*.txt | sed -n 1p)" = "alloctag extended allocinfo - version: 1" ] &&
			grep -qE '^     3145728        3145728             3       3145728            0        0 .*test_peak.c:[0-9]+ func:a $' "$out"/extended-*.txt; then
			pass
		else
			fail "$config extended report at exit $mode:"; sed 's/^/    /' "$out"/extended-*.txt | head -8
		fi
		rm -f "$out"/extended-*.txt
	done

	# Compressed references on slabs: the slab/glibc boundary, realloc across classes,
	# exited threads' slabs, memory given back, fork.
	run "$config test_slabs" 0 env ALLOCTAG_PROFILING=1 "$dir/test_slabs"
	run "$config test_slabs, default form" 0 env -u ALLOCTAG_PROFILING "$dir/test_slabs"
	run "$config test_slabs, debug mode" 0 env ALLOCTAG_PROFILING=1 ALLOCTAG_DEBUG=1 "$dir/test_slabs"
	# Every allocation samples the peak: calloc's clearing then happens on the peak path's
	# tail call (debug mode above covers the deferred-charge path's).
	run "$config test_slabs, peak sampled at every allocation" 0 env ALLOCTAG_PROFILING=1 ALLOCTAG_PEAK_INTERVAL=1 "$dir/test_slabs"
	stderr_has "$config test_slabs, debug mode: no foreign free" 'which never carried' 0
	run "$config debug foreign free, header" 0 env ALLOCTAG_PROFILING=1,header ALLOCTAG_DEBUG=1 "$dir/test_debug" foreign
	stderr_has "$config debug foreign free, header" '^alloctag: warning: free of 0x[0-9a-f]+ which never carried an allocation tag reference, at ' 1

	# Frees glibc would reject abort in every form, naming the pointer as glibc does; a
	# use-after-free write cannot make the slabs hand an object out twice.
	for mode in 1 1,header; do
		for misuse in "double-small:free(): double free detected" "double-large:free(): double free detected" \
			"double-binned:free(): double free detected" \
			"double-aligned:free(): double free detected" "interior:free(): invalid pointer" \
			"realloc-freed:realloc(): double free detected"; do
			run "$config misuse ${misuse%%:*} ($mode)" 134 env ALLOCTAG_PROFILING=$mode "$dir/test_misuse" "${misuse%%:*}"
			stderr_is "$config misuse ${misuse%%:*} ($mode) names the pointer" "${misuse#*:} in alloctag: $(cat "$out/last.out")"
		done
	done
	for misuse in uaf-local uaf-remote; do
		run "$config misuse $misuse (header)" 0 env ALLOCTAG_PROFILING=1,header "$dir/test_misuse" $misuse
		run "$config misuse $misuse (slabs)" 134 env ALLOCTAG_PROFILING=1 "$dir/test_misuse" $misuse
		stderr_has "$config misuse $misuse (slabs) is caught" '^malloc\(\): corrupted free list in alloctag: 0x[0-9a-f]+$' 1
	done

	# The report written at exit lists every site of the program, those back at zero too
	# (the program's own image is not "unloaded" by its destructors at exit).
	run "$config report at exit" 0 env ALLOCTAG_REPORT="$out/exit-report.txt" "$dir/test_sites"
	zero_lines=$(grep -cE "^           0        0 .*test_sites\.c:[0-9]+ func:main \$" "$out/exit-report.txt")
	all_lines=$(grep -c "test_sites\.c:" "$out/exit-report.txt")
	# test_sites.c has 35 tags; every one ends at zero.
	if [ "$zero_lines" -eq 35 ] && [ "$all_lines" -eq 35 ]; then pass; else
		fail "$config report at exit: $zero_lines zero lines of $all_lines for test_sites.c, expected 35 of 35"
	fi
	# ALLOCTAG_SOURCE_ROOT cuts the build machine's directory from file names (compiled here by
	# absolute path): 35 lines name test_sites.c alone; "none" keeps them as compiled; a
	# relative directory is refused with one warning. Outside a SwiftPM .build/ nothing is cut.
	for root in "$here" "$here/" "$here//"; do
		run "$config ALLOCTAG_SOURCE_ROOT=$root" 0 env ALLOCTAG_SOURCE_ROOT="$root" ALLOCTAG_REPORT="$out/root-report.txt" "$dir/test_sites"
		check "$config ALLOCTAG_SOURCE_ROOT=$root: 35 sites named test_sites.c" \
			test "$(grep -cE "^ +[0-9]+ +[0-9]+ test_sites\.c:[0-9]+ func:main \$" "$out/root-report.txt")" -eq 35
	done
	run "$config ALLOCTAG_SOURCE_ROOT=none" 0 env ALLOCTAG_SOURCE_ROOT=none ALLOCTAG_REPORT="$out/root-report.txt" "$dir/test_sites"
	check "$config ALLOCTAG_SOURCE_ROOT=none: names as compiled" test "$(grep -cF " $here/test_sites.c:" "$out/root-report.txt")" -eq 35
	check "$config no setting outside .build/: names as compiled" test "$(grep -cF " $here/test_sites.c:" "$out/exit-report.txt")" -eq 35
	run "$config ALLOCTAG_SOURCE_ROOT=relative" 0 env ALLOCTAG_SOURCE_ROOT=relative/dir ALLOCTAG_REPORT="$out/root-report.txt" "$dir/test_sites"
	stderr_is "$config warning for a relative ALLOCTAG_SOURCE_ROOT" "alloctag: warning: ignoring ALLOCTAG_SOURCE_ROOT=\"relative/dir\": expected an absolute directory, shorter than 4095 bytes, or none; keeping the default (a SwiftPM package's root)"


	# Start-up settings and the run-time switch.
	run "$config default mode" 0 env -u ALLOCTAG_PROFILING "$dir/test_modes" compressed
	stderr_is "$config default mode is silent" ""
	run "$config mode 1" 0 env ALLOCTAG_PROFILING=1 "$dir/test_modes" compressed
	run "$config mode 1,header" 0 env ALLOCTAG_PROFILING=1,header "$dir/test_modes" header
	run "$config mode 0" 0 env ALLOCTAG_PROFILING=0 "$dir/test_modes" off
	run "$config mode 0,header" 0 env ALLOCTAG_PROFILING=0,header "$dir/test_modes" off
	run "$config mode 0,compressed" 0 env ALLOCTAG_PROFILING=0,compressed "$dir/test_modes" off
	run "$config mode never" 0 env ALLOCTAG_PROFILING=never "$dir/test_modes" never
	run "$config mode never,compressed" 0 env ALLOCTAG_PROFILING=never,compressed "$dir/test_modes" never
	run "$config mode 1,compressed" 0 env ALLOCTAG_PROFILING=1,compressed "$dir/test_modes" compressed
	for bad in 2 on yes "" " 1" "1 " "1," ",compressed" "1,compresed" "1,compressed,compressed" "1,header,header" "never,1" NEVER; do
		run "$config bad ALLOCTAG_PROFILING=\"$bad\"" 0 env "ALLOCTAG_PROFILING=$bad" "$dir/test_modes" compressed
		stderr_is "$config warning for \"$bad\"" "alloctag: warning: ignoring ALLOCTAG_PROFILING=\"$bad\": expected 0, 1 or never, optionally followed by \",header\" or \",compressed\"; keeping the default (1)"
	done
	for bad in 2 yes "" FATAL; do
		run "$config bad ALLOCTAG_DEBUG=\"$bad\"" 0 env "ALLOCTAG_DEBUG=$bad" "$dir/test_modes" compressed
		stderr_is "$config warning for ALLOCTAG_DEBUG \"$bad\"" "alloctag: warning: ignoring ALLOCTAG_DEBUG=\"$bad\": expected 0, 1 or fatal; keeping the default (0)"
	done

	# Settings (settings.c): one table, each bad value exactly one warning, the default kept.
	for v in 0 off false no; do
		run "$config ALLOCTAG_INSPECT=$v" 0 env ALLOCTAG_INSPECT=$v "$dir/test_settings" threads 1
		stderr_is "$config ALLOCTAG_INSPECT=$v is silent" ""
	done
	for bad in 2 offf "" " 0" OFF; do
		run "$config bad ALLOCTAG_INSPECT=\"$bad\"" 0 env "ALLOCTAG_INSPECT=$bad" "$dir/test_modes" compressed
		stderr_is "$config warning for ALLOCTAG_INSPECT \"$bad\"" "alloctag: warning: ignoring ALLOCTAG_INSPECT=\"$bad\": expected 1, on, true, yes, 0, off, false or no; keeping the default (0)"
	done
	# No thread unless live reading is asked for; a forked child never gets one (test_settings
	# checks /proc/self/status in the process and in a child).
	run "$config no ALLOCTAG_INSPECT: no thread" 0 env -u ALLOCTAG_INSPECT "$dir/test_settings" threads 1
	run "$config ALLOCTAG_INSPECT=1: one thread" 0 env ALLOCTAG_INSPECT=1 "$dir/test_settings" threads 2
	# The promise itself, not only its cause: unshare(CLONE_NEWUSER) works after allocating
	# (EINVAL when a thread exists, as the =1 run shows); 77 when this machine has no user
	# namespaces, said and counted as skipped.
	env -u ALLOCTAG_INSPECT "$dir/test_settings" newuser >"$out/last.out" 2>"$out/last.err"
	case $? in
	0) pass ;;
	77) skip "$config unshare(CLONE_NEWUSER): $(cat "$out/last.err")" ;;
	*) fail "$config unshare(CLONE_NEWUSER) after allocating:"; sed 's/^/    /' "$out/last.out" "$out/last.err" | head -5 ;;
	esac
	env ALLOCTAG_INSPECT=1 "$dir/test_settings" newuser >"$out/last.out" 2>"$out/last.err"
	case $? in
	1) pass ;;
	77) skip "$config unshare(CLONE_NEWUSER) with inspection on: $(cat "$out/last.err")" ;;
	*) fail "$config ALLOCTAG_INSPECT=1: unshare(CLONE_NEWUSER) must be refused (a thread exists)"; sed 's/^/    /' "$out/last.out" "$out/last.err" | head -5 ;;
	esac
	# Where unshare is refused (a seccomp profile), inspection stays off with one warning and
	# no thread, rather than serving from a thread that shares the program's descriptors.
	if "${cc[@]}" -O2 -Wall -Werror "$here/seccomp_no_unshare.c" -o "$dir/seccomp_no_unshare" 2>"$out/build.err"; then
		env ALLOCTAG_INSPECT=1 "$dir/seccomp_no_unshare" "$dir/test_settings" refused >"$out/last.out" 2>"$out/last.err"
		case $? in
		0) pass
			stderr_is "$config unshare refused: one warning" "alloctag: warning: live inspection is off: unshare(CLONE_FILES): Operation not permitted" ;;
		77) skip "$config unshare refused by seccomp: $(cat "$out/last.err")" ;;
		*) fail "$config unshare refused: inspection off, no thread:"; sed 's/^/    /' "$out/last.out" "$out/last.err" | head -5 ;;
		esac
	else
		fail "$config build seccomp_no_unshare:"; sed 's/^/    /' "$out/build.err" | head -5
	fi
	for bad in -1 abc "" 3x " 3" +3 99999999999999999999999; do
		run "$config bad ALLOCTAG_FAULT_REFS=\"$bad\"" 0 env "ALLOCTAG_FAULT_REFS=$bad" "$dir/test_modes" compressed
		stderr_is "$config warning for ALLOCTAG_FAULT_REFS \"$bad\"" "alloctag: warning: ignoring ALLOCTAG_FAULT_REFS=\"$bad\": expected a decimal count (every Nth reference fails; 0: none); keeping the default (0)"
	done
	for bad in "" "r.%x" "r.%"; do
		run "$config bad ALLOCTAG_REPORT=\"$bad\"" 0 env "ALLOCTAG_REPORT=$bad" "$dir/test_modes" compressed
		stderr_is "$config warning for ALLOCTAG_REPORT \"$bad\"" "alloctag: warning: ignoring ALLOCTAG_REPORT=\"$bad\": expected a file path (in which %p stands for the pid and %% for a %) or - for standard error, shorter than 4096 bytes; keeping the default (no report)"
	done
	# A setuid-root copy run by nobody (AT_SECURE): every setting is ignored, silently, so
	# ALLOCTAG_REPORT cannot make it overwrite a root-only file.
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
		cp "$dir/test_settings" "$dir/test_settings_suid" && chmod 4755 "$dir/test_settings_suid"
		chmod 755 "$out" "$dir"
		printf 'precious\n' >"$dir/victim" && chmod 600 "$dir/victim"
		run "$config setuid ignores ALLOCTAG_*" 0 env ALLOCTAG_PROFILING=never ALLOCTAG_DEBUG=bogus ALLOCTAG_REPORT="$dir/victim" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$dir/test_settings_suid" secure
		stderr_is "$config setuid: no warning" ""
		if [ "$(cat "$dir/victim")" = precious ]; then pass; else fail "$config setuid: ALLOCTAG_REPORT overwrote a root-only file"; fi
	fi

	# Debug mode: one-shot warnings naming the place, fatal exit status, read-only switch.
	run "$config no debug: silent" 0 env -u ALLOCTAG_DEBUG "$dir/test_debug" untagged
	stderr_is "$config no debug: silent" ""
	run "$config debug untagged" 0 env ALLOCTAG_DEBUG=1 "$dir/test_debug" untagged
	stderr_has "$config debug untagged names the caller" '^alloctag: warning: allocation with no current tag from instrumented code at (allocate_untagged\+0x[0-9a-f]+ \(.*test_debug\)|0x[0-9a-f]+ \(.*/test_debug\+0x[0-9a-f]+\))'
	stderr_has "$config debug untagged is one-shot" '^alloctag: warning:' 1
	run "$config debug fatal" 1 env ALLOCTAG_DEBUG=fatal "$dir/test_debug" untagged
	stderr_has "$config debug fatal counts every occurrence" '^alloctag: warning: ALLOCTAG_DEBUG=fatal: 2 debug warning\(s\) fired; exiting with status 1$'
	run "$config debug fatal, clean run" 0 env ALLOCTAG_DEBUG=fatal "$dir/test_debug" clean
	stderr_is "$config debug fatal, clean run is silent" ""
	run "$config debug foreign free" 0 env ALLOCTAG_DEBUG=1 "$dir/test_debug" foreign
	stderr_has "$config debug foreign free" '^alloctag: warning: free of 0x[0-9a-f]+ which never carried an allocation tag reference, at (main\+0x[0-9a-f]+|0x[0-9a-f]+ \(.*/test_debug\+0x[0-9a-f]+\))'
	run "$config debug tag changed" 0 env ALLOCTAG_DEBUG=1 "$dir/test_debug" changed
	stderr_has "$config debug tag changed" "^alloctag: warning: the current tag changed inside the hooked region of .*test_debug.c:[0-9]+ func:main \\(found .*test_debug.c:[0-9]+ func:main\\)"
	run "$config debug switch read-only" 0 env ALLOCTAG_DEBUG=1 "$dir/test_debug" switch

	# Out of memory: the biggest sites, once, in allocinfo form, largest first, each line whole
	# (the first has a 1200-byte function name); malloc(SIZE_MAX) fails silently.
	run "$config out of memory" 0 env ALLOCTAG_REPORT="$dir/oom-report.txt" "$dir/test_oom"
	stderr_has "$config oom header once" '^alloctag: warning: out of memory' 1
	stderr_has "$config oom for real exhaustion only" '^alloctag: warning: out of memory allocating 1073741824 bytes; largest live allocation sites:$' 1
	long_line=$(grep -n 'lineno = __LINE__' "$here/test_oom.c" | cut -d: -f1)
	long="     3145728        1 $here/test_oom.c:$long_line func:long_$(printf 'x%.0s' $(seq 1200)) "
	if [ "$(sed -n 2p "$out/last.err")" = "alloctag:   $long" ] &&
		[ "$(sed -n 3p "$out/last.err")" = "alloctag:        2097152        1 $here/test_oom.c:27 func:main " ] &&
		[ "$(sed -n 4p "$out/last.err")" = "alloctag:        1048576        1 $here/test_oom.c:26 func:main " ]; then pass; else
		fail "$config oom top sites"; cut -c1-200 "$out/last.err"
	fi
	if [ "$(grep -cxF -- "$long" "$dir/oom-report.txt")" -eq 1 ] &&
		[ "$(grep -cx -- "     2097152        1 $here/test_oom.c:27 func:main " "$dir/oom-report.txt")" -eq 1 ]; then pass; else
		fail "$config a 1200-byte report line is written whole, the next line intact"; cut -c1-200 "$dir/oom-report.txt"
	fi

	# The report file: %p is the pid, a forked child never writes over its parent's report, a
	# symlink is never followed, a file is replaced (rename), never truncated in place.
	run "$config fork, report without %p" 0 env ALLOCTAG_REPORT="$dir/fork.txt" "$dir/test_settings" fork-report
	if grep -qx "         700        1 $here/test_settings.c:[0-9]* func:main " "$dir/fork.txt" &&
		grep -qx "           0        0 $here/test_settings.c:[0-9]* func:main " "$dir/fork.txt"; then pass; else
		fail "$config the parent's report (700 live, the child's site at 0)"; cat "$dir/fork.txt"
	fi
	run "$config fork, report with %p" 0 env ALLOCTAG_REPORT="$dir/fork.%p.txt" "$dir/test_settings" fork-report
	if [ "$(ls "$dir" | grep -c '^fork\.[0-9]*\.txt$')" -eq 2 ] && [ "$(ls "$dir" | grep -c '\.tmp$')" -eq 0 ]; then pass; else
		fail "$config %p: one report per process, no temporary file left"; ls "$dir"
	fi
	printf 'precious\n' >"$dir/target" && ln -sf "$dir/target" "$dir/link"
	run "$config report path is a symlink" 0 env ALLOCTAG_REPORT="$dir/link" "$dir/test_sites"
	stderr_is "$config report path is a symlink" "alloctag: warning: cannot write ALLOCTAG_REPORT=$dir/link: it is a symbolic link, which the report never follows"
	if [ "$(cat "$dir/target")" = precious ] && [ -L "$dir/link" ]; then pass; else fail "$config the symlink's target was written"; fi
	printf 'precious\n' >"$dir/old" && ln -f "$dir/old" "$dir/old-link"
	run "$config report replaces a file" 0 env ALLOCTAG_REPORT="$dir/old" "$dir/test_sites"
	if [ "$(cat "$dir/old-link")" = precious ] && [ "$(head -1 "$dir/old")" = "allocinfo - version: 2.0" ]; then pass; else
		fail "$config the old file was truncated in place (its other link changed)"
	fi
	# ALLOCTAG_REPORT=- from a program that closes standard error before exit (as ls does).
	run "$config report to a closed stderr" 0 env ALLOCTAG_REPORT=- "$dir/test_settings" close-stderr
	stderr_has "$config report to a closed stderr" "^        3000        3 $here/test_settings.c:[0-9]+ func:main \$" 1
done

# The tag registry under a thread sanitizer (test_registry_race.c): the runtime as a shared
# library with codetag.c instrumented (the rest is the allocator, which TSan cannot follow: its
# blocks come from glibc's internals), workers loading, allocating through and unloading a
# tagged library while a reader walks the registry; any TSan report fails.  Swift's clang
# links TSan's runtime with its libdispatch interceptors: the toolchain's libdispatch.
swift_lib=$(dirname "$(dirname "$(command -v clang 2>/dev/null || echo /x/x)")")/lib/swift/linux
for config in "${configs[@]}"; do
	read -r -a cc <<<"$config"
	tsan=(-fsanitize=thread)
	[ "${cc[0]}" = clang ] && [ -e "$swift_lib/libdispatch.so" ] &&
		tsan+=(-L "$swift_lib" -ldispatch -lBlocksRuntime -Wl,-rpath,"$swift_lib")
	dir=$out/tsan-${config// /_}
	mkdir -p "$dir"
	objects=()
	for src in "$core"/*.c; do
		flags=()
		[ "$(basename "$src")" = codetag.c ] && flags=(-fsanitize=thread)
		"${cc[@]}" -g -fPIC -D_GNU_SOURCE -I "$core/include" "${flags[@]}" -c "$src" -o "$dir/$(basename "$src" .c).o" || break
		objects+=("$dir/$(basename "$src" .c).o")
	done
	link=(-L "$dir" -lTagRuntimeTsan -Wl,-rpath,"$dir")
	if "${cc[@]}" -shared "${tsan[@]}" "${objects[@]}" -o "$dir/libTagRuntimeTsan.so" -lpthread -ldl &&
		"${cc[@]}" -g -D_GNU_SOURCE -I "$core/include" -fsanitize=thread -shared -fPIC "$here/lib_race.c" "${link[@]}" -o "$dir/lib_race.so" &&
		"${cc[@]}" -g -Wall -Werror -D_GNU_SOURCE -I "$core/include" "${tsan[@]}" "$here/test_registry_race.c" "${link[@]}" -o "$dir/test_registry_race" -lpthread -ldl; then
		# The loader maps libraries where TSan does not see it: a library's data at an address
		# the runtime had mmapped (a slab heap, a report's buffer) and unmapped reads as last
		# written by that mmap.  Those reports, and only those, name mmap in a stack.
		printf 'race:mmap\n' >"$dir/tsan.supp"
		for mode in 1 1,header; do
			rm -f "$dir"/tsan.*[0-9]
			run "$config registry under TSan ($mode)" 0 env ALLOCTAG_PROFILING=$mode ALLOCTAG_FAULT_REFS=2 \
				TSAN_OPTIONS="halt_on_error=0 exitcode=66 log_path=$dir/tsan suppressions=$dir/tsan.supp" \
				"$dir/test_registry_race" "$dir/lib_race.so" "$dir/libTagRuntimeTsan.so"
			if ! cat "$dir"/tsan.*[0-9] 2>/dev/null | grep -q "WARNING: ThreadSanitizer"; then pass; else
				fail "$config registry under TSan ($mode): a TSan report"; grep -h -A8 "WARNING: ThreadSanitizer" "$dir"/tsan.*[0-9] | head -40
			fi
		done
	else
		fail "build the registry race test under TSan with $config"
	fi
done

# --gc-sections with each linker keeps every record (lld drops records marked only `used`).
for linker in bfd gold lld; do
	case $linker in
	lld) cc=(clang -fuse-ld=lld) ;;
	*) cc=(gcc -fuse-ld=$linker) ;;
	esac
	dir=$out/gc-$linker
	mkdir -p "$dir"
	if build test_report "${cc[@]}" -O2 -ffunction-sections -fdata-sections -Wl,--gc-sections; then
		run "--gc-sections with $linker" 0 "$dir/test_report"
	fi
done

# LD_PRELOAD: the runtime as a shared library catches programs that were not rebuilt.
dir=$out/preload
mkdir -p "$dir"
if gcc -O2 -shared -fPIC -D_GNU_SOURCE -I "$core/include" "$core"/*.c -o "$dir/libTagRuntimePreload.so" &&
	gcc -O2 "$here/plain.c" -o "$dir/plain"; then
	for mode in 1 1,header; do
		run "preload plain $mode" 0 env ALLOCTAG_PROFILING=$mode ALLOCTAG_REPORT="$dir/report.txt" LD_PRELOAD="$dir/libTagRuntimePreload.so" "$dir/plain"
		if [ "$(cat "$dir/report.txt")" = "$(printf 'allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n        3000        3 <untagged>:0 func:<untagged> ')" ]; then pass; else
			fail "preload report ($mode)"; cat "$dir/report.txt"
		fi
		# Live inspection's thread allocates (pthread_create) on the runtime's own line.
		run "preload plain, inspection on $mode" 0 env ALLOCTAG_INSPECT=1 ALLOCTAG_PROFILING=$mode ALLOCTAG_REPORT="$dir/report.txt" LD_PRELOAD="$dir/libTagRuntimePreload.so" "$dir/plain"
		if [ "$(sed -n 3p "$dir/report.txt")" = "        3000        3 <untagged>:0 func:<untagged> " ]; then pass; else
			fail "preload report with inspection ($mode)"; cat "$dir/report.txt"
		fi
	done
	# The inspection thread keeps none of the program's descriptors: a program that closes its
	# standard output and goes on running (a daemon) gives its reader EOF at once.
	run "inspection thread holds no pipe of the program" 0 timeout 2 cat <(env ALLOCTAG_INSPECT=1 LD_PRELOAD="$dir/libTagRuntimePreload.so" sh -c 'exec >&-; sleep 3')
	run "preload report to stderr" 0 env ALLOCTAG_REPORT=- LD_PRELOAD="$dir/libTagRuntimePreload.so" "$dir/plain"
	stderr_has "preload report to stderr" '^        3000        3 <untagged>:0 func:<untagged> $'
	run "preload unwritable report" 0 env ALLOCTAG_REPORT=/nonexistent/dir/r.txt LD_PRELOAD="$dir/libTagRuntimePreload.so" "$dir/plain"
	stderr_is "preload unwritable report" "alloctag: warning: cannot write ALLOCTAG_REPORT=/nonexistent/dir/r.txt: No such file or directory"
	# Real programs in both reference modes (compressed puts their small blocks on the
	# runtime's slabs): threads handing objects to each other in python3, and gcc itself.
	py=$(command -v python3)
	threaded='import json, threading, queue
q = queue.Queue()
def produce():
    for i in range(20000): q.put({"k": str(i) * (i % 40), "v": list(range(i % 50))})
    q.put(None)
t = threading.Thread(target=produce); t.start()
n = 0
while (item := q.get()) is not None: n += len(json.dumps(item))
t.join(); print(n)'
	for mode in 1 1,header; do
		run "preload ls ($mode)" 0 env ALLOCTAG_PROFILING=$mode LD_PRELOAD="$dir/libTagRuntimePreload.so" ls -la /
		[ -n "$py" ] && run "preload python3 threads ($mode)" 0 env ALLOCTAG_PROFILING=$mode LD_PRELOAD="$dir/libTagRuntimePreload.so" "$py" -c "$threaded"
		run "preload gcc ($mode)" 0 env ALLOCTAG_PROFILING=$mode LD_PRELOAD="$dir/libTagRuntimePreload.so" gcc -O2 -c -D_GNU_SOURCE -I "$core/include" "$core/malloc.c" -o "$dir/malloc.o"
	done
else
	fail "build the preload library"
fi

# Shared libraries as modules (runtime, library and program share one runtime .so), the
# 70000 tags in one library (no 16-bit limit), and live inspection, with every compiler configuration.
for config in "gcc -O0" "gcc -O2" "clang -O2"; do
	read -r -a cc <<<"$config"
	command -v "${cc[0]}" >/dev/null || continue
	dir=$out/shared-${config// /_}
	mkdir -p "$dir"
	common=(-g -Wall -Werror -D_GNU_SOURCE -I "$core/include")
	link=(-L "$dir" -lTagRuntimePreload -Wl,-rpath,"$dir" -lpthread)
	if "${cc[@]}" "${common[@]}" -shared -fPIC "$core"/*.c -o "$dir/libTagRuntimePreload.so" &&
		"${cc[@]}" "${common[@]}" -shared -fPIC "$here/lib_tagged.c" "${link[@]}" -o "$dir/lib_tagged.so" &&
		"${cc[@]}" "${common[@]}" "$here/test_dlopen.c" "${link[@]}" -o "$dir/test_dlopen" &&
		"${cc[@]}" "${common[@]}" "$here/test_sites.c" "${link[@]}" -o "$dir/test_sites" &&
		"${cc[@]}" -O2 -shared -fPIC "$here/lib_dtor.c" -o "$dir/lib_dtor.so" &&
		"${cc[@]}" -O2 "$here/plain.c" -Wl,--no-as-needed "$dir/lib_dtor.so" -Wl,-rpath,"$dir" -o "$dir/plain_dtor" &&
		"${cc[@]}" "${common[@]}" "$here/test_many_tags.c" "${link[@]}" -o "$dir/test_many_tags" &&
		"${cc[@]}" "${common[@]}" "$here/test_inspect.c" "${link[@]}" -o "$dir/test_inspect" &&
		"${cc[@]}" -O2 "$here/inspect_client.c" -o "$dir/inspect_client" &&
		python3 "$here/gen_many_tags.py" 70000 >"$dir/many_tags.c" &&
		"${cc[@]}" -O0 -D_GNU_SOURCE -I "$core/include" -shared -fPIC "$dir/many_tags.c" "${link[@]}" -o "$dir/many_tags.so"; then
		for mode in 1 1,header; do
			run "$config dlopen/dlclose stress $mode" 0 env ALLOCTAG_PROFILING=$mode "$dir/test_dlopen" "$dir/lib_tagged.so"
			# The report at exit with the shared runtime lists the executable's sites back at
			# zero, and counts what libraries free in their destructors.
			run "$config shared runtime, report at exit $mode" 0 env ALLOCTAG_PROFILING=$mode ALLOCTAG_REPORT="$dir/exit.txt" "$dir/test_sites"
			zero_lines=$(grep -cE "^           0        0 .*test_sites\.c:[0-9]+ func:main \$" "$dir/exit.txt")
			if [ "$zero_lines" -eq 35 ] && [ "$(grep -c "test_sites\.c:" "$dir/exit.txt")" -eq 35 ]; then pass; else
				fail "$config shared runtime $mode: $zero_lines of 35 sites at zero in the report at exit"
			fi
			run "$config library freeing in its destructor $mode" 0 env ALLOCTAG_PROFILING=$mode ALLOCTAG_REPORT="$dir/dtor.txt" LD_PRELOAD="$dir/libTagRuntimePreload.so" "$dir/plain_dtor"
			if [ "$(tail -n +3 "$dir/dtor.txt")" = "        3000        3 <untagged>:0 func:<untagged> " ]; then pass; else
				fail "$config library destructor's free ($mode)"; cat "$dir/dtor.txt"
			fi
		done
		for mode in 1 1,header; do
			run "$config 70000 tags $mode" 0 env ALLOCTAG_PROFILING=$mode "$dir/test_many_tags" "$dir/many_tags.so"
			stderr_is "$config 70000 tags $mode: no warning" ""
		done

		# Live inspection (ALLOCTAG_INSPECT=1), read by its owner after the program closed every
		# descriptor above 2 and served 20 clients of its own on the lowest free number; a
		# client that never reads does not hold up the next (a 7 MB report: 70000 tags); another
		# user can neither find the socket nor read from it.
		keep_line=$(grep -n 'keep = malloc' "$here/test_inspect.c" | cut -d: -f1)
		coproc inspected { env ALLOCTAG_INSPECT=1 "$dir/test_inspect" "$dir/many_tags.so"; }
		read -r _ pid served <&"${inspected[0]}"
		if [ "$served" = 20 ]; then pass; else fail "$config the program's own server got $served of 20 clients"; fi
		"$dir/inspect_client" "$pid" stall &
		staller=$!
		sleep 0.5
		if timeout 5 "$dir/inspect_client" "$pid" >"$dir/live.txt" 2>&1 &&
			grep -qE "^       31337        1 .*test_inspect.c:$keep_line func:main \$" "$dir/live.txt" &&
			[ "$(grep -c "many_tags" "$dir/live.txt")" -eq 70000 ]; then pass; else
			fail "$config live report of pid $pid beside a stalled client"; head -5 "$dir/live.txt"
		fi
		kill "$staller" 2>/dev/null
		wait "$staller" 2>/dev/null
		# The bound itself: at most 8 clients are held (a 9th is closed at once, unserved), and
		# one that has not read within 5 s is dropped (reading late, it gets what the socket
		# held, 256 KiB here, not the 4.4 MB report); once they are dropped, the next client is served in full.
		full=$(wc -c <"$dir/live.txt")
		"$dir/inspect_client" "$pid" late 7 >"$dir/late.txt" &
		late=$!
		stallers=()
		for _ in 1 2 3 4 5 6 7; do
			"$dir/inspect_client" "$pid" stall &
			stallers+=($!)
		done
		sleep 1.5
		ninth=$(timeout 5 "$dir/inspect_client" "$pid" | wc -c)
		if [ "$ninth" -eq 0 ]; then pass; else fail "$config a 9th client beside 8 held ones got $ninth bytes, expected none"; fi
		wait "$late"
		got=$(cat "$dir/late.txt")
		if [ -n "$got" ] && [ "$got" -lt "$full" ]; then pass; else
			fail "$config a client that read only after 7 s got ${got:-nothing} of $full bytes: it was not dropped at 5 s"
		fi
		kill "${stallers[@]}" 2>/dev/null
		wait "${stallers[@]}" 2>/dev/null
		if [ "$(timeout 5 "$dir/inspect_client" "$pid" | grep -c many_tags)" -eq 70000 ]; then pass; else
			fail "$config after the stalled clients were dropped, the next is not served in full"
		fi
		if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
			chmod 755 "$out" "$dir" "$dir/inspect_client"
			nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
			# The kernel does not show another user the process's descriptors ...
			run "$config another user cannot find the socket" 2 "${nobody[@]}" "$dir/inspect_client" "$pid"
			stderr_is "$config another user cannot find the socket" "inspect_client: cannot read the descriptors of process $pid: Permission denied"
			# ... and one who takes the name from /proc/net/unix (readable by all) is refused.
			name=$(awk -v p="@alloctag.$pid." 'index($8, p) == 1 && $8 !~ /\.ext$/ { print substr($8, 2) }' /proc/net/unix)
			"${nobody[@]}" "$dir/inspect_client" "@$name" >"$dir/denied.txt" 2>&1
			if [ -n "$name" ] && grep -q "^alloctag: permission denied" "$dir/denied.txt" && ! grep -q "31337" "$dir/denied.txt"; then pass; else
				fail "$config another user must not read the report (@$name)"; cat "$dir/denied.txt"
			fi
		fi
		exec {inspected[1]}>&-
		wait "$inspected_PID"
		# A squatter on a sleeping process's old-style names (@alloctag.PID, .ext) serving a
		# forged report is never even connected to: the client looks in the process itself.
		sleep 20 &
		victim=$!
		python3 "$here/squat.py" "$victim" >"$dir/squat.txt" &
		squatter=$!
		for _ in 1 2 3 4 5 6 7 8 9 10; do grep -qs bound "$dir/squat.txt" && break; sleep 0.2; done
		run "$config a squatter is not believed" 1 "$dir/inspect_client" "$victim"
		stderr_is "$config a squatter is not believed" "inspect_client: process $victim is not listening (no alloctag socket among its descriptors)"
		if ! grep -q forged "$out/last.out"; then pass; else fail "$config the forged report was read"; fi
		kill "$victim" "$squatter" 2>/dev/null
		wait "$victim" "$squatter" 2>/dev/null
		# Names squatted before the process starts deny nothing: it listens under names nobody
		# could guess, silently, and its owner reads it.
		rm -f "$dir/squatting.txt"
		coproc squatted { sh -c 'python3 "$1/squat.py" $$ --hold >"$4" & for _ in $(seq 100); do grep -qs bound "$4" && break; sleep 0.1; done; exec env ALLOCTAG_INSPECT=1 "$2/test_inspect" 2>"$3"' sh "$here" "$dir" "$dir/squatted.err" "$dir/squatting.txt"; }
		read -r _ pid served <&"${squatted[0]}"
		run "$config names squatted: inspection works" 0 "$dir/inspect_client" "$pid"
		if grep -qE "^       31337        1 .*test_inspect.c:$keep_line func:main \$" "$out/last.out"; then pass; else
			fail "$config names squatted: the report"; head -5 "$out/last.out"
		fi
		run "$config names squatted: extended report" 0 "$dir/inspect_client" "$pid" ext
		if grep -qE "^ +31337 +31337 +1 +[0-9]+ +31337 +1 .*test_inspect.c:$keep_line func:main \$" "$out/last.out"; then pass; else
			fail "$config names squatted: the extended report"; head -5 "$out/last.out"
		fi
		exec {squatted[1]}>&-
		wait "$squatted_PID"
		if [ ! -s "$dir/squatted.err" ] && grep -qx bound "$dir/squatting.txt"; then pass; else
			fail "$config names squatted: the program warned, or the names were not taken first"; cat "$dir/squatted.err" "$dir/squatting.txt"
		fi
		# Off by default and with ALLOCTAG_INSPECT=0: nothing listens.
		for setting in "-u ALLOCTAG_INSPECT" "ALLOCTAG_INSPECT=0"; do
			coproc quiet { env $setting "$dir/test_inspect"; }
			read -r _ pid served <&"${quiet[0]}"
			run "$config $setting listens nowhere" 1 "$dir/inspect_client" "$pid"
			exec {quiet[1]}>&-
			wait "$quiet_PID"
		done
		# Two processes with the same pid (1) in pid namespaces of their own that share the
		# network namespace: each is read, from inside its namespace and from outside, as
		# itself (1111 or 2222 bytes live), never as the other.  Needs root and unshare.
		if [ "$(id -u)" -ne 0 ]; then
			skip "$config same pid in two pid namespaces: not root"
		elif ! why=$(unshare --pid --fork --mount-proc true 2>&1); then
			skip "$config same pid in two pid namespaces: unshare refused: $why"
		else
			# Their standard input: a fifo this script holds open, closed at the end (EOF: exit).
			rm -f "$dir/ns-hold" && mkfifo "$dir/ns-hold" && exec {hold}<>"$dir/ns-hold"
			namespaces=()
			for bytes in 1111 2222; do
				unshare --pid --fork --mount-proc env ALLOCTAG_INSPECT=1 "$dir/test_inspect" - $bytes <"$dir/ns-hold" >"$dir/ns-$bytes.out" 2>"$dir/ns-$bytes.err" {hold}>&- &
				namespaces+=($!)
			done
			for bytes in 1111 2222; do
				for _ in $(seq 50); do grep -qs '^ready 1 20$' "$dir/ns-$bytes.out" && break; sleep 0.1; done
				host=
				for p in $(pgrep -x test_inspect); do
					[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "$dir/test_inspect - $bytes " ] && host=$p
				done
				other=$((3333 - bytes))
				if [ -z "$host" ]; then
					fail "$config pid namespace $bytes: the program did not start"; cat "$dir/ns-$bytes.out" "$dir/ns-$bytes.err"
					continue
				fi
				for where in inside outside; do
					if [ $where = inside ]; then
						run "$config pid 1 of namespace $bytes, read $where" 0 nsenter --target "$host" --pid --mount "$dir/inspect_client" 1
					else
						run "$config pid 1 of namespace $bytes, read $where" 0 "$dir/inspect_client" "$host"
					fi
					if grep -qE "^ +$bytes +1 .*test_inspect.c:$keep_line func:main \$" "$out/last.out" &&
						! grep -qE "^ +$other +1 .*test_inspect.c" "$out/last.out"; then pass; else
						fail "$config pid 1 of namespace $bytes, read $where: not its own report"; head -5 "$out/last.out"
					fi
				done
				if [ ! -s "$dir/ns-$bytes.err" ]; then pass; else fail "$config pid namespace $bytes: the program warned"; cat "$dir/ns-$bytes.err"; fi
			done
			exec {hold}>&-
			wait "${namespaces[@]}"
		fi
	else
		fail "build the shared-library tests with $config"
	fi
done

finish
