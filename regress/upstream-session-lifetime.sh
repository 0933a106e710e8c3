#!/bin/sh

# Sessions and windows that go while something still refers to them do not
# crash the server (3.5a crashed on each; fixed upstream after 3.7c):
#
# - destroy-unattached on a session whose only client is suspended: the
#   session was destroyed with the client still on it
#   (upstream-destroy-unattached-clients.patch);
# - a control client, and a command that makes another session change its
#   window and then kills that session: the queued notification read the
#   dead session's window (upstream-control-notify-destroyed-session.patch);
# - break-pane of a pane in customize mode: the mode rebuilt its tree for a
#   window in no session yet (upstream-break-pane-attach-first.patch).

. "$(dirname "$0")/lib.sh"

audit_conf
start_main

alive() {
	gone "$SERVER" && fail "the server died: $1"
	assert_eq "sessions after $1" "$2" \
	    "$($T list-sessions -F '#{session_name}' 2>&1)"
}

# A suspended client on a session with destroy-unattached.
$T new -d -s s2 -x 80 -y 24 || fail "new-session s2 failed"
attach_pty s2
$T set -t s2 destroy-unattached on || fail "set destroy-unattached failed"
$T suspend-client -t "$PTY_TTY" || fail "suspend-client failed"
wait_for "s2 to go" sh -c "! $T has -t s2 2>/dev/null"
alive "destroy-unattached with a suspended client" main
# The client was told to go (detach-on-destroy): it leaves once it runs.
kill -CONT "$PTY_PID" 2>/dev/null
wait_for "the suspended client to exit" gone "$PTY_PID"

# A control client, and a session that changes window and dies in one go.
mkfifo "$TMP/ctl" || fail "mkfifo failed"
$T -C attach -t main <"$TMP/ctl" >"$TMP/ctl.out" 2>&1 &
exec 7>"$TMP/ctl"
wait_for "the control client" sh -c "$T list-clients | grep -q ."
$T new -d -s b || fail "new-session b failed"
$T new-window -d -t b: || fail "new-window failed"
$T select-window -t b:1 \; kill-session -t b || fail "kill-session failed"
alive "a notification for a killed session" main
exec 7>&-
wait_for "the control client to go" sh -c "! $T list-clients | grep -q ."

# break-pane of a pane in customize mode, with a client attached.
attach_pty main
side=$($T split-window -d -P -F '#{pane_id}' -t main:0 'exec cat') ||
    fail "split-window failed"
$T customize-mode -t "$side" || fail "customize-mode failed"
$T break-pane -d -s "$side" || fail "break-pane failed"
alive "break-pane in customize mode" main
assert_eq "the broken-out pane's window" "1 1" \
    "$($T display -p -t "$side" '#{window_index} #{pane_in_mode}')"
detach_pty

end_main
exit 0
