#!/bin/sh

# regress/run.sh: run the tmux-audit tests.
#
#	regress/run.sh [test ...]
#
# Runs every regress/*.sh but this file and the helper libraries (lib.sh,
# lib-*.sh), or only the tests named (with or without .sh), in sorted
# order, each with a time limit of $REGRESS_TIMEOUT seconds (120, or 480
# for a sanitizer build of tmux, below). A test passes with exit status 0
# and is skipped with 77 (the last line of its output says why); anything
# else fails, and its output is shown indented.
# The last line is "N passed, N failed" (", N skipped" when some were);
# the exit status is 1 if any test failed.
#
# TMUX_BIN is the tmux under test (default: tmux/tmux in the repository),
# PRISTINE_BIN unpatched upstream (default: tmux-pristine/tmux); both are
# passed on to the tests as absolute paths.
#
# A tmux built with AddressSanitizer or UndefinedBehaviorSanitizer (as
# ./build.sh makes tmux-asan/tmux) writes what it finds into a directory
# of the runner's, one for each test (ASAN_OPTIONS and UBSAN_OPTIONS get
# log_path, and halt_on_error so the first finding stops the process): a
# test after which that directory is not empty fails, with the report,
# whatever its exit status, since a server's own failure does not reach
# the test. REGRESS_PREFIX is put before each test's name in the PASS,
# FAIL and SKIP lines, and REGRESS_TOTAL=no leaves out the last line, for
# a caller that runs the suite more than once and counts it all.

REGRESS=$(cd "$(dirname "$0")" && pwd -P)
TOP=$(dirname "$REGRESS")
TIMEOUT=${REGRESS_TIMEOUT:-120}

absolute() {
	case "$1" in
	/*)	echo "$1" ;;
	*)	echo "$(pwd -P)/$1" ;;
	esac
}
TMUX_BIN=$(absolute "${TMUX_BIN:-$TOP/tmux/tmux}")
PRISTINE_BIN=$(absolute "${PRISTINE_BIN:-$TOP/tmux-pristine/tmux}")
export TMUX_BIN PRISTINE_BIN

# A sanitizer build is several times slower: allow it four times as long,
# for each test and for each wait in one (lib.sh's WAIT_TRIES).
if ldd "$TMUX_BIN" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	TIMEOUT=${REGRESS_TIMEOUT:-480}
	WAIT_TRIES=${WAIT_TRIES:-800}
	export WAIT_TRIES
fi

if [ $# -eq 0 ]; then
	set -- $(cd "$REGRESS" && LC_ALL=C ls -- *.sh |
	    grep -Ev '^(run|lib|lib-.*)\.sh$')
else
	for t in "$@"; do
		t=$(basename "$t" .sh)
		case "$t" in
		run|lib|lib-*)
			echo "run.sh: $t is not a test" >&2
			exit 2
			;;
		esac
		[ -f "$REGRESS/$t.sh" ] || {
			echo "run.sh: no test $REGRESS/$t.sh" >&2
			exit 2
		}
		shift
		set -- "$@" "$t.sh"
	done
	set -- $(for t in "$@"; do echo "$t"; done | LC_ALL=C sort -u)
fi

out=$(mktemp "${TMPDIR:-/tmp}/tmux-audit-run.XXXXXXXX") || exit 2
san=$(mktemp -d "${TMPDIR:-/tmp}/tmux-audit-san.XXXXXXXX") || exit 2
trap 'rm -f "$out"; rm -rf "$san"' EXIT
trap 'exit 1' INT TERM HUP PIPE
# Tests run tmux as other users too: they must be able to write reports.
chmod 1733 "$san"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}halt_on_error=1:log_path=$san/asan"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1"
UBSAN_OPTIONS="$UBSAN_OPTIONS:print_stacktrace=1:log_path=$san/ubsan"
export ASAN_OPTIONS UBSAN_OPTIONS
prefix=${REGRESS_PREFIX:-}

passed=0
failed=0
skipped=0
for t in "$@"; do
	name=${t%.sh}
	# Output goes to a file, not a pipe: a server a test leaves behind
	# must not hold the runner up.
	rm -f "$san"/*
	timeout -k 10 "$TIMEOUT" sh "$REGRESS/$t" </dev/null >"$out" 2>&1
	rc=$?
	if [ -n "$(ls "$san")" ]; then
		for f in "$san"/*; do
			echo "sanitizer report $(basename "$f"):"
			cat "$f"
		done >>"$out"
		[ $rc -eq 0 ] || [ $rc -eq 77 ] && rc=1
	fi
	case $rc in
	0)
		echo "PASS $prefix$name"
		passed=$((passed + 1))
		;;
	77)
		reason=$(sed -e '/^[[:space:]]*$/d' "$out" | tail -n 1)
		echo "SKIP $prefix$name: ${reason:-no reason given}"
		skipped=$((skipped + 1))
		;;
	*)
		echo "FAIL $prefix$name"
		[ $rc -eq 124 ] || [ $rc -eq 137 ] &&
		    echo "timed out after $TIMEOUT seconds" >>"$out"
		echo "exit status $rc" >>"$out"
		sed 's/^/    /' "$out"
		failed=$((failed + 1))
		;;
	esac
done

if [ "${REGRESS_TOTAL:-yes}" = no ]; then
	:
elif [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
