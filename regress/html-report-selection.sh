#!/bin/sh

# The filters of show-audit select what goes into the HTML report. A
# server has sessions alpha and beta; send-keys types "echo needle-1" into
# alpha and "echo other" into beta; a moment later (time MID) session
# gamma is made and gets "echo late". The report's data block, for:
#
#	(none)		sessions alpha, beta, gamma, each with its pane
#			and its two history rows: the line as typed
#			("echo other<Enter>", source typed) and the command
#			line ("echo other", source screen)
#	-t beta		session beta only, its pane only, no commands
#	-b MID		alpha and beta (gamma began after MID); alpha's
#			history is its two rows
#	-g needle	alpha only, its history the needle line only, and
#			the one command holding "needle" (the send-keys,
#			from a client attached nowhere)
#	-U nobody	no session, no pane, no command
#	-f '#{==:#{audit_session},beta}'
#			beta only, with its history, no commands
#	-Y session-created
#			all three sessions and their panes, but no history
#			and no commands
#
# and the Selection line of the header says exactly which flags were
# given ("everything in the logs" for none). The report is created mode
# 0600. In the server, show-audit -e html -O FILE writes the same report
# of the server's own log (its command client exits 2: not anchored), and
# without -O the page comes to the client's standard output; -e html with
# -V is refused: "-e html cannot be used with -H, -K, -l, -R, -T, -V or -W".

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-html.sh"

audit_conf
SH="bash --norc --noprofile"
$T new -d -s alpha -x 80 -y 24 -e 'PS1=$ ' $SH || fail "new alpha failed"
$T new -d -s beta -x 80 -y 24 -e 'PS1=$ ' $SH || fail "new beta failed"
SERVER_PIDS=$($T display -p '#{pid}')
wait_prompt %0 '$ '
wait_prompt %1 '$ '
$T send-keys -t alpha 'echo needle-1' Enter || fail "send-keys failed"
$T send-keys -t beta 'echo other' Enter || fail "send-keys failed"
wait_pane "alpha's output" output %0 'b"\rneedle-1\r\n"'
wait_pane "beta's output" output %1 'b"\rother\r\n"'
sleep 1
MID=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
sleep 1
$T new -d -s gamma -x 80 -y 24 -e 'PS1=$ ' $SH || fail "new gamma failed"
wait_prompt %2 '$ '
$T send-keys -t gamma 'echo late' Enter || fail "send-keys failed"
wait_pane "gamma's output" output %2 'b"\rlate\r\n"'

# In the server, then with no server.
$T show-audit -e html -O "$TMP/server.html" >"$TMP/out" 2>&1
[ $? -eq 2 ] || fail "show-audit -e html in the server did not exit 2: \
$(cat "$TMP/out")"
$T show-audit -e html >"$TMP/stdout.html" 2>"$TMP/err"
[ $? -eq 2 ] || fail "show-audit -e html to stdout did not exit 2"
assert_eq "stderr of show-audit -e html to stdout" "" "$(cat "$TMP/err")"
$T show-audit -e html -V >"$TMP/out" 2>&1
[ $? -eq 1 ] || fail "show-audit -e html -V did not exit 1"
assert_eq "show-audit -e html -V" \
    "-e html cannot be used with -H, -K, -l, -R, -T, -V or -W" "$(cat "$TMP/out")"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"
assert_eq "the report's mode" 600 "$(stat -c %a "$TMP/server.html")"

report() {
	_name=$1
	shift
	"$TMUX_BIN" show-audit -e html -d "$LOG" "$@" -O "$TMP/$_name.html" \
	    >"$TMP/out" 2>&1
	[ $? -eq 2 ] || fail "show-audit -e html $* failed: $(cat "$TMP/out")"
	html_data "$TMP/$_name.html" >"$TMP/$_name.json"
	python3 -c '
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
print(re.search(r"<dt>Selection</dt><dd>(.*?)</dd>", page).group(1))' \
	    "$TMP/$_name.html" >"$TMP/$_name.sel"
}
report all
report target -t beta
report before -b "$MID"
report needle -g needle
report nobody -U nobody
report types -Y session-created
report format -f '#{==:#{audit_session},beta}'
for f in server stdout; do
	html_data "$TMP/$f.html" >"$TMP/$f.json"
done

python3 - "$TMP" "$MID" <<'EOF' || fail "see above"
import json, sys
from capture import check, done

tmp, mid = sys.argv[1:3]
def load(name):
    return json.load(open("%s/%s.json" % (tmp, name)))
def sel(name):
    return open("%s/%s.sel" % (tmp, name)).read().rstrip("\n")
def summary(d):
    s = [x["name"] for x in d["sessions"]]
    p = [(s[x["session"]], x["id"], [(h[4], h[5]) for h in x["history"]])
        for x in d["panes"]]
    c = [x[6] for x in d["commands"]]
    return s, p, c

def expect(name, sessions, panes, commands=None, selection=None):
    s, p, c = summary(load(name))
    check("%s: sessions %r" % (name, s), s == sessions)
    check("%s: panes %r" % (name, p), p == panes)
    if commands is not None:
        check("%s: commands %r" % (name, c), c == commands)
    if selection is not None:
        check("%s: selection %r" % (name, sel(name)),
            sel(name) == selection)

def rows(line):
    return [(line + "<Enter>", "typed"), (line, "screen")]
alpha = ("alpha", 0, rows("echo needle-1"))
beta = ("beta", 1, rows("echo other"))
gamma = ("gamma", 2, rows("echo late"))
expect("all", ["alpha", "beta", "gamma"], [alpha, beta, gamma],
    selection="everything in the logs")
expect("target", ["beta"], [beta], [], "<code>-t beta</code>")
expect("before", ["alpha", "beta"], [alpha, beta],
    selection="<code>-b %s</code>" % mid)
expect("needle", ["alpha"], [alpha],
    ["send-keys -t alpha \"echo needle-1\" Enter"], "<code>-g needle</code>")
expect("nobody", [], [], [], "<code>-U nobody</code>")
expect("types", ["alpha", "beta", "gamma"], [("alpha", 0, []),
    ("beta", 1, []), ("gamma", 2, [])], [],
    "<code>-Y session-created</code>")
expect("format", ["beta"], [beta], [],
    "<code>-f #{==:#{audit_session},beta}</code>")
for name in ("server", "stdout"):
    s, p, c = summary(load(name))
    check("%s: sessions %r" % (name, s), s == ["alpha", "beta", "gamma"])
    check("%s: panes %r" % (name, p), p == [alpha, beta, gamma])
done("html-report-selection")
EOF
exit 0
