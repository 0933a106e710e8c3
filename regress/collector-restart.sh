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
need_users
. "$REGRESS/lib-collector.sh"
U1=tmuxauditc1
make_user "$U1"
trap 'rc=$?; collector_cleanup; pub_cleanup; cleanup; exit $rc' EXIT

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
wait_for "the flood to end" sh -c "$U capture-pane -p | grep -q '^flood-done\$'"
$U kill-server
wait_for "the segment to be complete" \
    collector_has "server pid $USER_PID uid $USER_UID ($U1): segment 1 complete"

# Every line once, in order; no gap in the sequence numbers.
log_json "$D"
python3 - "$TMP/log.json" "$LINES" <<'EOF' || fail "the stored log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
out = "".join(r.get("data", "") for r in recs if r["type"] == "output")
want = "".join("%d\r\n" % i for i in range(1, int(sys.argv[2]) + 1))
if out.count(want) != 1:
    sys.exit("the numbered lines are not there exactly once")
if out.count("flood-done") != 1:
    sys.exit("flood-done is there %d times" % out.count("flood-done"))
seqs = [r["seq"] for r in recs if r["type"] != "segment"]
if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
    sys.exit("the sequence numbers have a gap or a repeat")
EOF
OUT=$("$TMUX_BIN" show-audit -V -c "$CKEY.pub" -d "$D" 2>&1) ||
    fail "the log does not verify: $OUT"
case "$OUT" in
"$SEG: intact: "*", closed, unanchored (no host key), collected (collector key "*")")
	;;
*)	fail "verification: $OUT" ;;
esac
exit 0
