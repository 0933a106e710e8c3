#!/bin/sh

# Nothing in a log runs in the HTML report. A server on a host named
# "<svg onload=alert(3)>" (a UTS namespace of its own) has a session named
# "<img src=x onerror=alert(2)>", whose pane prints
# "</script><img src=x onerror=alert(1)>" and is sent the keys
# "echo '<script>alert(4)</script>'". The report:
#
# - holds none of these strings as they are (only escaped);
# - in headless Chromium, with no network, shows each as text: the host
#   in the header and the session's row, the session's name in its row,
#   the command line in the pane's history, and the printed line on the
#   player's screen once played to its end; the page has no img element
#   and no element with an onerror or onload attribute, asked for nothing
#   but itself, opened no dialog (no alert ran), broke no rule of its
#   policy and threw no exception. A screenshot is kept.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-html.sh"

need_chromium
need_player
command -v unshare >/dev/null 2>&1 || skip "unshare is not installed"
unshare -u true 2>/dev/null || skip "cannot make a UTS namespace"

HOSTILE_HOST='<svg onload=alert(3)>'
HOSTILE_SESSION='<img src=x onerror=alert(2)>'
audit_conf
printf '%s\n' '#!/bin/sh' \
    'printf "%s\n" "</script><img src=x onerror=alert(1)>"' \
    "PS1='\$ ' exec bash --norc --noprofile" >"$TMP/pane.sh"
chmod +x "$TMP/pane.sh" || fail "chmod failed"
unshare -u python3 -c '
import os, socket, sys
socket.sethostname(sys.argv[1])
os.execvp(sys.argv[2], sys.argv[2:])' "$HOSTILE_HOST" $T new -d \
    -s "$HOSTILE_SESSION" -x 80 -y 24 -e 'PS1=$ ' "$TMP/pane.sh" ||
    fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
assert_eq "the session's name" "$HOSTILE_SESSION" \
    "$($T display -p -t '$0' '#{session_name}')"
wait_pane "the printed line" output %0 'b"onerror=alert(1)>\r\n"'
wait_prompt %0 '$ '
$T send-keys -t %0 "echo '<script>alert(4)</script>'" Enter ||
    fail "send-keys failed"
wait_pane "the echo" output %0 'b"\r<script>alert(4)</script>\r\n"'
wait_prompt %0 '$ '
$T capture-pane -p -t %0 >"$TMP/live" || fail "capture-pane failed"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"

"$TMUX_BIN" show-audit -e html -d "$LOG" -O "$TMP/report.html" \
    >"$TMP/out" 2>&1
[ $? -eq 2 ] || fail "show-audit -e html did not exit 2: $(cat "$TMP/out")"
for s in "$HOSTILE_HOST" "$HOSTILE_SESSION" "<script>alert(4)</script>" \
    "</script><img src=x onerror=alert(1)>"; do
	grep -qF -- "$s" "$TMP/report.html" &&
	    fail "the report holds $s as it is"
done

python3 - "$TMP" "$ARTIFACTS/$TEST.png" "$HOSTILE_HOST" \
    "$HOSTILE_SESSION" <<'EOF' || fail "see above"
import sys
from browser import Browser, played, report_problems
from capture import check, done

tmp, png, host, session = sys.argv[1:5]
url = "file://" + tmp + "/report.html"
live = [l.rstrip() for l in open(tmp + "/live", encoding="utf-8")]
while live and live[-1] == "":
    live.pop()

b = Browser(tmp)
try:
    b.open(url)
    hosts = b.eval("document.getElementById('hosts').textContent")
    check("hosts %r" % hosts, hosts == host)
    row = b.eval("Array.from(document.querySelector('tr.session').children)"
        ".map(function (td) { return td.textContent; })")
    check("session row %r" % row, row[0] == host and
        row[1] == session + " ($0)")
    b.eval("document.querySelector('tr.session').click()")
    hist = b.eval("Array.from(document.querySelectorAll('table.history "
        "td.text')).map(function (td) { return td.textContent; })")
    check("history %r" % hist,
        hist == ["echo '<script>alert(4)</script>'"])
    b.eval("document.querySelector('button.play').click()")
    shown = played(b, ".screen", live)
    check("the player shows %r, not %r" % (shown, live), shown == live)
    check("the live pane %r" % live,
        "</script><img src=x onerror=alert(1)>" in live)
    n = b.eval("document.querySelectorAll('img, [onerror], [onload]')"
        ".length")
    check("%d img or on* elements" % n, n == 0)
    b.screenshot(png)
    for p in report_problems(b, url):
        check(p, False)
finally:
    b.close()
done("html-report-hostile")
EOF
exit 0
