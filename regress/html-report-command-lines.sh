#!/bin/sh

# The HTML report's command history is the command lines run in a pane.
# A bash with the shipped marks (etc/shell/tmux-audit.bash) is typed into
# from a real client: "cd /tmp", "sh -c 'exit 3'" and "echo done". The
# report (-e html -I) has, in its data block, the typed lines of the pane
# (source typed, "...<Enter>") and the three command lines (source shell,
# each with its exit status: 0, 3, 0, and directory: the pane's first
# directory, then /tmp); in headless Chromium the pane's history table
# shows exactly the three command lines with the columns Exit and
# Directory, and the list beside the player shows the three typed lines.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-html.sh"

need_chromium
need_player

mkdir -p "$TMP/work" || fail "mkdir failed"
printf '%s\n' "PS1='\$ '" ". $TOP/etc/shell/tmux-audit.bash" >"$TMP/rc"
audit_conf
run_pid $T new -d -s main -x 80 -y 24 -c "$TMP/work" \
    "bash --rcfile $TMP/rc -i" || fail "new-session failed"
SERVER_PIDS=$($T display -p '#{pid}')
attach_pty main
wait_prompt %0 '$ '
type_line 1 %0 '$ ' '=cd /tmp' Enter
type_line 2 %0 '$ ' "=sh -c 'exit 3'" Enter
type_line 3 %0 '$ ' '=echo done' Enter
wait_for "three ends" sh -c \
    "[ \$($T show-audit -Y command-end | wc -l) -ge 3 ]"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER_PIDS"

"$TMUX_BIN" show-audit -e html -I -d "$LOG" -O "$TMP/report.html" \
    >"$TMP/out" 2>&1
[ $? -eq 2 ] || fail "show-audit -e html did not exit 2: $(cat "$TMP/out")"
html_data "$TMP/report.html" >"$TMP/data.json"

python3 - "$TMP" "$ARTIFACTS/$TEST.png" <<'PY' || fail "see above"
import json, sys
from browser import Browser, report_problems
from capture import check, done

tmp, png = sys.argv[1:3]
work = tmp + "/work"
data = json.load(open(tmp + "/data.json"))
check("one pane: %r" % len(data["panes"]), len(data["panes"]) == 1)
hist = [(h[4], h[5], h[6], h[7]) for h in data["panes"][0]["history"]]
typed = [h for h in hist if h[1] == "typed"]
lines = [h for h in hist if h[1] != "typed"]
check("typed rows %r" % typed, typed == [
    ("cd /tmp<Enter>", "typed", None, None),
    ("sh -c 'exit 3'<Enter>", "typed", None, None),
    ("echo done<Enter>", "typed", None, None)])
check("command-line rows %r" % lines, lines == [
    ("cd /tmp", "shell", 0, work),
    ("sh -c 'exit 3'", "shell", 3, "/tmp"),
    ("echo done", "shell", 0, "/tmp")])

url = "file://" + tmp + "/report.html"
b = Browser(tmp)
try:
    b.open(url)
    b.eval("document.querySelector('tr.session').click()")
    head = b.eval("Array.from(document.querySelectorAll('table.history "
        "thead th')).map(function (th) { return th.textContent; })")
    check("history columns %r" % head, head == ["Time", "User", "Client",
        "Source", "Command", "Exit", "Directory"])
    rows = b.eval("Array.from(document.querySelectorAll('table.history "
        "tbody tr')).map(function (tr) { return Array.from(tr.children)"
        ".slice(3).map(function (td) { return td.textContent; }); })")
    check("history rows %r" % rows, rows == [
        ["shell", "cd /tmp", "0", work],
        ["shell", "sh -c 'exit 3'", "3", "/tmp"],
        ["shell", "echo done", "0", "/tmp"]])
    side = b.eval("Array.from(document.querySelectorAll('ol.inputs li "
        ".text')).map(function (e) { return e.textContent; })")
    check("beside the player %r" % side, side == ["cd /tmp<Enter>",
        "sh -c 'exit 3'<Enter>", "echo done<Enter>"])
    b.screenshot(png)
    for p in report_problems(b, url):
        check(p, False)
finally:
    b.close()
done("html-report-command-lines")
PY
exit 0
