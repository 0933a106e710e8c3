#!/bin/sh
#
# bench/html-report.sh: how large the HTML report of a month of one busy
# host is, how long show-audit -e html takes to make it and how long a
# browser takes to open it. Not run by ./build.sh check or bench (it takes
# minutes); the README gives its last results.
#
#	bench/html-report.sh [html-month.py options]
#
# Writes the synthetic log (bench/html-month.py, with the options given)
# into bench/out/html-month/, the report into bench/out/html-month.html,
# then prints: the log's size, the time and peak memory of show-audit -e
# html -I, the report's size, and, in headless Chromium (regress/
# browser.py, no network), the time until the sessions index is shown,
# the time until the load event (every recording read), and the time from
# starting the player of the pane with the most output until its first
# screen. Everything runs under nice.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$TOP/bench/out
LOG=$OUT/html-month
REPORT=$OUT/html-month.html
TMUX_BIN=${TMUX_BIN:-$TOP/tmux/tmux}
TMUX_AUDIT_PLAYER=${TMUX_AUDIT_PLAYER:-$TOP/audit/player}
export TMUX_AUDIT_PLAYER

[ -x "$TMUX_BIN" ] || { echo "no $TMUX_BIN (./build.sh)" >&2; exit 1; }
[ -f "$TMUX_AUDIT_PLAYER/VERSION" ] ||
    { echo "no player (./build.sh player)" >&2; exit 1; }
mkdir -p "$OUT"
rm -rf "$LOG"
start=$(date +%s)
nice python3 "$TOP/bench/html-month.py" "$@" "$LOG" 2>/dev/null
echo "log: $(du -sm "$LOG" | cut -f1) MB in $(ls "$LOG" | wc -l) files," \
    "written in $(($(date +%s) - start)) s"

nice /usr/bin/time -f '%e %M' -o "$OUT/html-time" "$TMUX_BIN" show-audit \
    -e html -I -d "$LOG" -O "$REPORT" 2>/dev/null || [ $? -eq 2 ]
read -r secs kb <<EOF
$(tail -n 1 "$OUT/html-time")
EOF
echo "show-audit -e html -I: $secs s, peak memory $((kb / 1024)) MB"
echo "report: $(($(stat -c %s "$REPORT") / 1048576)) MB"

PYTHONPATH=$TOP/regress nice python3 - "$OUT" "$REPORT" <<'EOF'
import sys, time
from browser import Browser

out, report = sys.argv[1:3]
b = Browser(out)
try:
    t0 = time.time()
    b.open("file://" + report, timeout=600)
    wall = time.time() - t0
    ready = b.eval("window.tmuxAudit.ready")
    load = b.eval("performance.timing.loadEventEnd - "
        "performance.timing.navigationStart")
    n = b.eval("window.tmuxAudit.sessions.length")
    panes = b.eval("window.tmuxAudit.data.panes.length")
    print("browser: %d sessions, %d panes; index shown after %.1f s, "
        "load event after %.1f s (%.1f s wall)" % (n, panes, ready / 1000,
        load / 1000, wall))
    big = b.eval("(function () { var d = window.tmuxAudit.data, best = 0;"
        " d.panes.forEach(function (p, i) { if (p.out > d.panes[best].out)"
        " best = i; }); return [best, d.panes[best].session,"
        " d.panes[best].out]; })()")
    b.eval("Array.from(document.querySelectorAll('tr.session')).filter("
        "function (tr) { return tr.dataset.session == %d; })[0].click()" %
        big[1])
    t0 = time.time()
    b.eval("document.querySelector(\"button.play[data-pane='%d']\")"
        ".click()" % big[0])
    b.wait("document.querySelector(\"section.pane[data-pane='%d'] "
        ".ap-line\") !== null" % big[0], "the player", 120)
    print("player of the largest pane (%d KB of output): first screen "
        "after %.1f s" % (big[2] // 1024, time.time() - t0))
finally:
    b.close()
EOF
