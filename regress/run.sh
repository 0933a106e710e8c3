#!/bin/sh

# regress/run.sh: run the tmux-audit tests.
#
#	regress/run.sh [test ...]
#
# Runs every regress/*.sh but this file and the helper libraries (lib.sh,
# lib-*.sh), or only the tests named (with or without .sh), in sorted
# order, each with a time limit of $REGRESS_TIMEOUT seconds (120). A test
# passes with exit status 0 and is skipped with 77 (the last line of its
# output says why); anything else fails, and its output is shown indented.
# The last line is "N passed, N failed" (", N skipped" when some were);
# the exit status is 1 if any test failed.
#
# TMUX_BIN is the tmux under test (default: tmux/tmux in the repository),
# PRISTINE_BIN unpatched upstream (default: tmux-pristine/tmux); both are
# passed on to the tests as absolute paths.

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
trap 'rm -f "$out"' EXIT
trap 'exit 1' INT TERM HUP PIPE

passed=0
failed=0
skipped=0
for t in "$@"; do
	name=${t%.sh}
	# Output goes to a file, not a pipe: a server a test leaves behind
	# must not hold the runner up.
	timeout -k 10 "$TIMEOUT" sh "$REGRESS/$t" </dev/null >"$out" 2>&1
	rc=$?
	case $rc in
	0)
		echo "PASS $name"
		passed=$((passed + 1))
		;;
	77)
		reason=$(sed -e '/^[[:space:]]*$/d' "$out" | tail -n 1)
		echo "SKIP $name: ${reason:-no reason given}"
		skipped=$((skipped + 1))
		;;
	*)
		echo "FAIL $name"
		[ $rc -eq 124 ] || [ $rc -eq 137 ] &&
		    echo "timed out after $TIMEOUT seconds" >>"$out"
		echo "exit status $rc" >>"$out"
		sed 's/^/    /' "$out"
		failed=$((failed + 1))
		;;
	esac
done

if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
