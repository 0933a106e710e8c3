#!/bin/sh

# Property 8, checked again at rotation: the log directory is made
# group-writable (chmod 0770) while the server runs, and a pane prints
# enough to pass audit-log-max-size. The full segment is closed, but the
# next one is not created in that directory, also not by the retries a
# second apart: the server's messages say "audit log cannot be written:
# audit log DIR: writable by its group (mode 0770) (sessions go on
# unaudited)". Once the directory is 0700 again the next segment is
# created, "audit log: writing again after N seconds" is reported, and
# the log goes on. After kill-server: every segment is consistent and each
# follows the one before; one gap record has the same reason and
# records=0; and the pane's output records are everything it printed,
# before, during and after, exactly.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-storage.sh"

audit_conf "set -s audit-log-max-size 30000"
cat >"$TMP/pane.sh" <<EOF
while [ ! -e '$TMP/go1' ]; do sleep 0.05; done
seq -f 'first %05g' 1 3000
while [ ! -e '$TMP/go2' ]; do sleep 0.05; done
echo after
exec sleep 60
EOF
storage_start "sh '$TMP/pane.sh'"
attach_control

chmod 0770 "$LOG" || fail "chmod failed"
: >"$TMP/go1"
wait_for "the failure message" message_matches "^audit log cannot be written: \
audit log $LOG: writable by its group (mode 0770) (sessions go on unaudited)\$"
sleep 1.2
set -- "$LOG"/*
assert_eq "files in the group-writable directory" "$SEG" "$*"
assert_eq "mode of the closed segment" 400 "$(stat -c %a "$SEG")"

chmod 0700 "$LOG" || fail "chmod failed"
wait_for "the recovery message" message_matches \
    '^audit log: writing again after [0-9]* seconds$'
set -- "$LOG"/*.tmux-audit
[ $# -ge 2 ] || fail "no new segment after the directory was fixed"
: >"$TMP/go2"
wait_pane "the last output in the log" output %0 "b'after\\r\\n'"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER"

log_json
audit_check_seals
python3 - "$TMP/log.json" "$LOG" <<'EOF' || fail "see above"
import sys
from capture import *

recs = load(sys.argv[1])
gaps = [(r.get("reason"), r.get("records"), r.get("lost")) for r in recs
    if r["type"] == "gap"]
want = [("audit log %s: writable by its group (mode 0770)" % sys.argv[2], 0,
    None)]
check("gap records %r, not %r" % (gaps, want), gaps == want)
got = pane_bytes(recs, "output", "%0")
want = "".join("first %05d\r\n" % i for i in range(1, 3001)) + "after\r\n"
check("the output is %d bytes, not the %d printed" % (len(got), len(want)),
    got == want.encode())
done("log-dir-permissions")
EOF
exit 0
