#!/bin/sh

# show-audit -e writes exactly the asciicast v2 and scriptreplay files of a
# pane. Three panes of 20x5 run programs whose output comes in known
# chunks (one write each, a pause between them):
#
#	%0	"ab", then the first two bytes of € (\342\202), then its last
#		byte with " \377x\300\257\n" (an invalid byte and an overlong
#		"/"), then "\033[1mé\033[0m"
#	%1	(echo and canonical mode off) "ready"; then "hé" and Enter
#		are typed with send-keys
#	%2	(the same) the first two bytes of €, then it reads one byte
#		(x is typed), then the last byte of €
#
# The expected files are built from the log's own output records: every
# time is exact, none is normalised away. For %0:
#
# - -e asciicast (offline with -d, to standard output; the same with -O to
#   a file; and the same in the server, through the client): the header
#   {"version": 2, "width": 20, "height": 5, "timestamp": T, "title": "tmux
#   pane %0", "env": {"TERM": "tmux-256color"}} with T the first output's
#   time in whole seconds, then one [time, "o", data] event per output
#   record, the time in seconds since the first output with six digits;
#   the split € is carried to the next chunk (that event has ""), and
#   \377, \300 and \257 each become U+FFFD; JSON escapes as in the log's
#   -J form; -m 0.1 caps each gap at 0.1 s;
# - -e scriptreplay -O PREFIX: PREFIX.timing is "H 0.000000 START_TIME
#   YYYY-mm-dd HH:MM:SS+00:00", "H 0.000000 COLUMNS 20", "H 0.000000 LINES
#   5", then "O DELAY SIZE" per output record (the delay since the one
#   before); PREFIX.data is a "Script started on ..." line, the output bytes
#   as they are (the sizes sum to exactly these) and "\nScript done on tmux
#   pane %0\n".
#
# -I adds input events: %1 gives "o" "ready", then "i" "h", "i" "é"
# (send-keys writes each key on its own) and "i" "\r" (only "o" without
# -I). The half character carried over from %2's first output belongs to
# the output, not to the input typed in between: the events are "o" "",
# "i" "x", "o" "€".
#
# Errors (exit status 1, nothing on standard output): -e foo -t %0 says
# "unknown export: foo (asciicast or scriptreplay)"; -e asciicast without
# -t, or with a session, "-e and -R need a pane or a popup: -t %N or -P N"; -e scriptreplay
# without -O "scriptreplay export needs -O PREFIX (writes PREFIX.timing and
# PREFIX.data)"; a pane with no output "no output recorded for pane %9".

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf

run_pid $T new -d -s s0 -x 20 -y 5 "printf ab; sleep 0.3; \
printf '\\342\\202'; sleep 0.3; printf '\\254 \\377x\\300\\257\\n'; \
sleep 0.3; printf '\\033[1m\\303\\251\\033[0m'; exec sleep 60" ||
    fail "new-session s0 failed"
SERVER_PIDS=$($T display -p '#{pid}')
$T new -d -s s1 -x 20 -y 5 "stty -echo -icanon; printf ready; \
exec cat >/dev/null" || fail "new-session s1 failed"
$T new -d -s s2 -x 20 -y 5 "stty -echo -icanon; printf '\\342\\202'; \
dd bs=1 count=1 >/dev/null 2>&1; printf '\\254'; exec cat >/dev/null" ||
    fail "new-session s2 failed"

wait_pane "the last output of %0" output %0 'b"\xc3\xa9\x1b[0m"'
wait_pane "ready on %1" output %1 'b"ready"'
$T send-keys -t %1 -l hé || fail "send-keys failed"
$T send-keys -t %1 Enter || fail "send-keys failed"
wait_pane "the input of %1" input %1 'b"h\xc3\xa9\r"'
wait_pane "the first output of %2" output %2 'b"\xe2\x82"'
$T send-keys -t %2 -l x || fail "send-keys failed"
wait_pane "the last output of %2" output %2 'b"\xac"'

# In the server, through the client.
$T show-audit -e asciicast -t %0 >"$TMP/server.cast" 2>"$TMP/err" ||
    fail "show-audit -e asciicast in the server failed: $(cat "$TMP/err")"
$T show-audit -e foo -t %0 >"$TMP/out" 2>"$TMP/err" &&
    fail "show-audit -e foo in the server succeeded"
assert_eq "show-audit -e foo in the server" \
    "unknown export: foo (asciicast or scriptreplay)" \
    "$(cat "$TMP/out" "$TMP/err")"

$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"
log_json

sa() {
	"$TMUX_BIN" show-audit -d "$LOG" "$@"
}
sa -e asciicast -t %0 >"$TMP/0.cast" 2>"$TMP/err" ||
    fail "-e asciicast -t %0 failed: $(cat "$TMP/err")"
assert_eq "stderr of -e asciicast -t %0" "" "$(cat "$TMP/err")"
sa -e asciicast -t %0 -O "$TMP/0o.cast" >"$TMP/out" 2>&1 ||
    fail "-e asciicast -O failed: $(cat "$TMP/out")"
assert_eq "output of -e asciicast -O" "" "$(cat "$TMP/out")"
sa -e asciicast -t %0 -m 0.1 >"$TMP/0m.cast" || fail "-m 0.1 failed"
sa -e scriptreplay -t %0 -O "$TMP/0" >"$TMP/out" 2>&1 ||
    fail "-e scriptreplay failed: $(cat "$TMP/out")"
