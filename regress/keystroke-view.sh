#!/bin/sh

# show-audit -T shows what was typed into each pane, one line per line
# typed: "TIME CLIENT USER %PANE: text", printable text as it is, other keys
# in angle brackets as tmux names them, a literal < as <lt>, and a line
# ending at Enter or C-c. Keys typed by a real client (through a pty): ls -l,
# Up, C-c, and a line with < and >; then keys sent by send-keys from another
# client, shown with "(send-keys)". The same in the server and offline with
# -d; each TIME is the time of the line's first input record.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf
user=$(id -un)

start_shell
type_text 'ls -l'
type_keys Enter
type_keys Up
type_keys C-c
type_text "echo '<x>'"
type_keys Enter
wait_pane "the output of echo" output %0 'b"<x>\r\n$ "'
run_pid $T send-keys -t main "echo 'a b'" Enter || fail "send-keys failed"
send_pid=$LAST_PID
wait_pane "the output of the second echo" output %0 'b"a b\r\n$ "'

$T show-audit -T >"$TMP/keys" || fail "show-audit -T failed"
$TMUX_BIN show-audit -T -d "$LOG" >"$TMP/keys-d" ||
    fail "show-audit -T -d failed"
$T show-audit -J >"$TMP/log.json" || fail "show-audit -J failed"

# Each line's time must be the time of its first input record.
python3 - "$TMP/log.json" "$TMP/keys" "$TMP/keys-d" <<'EOF' ||
import re, sys
from capture import *

recs = load(sys.argv[1])
times = {}
starts = []
who = None
for r in recs:
    if r["type"] != "input":
        continue
    c = r["cause"]
    w = (c["kind"], c.get("client"))
    if w not in times:
        times[w] = r["time"]
    if data(r) in (b"\r", b"\x03"):
        starts.append(times.pop(w))
for path in sys.argv[2:]:
    got = [l.split(" ", 1)[0] for l in open(path)]
    check("%s: times %r, not %r" % (path, got, starts), got == starts)
    for t in got:
        check("%s: bad time %r" % (path, t), re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", t))
done("keystroke-view")
EOF
    fail "see above"

want="\
TIME $PTY_TTY $user %0: ls -l<Enter>
TIME $PTY_TTY $user %0: <Up><C-c>
TIME $PTY_TTY $user %0: echo '<lt>x>'<Enter>
TIME client-$send_pid $user (send-keys) %0: echo 'a b'<Enter>"
assert_eq "show-audit -T" "$want" "$(sed 's/^[^ ]* /TIME /' "$TMP/keys")"
assert_eq "show-audit -T -d" "$want" \
    "$(sed 's/^[^ ]* /TIME /' "$TMP/keys-d")"
exit 0
