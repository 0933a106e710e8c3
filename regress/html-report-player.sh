#!/bin/sh

# The HTML report plays a pane as it was. A real client (through a pty)
# types into bash in pane %0: a printf with colours, a line with wide
# characters, seq 1 30 (the screen scrolls); the window is resized to
# 100x30 and one more line is typed. The live screen is taken with
# capture-pane, the server is killed, and show-audit -e html -I -k HOSTKEY
# makes the report (exit 0: intact and anchored). Then:
#
# - each recording in the report is, line for line as JSON, exactly what
#   show-audit -e asciicast -I -t %0 exports (the same asciicast, "i"
#   events and the "r" event of the resize included);
# - in headless Chromium, with no network: the verdict is green ("verdict
#   good", "Intact"), the session's row opens its detail, and the player,
#   started with the pane's Play button, plays to its end and shows
#   exactly the live pane's text, line for line; beside it (-I) are the
#   lines typed, as show-audit -T shows them for %0; the page asked for
#   nothing but itself, opened no dialog, broke no rule of its policy and
#   threw no exception. A screenshot is kept in regress/out.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-html.sh"

need_chromium
need_player

"$TMUX_BIN" show-audit -G "$TMP/host" >/dev/null || fail "show-audit -G failed"
audit_conf "set -s audit-log-key $TMP/host"
$T new -d -s main -x 80 -y 24 -e 'PS1=$ ' bash --norc --noprofile ||
    fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
attach_pty main
wait_pane "the prompt" output %0 'b"$ "'
type_text "printf '\\033[1;31mred\\033[0m %s\\n' plain"
type_keys Enter
wait_pane "the red line" output %0 'b"plain\r\n"'
type_text 'echo 漢字 wide'
type_keys Enter
type_text 'seq 1 30'
type_keys Enter
wait_pane "seq's output" output %0 'b"\r\n30\r\n"'
$T resize-window -t main -x 100 -y 30 || fail "resize-window failed"
type_text 'echo after-resize'
type_keys Enter
wait_pane "the last line" output %0 'b"\rafter-resize\r\n"'
wait_prompt %0 '$ '
$T capture-pane -p -t %0 >"$TMP/live" || fail "capture-pane failed"
assert_eq "the pane's size" 100x30 \
    "$($T display -p -t %0 '#{pane_width}x#{pane_height}')"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"

"$TMUX_BIN" show-audit -d "$LOG" -e html -I -k "$TMP/host.pub" \
    -O "$TMP/report.html" >"$TMP/out" 2>&1 ||
    fail "show-audit -e html failed: $(cat "$TMP/out")"
assert_eq "output of show-audit -e html" "" "$(cat "$TMP/out")"
"$TMUX_BIN" show-audit -d "$LOG" -e asciicast -I -t %0 >"$TMP/export" ||
    fail "show-audit -e asciicast failed"
"$TMUX_BIN" show-audit -d "$LOG" -T -t %0 >"$TMP/typed" ||
    fail "show-audit -T failed"
mkdir "$TMP/casts" || fail "mkdir failed"
html_casts "$TMP/report.html" "$TMP/casts"
assert_eq "the recordings in the report" cast-0 "$(ls "$TMP/casts")"
python3 -c '
import json, sys
want = [json.dumps(json.loads(l)) for l in open(sys.argv[1])]
got = [l.rstrip("\n") for l in open(sys.argv[2])]
if want != got:
    sys.exit("the report'"'"'s recording differs from -e asciicast")
types = set(json.loads(l)[1] for l in want[1:])
if types != {"o", "i", "r"}:
    sys.exit("the recording has events %r" % sorted(types))' \
    "$TMP/export" "$TMP/casts/cast-0" || fail "see above"

python3 - "$TMP" "$ARTIFACTS/$TEST.png" <<'EOF' || fail "see above"
import sys
from browser import Browser, played, report_problems
from capture import check, done

tmp, png = sys.argv[1], sys.argv[2]
url = "file://" + tmp + "/report.html"
live = [l.rstrip() for l in open(tmp + "/live", encoding="utf-8")]
while live and live[-1] == "":
    live.pop()
typed = [l.rstrip("\n").split(": ", 1)[1]
    for l in open(tmp + "/typed", encoding="utf-8")]

b = Browser(tmp)
try:
    b.open(url)
    verdict = b.eval("document.getElementById('verdict').className")
    check("the verdict is %r" % verdict, verdict == "verdict good")
    check("the verdict does not start with Intact",
        b.eval("document.getElementById('verdict').textContent")
        .startswith("Intact:"))
    check("no sessions row", b.eval("document.querySelectorAll("
        "'tr.session').length") == 1)
    b.eval("document.querySelector('tr.session').click()")
    b.eval("document.querySelector(\"button.play[data-pane='0']\").click()")
    shown = played(b, "section.pane[data-pane='0'] .screen", live)
    check("the player shows\n  %s\nnot the live pane\n  %s" %
        ("\n  ".join(shown), "\n  ".join(live)), shown == live)
    inputs = b.eval("Array.from(document.querySelectorAll("
        "\"section.pane[data-pane='0'] ol.inputs li .text\")).map("
        "function (e) { return e.textContent; })")
    check("beside the player %r, not %r" % (inputs, typed), inputs == typed)
    b.screenshot(png)
    for p in report_problems(b, url):
        check(p, False)
finally:
    b.close()
done("html-report-player")
EOF
exit 0
