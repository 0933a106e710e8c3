#!/bin/sh

# Property 7, fail open: with audit-log-fail open (the default) and the log
# on a tmpfs that fills up while a pane prints 1000000 numbered lines
# (14 MB on the terminal) and then, one by one, five short lines "end N",
# the pane is not held: it prints to its last line while the disk is still
# full, and the server's messages say "audit log
# cannot be written: SEGMENT: No space left on device (sessions go on
# unaudited)". The server keeps at most 8 MB of records in memory and
# drops and counts the rest. Once the filler file is removed the log is
# written again ("audit log: writing again after N seconds") and has one
# gap record with that reason, records > 0 and one lost entry, exactly
# "%0 input=0 output=N". After kill-server the series verifies as
# consistent, and the pane's output records are exactly the start of what
# it printed, everything from before the disk filled and while memory
# lasted, and N is exactly the rest: once output has been dropped, no
# later output (such as a short line that would still fit in memory) may
# be kept, or the log would show the pane's output running on across the
# hole.
#
# Needs root (mount).

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-storage.sh"

storage_tmpfs 16m
LAST=1000000
audit_conf "set -s audit-log-fail open"

cat >"$TMP/pane.sh" <<EOF
while [ ! -e '$TMP/go' ]; do sleep 0.05; done
seq -f 'line %07.0f' 1 $LAST
sleep 0.5
for i in 1 2 3 4 5; do sleep 0.01; echo "end \$i"; done
sleep 0.2
: >'$TMP/ended'
exec sleep 60
EOF
storage_start "sh '$TMP/pane.sh'"

# A control client, for show-messages -t.
attach_control

# Fill the disk but for 16 KB, then let the pane print.
fill_disk 16384
: >"$TMP/go"

# No tmux command while the pane prints: the records of commands would
# take up what memory is left.
wait_for "the pane to print everything" test -e "$TMP/ended"
full="$SEG: No space left on device"
wait_for "the failure message" has_message \
    "audit log cannot be written: $full (sessions go on unaudited)"

# The pane went on to its end while the disk is still full.
screen_has_last() {
	$T capture-pane -p -t %0 | grep -qx "end 5"
}
wait_for "the pane to finish while the disk is full" screen_has_last
[ -e "$FS/filler" ] || fail "the filler has gone"
messages | grep 'writing again' && fail "the log was written again too soon"

# Space again: the log is written again.
rm -f "$FS/filler"
wait_for "the recovery message" message_matches \
    '^audit log: writing again after [0-9]* seconds$'
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER"

log_json
audit_check_seals
python3 - "$TMP/log.json" "$full" "$LAST" <<'EOF' || fail "see above"
import re, sys
from capture import *

recs = load(sys.argv[1])
got = pane_bytes(recs, "output", "%0")
want = "".join("line %07d\r\n" % i for i in range(1, int(sys.argv[3]) + 1))
want = (want + "".join("end %d\r\n" % i for i in range(1, 6))).encode()
check("the output in the log (%d bytes) is not the start of what the pane "
    "printed" % len(got), want.startswith(got))
check("only %d bytes of output in the log" % len(got), len(got) > 1000000)

gaps = [r for r in recs if r["type"] == "gap"]
if check("%d gap records, not 1" % len(gaps), len(gaps) == 1):
    g = gaps[0]
    check("gap reason %r, not %r" % (g.get("reason"), sys.argv[2]),
        g.get("reason") == sys.argv[2])
    check("gap records=%r, not more than 0" % g.get("records"),
        g.get("records", 0) > 0)
    lost = g.get("lost")
    if isinstance(lost, str):
        lost = [lost]
    want_lost = ["%%0 input=0 output=%d" % (len(want) - len(got))]
    check("gap lost=%r, not %r" % (lost, want_lost), lost == want_lost)
    check("gap ends before it starts",
        g.get("start_time", 0) <= g.get("end_time", -1))
done("fail-open-gap")
EOF
exit 0
