#!/bin/sh

# The HTML report's Content-Security-Policy lets only its own inline code
# run. With the player, the policy is exactly
#
#	default-src 'none'; script-src 'sha256-PAGE' 'sha256-PLAYER'
#	'wasm-unsafe-eval'; style-src 'sha256-PAGE' 'sha256-PLAYER';
#	base-uri 'none'; form-action 'none'
#
# where each hash is that of the text of one of the page's two inline
# scripts and two style sheets (the player's WebAssembly terminal needs
# 'wasm-unsafe-eval', which allows no eval of script text); every other
# script element is a data block of type application/json or
# application/x-asciicast, and no "<" is left unescaped in them. In
# headless Chromium the report runs with no violation; a copy whose own
# script differs by one space runs nothing of it (a script-src-elem
# violation, no sessions table), opens no dialog and asks for nothing.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-html.sh"

need_chromium
need_player

audit_conf
$T new -d -s main -x 80 -y 24 "echo '<policy>'; exec sleep 60" ||
    fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
wait_pane "the output" output %0 'b"<policy>"'
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"
"$TMUX_BIN" show-audit -e html -d "$LOG" -O "$TMP/report.html" \
    >"$TMP/out" 2>&1
[ $? -eq 2 ] || fail "show-audit -e html did not exit 2: $(cat "$TMP/out")"

python3 - "$TMP" <<'EOF' || fail "see above"
import base64, hashlib, re, sys
from browser import Browser, report_problems
from capture import check, done

tmp = sys.argv[1]
page = open(tmp + "/report.html", encoding="utf-8").read()
csp = re.search(r'<meta http-equiv="Content-Security-Policy" '
    r'content="([^"]*)">', page).group(1)
def h(text):
    return "'sha256-%s'" % base64.b64encode(
        hashlib.sha256(text.encode()).digest()).decode()
tags = re.findall(r"<script[^>]*>", page)
scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
styles = re.findall(r"<style>(.*?)</style>", page, re.S)
check("%d inline scripts" % len(scripts), len(scripts) == 2)
check("%d style sheets" % len(styles), len(styles) == 2)
if len(scripts) == 2 and len(styles) == 2:
    player, own = scripts
    pcss, ocss = styles
    want = ("default-src 'none'; script-src %s %s 'wasm-unsafe-eval'; "
        "style-src %s %s; base-uri 'none'; form-action 'none'" %
        (h(own), h(player), h(ocss), h(pcss)))
    check("policy\n  %s\nnot\n  %s" % (csp, want), csp == want)
other = [t for t in tags if t != "<script>"]
check("script tags %r" % other, all(re.fullmatch(r'<script type="'
    r'(application/json|application/x-asciicast)" id="[a-z0-9-]+">', t)
    for t in other) and len(other) == 2)
for m in re.finditer(r'<script type="application/[^"]*" id="[^"]*">'
        r'(.*?)</script>', page, re.S):
    check("a < in a data block", "<" not in m.group(1))

changed = page.replace("'use strict';", "'use strict'; ", 1)
check("the page's script is not changed", changed != page)
with open(tmp + "/changed.html", "w", encoding="utf-8") as f:
    f.write(changed)

b = Browser(tmp)
try:
    url = "file://" + tmp + "/report.html"
    b.open(url)
    check("the report shows no sessions table",
        b.eval("document.getElementById('sessions') !== null"))
    for p in report_problems(b, url):
        check(p, False)
    url = "file://" + tmp + "/changed.html"
    b.requests[:] = []
    b.open(url)
    check("the changed copy shows a sessions table",
        b.eval("document.getElementById('sessions') === null"))
    v = b.violations
    check("violations in the changed copy: %r" % v,
        v == ["script-src-elem inline"])
    check("requests %r" % b.requests, b.requests == [url])
    check("dialogs %r" % b.dialogs, b.dialogs == [])
finally:
    b.close()
done("html-report-policy")
EOF
exit 0
