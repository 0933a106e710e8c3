#!/bin/sh

# The log writer thread. With audit-log off the server never starts it: it
# has one thread all along. With the log on, while a pane streams 200000
# numbered lines (1.6 MB), the server has exactly two threads (the loop
# and the writer), and meanwhile seals every second (audit-log-seal-
# interval 1), rotates every 100000 bytes and is asked, over and over,
# for show-audit -V and -J, which make the loop take the chain and the
# file back from the writer (a seal now, then a write of its own) in the
# middle of the writer's batches. After kill-server: every segment is
# consistent and closed (show-audit -V -d, and the seal fields checked
# against the records), the sequence numbers run from 0 with no gap and
# none twice, and the pane's output records are exactly what the pane
# printed.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

threads() {
	ls "/proc/$1/task" | wc -l
}

# Off: one thread, also after output.
: >"$CONF"
$T new -d -s main -x 80 -y 24 "seq 1 20000; exec sleep 60" ||
    fail "new-session failed"
server=$($T display -p '#{pid}')
SERVER_PIDS=$server
sleep 0.5
assert_eq "threads with audit-log off" "1" "$(threads "$server")"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$server"
rm -f "$SOCK"

LINES=200000
seq -f '%07g' 1 $LINES >"$TMP/data" || fail "seq failed"
audit_conf "set -s audit-log-seal-interval 1" \
    "set -s audit-log-max-size 100000"
cat >"$TMP/pane.sh" <<PEOF
while [ ! -e '$TMP/go' ]; do sleep 0.05; done
cat '$TMP/data'
: >'$TMP/printed'
exec sleep 60
PEOF
$T new -d -s main -x 80 -y 24 "sh '$TMP/pane.sh'" ||
    fail "new-session failed"
server=$($T display -p '#{pid}')
SERVER_PIDS=$server
: >"$TMP/go"
max=0
n=0
while [ ! -e "$TMP/printed" ]; do
	t=$(threads "$server")
	[ "$t" -gt "$max" ] && max=$t
	$T show-audit -V >/dev/null 2>"$TMP/v.err"
	[ $? -eq 2 ] ||
	    fail "show-audit -V in the server failed: $(cat "$TMP/v.err")"
	$T show-audit -J -Y seal >/dev/null || fail "show-audit -J failed"
	n=$((n + 1))
done
assert_eq "most threads while streaming" "2" "$max"
[ $n -ge 2 ] || fail "only $n rounds of show-audit while the pane printed"
wait_pane "the last line" output %0 "b'$(printf '%07d' $LINES)\\r\\n'"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$server"

set -- "$LOG"/*.tmux-audit
[ $# -ge 10 ] || fail "only $# segments"
log_json
audit_check_seals
grep -c ', closed' "$TMP/verify.out" >"$TMP/closed" || true
assert_eq "segments closed" "$#" "$(cat "$TMP/closed")"
python3 - "$TMP/log.json" "$TMP/data" <<'PYEOF' || fail "see above"
import sys
from capture import *
recs = load(sys.argv[1])
seqs = [r["seq"] for r in recs if r["type"] != "segment"]
check("sequence numbers are not 0..%d in order" % len(seqs),
    seqs == list(range(len(seqs))))
got = pane_bytes(recs, "output", "%0")
want = open(sys.argv[2], "rb").read().replace(b"\n", b"\r\n")
check("output in the log (%d bytes) is not what was printed (%d bytes)"
    % (len(got), len(want)), got == want)
done("writer-thread")
PYEOF
exit 0
