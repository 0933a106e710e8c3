#!/bin/sh

# A read-only guest acts on nothing but its own client. With the owner
# (root) attached through a pty to a session with two windows, and the
# guest attached read-only through another pty: from the guest's command
# line, detach-client -t OWNER, -a, -s and -P, suspend-client -t OWNER,
# switch-client -c OWNER, attach-session -d and -x, attach -f !read-only,
# and a switch-client to a window the session does not show are each
# refused with an error naming why; the owner stays attached, the
# session keeps its window and environment, and the window keeps the
# owner's size although the guest's terminal is smaller. Keys the guest
# presses that are bound to other commands (C-b c, C-b n) run nothing and
# are logged as refused key commands; its own C-b d detaches it. Every
# refusal is in the log with the guest's identity.

. "$(dirname "$0")/lib.sh"
. "$REGRESS/lib-users.sh"

need_users
GUEST=tmuxauditro2
make_user "$GUEST"
GUID=$USER_UID

audit_conf
pub_server -d -s main -x 80 -y 24
$S new-window -d -t main:1 || fail "new-window failed"
$S new -d -s other || fail "new-session other failed"
$S server-access -r "$GUEST" || fail "server-access -r failed"
attach_as root "$OUTER" -t main
owner=$($S lsc -F '#{client_name}')
OUTER2=$OUTER-guest
"$TMUX_BIN" -L "$OUTER2" -f /dev/null new -d -x 50 -y 15 \
    "exec $(user_cmd "$GUEST") attach -t main" || fail "outer tmux failed"
wait_for "the guest to attach" sh -c "[ \$($S lsc | wc -l) -eq 2 ]"
guest=$($S lsc -F '#{client_name} #{client_uid}' | sed -n "s/ $GUID\$//p")

g() {
	as_user "$GUEST" env SSH_AUTH_SOCK=/guest/agent "$USER_BIN" \
	    -S "$PUB/sock" "$@" 2>&1
}
try() {
	_want=$1
	shift
	out=$(g "$@") && fail "$* was allowed"
	assert_eq "$*" "$_want" "$out"
}
other="client is read-only: cannot act on another client"
try "$other" detach-client -t "$owner"
try "client is read-only: -a is not allowed" detach-client -a
try "client is read-only: -s is not allowed" detach-client -s main
try "client is read-only: -P is not allowed" detach-client -P -t "$guest"
try "client is read-only" suspend-client -t "$owner"
try "$other" switch-client -c "$owner" -t other
try "client is read-only: -d is not allowed" attach-session -d -t main
try "client is read-only: -x is not allowed" attach-session -x -t main
try "client is read-only: client flags can only be added" \
    attach-session -f '!read-only' -t main
try "client is read-only: cannot change the current window" \
    switch-client -c "$guest" -t main:1
try "client is read-only: cannot change the current window" \
    switch-client -c "$guest" -t main:1.0

# What a read-only client may do: name the window the session shows, and
# move itself.
g switch-client -c "$guest" -t main:0 || fail "switch-client -t main:0"
g switch-client -c "$guest" -t other || fail "switch-client -t other"
# Client names as OWNER and GUEST, sorted: the tty numbers vary.
who() {
	sed -e "s|^$owner |OWNER |" -e "s|^$guest |GUEST |" | sort
}
assert_eq "sessions" "GUEST other
OWNER main" "$($S lsc -F '#{client_name} #{session_name}' | who)"
g switch-client -c "$guest" -t main || fail "switch-client -t main"

assert_eq "clients after the refusals" "GUEST main 0 50x15
OWNER main 0 80x24" "$($S lsc -F \
    '#{client_name} #{session_name} #{window_index} #{client_width}x#{client_height}' |
    who)"
assert_eq "window size" "80x23" "$($S display -p -t main '#{window_width}x#{window_height}')"
assert_eq "SSH_AUTH_SOCK in the session" "-SSH_AUTH_SOCK" \
    "$($S show-environment -t main SSH_AUTH_SOCK 2>&1)"

# Keys: C-b c (new-window) and C-b n (next-window) are refused; C-b d
# (detach-client) detaches the guest.
"$TMUX_BIN" -L "$OUTER2" send-keys C-b c || fail "send-keys failed"
"$TMUX_BIN" -L "$OUTER2" send-keys C-b n || fail "send-keys failed"
wait_for "two key refusals" log_has \
    'r["type"] == "command" and r.get("key") == "n" and r["result"] == "refused"'
"$TMUX_BIN" -L "$OUTER2" send-keys C-b d || fail "send-keys failed"
wait_for "the guest to detach" sh -c "[ \$($S lsc | wc -l) -eq 1 ]"
assert_eq "windows of main" "0 1
1 0" "$($S list-windows -t main -F '#{window_index} #{window_active}')"

$S kill-server || fail "kill-server failed"
wait_for "the server to exit" gone "$PUB_PID"
log_json
got=$(commands_of "$GUID" issuer key result command error) ||
    fail "reading the log failed"
assert_eq "the guest's commands" "\
client - ok attach-session -t main -
client - refused detach-client -t $owner $other
client - refused detach-client -a client is read-only: -a is not allowed
client - refused detach-client -s main client is read-only: -s is not allowed
client - refused detach-client -P -t $guest client is read-only: -P is not allowed
client - refused suspend-client -t $owner client is read-only
client - refused switch-client -c $owner -t other $other
client - refused attach-session -d -t main client is read-only: -d is not allowed
client - refused attach-session -x -t main client is read-only: -x is not allowed
client - refused attach-session -f !read-only -t main client is read-only: client flags can only be added
client - refused switch-client -c $guest -t main:1 client is read-only: cannot change the current window
client - refused switch-client -c $guest -t main:1.0 client is read-only: cannot change the current window
client - ok switch-client -c $guest -t main:0 -
client - ok switch-client -c $guest -t other -
client - ok switch-client -c $guest -t main -
key c refused new-window client is read-only
key n refused next-window client is read-only
key d stop detach-client -" "$got"
exit 0
