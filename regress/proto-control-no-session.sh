#!/bin/sh

# A control client with subscriptions whose session is destroyed is
# detached but stays until it exits; the subscriptions are checked every
# second, and those to all panes or all windows walked the session that is
# no longer there. The server stays up while such a client lingers
# (upstream-control-subs-no-session.patch), and its audit log verifies.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-proto.sh"

CONTROL=0x2000	# CLIENT_CONTROL

proto_start
$T new-session -d -s victim || fail "new-session victim failed"

# The client does not answer MSG_EXIT, so it stays after its session goes.
python3 "$PROTO_PY" "$SOCK" >"$TMP/lingering.out" <<EOT &
identify flags=$CONTROL
command attach-session -t victim ; refresh-client -B all:%*:#{pane_id} ; refresh-client -B windows:@*:#{window_id}
sleep 4
EOT
lingering=$!
wait_for "the control client to attach" sh -c \
    "$T list-clients -t victim -F '#{client_control_mode}' | grep -qx 1"
$T kill-session -t victim || fail "kill-session failed"
sleep 2.5
proto_check_up "two seconds after the control client's session went"
wait $lingering || fail "the lingering client failed"
assert_eq "what the lingering client printed" "" \
    "$(cat "$TMP/lingering.out")"
proto_check_up "the lingering client going"

proto_end
exit 0
