#!/bin/sh

# A removed log is put back. The segment file is removed (rm) while the
# server runs: with the next record the server creates it again at the
# same path, mode 0600, holding every byte written before, and goes on
# writing to it. Then the whole log directory is removed (rm -rf): it is
# made again, mode 0700, with the segment at the same path, again holding
# everything written before it, and the log goes on. Output printed before,
# between and after is all in the log; each removal is recorded as a gap
# record with reason "SEGMENT was removed" and records=0 (nothing was
# lost); after kill-server the one segment verifies as consistent and closed.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"
. "$REGRESS/lib-storage.sh"

audit_conf
storage_start

# Print WORD-42 in the pane and wait for it in the log.
say() {
	$T send-keys -t %0 "echo $1-\$((40 + 2))" Enter ||
	    fail "send-keys failed"
	wait_pane "$1-42 in the log" output %0 "b'$1-42'"
}

# Is $1 the start of $2?
starts_with() {
	python3 -c '
import sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
sys.exit(0 if len(b) > len(a) and b.startswith(a) else 1)' "$1" "$2"
}

mode() {
	stat -c %a "$1"
}

say BEFORE
cp "$SEG" "$TMP/copy1" || fail "cp failed"
rm "$SEG" || fail "rm failed"
say AFTER
[ -f "$SEG" ] || fail "$SEG was not put back"
assert_eq "mode of the segment put back" 600 "$(mode "$SEG")"
starts_with "$TMP/copy1" "$SEG" ||
    fail "$SEG put back does not start with what was written before"

cp "$SEG" "$TMP/copy2" || fail "cp failed"
rm -rf "$LOG" || fail "rm -rf failed"
say GONE
[ -d "$LOG" ] || fail "$LOG was not made again"
assert_eq "mode of the log directory made again" 700 "$(mode "$LOG")"
set -- "$LOG"/*
assert_eq "files in the log directory made again" "$SEG" "$*"
assert_eq "mode of the segment put back" 600 "$(mode "$SEG")"
starts_with "$TMP/copy2" "$SEG" ||
    fail "$SEG put back does not start with what was written before"

$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER"
log_json
audit_check_seals
python3 - "$TMP/log.json" "$SEG" <<'EOF' || fail "see above"
import sys
from capture import *

recs = load(sys.argv[1])
out = pane_bytes(recs, "output", "%0")
for w in (b"BEFORE-42", b"AFTER-42", b"GONE-42"):
    check("%r is not in the output" % w, w in out)
gaps = [(r.get("reason"), r.get("records"), r.get("lost")) for r in recs
    if r["type"] == "gap"]
want = [(sys.argv[2] + " was removed", 0, None)] * 2
check("gap records %r, not %r" % (gaps, want), gaps == want)
done("log-dir-removed")
EOF
exit 0
