#!/bin/sh

# Property 7, fail closed: with audit-log-fail closed and the log on a
# small tmpfs that fills up while a pane prints 8000 numbered lines, the
# pane is held: its screen stops changing (the same for 1.5 s, before the
# last line); attach is refused with exactly "audit log cannot be written:
# not attaching until it can (SEGMENT: No space left on device)"; and the
# server's messages (show-messages, for a control client) say "audit log
# cannot be written: SEGMENT: No space left on device (sessions are held
# until it can)". Once the filler file is removed the pane goes on by
# itself and finishes. After kill-server the log verifies as consistent, has one
# gap record with that reason and records=0 (nothing was dropped), and the
# pane's output records are the whole output stream, every line, exactly.
#
# Needs root (mount).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-storage.sh"

storage_tmpfs 256k
LAST=08000
audit_conf "set -s audit-log-fail closed"

cat >"$TMP/pane.sh" <<EOF
while [ ! -e '$TMP/go' ]; do sleep 0.05; done
seq -f 'line %05g' 1 $LAST
exec sleep 60
EOF
storage_start "sh '$TMP/pane.sh'"

# A control client, for show-messages -t.
attach_control

# Fill the disk but for 16 KB, then let the pane print.
fill_disk 16384
: >"$TMP/go"

full="$SEG: No space left on device"
wait_for "the failure message" has_message \
    "audit log cannot be written: $full (sessions are held until it can)"

# The pane is held: its screen does not change.
$T capture-pane -p -t %0 >"$TMP/screen1" || fail "capture-pane failed"
sleep 1.5
$T capture-pane -p -t %0 >"$TMP/screen2" || fail "capture-pane failed"
assert_eq "the screen of the held pane" "$(cat "$TMP/screen1")" \
    "$(cat "$TMP/screen2")"
grep -q '^line [0-9]' "$TMP/screen1" || fail "the pane printed nothing"
grep -qx "line $LAST" "$TMP/screen1" &&
    fail "the pane finished although the log could not be written"

out=$($T attach -t main 2>&1 </dev/null) &&
    fail "attach was allowed while the log cannot be written"
assert_eq "attach while the log cannot be written" \
    "audit log cannot be written: not attaching until it can ($full)" "$out"

# Space again: the pane goes on by itself.
rm -f "$FS/filler"
screen_has_last() {
	$T capture-pane -p -t %0 | grep -qx "line $LAST"
}
wait_for "the pane to finish" screen_has_last
wait_for "the recovery message" message_matches \
    'audit log: writing again after [0-9]* seconds$'
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER"

log_json
audit_check_seals
python3 - "$TMP/log.json" "$full" "$LAST" "$TMP/screen1" <<'EOF' ||
import sys
from capture import *

recs = load(sys.argv[1])
gaps = [r for r in recs if r["type"] == "gap"]
if check("%d gap records, not 1" % len(gaps), len(gaps) == 1):
    g = gaps[0]
    check("gap reason %r, not %r" % (g.get("reason"), sys.argv[2]),
        g.get("reason") == sys.argv[2])
    check("gap records=%r, not 0" % g.get("records"), g.get("records") == 0)
    check("gap has lost fields: %r" % g.get("lost"), "lost" not in g)
    check("gap ends before it starts",
        g.get("start_time", 0) <= g.get("end_time", -1))

got = pane_bytes(recs, "output", "%0")
want = "".join("line %05d\r\n" % i for i in range(1, int(sys.argv[3]) + 1))
want = want.encode()
if not check("the output is %d bytes, not the %d bytes printed" %
        (len(got), len(want)), got == want):
    i = next((i for i in range(min(len(got), len(want)))
        if got[i] != want[i]), min(len(got), len(want)))
    print("first difference at byte %d: %r, not %r" % (i, got[i:i + 24],
        want[i:i + 24]), file=sys.stderr)
screen = [l.rstrip("\n") for l in open(sys.argv[4])]
while screen and screen[-1] == "":
    screen.pop()
screen = "\r\n".join(screen).encode()
check("what was on the held screen is not in the log:\n%r" % screen,
    screen in got)
done("fail-closed-full-disk")
EOF
    fail "see above"
exit 0
