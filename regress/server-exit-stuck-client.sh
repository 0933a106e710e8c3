#!/bin/sh

# A connection that never reads cannot keep a killed server: 3.5a waited
# for every client to answer its MSG_EXIT, so one that never reads kept the
# server, with its socket refusing every new client and the audit log not
# closed, for as long as it stayed (anyone allowed to connect could do it).
# Clients now have ten seconds once the server is exiting
# (server-exit-timeout.patch): the server goes, its log is closed and
# sealed, and a new server starts on the same socket.

. "$(dirname "$0")/lib.sh"

audit_conf
start_main
sock=$($T display -p '#{socket_path}') || fail "no socket path"
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
print("connected", flush=True)
time.sleep(60)' "$sock" >"$TMP/conn.out" 2>&1 &
CONN=$!
wait_for "the connection" grep -qx connected "$TMP/conn.out"

t0=$(date +%s)
$T kill-server || fail "kill-server failed"
i=0
while ! gone "$SERVER"; do
	i=$((i + 1))
	[ $i -gt 150 ] &&
	    fail "the server is still there 30 s after kill-server"
	sleep 0.2
done
t1=$(date +%s)
kill "$CONN" 2>/dev/null
[ $((t1 - t0)) -le 15 ] ||
    fail "the server took $((t1 - t0)) s to go, not about 10"

# A new server on the socket (no audit log: the test's log is the first's).
$TMUX_BIN -L "$LABEL" -f /dev/null new -d -s again ||
    fail "no new server on the socket"
assert_eq "the new server's session" again \
    "$($TMUX_BIN -L "$LABEL" list-sessions -F '#{session_name}')"
$TMUX_BIN -L "$LABEL" kill-server

log_json
audit_check_meta "$START" "$(now)" || fail "bad times or seqs in the log"
audit_check_seals
assert_eq "the log's last records" "server-stop
seal" "$(python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print("\n".join(r["type"] for r in recs[-2:]))' "$TMP/log.json")"
exit 0
