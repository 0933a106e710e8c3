#!/bin/sh

# Without the player's files, show-audit -e html still makes the report,
# and says so. TMUX_AUDIT_PLAYER names an empty directory; show-audit -e
# html exits as -V would (2: consistent, no host key) and prints nothing.
# The report's policy allows its own script and style sheet only (one hash
# each, no 'wasm-unsafe-eval'); it has no player script. In headless
# Chromium, with no network: the header's Player line is exactly "not
# included: DIR/VERSION: No such file or directory. Recordings are listed
# but cannot be played here; ...", the session and its pane are shown, the
# pane has no Play button but the note "The player is not included in
# this report (see Player above).", AsciinemaPlayer is not defined, and the
# page asked for nothing but itself, opened no dialog, broke no rule of its
# policy and threw no exception.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-html.sh"

need_chromium
mkdir "$TMP/none" || fail "mkdir failed"
TMUX_AUDIT_PLAYER=$TMP/none
export TMUX_AUDIT_PLAYER

audit_conf
$T new -d -s main -x 80 -y 24 "echo no-player-here; exec sleep 60" ||
    fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
wait_pane "the output" output %0 'b"no-player-here"'
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"

"$TMUX_BIN" show-audit -e html -d "$LOG" -O "$TMP/report.html" \
    >"$TMP/out" 2>&1
[ $? -eq 2 ] || fail "show-audit -e html did not exit 2: $(cat "$TMP/out")"
assert_eq "output of show-audit -e html" "" "$(cat "$TMP/out")"

python3 - "$TMP/report.html" <<'EOF' || fail "see above"
import base64, hashlib, re, sys
from capture import check, done
page = open(sys.argv[1], encoding="utf-8").read()
csp = re.search(r'<meta http-equiv="Content-Security-Policy" '
    r'content="([^"]*)">', page).group(1)
def h(text):
    return "'sha256-%s'" % base64.b64encode(
        hashlib.sha256(text.encode()).digest()).decode()
scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
styles = re.findall(r"<style>(.*?)</style>", page, re.S)
check("%d inline scripts" % len(scripts), len(scripts) == 1)
check("%d style sheets" % len(styles), len(styles) == 1)
want = "default-src 'none'; script-src %s; style-src %s; base-uri " \
    "'none'; form-action 'none'" % (h(scripts[0]), h(styles[0]))
check("policy %r, not %r" % (csp, want), csp == want)
done("html-report-no-player")
EOF

python3 - "$TMP" <<'EOF' || fail "see above"
import sys
from browser import Browser, report_problems
from capture import check, done

tmp = sys.argv[1]
url = "file://" + tmp + "/report.html"
b = Browser(tmp)
try:
    b.open(url)
    player = b.eval("document.getElementById('player').textContent")
    want = ("not included: %s/none/VERSION: No such file or directory. "
        "Recordings are listed but cannot be played here; export one "
        "with show-audit -e asciicast, or make the report again where "
        "the player is installed (./build.sh player)." % tmp)
    check("Player %r" % player, player == want)
    check("AsciinemaPlayer is defined",
        b.eval("typeof AsciinemaPlayer") == "undefined")
    check("no session row",
        b.eval("document.querySelectorAll('tr.session').length") == 1)
    b.eval("document.querySelector('tr.session').click()")
    check("a Play button", b.eval("document.querySelectorAll("
        "'button.play').length") == 0)
    note = b.eval("document.querySelector('.screen .note').textContent")
    check("pane note %r" % note, note == "The player is not included in "
        "this report (see Player above).")
    for p in report_problems(b, url):
        check(p, False)
finally:
    b.close()
done("html-report-no-player")
EOF
exit 0
