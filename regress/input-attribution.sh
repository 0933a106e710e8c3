#!/bin/sh

# A line typed by a real client (through a pty) into a shell in a pane is
# logged as input records of that pane, window and session, every one
# attributed to that client: cause kind "key", the client's tty as its name,
# its client_id, uid and user. The input data of the pane is exactly the
# bytes typed, and its output holds the terminal's echo of the line and the
# command's output byte for byte.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf
uid=$(id -u)
user=$(id -un)

start_shell

type_text 'echo hello'
type_keys Enter
wait_pane "the command's output and the next prompt" output %0 \
    'b"hello\r\n$ "'

$T show-audit -J >"$TMP/log.json" || fail "show-audit -J failed"

python3 - "$TMP/log.json" "$PTY_TTY" "$PTY_PID" "$uid" "$user" \
    <<'EOF' || fail "see above"
import sys
from capture import *

recs = load(sys.argv[1])
tty, pid, uid, user = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
    sys.argv[5]

connect, cid = connect_id(recs, pid, "the pty client")
check("the pty client is not named for its tty", connect.get("client") == tty)

inputs = check_inputs(recs, {"kind": "key", "client": tty, "client_id": cid,
    "uid": uid, "user": user})
for r in inputs:
    check("seq %d: redacted" % r["seq"], "redacted" not in r)

got = pane_bytes(recs, "input", "%0")
check("input of %%0 is %r, not %r" % (got, b"echo hello\r"),
    got == b"echo hello\r")

out = pane_bytes(recs, "output", "%0")
want = b"$ echo hello\r\nhello\r\n$ "
check("output of %%0 is %r, not %r" % (out, want), out == want)
done("input-attribution")
EOF
exit 0
