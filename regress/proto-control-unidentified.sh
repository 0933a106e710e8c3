#!/bin/sh

# A client that asks for control mode in its identify flags has no control
# state until MSG_IDENTIFY_DONE. Going away before that
# (upstream-control-stop-unstarted.patch), or being there while another
# client makes a session, which sends control notifications
# (upstream-control-notify-unstarted.patch), leaves the server up; the
# client can then finish identifying and attach like any other control
# client. The audit log still verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

CONTROL=0x2000	# CLIENT_CONTROL

proto_start

proto "a control client that goes before identifying" <<EOT
identify flags=$CONTROL -DONE
close
EOT
assert_eq "what it was sent" "" "$OUT"
# Its connection has been closed by the time a second client is answered.
proto_check_up "a control client that goes before identifying"

# Held between its flags and MSG_IDENTIFY_DONE while a session is made.
python3 "$PROTO_PY" "$SOCK" >"$TMP/held.out" <<EOT &
identify flags=$CONTROL -DONE
sleep 2
send MSG_IDENTIFY_DONE
command attach-session -t main
wait 1
EOT
held=$!
sleep 0.5
$T new-session -d -s other || fail "new-session failed"
SESSIONS="main
other"
proto_check_up "a session made while a control client identifies"
wait $held || fail "the held client failed"
# Its output went to its stdout (/dev/null); its stdin is at its end, so
# control mode ends at once.
assert_eq "what the held client was sent" "exit 0" "$(cat "$TMP/held.out")"
proto_check_up "the held client finishing"

proto_end
exit 0
