#!/bin/sh

# Property 2 after a crash: a server killed with SIGKILL leaves a log whose
# every closed segment verifies as consistent and whose last segment
# reports only its honest tail: "unsealed tail: N records (seq A-B) after
# the last seal", with the counts of what was sealed, and show-audit -V
# exits 1. Cut inside its last record, as a crash in the middle of a write
# would, it reports "torn last record at offset O" instead. A new server
# run logging to the same directory afterwards verifies as consistent
# beside it.
# The seal interval is long here, so the only seals are those asked for.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"

start_server "set -s audit-log-seal-interval 3600"
type_and_seal 1 a
$T set -s audit-log off || fail "audit-log off failed"
$T set -s audit-log on || fail "audit-log on failed"
type_and_seal 2 a
type_and_seal 2 b
# Output after the last seal, in the file before the kill.
$T send-keys -t %0 "echo TAMPER-2-c-\$((40 + 2))" Enter ||
    fail "send-keys failed"
wait_for "the output of command 2-c in the log" log_has \
    "r['type'] == 'output' and 'TAMPER-2-c-42' in r.get('data', '')"
kill -KILL "$RUN_PID"
wait_for "the server to die" gone "$RUN_PID"
rm -f "$SOCK"
cp -a "$LOG" "$TMP/orig"

tamper "killed" '
assert len(s) == 2 and s[0].records[-1].is_final()
assert s[1].records[-1].type != t.SEAL
t.expect(True, [t.unsealed_tail(s[1])], [t.intact(s[0])])'

tamper "killed in the middle of a write" '
last = s[1].records[-1]
t.truncate(s[1].path, last.offset + len(last.raw) - 3)
t.expect(True, [t.damaged(s[1], "torn last record at offset %d" %
    last.offset, len(s[1].records) - 1)], [t.intact(s[0])])'

# A new run in the same directory.
start_server
type_and_seal 3 a
$T kill-server || fail "kill-server failed"
wait_for "the second server to exit" gone "$RUN_PID"
ORIG=$LOG
tamper "killed, then a new run" '
tail = [x for x in s if x.records[-1].type != t.SEAL]
assert len(s) == 3 and len(tail) == 1
assert len(set(x.run for x in s)) == 2
t.expect(True, [t.unsealed_tail(tail[0])], [t.intact(x) for x in s
    if x is not tail[0]])'
exit 0
