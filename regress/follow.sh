#!/bin/sh

# show-audit -W follows the log as it is written, from one segment to the
# next. With audit-log-max-size 2000 the server starts a new segment every
# few commands. show-audit -W -d LOG -Y command -F '#{audit_command}' runs
# in the background, its output to a file:
#
# - it first prints the commands already in the log (the config's, the
#   new-session, set-option @before);
# - then twelve set-option commands (@n1 ... @n12), run one at a time, each
#   appear in its output within a second of the command returning, while
#   the server starts at least three new segments under it;
# - in the end its output is exactly every command of the log, in order,
#   once each, nothing is on its standard error, and it is still running
#   (it follows until it is killed);
# - with a second server writing to the same directory, -W follows both
#   (see below).

. "$(dirname "$0")/lib.sh"

audit_conf "set -s audit-log-max-size 2000"

run_pid $T new -d -s main "exec sleep 600" || fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
$T set -g @before 1 || fail "set-option failed"

segments() {
	ls "$LOG" | grep -c '\.tmux-audit$'
}
shown() {
	grep -qxF -- "$1" "$TMP/follow.out"
}

"$TMUX_BIN" show-audit -W -d "$LOG" -Y command -F '#{audit_command}' \
    >"$TMP/follow.out" 2>"$TMP/follow.err" &
FOLLOW=$!
trap 'rc=$?; kill $FOLLOW 2>/dev/null; cleanup; exit $rc' EXIT
wait_for "the commands before -W started" shown "set-option -g @before 1"

before=$(segments)
late=
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	$T set -g @n$i $i || fail "set-option @n$i failed"
	j=0
	while ! shown "set-option -g @n$i $i"; do
		j=$((j + 1))
		if [ $j -gt 20 ]; then
			late="$late @n$i (segments: $(segments))"
			break
		fi
		sleep 0.05
	done
done
after=$(segments)
[ $((after - before)) -ge 3 ] ||
    fail "only $((after - before)) new segments ($before, then $after)"
gone $FOLLOW && fail "show-audit -W exited: $(cat "$TMP/follow.err")"

# What the log has, read now: the follower must have shown the same.
sleep 0.5
"$TMUX_BIN" show-audit -d "$LOG" -Y command -F '#{audit_command}' \
    >"$TMP/all" || fail "show-audit -d failed"
kill $FOLLOW
wait $FOLLOW 2>/dev/null
assert_eq "the commands in the log" "\
set-option -s audit-log on
set-option -s audit-log-path $LOG
set-option -s audit-log-max-size 2000
new-session -d -s main \"exec sleep 600\"
display-message -p \"#{pid}\"
set-option -g @before 1
$(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	echo "set-option -g @n$i $i"
done)" "$(cat "$TMP/all")"
assert_eq "the output of show-audit -W" "$(cat "$TMP/all")" \
    "$(cat "$TMP/follow.out")"
[ -z "$late" ] || fail "not shown within a second:$late"
assert_eq "stderr of show-audit -W" "" "$(cat "$TMP/follow.err")"

# Two servers writing to one directory (one user's servers on two
# sockets): a second server starts, with the same configuration, and the
# two take turns at set-option (@a1 @b1 ... @a6 @b6), rotating as they go.
# A new show-audit -W follows both: each command appears within a second,
# and in the end its output holds every command of both logs exactly once
# (in each server's own order; the files are read in name order, so the
# two servers' commands may interleave differently).
"$TMUX_BIN" show-audit -W -d "$LOG" -Y command -F '#{audit_command}' \
    >"$TMP/follow2.out" 2>"$TMP/follow2.err" &
FOLLOW=$!
B="$TMUX_BIN -L $LABEL-b -f $CONF"
$B new -d -s other "exec sleep 600" || fail "second new-session failed"
SERVER_PIDS="$SERVER_PIDS $($B display -p '#{pid}')"
before=$(segments)
for i in 1 2 3 4 5 6; do
	for s in a b; do
		if [ $s = a ]; then
			$T set -g @a$i $i || fail "set-option @a$i failed"
		else
			$B set -g @b$i $i || fail "set-option @b$i failed"
		fi
		j=0
		while ! grep -qxF -- "set-option -g @$s$i $i" \
		    "$TMP/follow2.out"; do
			j=$((j + 1))
			[ $j -gt 20 ] &&
			    fail "@$s$i not shown within a second"
			sleep 0.05
		done
	done
done
after=$(segments)
[ $((after - before)) -ge 4 ] ||
    fail "only $((after - before)) new segments ($before, then $after)"
sleep 0.5
"$TMUX_BIN" show-audit -d "$LOG" -Y command -F '#{audit_command}' \
    >"$TMP/all2" || fail "show-audit -d failed"
kill $FOLLOW
wait $FOLLOW 2>/dev/null
assert_eq "the commands of both servers, as -W showed them" \
    "$(sort "$TMP/all2")" "$(sort "$TMP/follow2.out")"
assert_eq "server b's commands, in order, as -W showed them" \
    "$(grep -e '@b[0-9]' "$TMP/all2")" \
    "$(grep -e '@b[0-9]' "$TMP/follow2.out")"
assert_eq "server a's commands, in order, as -W showed them" \
    "$(grep -e '@a[0-9]' "$TMP/all2")" \
    "$(grep -e '@a[0-9]' "$TMP/follow2.out")"
assert_eq "stderr of the second show-audit -W" "" \
    "$(cat "$TMP/follow2.err")"
exit 0
