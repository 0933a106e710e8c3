#!/bin/sh

# show-audit -t selects the records of one session, window or pane, and -f
# with -F selects and formats records. Two sessions with a pane each, and
# input and output in both:
#
# - in the server, -t sess1 gives exactly the records of session $0 and of
#   the pane created in it (its input, output and resizes, which carry only
#   the pane); -t %1 exactly those of pane %1; -t @1 exactly those of window
#   @1 and its pane;
# - -f '#{==:#{audit_type},command}' -F '#{audit_command}' prints exactly
#   the commands run, as tmux prints them;
# - -T -t %1 shows only the keys typed into %1;
# - offline, with -d and no server, -t '$0', -t sess1 (by name) and -t %1
#   give the same records as in the server.
#
# A record that carries only a window (window-created, window-closed) may be
# shown for a session target if the window is the session's, and not
# otherwise.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf

start_logged -s sess1 -x 80 -y 24 cat
$T new -d -s sess2 -x 80 -y 24 cat || fail "new-session sess2 failed"
$T send-keys -t sess1 one Enter || fail "send-keys sess1 failed"
$T send-keys -t sess2 two Enter || fail "send-keys sess2 failed"
wait_pane "the output of %0" output %0 'b"one\r\none\r\n"'
wait_pane "the output of %1" output %1 'b"two\r\ntwo\r\n"'

$T show-audit -J -t sess1 >"$TMP/sess1.json" ||
    fail "show-audit -t sess1 failed"
$T show-audit -J -t %1 >"$TMP/p1.json" || fail "show-audit -t %1 failed"
$T show-audit -J -t @1 >"$TMP/w1.json" || fail "show-audit -t @1 failed"
$T show-audit -T -t %1 >"$TMP/k1" || fail "show-audit -T -t %1 failed"
$T show-audit -f '#{==:#{audit_type},command}' -F '#{audit_command}' \
    >"$TMP/commands" || fail "show-audit -f -F failed"

$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER"

for t in '$0' sess1 %1; do
	$TMUX_BIN show-audit -J -d "$LOG" -t "$t" >"$TMP/d$t.json" ||
	    fail "show-audit -d -t $t failed"
done
log_json

assert_eq "show-audit -f -F" "\
set-option -s audit-log on
set-option -s audit-log-path $LOG
new-session -d -s sess1 -x 80 -y 24 cat
new-session -d -s sess2 -x 80 -y 24 cat
send-keys -t sess1 one Enter
send-keys -t sess2 two Enter
show-audit -J -t sess1
show-audit -J -t \"%1\"
show-audit -J -t @1
show-audit -T -t \"%1\"" "$(cat "$TMP/commands")"

python3 - "$TMP" <<'EOF' || fail "see above"
import sys
from capture import *

tmp = sys.argv[1]
recs = load(tmp + "/log.json")

# Where each pane was created.
where = {}
for r in recs:
    if r["type"] == "pane-created":
        where[r["pane"]] = (r["window"], r["session_id"])
check("panes %r" % where, where == {"%0": ("@0", "$0"),
    "%1": ("@1", "$1")})

def session(r, sid):
    if r.get("session_id") is not None:
        return r["session_id"] == sid
    return "pane" in r and where.get(r["pane"], (None, None))[1] == sid

def window(r, wid):
    if "window" in r:
        return r["window"] == wid
    return "pane" in r and where.get(r["pane"], (None, None))[0] == wid

def pane(r, pid):
    return r.get("pane") == pid

def window_only(r, wids):
    return "window" in r and "pane" not in r and \
        "session_id" not in r and r["window"] in wids

# The seq of the record of the show-audit command that printed a file:
# that run saw everything before it.
def before(command):
    seqs = [r["seq"] for r in recs if r["type"] == "command" and
        r["command"] == command]
    check("%d records of %s" % (len(seqs), command), len(seqs) == 1)
    return seqs[0] if seqs else -1

def compare(what, path, want, allowed=lambda r: False, upto=None):
    got = load(path)
    want = [r for r in recs if want(r) and
        (upto is None or r["seq"] < upto)]
    extra = [r for r in got if r not in want and not allowed(r)]
    missing = [r for r in want if r not in got]
    check("%s: %d records, none" % (what, len(got)), got)
    check("%s: records that are not the target's: %r" % (what, extra),
        not extra)
    check("%s: missing records: %r" % (what, missing), not missing)
    order = [r["seq"] for r in got]
    check("%s: not in order: %r" % (what, order), order == sorted(order))
    types = set(r["type"] for r in got)
    return types

s0 = lambda r: session(r, "$0")
s0w = lambda r: window_only(r, ["@0"])
t = compare("-t sess1", tmp + "/sess1.json", s0, s0w,
    before("show-audit -J -t sess1"))
for ty in ["session-created", "pane-created", "input", "output"]:
    check("-t sess1: no %s record" % ty, ty in t)
compare("-t %1", tmp + "/p1.json", lambda r: pane(r, "%1"),
    upto=before('show-audit -J -t "%1"'))
compare("-t @1", tmp + "/w1.json", lambda r: window(r, "@1"),
    upto=before("show-audit -J -t @1"))
compare("-d -t $0", tmp + "/d$0.json", s0, s0w)
compare("-d -t sess1", tmp + "/dsess1.json", s0, s0w)
compare("-d -t %1", tmp + "/d%1.json", lambda r: pane(r, "%1"))

# -T -t %1: only the line typed into %1.
lines = [l.rstrip("\n").split(" ", 1)[1] for l in open(tmp + "/k1")]
sk = [r for r in recs if r["type"] == "command" and
    r["command"] == "send-keys -t sess2 two Enter"]
want = ["%s %s (send-keys) %%1: two<Enter>" % (sk[0]["client"],
    sk[0]["user"])] if sk else []
check("-T -t %%1 shows %r, not %r" % (lines, want), lines == want)
done("target-filter")
EOF
exit 0
