#!/bin/sh

# Keys sent with send-keys by a second, command-line client into the pane a
# real client (through a pty) is attached to are attributed to the client
# that ran send-keys: cause kind "command", cause command "send-keys", that
# client's name, client_id, uid and user; never to the attached client,
# which typed nothing. The send-keys command itself is logged as issued by
# that client.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-capture.sh"

audit_conf
uid=$(id -u)
user=$(id -un)

start_shell

run_pid $T send-keys -t main 'echo hi' Enter || fail "send-keys failed"
send_pid=$LAST_PID
wait_pane "the command's output and the next prompt" output %0 \
    'b"hi\r\n$ "'

$T show-audit -J >"$TMP/log.json" || fail "show-audit -J failed"

python3 - "$TMP/log.json" "$PTY_TTY" "$send_pid" "$uid" "$user" \
    <<'EOF' || fail "see above"
import sys
from capture import *

recs = load(sys.argv[1])
tty, pid, uid, user = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
    sys.argv[5]
name = "client-%d" % pid

connect, cid = connect_id(recs, pid, "the send-keys client")
check("the send-keys client is not %s" % name, connect.get("client") == name)
attached = [r["client_id"] for r in recs if r["type"] == "client-attached"]
check("attached clients %r" % attached, len(attached) == 1 and
    attached[0] != cid)

inputs = check_inputs(recs, {"kind": "command", "command": "send-keys",
    "client": name, "client_id": cid, "uid": uid, "user": user})
for r in inputs:
    check("seq %d: attributed to the attached client" % r["seq"],
        tty not in str(r))

got = pane_bytes(recs, "input", "%0")
check("input of %%0 is %r, not %r" % (got, b"echo hi\r"),
    got == b"echo hi\r")
out = pane_bytes(recs, "output", "%0")
want = b"$ echo hi\r\nhi\r\n$ "
check("output of %%0 is %r, not %r" % (out, want), out == want)

# The command: issued by that client, and the cause of every input record
# comes between its start and its record.
cmds = [r for r in recs if r["type"] == "command" and
    r["command"].startswith("send-keys")]
check("%d send-keys command records" % len(cmds), len(cmds) == 1)
if cmds:
    c = cmds[0]
    got = (c.get("issuer"), c.get("client"), c.get("client_id"),
        c.get("pid"), c.get("uid"), c.get("user"), c.get("command"),
        c.get("result"), "error" in c)
    want = ("client", name, cid, pid, uid, user,
        "send-keys -t main \"echo hi\" Enter", "ok", False)
    check("send-keys record %r, not %r" % (got, want), got == want)
    check("input records after the send-keys record",
        all(r["seq"] < c["seq"] for r in inputs))
done("send-keys-attribution")
EOF
exit 0
