#!/bin/sh

# show-audit -l prints the index: for each session "session $ID NAME: CREATED
# to CLOSED, SPAN" (CLOSED "(open)" and SPAN up to the last record read if
# it is still open), for each of its panes "  pane %ID WxH COMMAND: in N
# bytes, out N bytes, N commands, CREATED to EXITED" (size at creation,
# the command lines run in it, EXITED "(no exit)" if the log has none), and
# for each client that was attached to it
# "  attached USER (CLIENT): START for SPAN" (" (still attached)" if it
# has not left). SPAN is 1h02m03s, 2m03s or 3s, rounded down.
#
# Two sessions: alpha ($0, 80x24) with %0 running "printf hello; exec sleep
# 600" and, in a second window, %1 running "printf two; exec sleep 600";
# beta ($1, 100x30) with %2 running cat (abc and Enter typed with
# send-keys: in 4 bytes, out 10, the echo and cat's copy; one command line,
# as the screen shows a line submitted to any program) and %3 running the
# default shell, /bin/sh. A real client (a pty) attaches to beta for about
# 2 s and detaches, then beta is killed; another attaches to alpha and
# stays. Then -l in the server, and after kill-server -l offline and
# -l -t '$1' (only beta's records, so only its part of the index).
#
# Every line is compared exactly. The times are those of the records the
# line is made from (session-created, session-closed, pane-created,
# pane-exited, client-attached, client-detached), and the spans are
# computed from them; the span of alpha while it is open runs to the last
# record the server had written, so it may be either of the two whole
# seconds around the show-audit command. The attachment to beta lasted at
# least 2 s and says so.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf "set -g default-shell /bin/sh"

run_pid $T new -d -s alpha -x 80 -y 24 "printf hello; exec sleep 600" ||
    fail "new-session alpha failed"
SERVER_PIDS=$($T display -p '#{pid}')
$T neww -d -t alpha "printf two; exec sleep 600" || fail "new-window failed"
$T new -d -s beta -x 100 -y 30 cat || fail "new-session beta failed"
$T neww -d -t beta || fail "new-window failed"
$T send-keys -t %2 abc Enter || fail "send-keys failed"
wait_pane "the output of cat" output %2 'b"abc\r\nabc\r\n"'
wait_pane "the output of %1" output %1 'b"two"'

attach_pty beta
tty1=$PTY_TTY
wait_for "the attach to beta" log_has \
    'r["type"] == "client-attached" and r["session"] == "beta"'
sleep 2.1
detach_pty
wait_for "the detach from beta" log_has 'r["type"] == "client-detached"'
$T kill-session -t beta || fail "kill-session failed"
wait_for "%2 and %3 to exit" log_has \
    'r["type"] == "pane-exited" and r["pane"] == "%3"'
wait_for "%2 to exit" log_has \
    'r["type"] == "pane-exited" and r["pane"] == "%2"'
attach_pty alpha
tty2=$PTY_TTY
wait_for "the attach to alpha" log_has \
    'r["type"] == "client-attached" and r["session"] == "alpha"'

$T show-audit -l >"$TMP/live" 2>"$TMP/err" ||
    fail "show-audit -l failed: $(cat "$TMP/err")"
assert_eq "stderr of show-audit -l" "" "$(cat "$TMP/err")"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"
"$TMUX_BIN" show-audit -d "$LOG" -l >"$TMP/offline" 2>&1 ||
    fail "show-audit -d -l failed: $(cat "$TMP/offline")"
"$TMUX_BIN" show-audit -d "$LOG" -l -t '$1' >"$TMP/beta" 2>&1 ||
    fail "show-audit -d -l -t \$1 failed: $(cat "$TMP/beta")"
log_json

python3 - "$TMP" "$(id -un)" "$tty1" "$tty2" <<'EOF' || fail "see above"
import re, sys
from datetime import datetime, timezone
from capture import *

tmp, user, tty1, tty2 = sys.argv[1:]
recs = load(tmp + "/log.json")

