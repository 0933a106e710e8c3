#!/bin/sh

# The HTML report of a modified log says so, in red, at the top, and still
# shows what it can. A log of one server run (a host key certifies it) has
# a pane that printed TAMPER-1-a-42; in a copy, that output becomes
# TAMPER-1-a-43, in the sealed part of the file. show-audit -V -k KEY on
# the copy fails with "PATH: modified: first bad record seq N at offset
# N". show-audit -e html -k KEY on the copy writes the report all the same
# and exits 1, saying exactly "REPORT: the log does not verify: 1 problem
# (listed in the report)". In headless Chromium:
#
# - the verdict is "verdict bad", starts "The log does not verify: 1
#   problem found", and is red (background rgb(176, 0, 32));
# - the verification table's row for the run is "bad", and its one line
#   is exactly -V's line for the file;
# - the session is still listed (one row, marked "bad"), and its pane and
#   history are there;
# - the page asked for nothing but itself, opened no dialog, broke no rule
#   of its policy and threw no exception. A screenshot is kept.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-tamper.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-html.sh"

need_chromium

"$TMUX_BIN" show-audit -G "$TMP/host" >/dev/null || fail "show-audit -G failed"
make_log 1 "set -s audit-log-key $TMP/host"
cp -a "$LOG" "$TMP/orig" || fail "cp failed"
d=$(fresh case)
python3 -c '
import sys, tamper as t
s = t.segments(sys.argv[1])[0]
r = next(r for r in s.events() if r.type == t.OUTPUT and
    b"TAMPER-1-a-42" in r.field(t.F_DATA))
t.change_data(s, r, b"TAMPER-1-a-42", b"TAMPER-1-a-43")
t.rewrite(s, [x.raw for x in s.records])' "$d" || fail "python3 failed"
verify "$d" -k "$TMP/host.pub"
[ "$VRC" -eq 1 ] || fail "show-audit -V on the changed copy exited $VRC"
grep -q ': modified: first bad record seq ' "$TMP/v.err" ||
    fail "show-audit -V: $(cat "$TMP/v.err")"

"$TMUX_BIN" show-audit -e html -d "$d" -k "$TMP/host.pub" \
    -O "$TMP/report.html" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "show-audit -e html exited $rc"
assert_eq "stdout of show-audit -e html" "" "$(cat "$TMP/out")"
assert_eq "stderr of show-audit -e html" \
    "$TMP/report.html: the log does not verify: 1 problem (listed in the \
report)" "$(cat "$TMP/err")"

python3 - "$TMP" "$ARTIFACTS/$TEST.png" <<'EOF' || fail "see above"
import sys
from browser import Browser, report_problems
from capture import check, done

tmp, png = sys.argv[1:3]
url = "file://" + tmp + "/report.html"
vline = open(tmp + "/v.err").read().rstrip("\n")

b = Browser(tmp)
try:
    b.open(url)
    v = b.eval("var v = document.getElementById('verdict'); [v.className, "
        "v.textContent, getComputedStyle(v).backgroundColor]")
    check("verdict class %r" % v[0], v[0] == "verdict bad")
    check("verdict text %r" % v[1], v[1].startswith(
        "The log does not verify: 1 problem found"))
    check("verdict colour %r" % v[2], v[2] == "rgb(176, 0, 32)")
    rows = b.eval("Array.from(document.querySelectorAll('#runs tbody tr'))"
        ".map(function (tr) { return [tr.className, Array.from("
        "tr.querySelectorAll('li')).map(function (li) { return "
        "[li.className, li.textContent]; })]; })")
    check("verification rows %r, not the line %r" % (rows, vline),
        rows == [["bad", [["bad", vline]]]])
    sessions = b.eval("Array.from(document.querySelectorAll('tr.session'))"
        ".map(function (tr) { return tr.className; })")
    check("session rows %r" % sessions, sessions == ["session bad"])
    b.eval("document.querySelector('tr.session').click()")
    hist = b.eval("Array.from(document.querySelectorAll('table.history "
        "td.text')).map(function (td) { return td.textContent; })")
    # The keys are typed as the shell starts: the screen may not tell its
    # first prompt from the line (make_log does not wait for it).
    check("history %r" % hist, any(h.endswith("echo TAMPER-1-a-$((40 + 2))")
        for h in hist))
    b.screenshot(png)
    for p in report_problems(b, url):
        check(p, False)
finally:
    b.close()
done("html-report-tampered")
EOF
exit 0
