#!/bin/sh

# show-audit -d reads a log directory with no tmux server running and does
# not start one, also on a copy of the directory made elsewhere; -v prints
# the fork's version with no server; tmux -V is upstream's, unchanged.

. "$(dirname "$0")/lib.sh"

audit_conf
start_logged -s main
kill -TERM "$SERVER"
wait_for "the server to exit" gone "$SERVER"
t1=$(now)

# No server on the socket: remove the stale socket so any server started
# by what follows would show.
rm -f "$SOCK"
[ -e "$SOCK" ] && fail "$SOCK still exists"
$T has-session 2>/dev/null && fail "a server is running on $LABEL"

srv=$(server_fields "$SERVER")
new=$(client_fields 0 "client-$NEW_PID" "$NEW_PID")
login=$(login_fields)
expected="\
segment format=1 run=RUN segment=1 $srv first=1
server-start $srv
client-connect $new$login term=$TERM cwd=$TMP client_flags=focused,UTF-8
session-created session=main session_id=\$0 cwd=$TMP
client-disconnect $new reason=exit
session-closed session=main session_id=\$0
server-stop pid=$SERVER"

# Read $1 with show-audit -d, -J and not, with $T (so on $LABEL, which
# has no server) and with no -L at all; none of them may start a server.
read_dir() {
	$T show-audit -J -d "$1" >"$TMP/log.json" 2>"$TMP/err" ||
	    fail "show-audit -J -d $1 failed: $(cat "$TMP/err")"
	assert_eq "stderr of show-audit -J -d $1" "" "$(cat "$TMP/err")"
	audit_check_meta "$START" "$t1" || fail "bad times, seqs or run id"
	audit_check_seals "$1"
	assert_eq "show-audit -J -d $1" "$expected" \
	    "$(audit_norm "$BASIC_TYPES")"

	$T show-audit -d "$1" >"$TMP/text" 2>"$TMP/err" ||
	    fail "show-audit -d $1 failed: $(cat "$TMP/err")"
	assert_eq "stderr of show-audit -d $1" "" "$(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/text")" -eq "$(wc -l <"$TMP/log.json")" ] ||
	    fail "show-audit -d $1 and -J -d $1 differ in number of lines"
	cp "$TMP/text" "$TMP/text.$2"
	cp "$TMP/log.json" "$TMP/json.$2"

	$TMUX_BIN show-audit -d "$1" >"$TMP/text2" 2>&1 ||
	    fail "show-audit -d $1 without -L failed"
	cmp -s "$TMP/text" "$TMP/text2" ||
	    fail "show-audit -d $1 without -L printed something else"

	[ -e "$SOCK" ] && fail "show-audit -d $1 started a server on $LABEL"
	for s in "$TMP"/tmux-*/*; do
		[ -e "$s" ] && fail "show-audit -d $1 made $s"
	done
	return 0
}

read_dir "$LOG" orig

mkdir "$TMP/elsewhere"
cp -a "$LOG" "$TMP/elsewhere/copy"
rm -rf "$LOG"
read_dir "$TMP/elsewhere/copy" copy
cmp -s "$TMP/text.orig" "$TMP/text.copy" ||
    fail "the copy reads differently (text)"
cmp -s "$TMP/json.orig" "$TMP/json.copy" ||
    fail "the copy reads differently (JSON)"

# The versions, with no server.
out=$($T show-audit -v 2>&1) || fail "show-audit -v failed"
assert_eq "show-audit -v" "tmux-audit $(audit_version) (tmux 3.5a) format 1" \
    "$out"
out=$($TMUX_BIN -V 2>&1) || fail "tmux -V failed"
assert_eq "tmux -V" "tmux 3.5a" "$out"
if [ -x "$PRISTINE_BIN" ]; then
	assert_eq "tmux -V against upstream" "$($PRISTINE_BIN -V)" "$out"
fi
[ -e "$SOCK" ] && fail "show-audit -v or -V started a server"

# A directory with no log files, and one that does not exist: an error,
# not a server.
mkdir "$TMP/empty"
$T show-audit -d "$TMP/empty" >"$TMP/out" 2>"$TMP/err" &&
    fail "show-audit -d on an empty directory exited 0"
assert_eq "empty directory" "$TMP/empty: no audit log files" "$(cat "$TMP/err")"
$T show-audit -d "$TMP/none" >"$TMP/out" 2>"$TMP/err" &&
    fail "show-audit -d on a missing directory exited 0"
assert_eq "missing directory" "$TMP/none: No such file or directory" \
    "$(cat "$TMP/err")"
[ -e "$SOCK" ] && fail "show-audit -d on a bad directory started a server"
exit 0
