#!/bin/sh

# The collector killed (SIGKILL) in the middle of a flood of output, and
# started again: nothing is lost and nothing is stored twice. A real
# tmux-auditd runs as root; a second user's server, with audit-log-fail
# closed, prints 150000 numbered lines:
#
# - once the collector has stored part of it, it is killed;
# - the server finds its link broken and holds its panes, says so, and
#   tries again every second;
# - the collector is started again: it reads the open segment back, cuts
#   a torn last record if the kill left one, counter-seals any seal it had
#   stored but not yet counter-sealed, and tells the server how far it
#   got; the server sends the rest and lets its panes go;
# - at the end the output records hold every line exactly once, in order,
#   the sequence numbers have no gap, and the log verifies with the
#   collector's key (every seal counter-sealed).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-collector.sh"
U1=tmuxauditc1
make_user "$U1"

collector_start
audit_conf "set -s audit-log-collector $CSOCK" \
    "set -s audit-log-fail closed" \
    "set -s audit-log-seal-interval 1"
LINES=150000
user_server "$U1" -x 80 -y 24 "sleep 1; seq 1 $LINES; echo flood-done; sleep 600"
user_control
D=$(user_dir "$U1")
wait_for "the user's directory" test -d "$D"
SEG=$(ls "$D"/*_000001.tmux-audit)

# Kill the collector once part of the flood is stored.
wait_for "part of the flood to be stored" sh -c \
    "[ \$(stat -c %s $SEG) -gt 200000 ]"
collector_stop KILL
BEFORE=$(stat -c %s "$SEG")
broken() {
	user_messages | grep -q "^audit log cannot be written: collector \
$CSOCK: .* (sessions are held until it can)\$"
}
wait_for "the server to see the link broken" broken
sleep 1
[ "$(stat -c %s "$SEG")" -eq "$BEFORE" ] ||
    fail "the segment grew with no collector"

collector_start
back() {
	user_messages | grep -q '^audit log: writing again after [0-9]* seconds$'
}
wait_for "the server to be back" back
collector_has "server pid $USER_PID uid $USER_UID ($U1) connected: segment 1, next seq " ||
    fail "the collector did not go on from the stored segment"
# Every line once, in order; no gap in the sequence numbers.
finish_flood "$U1" "$LINES" "$SEG"
exit 0
