#!/bin/sh

# Rotation under load: with audit-log-max-size 50000, 300000 numbered lines
# (2.4 MB with \r\n) streamed through a pane with cat make a long series of
# segments. After kill-server: every segment is closed and mode 0400; the
# files are named HOST_USER_YYYYmmddTHHMMSSZ_PID_NNNNNN.tmux-audit, with the
# server's host, user, start time and pid and NNNNNN counting 000001, 000002,
# ... with no gap; show-audit -V -d says every one is consistent and closed (and
# each links to the one before it); and the pane's output records,
# concatenated across all the segments, are exactly the file, with \n
# turned into \r\n by the pane's terminal. (cat is followed by a sleep:
# when a pane's process exits, tmux, upstream too, may close the pty
# before it has read the last of the output.)
#
# Rotation by age: with audit-log-max-age 1 and a pane that prints nothing,
# a new segment is started every second without anything else happening:
# after 3.5 quiet seconds (no client, no command) there are at least three
# segment files, and after kill-server the series is consistent.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

LINES=300000
seq -f '%06g' 1 $LINES >"$TMP/data" || fail "seq failed"
audit_conf "set -s audit-log-max-size 50000" "set -g remain-on-exit on"

start_main "cat '$TMP/data'; exec sleep 60"
wait_pane "the last line in the log" output %0 \
    "b'\\r\\n$(printf %06d $LINES)\\r\\n'"
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER"

# Names, modes and the series.
log_json
python3 - "$TMP/log.json" "$LOG" "$TMP/data" "$SERVER" <<'EOF' ||
import os, pwd, re, socket, stat, sys, time
from capture import *

recs = load(sys.argv[1])
log, pid = sys.argv[2], int(sys.argv[4])
segs = [r for r in recs if r["type"] == "segment"]
files = sorted(os.listdir(log))
check("only %d segments under load" % len(segs), len(segs) >= 40)
check("%d segment records, %d files" % (len(segs), len(files)),
    len(segs) == len(files))
word = lambda s: re.sub(r"[^A-Za-z0-9._-]", "_", s)
host = word(socket.gethostname())
start = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(segs[0]["start_time"] //
    1000000))
user = word(pwd.getpwuid(os.getuid()).pw_name)
want = ["%s_%s_%s_%d_%06d.tmux-audit" % (host, user, start, pid, n)
    for n in range(1, len(segs) + 1)]
check("file names:\n  %s\nnot\n  %s" % ("\n  ".join(files[:3] + ["..."] +
    files[-2:]), "\n  ".join(want[:3] + ["..."] + want[-2:])), files == want)
for n, r in enumerate(segs, 1):
    check("segment record %d says segment %d, pid %d" % (n, r["segment"],
        r["pid"]), r["segment"] == n and r["pid"] == pid)
for f in files:
    mode = stat.S_IMODE(os.stat(os.path.join(log, f)).st_mode)
    check("%s has mode %04o, not 0400" % (f, mode), mode == 0o400)

got = pane_bytes(recs, "output", "%0")
want = open(sys.argv[3], "rb").read().replace(b"\n", b"\r\n")
if not check("output is %d bytes, not %d" % (len(got), len(want)),
        got == want):
    i = next((i for i in range(min(len(got), len(want)))
        if got[i] != want[i]), min(len(got), len(want)))
    print("first difference at byte %d: %r, not %r" % (i, got[i:i + 20],
        want[i:i + 20]), file=sys.stderr)
done("rotation-under-load")
EOF
    fail "see above"
audit_check_seals

# Rotation by age, in a quiet server.
rm -rf "$LOG"
audit_conf "set -s audit-log-max-age 1"
start_main "exec sleep 30"
three_segments() {
	set -- "$LOG"/*.tmux-audit
	[ $# -ge 3 ]
}
wait_for "three segments with audit-log-max-age 1" three_segments
$T kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$SERVER"
log_json
audit_check_seals
exit 0
