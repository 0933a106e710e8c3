#!/bin/sh

# show-audit -d may be given more than once, and may name a tree of log
# directories (one per host, as logs collected centrally are). Two servers
# write two logs, A (session alpha) and B (session beta, which rotates into
# several segments). Then, with no server:
#
# - "-d A -d B" prints exactly what "-d A" then "-d B" print, for the
#   records, -J, -T and -l (the index keeps the two runs' sessions and
#   panes apart, though both have $0 and %0);
# - a tree with A at tree/a and B at tree/b/deep/log, beside an empty
#   directory, a file, and a symbolic link back to the top of the tree
#   (which is not followed), reads as "-d tree/a -d tree/b/deep/log";
# - -V over "-d A -d B" verifies both logs in one run: exactly the lines
#   of "-V -d A" and "-V -d B" (exit 2, no host key); over "-d tree -d A",
#   the copy of A in the tree and A itself are the same run, and each
#   segment of the copy (whose path sorts after A's) is "duplicate segment
#   N (also PATH)" (exit 1);
# - -W with two -d fails with "-W follows one directory"; a -d with no log
#   files anywhere below it fails with "DIR: no audit log files".

. "$(dirname "$0")/lib.sh"

A=$TMP/logs/a
B=$TMP/logs/b
mkdir -p "$TMP/logs" || fail "mkdir failed"
for x in a b; do
	printf '%s\n' "set -s audit-log on" \
	    "set -s audit-log-path $TMP/logs/$x" \
	    "set -s audit-log-max-size 4000" >"$TMP/$x.conf"
done
TA="$TMUX_BIN -L $LABEL-a -f $TMP/a.conf"
TB="$TMUX_BIN -L $LABEL-b -f $TMP/b.conf"
$TA new -d -s alpha -x 80 -y 24 "echo alpha-output; exec sleep 60" ||
    fail "new-session alpha failed"
$TB new -d -s beta -x 80 -y 24 "seq -f 'beta %03g' 1 600; exec sleep 60" ||
    fail "new-session beta failed"
SERVER_PIDS="$($TA display -p '#{pid}') $($TB display -p '#{pid}')"
$TA send-keys -t alpha 'typed-in-alpha' Enter || fail "send-keys failed"
has_output() {
	"$TMUX_BIN" show-audit -d "$1" -Y output 2>/dev/null | grep -q "$2"
}
wait_for "alpha's output" has_output "$A" 'alpha-output'
wait_for "beta's output" has_output "$B" 'beta 600'
$TA kill-server
$TB kill-server
for p in $SERVER_PIDS; do
	wait_for "the servers to exit" gone "$p"
done
set -- "$B"/*.tmux-audit
[ $# -ge 2 ] || fail "log B has only $# segment"

# The tree.
mkdir -p "$TMP/tree/b/deep" "$TMP/tree/empty/sub" || fail "mkdir failed"
cp -a "$A" "$TMP/tree/a" && cp -a "$B" "$TMP/tree/b/deep/log" ||
    fail "cp failed"
echo not-a-log >"$TMP/tree/b/README" || fail "echo failed"
ln -s "$TMP/tree" "$TMP/tree/b/loop" || fail "ln failed"

# show-audit $1 (flags, as one word list) over -d $2 ... and over each -d
# in turn must print the same, and exit 0.
same_as_each() {
	_flags=$1
	shift
	_args=
	: >"$TMP/each"
	for _d in "$@"; do
		_args="$_args -d $_d"
		"$TMUX_BIN" show-audit $_flags -d "$_d" >>"$TMP/each" ||
		    fail "show-audit $_flags -d $_d failed"
	done
	"$TMUX_BIN" show-audit $_flags $_args >"$TMP/all" 2>"$TMP/err" ||
	    fail "show-audit $_flags$_args failed: $(cat "$TMP/err")"
	assert_eq "stderr of show-audit $_flags$_args" "" "$(cat "$TMP/err")"
	cmp -s "$TMP/each" "$TMP/all" || {
		diff -u "$TMP/each" "$TMP/all" | head -n 20 >&2
		fail "show-audit $_flags$_args differs from each -d in turn"
	}
}
for flags in "" -J -T -l; do
	same_as_each "$flags" "$A" "$B"
done
"$TMUX_BIN" show-audit -d "$A" -d "$B" -l | grep -q 'session \$0 alpha' ||
    fail "-l over two -d has no session alpha"
"$TMUX_BIN" show-audit -d "$A" -d "$B" -l | grep -q 'session \$0 beta' ||
    fail "-l over two -d has no session beta"

# The tree reads as its two log directories.
for flags in "" -J; do
	"$TMUX_BIN" show-audit $flags -d "$TMP/tree/a" \
	    -d "$TMP/tree/b/deep/log" >"$TMP/each" ||
	    fail "show-audit over the tree's directories failed"
	"$TMUX_BIN" show-audit $flags -d "$TMP/tree" >"$TMP/all" \
	    2>"$TMP/err" || fail "show-audit -d tree failed: $(cat "$TMP/err")"
	assert_eq "stderr of show-audit $flags -d tree" "" "$(cat "$TMP/err")"
	cmp -s "$TMP/each" "$TMP/all" ||
	    fail "show-audit $flags -d tree differs from its directories"
done

# -V over both: one run of the verifier, both logs' lines.
"$TMUX_BIN" show-audit -V -d "$A" >"$TMP/va" 2>&1
[ $? -eq 2 ] || fail "show-audit -V -d A did not exit 2"
"$TMUX_BIN" show-audit -V -d "$B" >"$TMP/vb" 2>&1
[ $? -eq 2 ] || fail "show-audit -V -d B did not exit 2"
"$TMUX_BIN" show-audit -V -d "$A" -d "$B" >"$TMP/vab" 2>&1
[ $? -eq 2 ] || fail "show-audit -V -d A -d B did not exit 2"
assert_eq "show-audit -V -d A -d B" "$(cat "$TMP/va" "$TMP/vb")" \
    "$(cat "$TMP/vab")"
[ "$(grep -c ': consistent: ' "$TMP/vab")" -eq \
    $(($(ls "$A" | wc -l) + $(ls "$B" | wc -l))) ] ||
    fail "show-audit -V -d A -d B: not every file consistent"

# The same run twice: the second copy of each segment is a duplicate.
"$TMUX_BIN" show-audit -V -d "$TMP/tree" -d "$A" >"$TMP/vdup" 2>"$TMP/edup"
[ $? -eq 1 ] || fail "show-audit -V with A twice did not exit 1"
for f in "$A"/*.tmux-audit; do
	n=$(basename "$f" .tmux-audit | sed 's/.*_0*//')
	line="$TMP/tree/a/$(basename "$f"): duplicate segment $n (also $f)"
	grep -qxF "$line" "$TMP/edup" ||
	    fail "no duplicate line for $f: $(cat "$TMP/edup")"
done
[ "$(wc -l <"$TMP/edup")" -eq "$(ls "$A" | wc -l)" ] ||
    fail "show-audit -V with A twice: $(cat "$TMP/edup")"

# Errors.
"$TMUX_BIN" show-audit -W -d "$A" -d "$B" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] || fail "show-audit -W with two -d did not exit 1"
assert_eq "show-audit -W with two -d" "-W follows one directory" \
    "$(cat "$TMP/err")"
"$TMUX_BIN" show-audit -d "$TMP/tree/empty" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] || fail "show-audit -d on an empty tree did not exit 1"
assert_eq "show-audit -d on an empty tree" \
    "$TMP/tree/empty: no audit log files" "$(cat "$TMP/err")"
exit 0