assert_eq "output of -e scriptreplay" "" "$(cat "$TMP/out")"
sa -e asciicast -t %1 >"$TMP/1.cast" || fail "-t %1 failed"
sa -e asciicast -t %1 -I >"$TMP/1i.cast" || fail "-t %1 -I failed"
sa -e asciicast -t %2 -I >"$TMP/2i.cast" || fail "-t %2 -I failed"

# Errors.
error() {
	_want=$1
	shift
	sa "$@" >"$TMP/out" 2>"$TMP/err" && fail "show-audit $* succeeded"
	assert_eq "stdout of show-audit $*" "" "$(cat "$TMP/out")"
	assert_eq "stderr of show-audit $*" "$_want" "$(cat "$TMP/err")"
}
error "unknown export: foo (asciicast or scriptreplay)" -e foo -t %0
error "-e and -R need a pane or a popup: -t %N or -P N" -e asciicast
error "-e and -R need a pane or a popup: -t %N or -P N" -e asciicast -t '$0'
error "scriptreplay export needs -O PREFIX (writes PREFIX.timing and \
PREFIX.data)" -e scriptreplay -t %0
error "no output recorded for pane %9" -e asciicast -t %9

python3 - "$TMP" <<'EOF' || fail "see above"
import sys, time
from capture import *

tmp = sys.argv[1]
recs = load(tmp + "/log.json")

def us(s):
    from datetime import datetime, timezone
    d = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    d = d.replace(tzinfo=timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond

# JSON strings as show-audit writes them (FORMAT.md section 14).
def jstr(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif o < 0x20 or o == 0x7f:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'

def header(pane, t0):
    return ('{"version": 2, "width": 20, "height": 5, "timestamp": %d, '
        '"title": "tmux pane %s", "env": {"TERM": "tmux-256color"}}' %
        (t0 // 1000000, pane))

def events(pane, texts, types=("output",), maxidle=None):
    rs = [r for r in recs if r.get("pane") == pane and r["type"] in types]
    check("%s: %d records of %r, not %d" % (pane, len(rs), types,
        len(texts)), len(rs) == len(texts))
    t0 = prev = us(rs[0]["time"])
    elapsed = 0
    lines = [header(pane, t0)]
    for r, text in zip(rs, texts):
        t = us(r["time"])
        d = t - prev
        if maxidle is not None:
            d = min(d, maxidle)
        elapsed += d
        prev = t
        lines.append("[%d.%06d, \"%s\", %s]" % (elapsed // 1000000,
            elapsed % 1000000, "o" if r["type"] == "output" else "i",
            jstr(text)))
    return "".join(l + "\n" for l in lines)

def compare(what, want, path):
    got = open(path, encoding="utf-8", newline="").read()
    if not check("%s:\n%s\nnot\n%s" % (what, got, want), got == want):
        return
    print("ok: " + what)

# The chunks are what was written.
out0 = [data(r) for r in recs if r["type"] == "output" and
    r["pane"] == "%0"]
check("output of %%0: %r" % out0, out0 == [b"ab", b"\xe2\x82",
    b"\xac \xffx\xc0\xaf\r\n", b"\x1b[1m\xc3\xa9\x1b[0m"])

want0 = events("%0", ["ab", "", "\u20ac \ufffdx\ufffd\ufffd\r\n",
    "\x1b[1m\u00e9\x1b[0m"])
compare("-e asciicast -t %0", want0, tmp + "/0.cast")
compare("-e asciicast -t %0 -O", want0, tmp + "/0o.cast")
compare("-e asciicast -t %0 in the server", want0, tmp + "/server.cast")
compare("-e asciicast -t %0 -m 0.1", events("%0", ["ab", "",
    "\u20ac \ufffdx\ufffd\ufffd\r\n", "\x1b[1m\u00e9\x1b[0m"],
    maxidle=100000), tmp + "/0m.cast")

# scriptreplay.
rs = [r for r in recs if r["type"] == "output" and r["pane"] == "%0"]
t0 = us(rs[0]["time"])
start = time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime(t0 // 1000000))
timing = ["H 0.000000 START_TIME " + start, "H 0.000000 COLUMNS 20",
    "H 0.000000 LINES 5"]
prev = t0
for r in rs:
    d = us(r["time"]) - prev
    prev = us(r["time"])
    timing.append("O %d.%06d %d" % (d // 1000000, d % 1000000, len(data(r))))
compare("PREFIX.timing", "".join(l + "\n" for l in timing), tmp + "/0.timing")
head = ('Script started on %s [COMMAND="tmux pane %%0" COLUMNS="20" '
    'LINES="5"]\n' % start).encode()
foot = b"\nScript done on tmux pane %0\n"
got = open(tmp + "/0.data", "rb").read()
want = head + b"".join(out0) + foot
check("PREFIX.data:\n%r\nnot\n%r" % (got, want), got == want)
sizes = sum(int(l.split()[2]) for l in
    open(tmp + "/0.timing").read().splitlines() if l.startswith("O "))
check("the O sizes add up to %d, the data to %d" % (sizes,
    len(got) - len(head) - len(foot)), sizes == len(got) - len(head) -
    len(foot))

# Input events.
compare("-e asciicast -t %1", events("%1", ["ready"]), tmp + "/1.cast")
in1 = [data(r) for r in recs if r["type"] == "input" and r["pane"] == "%1"]
check("input of %%1: %r" % in1, in1 == [b"h", b"\xc3\xa9", b"\r"])
compare("-e asciicast -t %1 -I", events("%1", ["ready", "h", "\u00e9", "\r"],
    ("output", "input")), tmp + "/1i.cast")
compare("-e asciicast -t %2 -I", events("%2", ["", "x", "\u20ac"],
    ("output", "input")), tmp + "/2i.cast")
done("export-formats")
EOF

exit 0
