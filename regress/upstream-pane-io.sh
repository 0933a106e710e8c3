#!/bin/sh

# A pane's input and output after its process is replaced or gone (3.5a
# crashed on each; fixed upstream after 3.7c):
#
# - respawn-pane -k of a pane whose output a control client has not taken
#   (the pane's window was moved out of the client's session): the pane's
#   and the client's offsets still pointed into the old buffer, and the new
#   process's first output was read past the end of the new one, a heap
#   over-read AddressSanitizer reports (upstream-respawn-control-offsets.patch);
# - pipe-pane -I whose command writes after the pane's process has exited
#   (remain-on-exit on): its output went to the dead pane's freed event
#   (upstream-pipe-pane-dead-pane.patch). The pipe is closed with the pane,
#   and the log says so (a pipe-pane stop record).

. "$(dirname "$0")/lib.sh"

audit_conf "set -g remain-on-exit on"
start_main

# A control client on main, and a busy pane in a window moved out of main
# to another session: the client's offset for the pane stops where it was.
mkfifo "$TMP/in" || fail "mkfifo failed"
$T -C attach -t main <"$TMP/in" >"$TMP/control.out" 2>&1 &
exec 7>"$TMP/in"
wait_for "the control client" sh -c "$T list-clients | grep -q ."
$T new-window -d -t main:1 \
    'while :; do echo 0123456789abcdefghijklmnopqrstuvwxyz; sleep 0.01; done' ||
    fail "new-window failed"
$T new-session -d -s other || fail "new-session other failed"
$T move-window -d -s main:1 -t other:1 || fail "move-window failed"
# Output the client does not take, then a new process in the pane.
sleep 2
$T respawn-pane -k -t other:1 'echo respawned; exec cat' ||
    fail "respawn-pane failed"
wait_for "the new process's output" sh -c \
    "$T capture-pane -p -t other:1 | grep -qx respawned"
gone "$SERVER" && fail "the server died after respawn-pane"
exec 7>&-
wait_for "the control client to go" sh -c "! $T list-clients | grep -q ."
$T kill-session -t other || fail "kill-session failed"

# pipe-pane -I into a pane whose process has gone.
$T new-window -d -t main:1 'sleep 0.3' || fail "new-window failed"
DEADPANE=$($T display -p -t main:1 '#{pane_id}')
$T pipe-pane -I -t main:1 "sleep 1; touch $TMP/piped; printf late" ||
    fail "pipe-pane failed"
wait_for "the pane to die" sh -c \
    "[ \"\$($T display -p -t main:1 '#{pane_dead}')\" = 1 ]"
wait_for "the pipe command to write" test -e "$TMP/piped"
sleep 0.5	# the server reads what it wrote
gone "$SERVER" && fail "the server died after pipe-pane wrote to a dead pane"
assert_eq "the dead pane's pipe" 0 \
    "$($T display -p -t main:1 '#{pane_pipe}')"

end_main
# The pipe's start and its stop with the dead pane, in the log.
assert_eq "the dead pane's pipe-pane records" "start
stop" "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["type"] == "pipe-pane" and r["pane"] == sys.argv[2]:
        print(r["action"])' "$TMP/log.json" "$DEADPANE")"
exit 0
