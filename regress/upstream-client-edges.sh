#!/bin/sh

# Clients at the edges (fixed upstream after 3.7c):
#
# - a client killed while its run-shell waits: the job's output was sent
#   to the gone client, crashing the server (upstream-print-dead-client.patch);
# - Delete in the command prompt moved one element too many, reading past
#   the prompt's buffer, which AddressSanitizer reports
#   (upstream-prompt-delete-length.patch);
# - a socket that cannot be made again on SIGUSR1 (its path taken by a
#   directory) left the server's umask at 0177, so every pane made after
#   it had that umask (upstream-bind-fail-umask.patch).

. "$(dirname "$0")/lib.sh"

audit_conf
umask 022
start_main

# Delete at the start of the command prompt's text.
attach_pty main
$T command-prompt -b -t "$PTY_TTY" -p typed -I abcdefg \
    "set -g @typed '%%'" || fail "command-prompt failed"
wait_for "the prompt" outer_screen_has '^typed abcdefg'
"$TMUX_BIN" -L "$OUTER" send-keys C-a C-d Delete Enter ||
    fail "send-keys failed"
wait_for "the prompt's command" sh -c \
    "[ \"\$($T show -gv @typed 2>/dev/null)\" = cdefg ]"
detach_pty

# SIGUSR1 when the socket's path is a directory, then again when it is not.
sock=$($T display -p '#{socket_path}')
mv "$sock" "$sock.real" || fail "mv failed"
mkdir "$sock" || fail "mkdir failed"
kill -USR1 "$SERVER"
sleep 0.5	# the server tries to make the socket
rmdir "$sock" || fail "rmdir failed"
mv "$sock.real" "$sock" || fail "mv back failed"
$T new-window -d -t main: "sh -c 'umask >$TMP/umask'" ||
    fail "new-window failed"
wait_for "the new pane's umask" test -s "$TMP/umask"
assert_eq "a new pane's umask" 0022 "$(cat "$TMP/umask")"

# run-shell's client killed before the job prints, on a server of its own
# (no audit log): the killed client's waiting command stays in memory
# until the server exits (3.5a's queue of a lost client is never run
# again), which LeakSanitizer would report at a normal exit, so that server
# is killed instead.
R="$TMUX_BIN -L $LABEL-rs -f /dev/null"
$R new -d -s rs || fail "new-session on the second server failed"
RS=$($R display -p '#{pid}')
SERVER_PIDS="$SERVER_PIDS $RS"
$R run-shell "touch $TMP/started; sleep 1; echo printed; touch $TMP/ended" &
rs=$!
wait_for "the job to start" test -e "$TMP/started"
kill -TERM $rs
wait $rs 2>/dev/null
wait_for "the job to end" test -e "$TMP/ended"
sleep 0.5	# the server takes the job's end
gone "$RS" && fail "the server died printing to a killed client"
kill -9 "$RS"

end_main
exit 0
