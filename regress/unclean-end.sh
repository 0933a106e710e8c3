#!/bin/sh

# A server that dies without closing its log (kill -9): its segments before
# the last are closed and consistent; the last is still mode 0600 and has
# records after its last seal, and show-audit -V -d says exactly that
# ("unsealed tail: N records (seq A-B) after the last seal; ...") and
# exits non-zero, never "intact". The next server with the same log
# directory notes the dead run: one unclean-end record naming the dead
# run's open segment (path) and its pid, and no other; its own segments
# verify as consistent, and the dead run's verdicts do not change.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

PYTHONPATH=$TMP:$REGRESS
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

# No timed seals: what comes after the last seal stays unsealed.
audit_conf "set -s audit-log-max-size 10000" \
    "set -s audit-log-seal-interval 3600"
$T new -d -s main -x 80 -y 24 "seq -f 'line %05g' 1 3000; exec sleep 600" ||
    fail "new-session failed"
server=$($T display -p '#{pid}')
SERVER_PIDS=$server
wait_pane "the last line in the log" output %0 "b'line 03000\\r\\n'"
run_pid $T display -p done >/dev/null || fail "display failed"
wait_for "the last record" log_has "r['type'] == 'client-disconnect' and \
r.get('pid') == $LAST_PID"
kill -9 "$server" || fail "kill -9 failed"
wait_for "the server to die" gone "$server"

set -- "$LOG"/*.tmux-audit
[ $# -ge 3 ] || fail "only $# segments"
last=$(ls "$LOG"/*.tmux-audit | tail -n 1)
for f in "$@"; do
	[ "$f" = "$last" ] && break
	assert_eq "mode of closed segment $f" 400 "$(stat -c %a "$f")"
done
assert_eq "mode of the open segment" 600 "$(stat -c %a "$last")"

# Verify all of $LOG: the dead run's last segment has an unsealed tail,
# the rest are consistent (and closed, but for the new run's own open one
# while it runs).
verify_dead_run() {
	"$TMUX_BIN" show-audit -V -d "$LOG" >"$TMP/v.out" 2>"$TMP/v.err"
	[ $? -eq 1 ] || fail "$1: show-audit -V did not exit 1 with an" \
	    "unsealed tail"
	python3 - "$LOG" "$last" >"$TMP/v.want" 2>"$TMP/v.wanterr" <<'EOF' ||
import sys, tamper as t
for s in t.segments(sys.argv[1]):
    if s.path == sys.argv[2]:
        print(t.unsealed_tail(s), file=sys.stderr)
    else:
        print(t.intact(s))
EOF
	    fail "$1: cannot read the segments"
	assert_eq "$1: stderr of show-audit -V" "$(cat "$TMP/v.wanterr")" \
	    "$(cat "$TMP/v.err")"
	assert_eq "$1: stdout of show-audit -V" "$(cat "$TMP/v.want")" \
	    "$(cat "$TMP/v.out")"
}
verify_dead_run "after kill -9"
tail=': unsealed tail: [0-9]* records (seq [0-9]*-[0-9]*) after the last seal; '
grep -q "$tail" "$TMP/v.err" ||
    fail "no unsealed tail reported: $(cat "$TMP/v.err")"

# The next run.
rm -f "$SOCK"
$T new -d -s next || fail "new-session of the next run failed"
next=$($T display -p '#{pid}')
SERVER_PIDS="$SERVER_PIDS $next"
$T kill-server || fail "kill-server failed"
wait_for "the next server to exit" gone "$next"
verify_dead_run "after the next run"

log_json
python3 - "$TMP/log.json" "$last" "$server" "$next" <<'EOF' || fail "see above"
import sys
from capture import *

recs = load(sys.argv[1])
dead, nxt = int(sys.argv[3]), int(sys.argv[4])
runs = {}
for r in recs:
    if r["type"] == "segment":
        runs[r["pid"]] = r["run"]
check("runs %r are not the dead one and the next" % sorted(runs),
    sorted(runs) == sorted([dead, nxt]))
unclean = []
run = None
for r in recs:
    if r["type"] == "segment":
        run = r["run"]
    if r["type"] == "unclean-end":
        unclean.append((run, r.get("path"), r.get("pid")))
want = [(runs.get(nxt), sys.argv[2], dead)]
check("unclean-end records %r, not %r" % (unclean, want), unclean == want)
done("unclean-end")
EOF
exit 0
