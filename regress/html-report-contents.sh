#!/bin/sh

# The HTML report over the logs of two hosts, collected in one tree. Host 1
# (this machine) runs a server that root owns, with sessions "build" and
# "deploy": root attaches to build through a pty and types "echo built",
# a read-only guest (server-access -r) attaches to build and goes, and a
# command client sends "echo shipping" to deploy with send-keys. Host 2 is
# a server started in a UTS namespace of its own, named web-2, with a
# session "db" that gets "echo queried" by send-keys. Both logs are
# certified by the same host key. The logs are copied to tree/host-1 and
# tree/host-2, and show-audit -e html -d tree -k KEY makes the report
# (exit 0). In headless Chromium, with no network:
#
# - the verdict is green, the hosts are "HOST, web-2", the users "root,
#   GUEST", and the verification table has one row per server run;
# - there are three session rows, in the order they started, with their
#   host, name and owner: (HOST, build, root), (HOST, deploy, root),
#   (web-2, db, root);
# - build's detail shows two attaches, one lane each on its time line,
#   and its history row, the command line "echo built" (from the screen)
#   typed by root from the pty's client; deploy's history row is "echo
#   shipping" sent by send-keys;
# - typing "shipping" in the search box leaves only deploy ("1 of 3
#   sessions"), and emptying it shows all three again;
# - the page asked for nothing but itself, opened no dialog, broke no rule
#   of its policy and threw no exception. A screenshot is kept.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-users.sh"
. "$REGRESS/lib-html.sh"

need_users
need_chromium
command -v unshare >/dev/null 2>&1 || skip "unshare is not installed"
unshare -u true 2>/dev/null || skip "cannot make a UTS namespace"
GUEST=tmuxaudithtml
make_user "$GUEST"
HOST=$(hostname)
[ "$HOST" != web-2 ] || skip "this host is already called web-2"

"$TMUX_BIN" show-audit -G "$TMP/host" >/dev/null || fail "show-audit -G failed"
audit_conf "set -s audit-log-key $TMP/host"
SH="bash --norc --noprofile"
pub_server -d -s build -x 80 -y 24 -e 'PS1=$ ' $SH
$S new -d -s deploy -x 80 -y 24 -e 'PS1=$ ' $SH || fail "new deploy failed"
$S server-access -r "$GUEST" || fail "server-access -r failed"

attach_as root "$OUTER" -t build
wait_pane "the prompt in build" output %0 'b"$ "'
type_text 'echo built'
type_keys Enter
wait_pane "build's output" output %0 'b"\rbuilt\r\n"'
attach_as "$GUEST" "guest-$TEST-$$" -r -t build
"$TMUX_BIN" -L "guest-$TEST-$$" kill-server
wait_for "the guest to go" sh -c "[ \$($S lsc | wc -l) -eq 1 ]"
wait_prompt %1 '$ '
$S send-keys -t deploy 'echo shipping' Enter || fail "send-keys failed"
wait_pane "deploy's output" output %1 'b"\rshipping\r\n"'

W2LOG=$TMP/web2log
printf '%s\n' "set -s audit-log on" "set -s audit-log-path $W2LOG" \
    "set -s audit-log-key $TMP/host" >"$TMP/web2.conf"
TW="$TMUX_BIN -L $LABEL-web2 -f $TMP/web2.conf"
unshare -u sh -c 'hostname web-2 && exec "$@"' sh $TW new -d -s db \
    -x 80 -y 24 -e 'PS1=$ ' $SH || fail "the server of web-2 failed"
SERVER_PIDS="$SERVER_PIDS $($TW display -p '#{pid}')"
$TW send-keys -t db 'echo queried' Enter || fail "send-keys to db failed"
LOG=$W2LOG wait_pane "db's output" output %0 'b"\rqueried\r\n"'

"$TMUX_BIN" -L "$OUTER" kill-server
$S kill-server
$TW kill-server
for p in $SERVER_PIDS; do
	wait_for "the servers to exit" gone "$p"
done
mkdir "$TMP/tree" || fail "mkdir failed"
cp -a "$LOG" "$TMP/tree/host-1" && cp -a "$W2LOG" "$TMP/tree/host-2" ||
    fail "cp failed"

