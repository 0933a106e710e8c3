#!/bin/sh

# The collector is not there when a server starts.
#
# - audit-log-fail closed: the server runs, but holds its panes: a command
#   typed into the pane does not run (its output does not appear) until
#   the collector is started, and no client may attach, being told why;
#   then the log starts, the command runs, and the stored log has it and
#   verifies with the collector's key;
# - audit-log-fail open: the log cannot start, and says so; audit-log is
#   off (it must not claim to be on), the session goes on.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-collector.sh"
U1=tmuxauditc1
make_user "$U1"

# 1. Fail closed.
audit_conf "set -s audit-log-collector $CSOCK" \
    "set -s audit-log-fail closed"
user_server "$U1" -x 80 -y 24
WHY="collector $CSOCK: No such file or directory"
assert_eq "attaching with no collector" "%begin
audit log cannot be written: not attaching until it can ($WHY)
%error
%exit" "$($U -C attach </dev/null 2>&1 | sed 's/^\(%[a-z]*\).*/\1/')"
$U send-keys 'echo held-$((40+2))' Enter
sleep 2
$U capture-pane -p | grep -q '^held-42$' &&
    fail "the command ran with no collector"

collector_start
wait_for "the command's output (the collector back)" sh -c \
    "$U capture-pane -p | grep -q '^held-42\$'"
user_control
user_messages | grep -q '^audit log: writing again after [0-9]* seconds$' ||
    fail "no message that the log is written again: $(user_messages)"
$U kill-server
wait_for "the segment to be complete" \
    collector_has "server pid $USER_PID uid $USER_UID ($U1): segment 1 complete"
D=$(user_dir "$U1")
log_json "$D"
python3 - "$TMP/log.json" <<'EOF' || fail "the stored log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
inp = "".join(r.get("data", "") for r in recs if r["type"] == "input")
out = "".join(r.get("data", "") for r in recs if r["type"] == "output")
if inp != "echo held-$((40+2))\r":
    sys.exit("input: %r" % inp)
if "\r\nheld-42\r\n" not in out:
    sys.exit("the output is not there")
EOF
OUT=$("$TMUX_BIN" show-audit -V -c "$CKEY.pub" -d "$D" 2>&1) ||
    fail "the log does not verify: $OUT"

# 2. Fail open: no log at all, and the option says so.
collector_stop
audit_conf "set -s audit-log-collector $CSOCK" \
    "set -s audit-log-fail open"
rm -f "$TMP/u-$U1/ctl"
user_server "$U1" -x 80 -y 24
assert_eq "audit-log with no collector, failing open" "audit-log off" \
    "$($U show -s audit-log)"
user_control
user_messages | grep -qFx "$WHY" ||
    fail "no message naming the collector: $(user_messages)"
# Like any configuration error, the cause is shown to the first client to
# attach: as %config-error if that is the control client, else in the pane
# in view mode (which client comes first in the server's list is a race).
# Leave that mode, so the keys go to the shell.
if [ "$($U display -p '#{pane_in_mode}')" = 1 ]; then
	$U send-keys -X cancel || fail "send-keys -X cancel failed"
fi
$U send-keys 'echo open-$((40+2))' Enter
wait_for "the command's output (failing open)" sh -c \
    "$U capture-pane -p | grep -q '^open-42\$'"
exit 0
