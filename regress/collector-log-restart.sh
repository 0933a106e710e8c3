#!/bin/sh

# The log turned on, off and on again at run time, with the collector:
#
# - a server started with audit-log off turns it on: its first segment
#   does not start at seq 0, and the collector takes it;
# - the collector is stopped: the pane is held (audit-log-fail closed);
#   the log is turned off: the server cannot send the closing seal, says
#   that the records since the collector went are lost, and lets the pane
#   go, as nothing is held for a log that is off;
# - the collector is started again and the log turned on: the collector
#   makes the unfinished segment read-only and takes the new one. The
#   verifier shows exactly that: the first segment unfinished (an unsealed
#   tail, or no closing seal), the new one not linked to it; the records
#   lost at the close are counted in the new log-start's dropped.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-collector.sh"
U1=tmuxauditc1
make_user "$U1"

collector_start
cat >"$CONF" <<EOF
set -s audit-log-collector $CSOCK
set -s audit-log-seal-interval 1
set -s audit-log-fail closed
EOF
user_server "$U1" -x 80 -y 24
user_control
$U send-keys 'echo before-the-log' Enter
$U set -s audit-log on || fail "audit-log on failed"
D=$(user_dir "$U1")
wait_for "the first segment" sh -c "ls $D/*_000001.tmux-audit >/dev/null 2>&1"
SEG1=$(ls "$D"/*_000001.tmux-audit)
$U send-keys 'echo in-the-log-$((1+1))' Enter
wait_for "the output" sh -c "$U capture-pane -p | grep -q '^in-the-log-2\$'"
# A seal covers it before the collector goes.
sealed_after_output() {
	"$TMUX_BIN" show-audit -J -d "$D" 2>/dev/null | python3 -c '
import base64, json, sys
seen = False
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "output":
        d = r["data"].encode() if "data" in r else \
            base64.b64decode(r.get("data_base64", ""))
        seen = seen or b"in-the-log-2" in d
    elif seen and r["type"] == "seal":
        sys.exit(0)
sys.exit(1)'
}
wait_for "a seal after the output" sealed_after_output

collector_stop
$U send-keys 'echo lost-$((2+2))' Enter
sleep 2
$U capture-pane -p | grep -q '^lost-4$' &&
    fail "the pane was not held with the collector gone"
# Turning the log off lets the pane go: nothing is held for a closed log.
$U set -s audit-log off || fail "audit-log off failed"
wait_for "the output" sh -c "$U capture-pane -p | grep -q '^lost-4\$'"
user_messages >"$TMP/messages"
grep -q "^audit log closed with [0-9]* records not written (lost): collector $CSOCK: closed the connection\$" \
    "$TMP/messages" || fail "no message about the records not stored: $(cat "$TMP/messages")"

collector_start
$U set -s audit-log on || fail "audit-log on again failed"
wait_for "the second segment" sh -c "ls $D/*_000002.tmux-audit >/dev/null 2>&1"
SEG2=$(ls "$D"/*_000002.tmux-audit)
collector_has "$SEG1: left unfinished by server pid $USER_PID uid $USER_UID ($U1), made read-only; segment 2 begins at seq " ||
    fail "the collector did not say segment 1 was left unfinished"
$U send-keys 'echo after-$((3+3))' Enter
wait_for "the output" sh -c "$U capture-pane -p | grep -q '^after-6\$'"
$U kill-server
wait_for "segment 2 to be complete" \
    collector_has "server pid $USER_PID uid $USER_UID ($U1): segment 2 complete"

assert_eq "modes" "440
440" "$(stat -c %a "$SEG1" "$SEG2")"
"$TMUX_BIN" show-audit -V -c "$CKEY.pub" -d "$D" >"$TMP/v.out" 2>&1
RC=$?
assert_eq "verification" "$SEG1: truncated: no closing seal, but segment 2 follows
$SEG2: unlinked: segment 1 ($SEG1) has no verified closing seal
1" "$(cat "$TMP/v.out"; echo $RC)"

# The records lost at the close are counted where the log starts again
# (dropped counts from the server's start).
N=$(sed -n 's/^audit log closed with \([0-9]*\) records not written.*/\1/p' \
    "$TMP/messages")
log_json "$D"
assert_eq "dropped in the second log-start" "$N" "$(python3 -c '
import json, sys
d = [json.loads(l)["dropped"] for l in open(sys.argv[1])
    if json.loads(l)["type"] == "log-start"]
print(d[1] - d[0])' "$TMP/log.json")"
exit 0