"$TMUX_BIN" show-audit -e html -d "$TMP/tree" -k "$TMP/host.pub" \
    -O "$TMP/report.html" >"$TMP/out" 2>&1 ||
    fail "show-audit -e html failed: $(cat "$TMP/out")"
assert_eq "output of show-audit -e html" "" "$(cat "$TMP/out")"

python3 - "$TMP" "$ARTIFACTS/$TEST.png" "$HOST" "$GUEST" <<'EOF' ||
import sys
from browser import Browser, report_problems
from capture import check, done

tmp, png, host, guest = sys.argv[1:5]
url = "file://" + tmp + "/report.html"

def texts(selector):
    return b.eval("Array.from(document.querySelectorAll(%r)).map("
        "function (e) { return e.textContent; })" % selector)

def cells(selector):
    return b.eval("Array.from(document.querySelectorAll(%r)).map("
        "function (tr) { return Array.from(tr.children).map("
        "function (td) { return td.textContent; }); })" % selector)

b = Browser(tmp)
try:
    b.open(url)
    check("verdict", b.eval("document.getElementById('verdict')"
        ".className") == "verdict good")
    hosts = b.eval("document.getElementById('hosts').textContent")
    check("hosts %r" % hosts, hosts == host + ", web-2")
    users = b.eval("document.getElementById('users').textContent")
    check("users %r" % users, users == "root, " + guest)
    runs = cells("#runs tbody tr")
    check("verification rows %r" % runs, [r[0] for r in runs] ==
        [host, "web-2"])

    rows = cells("tr.session")
    got = [(r[0], r[1].split(" ")[0], r[2]) for r in rows]
    check("sessions %r" % got, got == [(host, "build", "root"),
        (host, "deploy", "root"), ("web-2", "db", "root")])

    b.eval("document.querySelectorAll('tr.session')[0].click()")
    detail = "document.querySelectorAll('tr.detail')[0]"
    attach = b.eval("Array.from(%s.querySelectorAll('table.attach tbody "
        "tr')).map(function (tr) { return tr.children[0].textContent; })"
        % detail)
    check("build's attaches %r" % attach, attach == ["root", guest])
    lanes = b.eval("%s.querySelectorAll('.tl.lanes .lane').length" % detail)
    check("build's time line has %r lanes" % lanes, lanes == 2)
    hist = b.eval("Array.from(%s.querySelectorAll('table.history tbody "
        "tr')).map(function (tr) { return [tr.children[1].textContent, "
        "tr.children[3].textContent, tr.children[4].textContent]; })" %
        detail)
    check("build's history %r" % hist, hist == [["root", "screen",
        "echo built"]])

    b.eval("document.querySelectorAll('tr.session')[1].click()")
    detail = "document.querySelectorAll('tr.detail')[1]"
    hist = b.eval("Array.from(%s.querySelectorAll('table.history tbody "
        "tr')).map(function (tr) { return [tr.children[2].textContent, "
        "tr.children[4].textContent]; })" % detail)
    check("deploy's history %r" % hist, len(hist) == 1 and
        hist[0][0].endswith(" (send-keys)") and
        hist[0][1] == "echo shipping")

    def search(text):
        b.eval("var s = document.getElementById('search'); s.value = %r; "
            "s.dispatchEvent(new Event('input'))" % text)
        shown = b.eval("Array.from(document.querySelectorAll("
            "'tr.session')).filter(function (tr) { return !tr.hidden; })"
            ".map(function (tr) { return tr.children[1].textContent; })")
        return shown, b.eval("document.querySelector('.search .count')"
            ".textContent")
    shown, count = search("shipping")
    check("search shipping: %r, %r" % (shown, count),
        shown == ["deploy ($1)"] and count == "1 of 3 sessions")
    shown, count = search("")
    check("search emptied: %r, %r" % (shown, count),
        len(shown) == 3 and count == "3 of 3 sessions")
    b.screenshot(png)
    for p in report_problems(b, url):
        check(p, False)
finally:
    b.close()
done("html-report-contents")
EOF
    fail "see above"
exit 0