def us(s):
    d = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    d = d.replace(tzinfo=timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond

def one(what, pick):
    rs = [r for r in recs if pick(r)]
    check("%d records of %s" % (len(rs), what), len(rs) == 1)
    return rs[0] if rs else {"time": "1970-01-01T00:00:00.000000Z",
        "seq": 0}

def span(a, b):
    s = (us(b) - us(a)) // 1000000
    if s >= 3600:
        return "%dh%02dm%02ds" % (s // 3600, s // 60 % 60, s % 60)
    if s >= 60:
        return "%dm%02ds" % (s // 60, s % 60)
    return "%ds" % s

def ptype(t, p):
    return lambda r: r["type"] == t and r.get("pane") == p

def pane(p, size, what, n_in, n_out, upto=None, n_cmd=0):
    c = one("pane-created " + p, ptype("pane-created", p))["time"]
    ex = [r for r in recs if ptype("pane-exited", p)(r) and
        (upto is None or r["seq"] < upto)]
    end = ex[0]["time"] if ex else "(no exit)"
    return "  pane %s %s %s: in %d bytes, out %d bytes, %d commands, " \
        "%s to %s" % (p, size, what, n_in, n_out, n_cmd, c, end)

sc = lambda n: one("session-created " + n, lambda r:
    r["type"] == "session-created" and r["session"] == n)["time"]
scl = lambda n: [r["time"] for r in recs if r["type"] == "session-closed"
    and r["session"] == n]
att = lambda n: one("client-attached " + n, lambda r:
    r["type"] == "client-attached" and r["session"] == n)
det = lambda n: [r for r in recs if r["type"] == "client-detached" and
    r["session"] == n]

out3 = len(pane_bytes(recs, "output", "%3"))
check("no output from /bin/sh on %3", out3 > 0)
a1, d1 = att("beta"), det("beta")
check("%d detaches from beta" % len(d1), len(d1) == 1)
d1 = d1[0] if d1 else {"time": a1["time"]}
s1 = span(a1["time"], d1["time"])
check("attached to beta for %s, not 2s or more" % s1,
    us(d1["time"]) - us(a1["time"]) >= 2000000)
beta = ["session $1 beta: %s to %s, %s" % (sc("beta"), scl("beta")[0],
    span(sc("beta"), scl("beta")[0])),
    pane("%2", "100x30", "cat", 4, 10, n_cmd=1),
    pane("%3", "100x30", "/bin/sh", 0, out3),
    "  attached %s (%s): %s for %s" % (user, tty1, a1["time"], s1)]

# Offline, after kill-server.
a2 = att("alpha")
end = recs[-1]["time"]
d2 = det("alpha")
closed = scl("alpha")
check("alpha closed %d times" % len(closed), len(closed) == 1)
last = closed[0] if closed else end
if d2:
    still = "%s for %s" % (a2["time"], span(a2["time"], d2[0]["time"]))
else:
    still = "%s for %s (still attached)" % (a2["time"], span(a2["time"], end))
alpha = ["session $0 alpha: %s to %s, %s" % (sc("alpha"), last,
    span(sc("alpha"), last)),
    pane("%0", "80x24", "printf hello; exec sleep 600", 0, 5),
    pane("%1", "80x24", "printf two; exec sleep 600", 0, 3),
    "  attached %s (%s): %s" % (user, tty2, still)]

def compare(what, path, want):
    got = open(path).read().splitlines()
    check("%s:\n%s\nnot\n%s" % (what, "\n".join(got), "\n".join(want)),
        got == want)

compare("-l offline", tmp + "/offline", alpha + beta)
compare("-l -t $1 offline", tmp + "/beta", beta)

# In the server, alpha was open, its panes running and the client attached:
# the spans run to the last record written before show-audit ran.
cmd = one("the show-audit command", lambda r: r["type"] == "command" and
    r["command"] == "show-audit -l")
before = [r for r in recs if r["seq"] < cmd["seq"]][-1]
live = open(tmp + "/live").read().splitlines()
m = re.fullmatch(r"session \$0 alpha: (\S+) to \(open\), (\S+)", live[0]) \
    if live else None
spans = {span(sc("alpha"), before["time"]), span(sc("alpha"), cmd["time"])}
check("%r is not alpha open for %s" % (live[:1], " or ".join(spans)),
    m is not None and m.group(1) == sc("alpha") and m.group(2) in spans)
m2 = re.fullmatch(r"  attached .* for (\S+) \(still attached\)",
    live[3] if len(live) > 3 else "")
aspans = {span(a2["time"], before["time"]), span(a2["time"], cmd["time"])}
check("%r is not attached for %s" % (live[3:4], " or ".join(aspans)),
    m2 is not None and m2.group(1) in aspans)
want = ["session $0 alpha: %s to (open), %s" % (sc("alpha"),
    m.group(2) if m else "?"),
    pane("%0", "80x24", "printf hello; exec sleep 600", 0, 5, cmd["seq"]),
    pane("%1", "80x24", "printf two; exec sleep 600", 0, 3, cmd["seq"]),
    "  attached %s (%s): %s for %s (still attached)" % (user, tty2,
    a2["time"], m2.group(1) if m2 else "?")] + beta
compare("-l in the server", tmp + "/live", want)
done("index-view")
EOF
exit 0
